import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import {
  claimStateDir,
  ensurePrometheus,
  isAlive,
  metricsUrl,
  prometheusConfig,
  PrometheusNotInstalledError,
  webBuildStale,
} from '../src/index';

describe('webBuildStale', () => {
  let root: string;
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const file = (path: string, mtimeSeconds: number): void => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), 'x');
    utimesSync(join(root, path), mtimeSeconds, mtimeSeconds);
  };

  it('is stale without a dist, fresh after a build, stale again when a source or an imported package changes', () => {
    root = mkdtempSync(join(tmpdir(), 'meshlens-web-stale-'));
    file('apps/web/src/pages/graph.tsx', 1000);
    expect(webBuildStale(root)).toBe(true);
    file('apps/web/dist/index.html', 2000);
    expect(webBuildStale(root)).toBe(false);
    file('packages/contract/src/graph.ts', 3000);
    expect(webBuildStale(root)).toBe(true);
    file('apps/web/dist/index.html', 4000);
    file('apps/web/src/node_modules/ignored.js', 5000);
    expect(webBuildStale(root)).toBe(false);
  });
});

describe('prometheusConfig', () => {
  it('scrapes every target as job mesh with honor_labels, grouping targets by scheme and path', () => {
    const config = parse(
      prometheusConfig(
        ['127.0.0.1:9100', 'http://127.0.0.1:9200/metrics', 'http://127.0.0.1:9300/stats/prometheus'],
        0.5,
        5,
      ),
    ) as {
      global: Record<string, string>;
      scrape_configs: Array<{ job_name: string; honor_labels: boolean; static_configs: unknown[] }>;
    };
    expect(config.global).toEqual({
      scrape_interval: '500ms',
      scrape_timeout: '500ms',
      evaluation_interval: '5s',
    });
    expect(config.scrape_configs).toEqual([
      {
        job_name: 'mesh',
        honor_labels: true,
        static_configs: [
          {
            targets: ['127.0.0.1:9100', '127.0.0.1:9200'],
            labels: { __scheme__: 'http', __metrics_path__: '/metrics' },
          },
          {
            targets: ['127.0.0.1:9300'],
            labels: { __scheme__: 'http', __metrics_path__: '/stats/prometheus' },
          },
        ],
      },
    ]);
  });

  it('rejects a non-positive interval', () => {
    expect(() => prometheusConfig([], 0, 5)).toThrow(/positive number of seconds/);
  });
});

describe('metricsUrl', () => {
  it('adds /metrics to a base URL and keeps an explicit path', () => {
    expect(metricsUrl('http://127.0.0.1:4000')).toBe('http://127.0.0.1:4000/metrics');
    expect(metricsUrl('http://127.0.0.1:4000/custom')).toBe('http://127.0.0.1:4000/custom');
  });
});

describe('ensurePrometheus', () => {
  const noEnv = () => {
    const saved = process.env.MESHLENS_PROMETHEUS_BIN;
    delete process.env.MESHLENS_PROMETHEUS_BIN;
    return () => {
      if (saved !== undefined) process.env.MESHLENS_PROMETHEUS_BIN = saved;
    };
  };

  it('uses the installed binary without installing anything', () => {
    const log: string[] = [];
    const installs: number[] = [];
    const bin = ensurePrometheus((l) => log.push(l), {
      find: () => '/usr/bin/prometheus',
      isRoot: () => true,
      install: () => installs.push(1),
    });
    expect(bin).toBe('/usr/bin/prometheus');
    expect(installs).toEqual([]);
    expect(log).toEqual([]);
  });

  it('as root installs the prometheus package with apt-get and says so', () => {
    const restore = noEnv();
    try {
      let installed = false;
      const log: string[] = [];
      const bin = ensurePrometheus((l) => log.push(l), {
        find: () => (installed ? '/usr/bin/prometheus' : undefined),
        isRoot: () => true,
        install: () => (installed = true),
      });
      expect(bin).toBe('/usr/bin/prometheus');
      expect(log[0]).toMatch(/apt-get update && apt-get install -y prometheus/);
    } finally {
      restore();
    }
  });

  it('as another user refuses with a message naming the Debian package', () => {
    const restore = noEnv();
    try {
      const deps = {
        find: () => undefined,
        isRoot: () => false,
        install: () => expect.fail('must not install'),
      };
      expect(() => ensurePrometheus(() => undefined, deps)).toThrow(PrometheusNotInstalledError);
      expect(() => ensurePrometheus(() => undefined, deps)).toThrow(/Debian's `prometheus` package/);
    } finally {
      restore();
    }
  });
});

describe('claimStateDir', () => {
  it('stops the components an earlier, killed launcher left behind in the same state folder', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'meshlens-claim-'));
    // An orphaned "component": its command line names the state folder, as every real one does.
    const orphan = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', `${stateDir}/kubeconfig`], {
      detached: true,
      stdio: 'ignore',
    });
    const unrelated = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      detached: true,
      stdio: 'ignore',
    });
    try {
      const deadLauncher = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
      writeFileSync(
        join(stateDir, 'endpoints.json'),
        JSON.stringify({ pid: deadLauncher, pids: { cluster: orphan.pid, meshSim: unrelated.pid } }),
      );
      const log: string[] = [];
      await claimStateDir(stateDir, (l) => log.push(l));
      expect(log[0]).toMatch(/stopping 1 process\(es\) left behind/);
      // claimStateDir returns once the orphan is gone: it has already exited, from SIGTERM.
      expect(orphan.signalCode).toBe('SIGTERM');
      expect(isAlive(orphan.pid!)).toBe(false);
      expect(isAlive(unrelated.pid!)).toBe(true);
    } finally {
      unrelated.kill('SIGKILL');
      orphan.kill('SIGKILL');
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
