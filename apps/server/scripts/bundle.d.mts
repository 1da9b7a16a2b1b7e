// Types of bundle.mjs (plain Node, so the bin can import it before any TypeScript loader).
export interface BundlePaths {
  dir: string;
  /** The bundle: meshlens.mjs. */
  file: string;
  /** Its source map: meshlens.mjs.map. */
  map: string;
  /** The files esbuild read (root-relative), as `{ entry, builtAt, inputs: string[] }`: meshlens.inputs.json. */
  inputs: string;
}
export interface BuiltBundle {
  file: string;
  bytes: number;
  inputs: number;
  ms: number;
}
export function bundlePaths(dir?: string): BundlePaths;
export function staleReason(paths?: BundlePaths): string | undefined;
export function buildBundle(paths?: BundlePaths): Promise<BuiltBundle>;
export function ensureBundle(options?: {
  paths?: BundlePaths;
  log?: (line: string) => void;
}): Promise<string>;
