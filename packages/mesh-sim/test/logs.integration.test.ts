/**
 * Integration: `kubectl logs` against the demo cluster, with mesh-sim as the nodes' kubelet — the Envoy
 * access log of a sidecar, the app's lines, -f streaming new lines until kubectl goes away, --tail, --since,
 * --timestamps, --limit-bytes, --previous, the API server's container and RBAC errors.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoCluster, type DemoCluster } from '@meshlens/demo-cluster';
import { startMeshSim, type MeshSim } from '../src/start';

const run = promisify(execFile);
// The machine's kubectl; KUBECTL=/path overrides it.
const KUBECTL =
  process.env.KUBECTL ??
  ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p)) ??
  'kubectl';
const ACCESS =
  /^\[\S+Z\] "GET \S+ HTTP\/1\.1" \d+ \S+ \S+ - "[^"]*" \d+ \d+ \d+ \S+ "[^"]*" "[^"]*" "[0-9a-f-]{36}" "[^"]+" "[^"]*" (outbound|inbound)\|\S+ \S+ \S+ \S+ \S+ \S+$/;

let dc: DemoCluster;
let sim: MeshSim;
let dir: string;
let env: NodeJS.ProcessEnv;
let pod: string;

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run(KUBECTL, [...args, `--cache-dir=${join(dir, 'cache')}`], {
    env,
    timeout: 15_000,
  });
  return stdout;
}

async function kubectlFails(...args: string[]): Promise<string> {
  try {
    await kubectl(...args);
  } catch (e) {
    return (e as { stderr?: string }).stderr ?? '';
  }
  throw new Error(`kubectl ${args.join(' ')} succeeded`);
}

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const followers = async () =>
  ((await (await fetch(`${sim.url}/debug/state`)).json()) as { logs: { followers: number } }).logs.followers;

const proxyLogs = (...args: string[]) => kubectl('logs', '-n', 'bookinfo', pod, '-c', 'istio-proxy', ...args);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mesh-sim-logs-'));
  dc = await startDemoCluster({ port: 0 });
  await dc.writeKubeconfig(join(dir, 'kubeconfig'));
  env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, KUBECONFIG: join(dir, 'kubeconfig') };
  sim = await startMeshSim({
    kubeconfigPath: join(dir, 'kubeconfig'),
    scenario: 'bookinfo',
    tickMs: 100,
    log: () => undefined,
  });
  pod = await until('the reviews-v1 pod', async () => {
    const out = await kubectl('get', 'pods', '-n', 'bookinfo', '-l', 'app=reviews,version=v1', '-o', 'name');
    return out.trim() ? out.trim().replace(/^pod\//, '') : undefined;
  });
});

afterAll(async () => {
  await sim?.close();
  await dc?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('kubectl logs against the demo cluster and mesh-sim', () => {
  it('serves the sidecar access log and the app log, with --tail', async () => {
    const proxy = await until('5 access-log lines', async () => {
      const out = (await proxyLogs('--tail', '5')).trim();
      const lines = out ? out.split('\n') : [];
      return lines.length === 5 ? lines : undefined;
    });
    for (const l of proxy) expect(l).toMatch(ACCESS);
    // Without -c kubectl takes the injector's default-container annotation: the app.
    const app = (await kubectl('logs', '-n', 'bookinfo', pod, '--tail', '3')).trim().split('\n');
    expect(app).toHaveLength(3);
    for (const l of app) expect(l).toMatch(/^\S+Z (INFO |WARN |ERROR) GET \/reviews\/0 \d+ /);
  });

  it('answers --timestamps, --since and --limit-bytes as the API server does', async () => {
    const stamped = (await proxyLogs('--tail', '2', '--timestamps')).trim().split('\n');
    for (const l of stamped) expect(l).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z \[/);
    const recent = (await proxyLogs('--since', '1s', '--timestamps')).trim().split('\n').filter(Boolean);
    for (const l of recent) expect(Date.now() - Date.parse(l.split(' ')[0]!)).toBeLessThan(10_000);
    const all = await proxyLogs();
    expect(all.split('\n').length).toBeGreaterThan(recent.length);
    const limited = await proxyLogs('--limit-bytes', '100');
    expect(Buffer.byteLength(limited)).toBe(100);
  });

  it('follows: -f prints new lines as they come and the stream ends when kubectl goes away', async () => {
    const child = spawn(
      KUBECTL,
      [
        'logs',
        '-f',
        '--tail',
        '0',
        '-n',
        'bookinfo',
        pod,
        '-c',
        'istio-proxy',
        `--cache-dir=${join(dir, 'cache')}`,
      ],
      { env },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const first = await until('a followed line', async () =>
        out.includes('\n') ? out.split('\n')[0] : undefined,
      );
      expect(first).toMatch(ACCESS);
      const seen = out.split('\n').length;
      await until('more followed lines', async () => (out.split('\n').length > seen + 2 ? true : undefined));
      expect(await followers()).toBe(1);
    } finally {
      child.kill('SIGTERM');
    }
    // The demo cluster closes its request to the kubelet when its client goes: no follower left.
    await until('the follower to go', async () => ((await followers()) === 0 ? true : undefined));
  });

  it('refuses what the API server refuses, with its messages', async () => {
    const admin = { authorization: `Bearer ${dc.adminToken}` };
    const res = await fetch(`${dc.url}/api/v1/namespaces/bookinfo/pods/${pod}/log`, { headers: admin });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe(
      `a container name must be specified for pod ${pod}, choose one of: [reviews istio-proxy] or one of the init containers: [istio-init]`,
    );
    expect(await kubectlFails('logs', '-n', 'bookinfo', pod, '-c', 'nope')).toContain(
      `container nope is not valid for pod ${pod}`,
    );
    expect(await kubectlFails('logs', '-n', 'bookinfo', pod, '-c', 'istio-proxy', '--previous')).toContain(
      `previous terminated container "istio-proxy" in pod "${pod}" not found`,
    );
    const bad = await fetch(
      `${dc.url}/api/v1/namespaces/bookinfo/pods/${pod}/log?container=reviews&tailLines=-1`,
      { headers: admin },
    );
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { message: string }).message).toContain('tailLines: Invalid value: -1');
    // RBAC: pods/log is its own resource; reading the pod is not enough.
    await kubectl('create', 'role', 'pod-reader', '-n', 'bookinfo', '--verb=get', '--resource=pods');
    await kubectl('create', 'rolebinding', 'jane-pods', '-n', 'bookinfo', '--role=pod-reader', '--user=jane');
    expect(await kubectlFails('logs', '-n', 'bookinfo', pod, '-c', 'reviews', '--as', 'jane')).toContain(
      `pods "${pod}" is forbidden: User "jane" cannot get resource "pods/log" in API group "" in the namespace "bookinfo"`,
    );
    await kubectl('create', 'role', 'log-reader', '-n', 'bookinfo', '--verb=get', '--resource=pods/log');
    await kubectl('create', 'rolebinding', 'jane-logs', '-n', 'bookinfo', '--role=log-reader', '--user=jane');
    expect(
      await kubectl('logs', '-n', 'bookinfo', pod, '-c', 'reviews', '--tail', '1', '--as', 'jane'),
    ).toMatch(/GET \/reviews\/0/);
  });
});
