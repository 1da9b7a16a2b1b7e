// Plain Node, no dependencies: runs before `npm install` on a fresh clone (npm run demo, npm test, …).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The machine as the bootstrap sees it; tests pass their own. */
export const host = {
  exists: (path) => existsSync(path),
  /** Whether `command` is an executable file in a folder of PATH. */
  onPath: (command) =>
    (process.env.PATH ?? '').split(delimiter).some((dir) => dir && executable(join(dir, command))),
  env: process.env,
  isRoot: () => process.getuid?.() === 0,
  /** Runs a command in the repo root, its output on stderr; true when it exited 0. */
  run: (cmd, args, env) => {
    console.error(`> ${cmd} ${args.join(' ')}`);
    const result = spawnSync(cmd, args, {
      cwd: root,
      stdio: ['ignore', process.stderr, 'inherit'],
      env: { ...process.env, ...env },
    });
    return result.status === 0;
  },
  log: (line) => console.error(line),
  exit: (code) => process.exit(code),
};

/** Installs the npm dependencies when node_modules is missing (npm ci, or npm install if the lock is off). */
export function ensureDependencies(deps = host) {
  if (deps.exists(join(root, 'node_modules/tsx/package.json'))) return;
  deps.log('meshlens: node_modules is missing; installing the npm dependencies first.');
  const ok =
    (deps.exists(join(root, 'package-lock.json')) && deps.run('npm', ['ci', '--no-audit', '--no-fund'])) ||
    deps.run('npm', ['install', '--no-audit', '--no-fund']);
  if (!ok) {
    deps.log('meshlens: installing the npm dependencies failed; see the output above.');
    deps.exit(1);
  }
}

/**
 * Debian packages and what needs them. `command` is what must be on PATH once the package is installed;
 * `env`, when set, names a variable pointing at another binary, which then stands in for the package.
 */
export const DEBIAN = {
  prometheus: {
    pkg: 'prometheus',
    command: 'prometheus',
    env: 'MESHLENS_PROMETHEUS_BIN',
    why: 'the real Prometheus of the integration and browser tests',
  },
  chromium: { pkg: 'chromium', command: 'chromium', env: 'CHROMIUM_PATH', why: 'the browser tests' },
  kubectl: { pkg: 'kubernetes-client', command: 'kubectl', why: 'kubectl against the demo cluster' },
};

/** What `npm test` needs from Debian. */
export const TEST_PACKAGES = [DEBIAN.prometheus, DEBIAN.chromium, DEBIAN.kubectl];

/**
 * Makes sure the Debian packages in `needed` are there. As root, installs the missing ones with apt-get,
 * saying which and why; otherwise names them in one line. Returns false when something is still missing
 * (the caller stops).
 */
export function ensureDebianPackages(needed, deps = host) {
  const present = (p) => Boolean(p.env && deps.env[p.env]) || deps.onPath(p.command);
  const missing = needed.filter((p) => !present(p));
  if (missing.length === 0) return true;
  const names = missing.map((p) => p.pkg).join(' ');
  if (!deps.isRoot()) {
    deps.log(
      `meshlens: missing Debian packages ${names}; as root run \`apt-get update && apt-get install -y ${names}\`, then run this again.`,
    );
    return false;
  }
  deps.log('meshlens: installing the Debian packages that are missing (apt-get):');
  for (const p of missing) deps.log(`  ${p.pkg} (${p.command}): ${p.why}`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  const installed =
    deps.run('apt-get', ['update', '-qq'], env) &&
    deps.run(
      'apt-get',
      ['install', '-y', '-qq', '--no-install-recommends', ...missing.map((p) => p.pkg)],
      env,
    );
  const still = missing.filter((p) => !present(p));
  if (!installed || still.length > 0) {
    deps.log(
      `meshlens: installing ${names} failed${still.length ? ` (still missing: ${still.map((p) => p.command).join(', ')})` : ''}; see the output above.`,
    );
    return false;
  }
  return true;
}

/** Runs a TypeScript entry in this process through tsx. */
export async function runTypeScript(relativePath) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, relativePath)).href);
}
