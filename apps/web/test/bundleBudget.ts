import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { Rolldown } from 'vite';

/** What the graph page may load before it runs (and sends the graph request), gzipped bytes. */
export const GRAPH_FIRST_LOAD_BUDGET = 200 * 1024;
/** The graph's fetch worker chunk (raw bytes): it is loaded and compiled before the graph request leaves. */
export const FETCH_WORKER_BUDGET = 10 * 1024;

export interface BundleFile {
  file: string;
  bytes: number;
  gzip: number;
}

export interface BundleReport {
  /**
   * The first load: the entry chunk (boot.ts), the main chunk it always imports, their static imports
   * (all of them, transitively) and their CSS.
   */
  firstLoad: BundleFile[];
  firstLoadGzip: number;
  /** Every other JS chunk, loaded on demand (Cytoscape, layout engines, other pages, …). */
  lazy: BundleFile[];
}

type Chunk = Rolldown.OutputChunk;
type Asset = Rolldown.OutputAsset;

const size = (file: string, source: string | Uint8Array): BundleFile => {
  const buf = typeof source === 'string' ? Buffer.from(source) : Buffer.from(source);
  return { file, bytes: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
};

/**
 * Builds apps/web in memory (production mode, nothing written) and splits its output into what the
 * first load of the page needs — the entry chunk with its static imports and CSS — and what loads
 * later. The graph page is the app's landing page (`/` redirects to it) and is in the entry.
 */
export async function measureBundle(): Promise<BundleReport> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  // under Vitest NODE_ENV is `test`, which would build React's development bundles
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  const result = await build({
    root,
    mode: 'production',
    configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
    logLevel: 'silent',
    build: { write: false },
  }).finally(() => {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  });
  const outputs = (Array.isArray(result) ? result : [result]) as { output: (Chunk | Asset)[] }[];
  const items = outputs.flatMap((o) => o.output);
  const chunks = new Map<string, Chunk>();
  const assets = new Map<string, Asset>();
  for (const item of items) {
    if (item.type === 'chunk') chunks.set(item.fileName, item);
    else assets.set(item.fileName, item);
  }
  const entry = [...chunks.values()].find((c) => c.isEntry);
  if (!entry) throw new Error('the web build has no entry chunk');
  const first = new Set<string>();
  const visit = (name: string) => {
    if (first.has(name)) return;
    first.add(name);
    for (const dep of chunks.get(name)?.imports ?? []) visit(dep);
  };
  visit(entry.fileName);
  // boot.ts (the entry) reads the runtime config, then always imports main.tsx: part of the first load
  for (const name of entry.dynamicImports) {
    if (chunks.get(name)?.facadeModuleId?.endsWith('/src/main.tsx')) visit(name);
  }
  if (first.size === 1) throw new Error('the entry chunk does not lead to src/main.tsx');
  const firstLoad: BundleFile[] = [];
  for (const name of first) {
    const chunk = chunks.get(name) as Chunk;
    firstLoad.push(size(name, chunk.code));
    const css = (chunk as Chunk & { viteMetadata?: { importedCss?: Set<string> } }).viteMetadata?.importedCss;
    for (const c of css ?? []) {
      const asset = assets.get(c);
      if (asset) firstLoad.push(size(c, asset.source));
    }
  }
  const lazy = [...chunks.values()]
    .filter((c) => !first.has(c.fileName))
    .map((c) => size(c.fileName, c.code))
    .concat(
      [...assets.values()].filter((a) => a.fileName.endsWith('.js')).map((a) => size(a.fileName, a.source)),
    )
    .sort((a, b) => b.gzip - a.gzip);
  return { firstLoad, firstLoadGzip: firstLoad.reduce((a, f) => a + f.gzip, 0), lazy };
}
