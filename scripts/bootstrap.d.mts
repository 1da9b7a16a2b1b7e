// Types of bootstrap.mjs (plain Node, so it runs before the dependencies are installed).
export const root: string;

/** The machine as the bootstrap sees it; tests pass their own. */
export interface Host {
  exists(path: string): boolean;
  onPath(command: string): boolean;
  env: Record<string, string | undefined>;
  isRoot(): boolean;
  run(cmd: string, args: string[], env?: Record<string, string>): boolean;
  log(line: string): void;
  exit(code: number): void;
}
export const host: Host;

export function ensureDependencies(deps?: Host): void;

export interface DebianPackage {
  pkg: string;
  command: string;
  env?: string;
  why: string;
}
export const DEBIAN: Record<'prometheus' | 'chromium' | 'kubectl', DebianPackage>;
export const TEST_PACKAGES: DebianPackage[];
export function ensureDebianPackages(needed: DebianPackage[], deps?: Host): boolean;

export function runTypeScript(relativePath: string): Promise<void>;
