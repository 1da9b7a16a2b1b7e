// Plain Node, no dependencies: runs before `npm install` on a fresh clone.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function run(cmd, args) {
  console.error(`> ${cmd} ${args.join(' ')}`);
  return spawnSync(cmd, args, { cwd: root, stdio: ['ignore', process.stderr, 'inherit'] }).status === 0;
}

/** Installs the npm dependencies when node_modules is missing (npm ci, or npm install if the lock is off). */
export function ensureDependencies() {
  if (existsSync(join(root, 'node_modules/tsx/package.json'))) return;
  console.error('meshlens: node_modules is missing; installing the dependencies first.');
  const ok =
    (existsSync(join(root, 'package-lock.json')) && run('npm', ['ci', '--no-audit', '--no-fund'])) ||
    run('npm', ['install', '--no-audit', '--no-fund']);
  if (!ok) {
    console.error('meshlens: installing the npm dependencies failed; see the output above.');
    process.exit(1);
  }
}

/** Runs a TypeScript entry in this process through tsx. */
export async function runTypeScript(relativePath) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, relativePath)).href);
}
