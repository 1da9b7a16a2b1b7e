// The console server as one ESM file, built by esbuild: apps/server/dist/bundle/meshlens.mjs, with its
// source map (meshlens.mjs.map, read only under `node --enable-source-maps`) and the list of the files it
// was built from (meshlens.inputs.json). Running it instead of src/cli.ts through tsx saves the
// TypeScript loader, ~100 MB of RSS. Plain Node without tsx: bin/meshlens.js imports this before any loader.
//   npm run build -w @meshlens/server      (always rebuilds)
//   node apps/server/scripts/bundle.mjs --check   (exit 1 when stale)
//   ensureBundle()                          (rebuilds only when missing or stale; used by the bin)
import { accessSync, constants, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { utimesSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const serverDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The npm workspace root: esbuild's working directory, so the input paths are relative to it. */
const root = resolve(serverDir, '../..');
const ENTRY = 'apps/server/src/cli.ts';
/** Dependencies change only through npm, which rewrites these: the node_modules inputs need no stat each. */
const LOCKFILES = ['package-lock.json', 'node_modules/.package-lock.json'];

/**
 * Where the bundle lives: apps/server/dist/bundle, or MESHLENS_BUNDLE_DIR (tests). The server finds its
 * data by walking up from the bundle (src/paths.ts), so that folder must be inside the install.
 */
export function bundlePaths(dir = process.env.MESHLENS_BUNDLE_DIR || join(serverDir, 'dist', 'bundle')) {
  const file = join(dir, 'meshlens.mjs');
  return { dir, file, map: `${file}.map`, inputs: join(dir, 'meshlens.inputs.json') };
}

const mtimeMs = (path) => statSync(path, { throwIfNoEntry: false })?.mtimeMs;

/**
 * Why the bundle cannot be used as it is (`missing`, or the first input newer than it), or undefined when
 * it is up to date: no workspace source it was built from, and no lockfile, changed since. ~100 stats.
 */
export function staleReason(paths = bundlePaths()) {
  const built = mtimeMs(paths.file);
  if (built === undefined) return 'missing';
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(paths.inputs, 'utf8')).inputs;
  } catch {
    return `no readable ${basename(paths.inputs)}`;
  }
  if (!Array.isArray(inputs)) return `no input list in ${basename(paths.inputs)}`;
  for (const input of inputs) {
    if (input.startsWith('node_modules/')) continue;
    const m = mtimeMs(join(root, input));
    if (m === undefined) return `${input} is gone`;
    if (m > built) return `${input} changed`;
  }
  for (const lock of LOCKFILES) if ((mtimeMs(join(root, lock)) ?? 0) > built) return `${lock} changed`;
  return undefined;
}

/**
 * Builds the bundle. Each output is written to a file of its own and renamed into place, so servers
 * starting at the same time (vitest workers, e2e, the demo) never read half a file; the bundle goes
 * last and carries the build's start time, so a source saved during the build makes it stale.
 */
export async function buildBundle(paths = bundlePaths()) {
  // A folder it may not write (a read-only install) fails here, before a build that could not be kept.
  mkdirSync(paths.dir, { recursive: true });
  accessSync(paths.dir, constants.W_OK);
  const esbuild = await import('esbuild');
  const started = new Date();
  // The build runs in a child process of esbuild's (~400 MB RSS after this build), stopped right after:
  // otherwise it lives as long as the server that built its bundle.
  const result = await esbuild
    .build({
      absWorkingDir: root,
      entryPoints: [ENTRY],
      outfile: paths.file,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // Whitespace and syntax only: identifiers keep their names, so stack traces and profiles stay
      // readable (and the idle RSS is no higher than with short names: 145 MB against 157 MB, measured).
      minifyWhitespace: true,
      minifySyntax: true,
      // Linked, without the sources: costs nothing unless node runs with --enable-source-maps (~7 MB then).
      sourcemap: 'linked',
      sourcesContent: false,
      // CommonJS dependencies call require(); an ESM file has none of its own.
      banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
      metafile: true,
      write: false,
      logLevel: 'silent',
    })
    .finally(() => esbuild.stop());
  const tmp = (path) => `${path}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
  const place = (path, contents, mtime) => {
    const t = tmp(path);
    try {
      writeFileSync(t, contents);
      if (mtime) utimesSync(t, mtime, mtime);
      renameSync(t, path);
    } catch (err) {
      rmSync(t, { force: true });
      throw err;
    }
  };
  const out = new Map(result.outputFiles.map((f) => [f.path, f.contents]));
  const code = out.get(paths.file);
  if (!code) throw new Error(`esbuild wrote no ${paths.file}`);
  const inputs = Object.keys(result.metafile.inputs).sort();
  if (out.has(paths.map)) place(paths.map, out.get(paths.map));
  place(
    paths.inputs,
    `${JSON.stringify({ entry: ENTRY, builtAt: started.toISOString(), inputs }, null, 1)}\n`,
  );
  place(paths.file, code, started);
  return {
    file: paths.file,
    bytes: code.byteLength,
    inputs: inputs.length,
    ms: Date.now() - started.getTime(),
  };
}

/**
 * The bundle's path, built first if it is missing or stale. Throws when it cannot be built (esbuild
 * missing, a build error, a folder it cannot write): the caller then runs the sources.
 */
export async function ensureBundle({ paths = bundlePaths(), log = () => {} } = {}) {
  const reason = staleReason(paths);
  if (reason === undefined) return paths.file;
  log(`meshlens: building the server bundle (${reason})`);
  const built = await buildBundle(paths);
  log(`meshlens: built ${built.file} (${(built.bytes / 1e6).toFixed(1)} MB) in ${built.ms} ms`);
  return built.file;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    // The container image runs the bundle without writing: its build checks that it is up to date.
    const reason = staleReason();
    if (reason) {
      console.error(
        `meshlens: the server bundle is stale (${reason}): run npm run build -w @meshlens/server`,
      );
      process.exit(1);
    }
    console.log(`${bundlePaths().file} is up to date`);
  } else {
    const built = await buildBundle();
    console.log(
      `${built.file}: ${(built.bytes / 1e6).toFixed(1)} MB from ${built.inputs} inputs in ${built.ms} ms`,
    );
  }
}
