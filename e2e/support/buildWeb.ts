import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** The test build of the web app (exposes window.__cy); under a `dist` folder, so git, eslint and prettier skip it. */
export const WEB_TEST_DIR = fileURLToPath(new URL('../.cache/dist', import.meta.url));

/** What the web build is made of: the web app (but its builds) and the packages it imports, and the lock file. */
const SOURCES = ['apps/web', 'packages/contract', 'packages/istio', 'package-lock.json'];
const SKIP = new Set(['node_modules', 'dist', '.cache', 'coverage']);

/** Newest modification time (ms) of a file or anything under a folder. */
function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    max = Math.max(max, newest(join(path, entry.name)));
  }
  return max;
}

/** True when WEB_TEST_DIR was built after the last change to anything the build is made of. */
export function testWebIsFresh(): boolean {
  const index = join(WEB_TEST_DIR, 'index.html');
  if (!existsSync(index)) return false;
  const built = statSync(index).mtimeMs;
  return SOURCES.every((s) => !existsSync(join(root, s)) || newest(join(root, s)) < built);
}

/**
 * `vite build --mode test` of apps/web into WEB_TEST_DIR. `reuse`: keep a build that is newer than every
 * source (a scripted demo started twice need not wait for the build twice); tests always rebuild.
 */
export function buildTestWeb(options: { reuse?: boolean } = {}): string {
  if (options.reuse && testWebIsFresh()) return WEB_TEST_DIR;
  execFileSync(
    'npx',
    [
      'vite',
      'build',
      'apps/web',
      '--mode',
      'test',
      '--outDir',
      WEB_TEST_DIR,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  return WEB_TEST_DIR;
}
