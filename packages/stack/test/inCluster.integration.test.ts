/**
 * `npm run demo -- --in-cluster`: the console installed with `kubectl apply -k deploy/overlays/anonymous`,
 * each pod of its Deployment run as a local process with in-cluster configuration (no kubeconfig: the
 * ServiceAccount's own token and the cluster's CA as files), reached with `kubectl port-forward
 * svc/meshlens` through the demo cluster — and acting with exactly the rights the manifests grant.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findKubectl, isAlive, killGroup, repoRoot, sleep, type Endpoints } from '../src/index';

const KUBECTL = findKubectl();
const SA = 'system:serviceaccount:istio-system:meshlens';

let stateDir: string;
let npm: ChildProcess;
let exited: Promise<number | null>;
const stdout: string[] = [];
let stderr = '';
let endpoints: Endpoints;

function kubectl(args: string[], token?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const full = [
    ...args,
    `--cache-dir=${join(stateDir, 'test-cache')}`,
    ...(token ? [`--token=${token}`] : []),
  ];
  return new Promise((resolve) => {
    execFile(
      KUBECTL,
      full,
      {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: stateDir,
          KUBECONFIG: join(stateDir, 'kubeconfig'),
        },
        timeout: 20_000,
      },
      (err, out, errOut) => {
        const e = err as (Error & { code?: number | string }) | null;
        resolve({ code: typeof e?.code === 'number' ? e.code : e ? 1 : 0, stdout: out, stderr: errOut });
      },
    );
  });
}

/** `kubectl -n istio-system port-forward TARGET 0:PORT` (a free local port), once it listens. */
async function portForward(target: string, port: number): Promise<{ url: string; stop(): void }> {
  const proc = spawn(
    KUBECTL,
    [
      'port-forward',
      '-n',
      'istio-system',
      target,
      `0:${port}`,
      `--cache-dir=${join(stateDir, 'test-cache')}`,
    ],
    {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: stateDir,
        KUBECONFIG: join(stateDir, 'kubeconfig'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const local = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`kubectl port-forward ${target}: no port in 15 s\n${out}`)),
      15_000,
    );
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) =>
      reject(new Error(`kubectl port-forward ${target} exited (${code}):\n${out}`)),
    );
  });
  return { url: `http://127.0.0.1:${local}`, stop: () => void proc.kill() };
}

const processEnv = (pid: number): Record<string, string> =>
  Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'meshlens-incluster-'));
  npm = spawn(
    'npm',
    ['run', 'demo', '--', '--in-cluster', '--port', '0', '--state-dir', stateDir, '--no-web-build'],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  exited = new Promise((resolve) => npm.once('exit', (code) => resolve(code)));
  npm.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "Press Ctrl-C" within 100 s; stderr:\n${stderr}`)),
      100_000,
    );
    createInterface({ input: npm.stdout! }).on('line', (line) => {
      stdout.push(line);
      if (line.startsWith('Press Ctrl-C')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => reject(new Error(`npm run demo exited (${code}); stderr:\n${stderr}`)));
  });
  endpoints = JSON.parse(await readFile(join(stateDir, 'endpoints.json'), 'utf8')) as Endpoints;
}, 120_000);

afterAll(async () => {
  if (npm?.pid && npm.exitCode === null) killGroup(npm.pid, 'SIGKILL');
  const pids = [
    ...Object.values(endpoints?.pids ?? {}),
    ...(endpoints?.inCluster?.pods.map((p) => p.pid) ?? []),
    endpoints?.inCluster?.portForwardPid,
  ].filter((p): p is number => typeof p === 'number');
  for (const pid of pids.filter(isAlive)) killGroup(pid, 'SIGKILL');
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

describe('npm run demo -- --in-cluster', () => {
  it('applies deploy/overlays/anonymous and runs its two pods as processes with in-cluster configuration', async () => {
    const ic = endpoints.inCluster!;
    expect(ic.overlay).toBe(join(repoRoot, 'deploy', 'overlays', 'anonymous'));
    const pods = (
      await kubectl(['get', 'pods', '-n', 'istio-system', '-l', 'app=meshlens', '-o', 'name'])
    ).stdout
      .trim()
      .split('\n')
      .map((p) => p.replace('pod/', ''))
      .sort();
    expect(pods).toHaveLength(2);
    expect(ic.pods.map((p) => p.name)).toEqual(pods);
    for (const p of ic.pods) {
      const env = processEnv(p.pid);
      // In-cluster configuration, not the admin's kubeconfig.
      expect(env.KUBECONFIG).toBeUndefined();
      expect(env.KUBERNETES_SERVICE_HOST).toBe('127.0.0.1');
      expect(env.KUBERNETES_SERVICE_PORT).toBe(new URL(endpoints.cluster).port);
      expect(env.MESHLENS_AUTH_STRATEGY).toBe('anonymous');
      expect(env.POD_NAMESPACE).toBe('istio-system');
      expect(readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split('\0')).toContain(p.serviceAccountDir);
      expect(readFileSync(join(p.serviceAccountDir, 'namespace'), 'utf8')).toBe('istio-system');
    }
    expect(stdout.join('\n')).toContain(
      `port-forward svc/meshlens ${new URL(endpoints.console!).port}:20001`,
    );
  });

  it('is reached through the demo cluster with kubectl port-forward svc/meshlens, each replica serving', async () => {
    const pf = await portForward('svc/meshlens', 20001);
    try {
      expect((await fetch(`${pf.url}/healthz`)).status).toBe(200);
      const res = await fetch(`${pf.url}/api/namespaces`);
      expect(res.status).toBe(200);
      const names = ((await res.json()) as { namespaces: { name: string }[] }).namespaces.map((n) => n.name);
      expect(names).toEqual(expect.arrayContaining(['bookinfo', 'istio-system']));
    } finally {
      pf.stop();
    }
    // The demo's own console URL is such a port-forward too; and each pod answers on its own.
    expect((await fetch(`${endpoints.console}/healthz`)).status).toBe(200);
    for (const p of endpoints.inCluster!.pods) {
      const one = await portForward(`pod/${p.name}`, 20001);
      try {
        expect((await fetch(`${one.url}/readyz`)).status).toBe(200);
      } finally {
        one.stop();
      }
    }
  });

  it("acts with the ServiceAccount's token, and RBAC of the manifests decides", async () => {
    const token = readFileSync(join(endpoints.inCluster!.pods[0]!.serviceAccountDir, 'token'), 'utf8');
    expect(
      (await kubectl(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], token)).stdout,
    ).toBe(SA);
    const canI = async (...args: string[]) =>
      (await kubectl(['auth', 'can-i', ...args], token)).stdout.trim();
    expect(await canI('list', 'pods', '--all-namespaces')).toBe('yes');
    expect(await canI('list', 'secrets', '--all-namespaces')).toBe('no');
    expect(await canI('create', 'pods/portforward', '-n', 'istio-system')).toBe('no');
    expect(await canI('delete', 'serviceentries.networking.istio.io', '-n', 'bookinfo')).toBe('no');

    // Through the console: it may delete a VirtualService (the wizards do), not a ServiceEntry.
    for (const file of ['virtual-service-reviews-v3.yaml', 'egress-rule-google-apis.yaml']) {
      const applied = await kubectl([
        'apply',
        '-n',
        'bookinfo',
        '-f',
        join(repoRoot, 'data', 'istio', 'bookinfo', file),
      ]);
      expect(applied.code, applied.stderr).toBe(0);
    }
    const se = (await kubectl(['get', 'serviceentries', '-n', 'bookinfo', '-o', 'name'])).stdout
      .trim()
      .split('\n')[0]!;
    const seName = se.split('/').pop()!;
    const refused = await fetch(
      `${endpoints.console}/api/namespaces/bookinfo/istio/serviceentries/${seName}?dryRun=true`,
      // A write is taken only from the console's own origin (as its page sends it).
      { method: 'DELETE', headers: { origin: new URL(endpoints.console!).origin } },
    );
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(await refused.text()).toContain(
      `User \\"${SA}\\" cannot delete resource \\"serviceentries\\" in API group \\"networking.istio.io\\" in the namespace \\"bookinfo\\"`,
    );
    const allowed = await fetch(
      `${endpoints.console}/api/namespaces/bookinfo/istio/virtualservices/reviews?dryRun=true`,
      { method: 'DELETE', headers: { origin: new URL(endpoints.console!).origin } },
    );
    expect(allowed.status, await allowed.clone().text()).toBe(200);
    expect(await allowed.json()).toMatchObject({
      dryRun: true,
      deleted: { kind: 'VirtualService', name: 'reviews' },
    });
  });

  it('stops every process it started on SIGTERM', async () => {
    const pids = [
      ...endpoints.inCluster!.pods.map((p) => p.pid),
      endpoints.inCluster!.portForwardPid,
      endpoints.pids.cluster,
    ];
    expect(pids.every(isAlive)).toBe(true);
    process.kill(endpoints.pid, 'SIGTERM');
    expect(await exited).toBe(0);
    const deadline = Date.now() + 10_000;
    while (pids.some(isAlive) && Date.now() < deadline) await sleep(100);
    expect(pids.filter(isAlive)).toEqual([]);
  });
});
