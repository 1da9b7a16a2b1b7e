import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { repoRoot } from './components';
import { findPrometheus, PrometheusNotInstalledError } from './prometheus';

type Log = (line: string) => void;

function aptInstallPrometheus(): void {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'prometheus']]) {
    const result = spawnSync('apt-get', args, { stdio: ['ignore', process.stderr, 'inherit'], env });
    if (result.status !== 0) {
      throw new Error(
        `apt-get ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}); ` +
          "install Debian's `prometheus` package by hand.",
      );
    }
  }
}

export interface EnsurePrometheusDeps {
  find: () => string | undefined;
  isRoot: () => boolean;
  install: () => void;
}

const realDeps: EnsurePrometheusDeps = {
  find: findPrometheus,
  isRoot: () => process.getuid?.() === 0,
  install: aptInstallPrometheus,
};

/**
 * Makes sure Prometheus is installed: when it is missing and we are root, installs Debian's `prometheus`
 * package with apt-get (saying so); otherwise throws PrometheusNotInstalledError naming the package.
 */
export function ensurePrometheus(log: Log, deps: EnsurePrometheusDeps = realDeps): string {
  const found = deps.find();
  if (found) return found;
  const override = process.env.MESHLENS_PROMETHEUS_BIN;
  if (override) throw new Error(`MESHLENS_PROMETHEUS_BIN=${override} is not an executable file`);
  if (!deps.isRoot()) throw new PrometheusNotInstalledError();
  log(
    "Prometheus is missing: installing Debian's prometheus package (apt-get update && apt-get install -y prometheus)",
  );
  deps.install();
  // Debian's package may also start a system Prometheus on :9090; the demo runs its own on a free port.
  const installed = deps.find();
  if (!installed) throw new PrometheusNotInstalledError();
  log(`installed ${installed}`);
  return installed;
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/** The web app's build inputs: its own sources and config, and the packages it imports. */
const webInputs = [
  'apps/web/src',
  'apps/web/index.html',
  'apps/web/public',
  'apps/web/package.json',
  'apps/web/vite.config.ts',
  'packages/contract/src',
  'packages/istio/src',
];

/** Whether apps/web/dist is missing or older than the web app's sources. */
export function webBuildStale(root = repoRoot): boolean {
  const dist = join(root, 'apps/web/dist/index.html');
  if (!existsSync(dist)) return true;
  const built = statSync(dist).mtimeMs;
  return webInputs.some((input) => newestMtime(join(root, input)) > built);
}

function webHasBuildScript(root = repoRoot): boolean {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'apps/web/package.json'), 'utf8')) as {
      scripts?: Record<string, string>;
    };
    return Boolean(pkg.scripts?.build) && existsSync(join(root, 'apps/web/index.html'));
  } catch {
    return false;
  }
}

/**
 * Builds the web app (`npm run build -w @meshlens/web`) when it has a build and its dist is missing or
 * stale. Returns what happened; a failed build is reported, not thrown: the stack still runs without it.
 */
export function buildWebIfStale(log: Log): 'built' | 'fresh' | 'no-build' | 'failed' {
  if (!webHasBuildScript()) return 'no-build';
  if (!webBuildStale()) return 'fresh';
  log('building the web app (npm run build -w @meshlens/web)…');
  const result = spawnSync('npm', ['run', 'build', '-w', '@meshlens/web'], {
    cwd: repoRoot,
    stdio: ['ignore', process.stderr, 'inherit'],
  });
  return result.status === 0 ? 'built' : 'failed';
}

/** Whether `port` can be bound on `host` right now. */
export function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
