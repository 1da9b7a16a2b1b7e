import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEBIAN,
  TEST_PACKAGES,
  ensureDebianPackages,
  ensureDependencies,
  root,
  type Host,
} from './bootstrap.mjs';

/** A machine where `onPath` holds the commands installed so far and apt-get installs into it. */
function machine(options: {
  commands?: string[];
  root?: boolean;
  env?: Record<string, string>;
  files?: string[];
  fail?: string;
}) {
  const commands = new Set(options.commands ?? []);
  const files = new Set(options.files ?? []);
  const runs: string[] = [];
  const logs: string[] = [];
  const exits: number[] = [];
  const providing: Record<string, string> = {
    prometheus: 'prometheus',
    chromium: 'chromium',
    'kubernetes-client': 'kubectl',
  };
  const host: Host = {
    exists: (path) => files.has(path),
    onPath: (command) => commands.has(command),
    env: options.env ?? {},
    isRoot: () => options.root ?? false,
    run: (cmd, args, env) => {
      const line = `${env?.DEBIAN_FRONTEND ? `DEBIAN_FRONTEND=${env.DEBIAN_FRONTEND} ` : ''}${cmd} ${args.join(' ')}`;
      runs.push(line);
      if (options.fail && line.includes(options.fail)) return false;
      if (cmd === 'apt-get' && args[0] === 'install')
        for (const a of args) if (providing[a]) commands.add(providing[a]);
      if (cmd === 'npm') files.add(join(root, 'node_modules/tsx/package.json'));
      return true;
    },
    log: (line) => void logs.push(line),
    exit: (code) => void exits.push(code),
  };
  return { host, runs, logs, exits };
}

describe('ensureDebianPackages (npm test)', () => {
  it('does nothing when every command is there', () => {
    const m = machine({ commands: ['prometheus', 'chromium', 'kubectl'], root: true });
    expect(ensureDebianPackages(TEST_PACKAGES, m.host)).toBe(true);
    expect(m.runs).toEqual([]);
    expect(m.logs).toEqual([]);
  });

  it('as root, installs only the missing packages with apt-get, saying which and why', () => {
    const m = machine({ commands: ['prometheus'], root: true });
    expect(ensureDebianPackages(TEST_PACKAGES, m.host)).toBe(true);
    expect(m.runs).toEqual([
      'DEBIAN_FRONTEND=noninteractive apt-get update -qq',
      'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium kubernetes-client',
    ]);
    expect(m.logs.join('\n')).toMatch(/installing the Debian packages/);
    expect(m.logs.join('\n')).toMatch(/chromium \(chromium\): the browser tests/);
    expect(m.logs.join('\n')).toMatch(/kubernetes-client \(kubectl\)/);
  });

  it('without root, names the missing packages in one line and installs nothing', () => {
    const m = machine({ commands: ['kubectl'], root: false });
    expect(ensureDebianPackages(TEST_PACKAGES, m.host)).toBe(false);
    expect(m.runs).toEqual([]);
    expect(m.logs).toHaveLength(1);
    expect(m.logs[0]).toContain('missing Debian packages prometheus chromium;');
    expect(m.logs[0]).toContain('apt-get install -y prometheus chromium');
  });

  it('takes a binary named by the package’s environment variable instead', () => {
    const m = machine({ commands: ['kubectl', 'chromium'], env: { MESHLENS_PROMETHEUS_BIN: '/opt/prom' } });
    expect(ensureDebianPackages(TEST_PACKAGES, m.host)).toBe(true);
    expect(m.runs).toEqual([]);
  });

  it('fails, naming what is still missing, when apt-get fails or installs no such command', () => {
    const failing = machine({ commands: [], root: true, fail: 'install' });
    expect(ensureDebianPackages([DEBIAN.prometheus], failing.host)).toBe(false);
    expect(failing.logs.at(-1)).toMatch(/installing prometheus failed \(still missing: prometheus\)/);

    const odd = machine({ commands: [], root: true });
    const notProvided = { pkg: 'something', command: 'nothing', why: 'a test' };
    expect(ensureDebianPackages([notProvided], odd.host)).toBe(false);
    expect(odd.logs.at(-1)).toMatch(/still missing: nothing/);
  });
});

describe('ensureDependencies (npm run demo, npm test, npm run bench)', () => {
  const tsx = join(root, 'node_modules/tsx/package.json');
  const lock = join(root, 'package-lock.json');

  it('does nothing when node_modules is there', () => {
    const m = machine({ files: [tsx, lock] });
    ensureDependencies(m.host);
    expect(m.runs).toEqual([]);
  });

  it('runs npm ci on a fresh clone, npm install when the lock is missing or npm ci fails', () => {
    const fresh = machine({ files: [lock] });
    ensureDependencies(fresh.host);
    expect(fresh.runs).toEqual(['npm ci --no-audit --no-fund']);
    expect(fresh.logs[0]).toMatch(/node_modules is missing/);

    const noLock = machine({});
    ensureDependencies(noLock.host);
    expect(noLock.runs).toEqual(['npm install --no-audit --no-fund']);

    const ciFails = machine({ files: [lock], fail: 'npm ci' });
    ensureDependencies(ciFails.host);
    expect(ciFails.runs).toEqual(['npm ci --no-audit --no-fund', 'npm install --no-audit --no-fund']);
    expect(ciFails.exits).toEqual([]);
  });

  it('stops with exit 1 when installing fails', () => {
    const m = machine({ fail: 'npm' });
    ensureDependencies(m.host);
    expect(m.exits).toEqual([1]);
    expect(m.logs.at(-1)).toMatch(/installing the npm dependencies failed/);
  });
});
