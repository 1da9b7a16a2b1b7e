import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** The test build of the web app (exposes window.__cy); under a `dist` folder, so git, eslint and prettier skip it. */
export const WEB_TEST_DIR = fileURLToPath(new URL('../.cache/dist', import.meta.url));

/** `vite build --mode test` of apps/web into WEB_TEST_DIR. */
export function buildTestWeb(): string {
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
