/**
 * The real kubectl's `port-forward` against the demo cluster: service → pod resolution (kubectl's own),
 * the WebSocket-tunnelled SPDY that kubectl 1.31+ tries first and the plain SPDY upgrade it falls back to,
 * bytes intact both ways and over several connections at once, the error stream when no process is behind
 * a port, and RBAC on pods/portforward.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePortForwardAnnotation, PORT_FORWARD_ANNOTATION } from '../src/portforward';
import { startDemoCluster, type DemoCluster } from '../src/server';

const KUBECTL =
  process.env.KUBECTL ??
  ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p)) ??
  'kubectl';
const USERS_MANIFEST = fileURLToPath(new URL('../../../data/demo/users.yaml', import.meta.url));
const token = { editor: randomBytes(16).toString('hex'), viewer: randomBytes(16).toString('hex') };

let dc: DemoCluster;
let dir: string;
let env: NodeJS.ProcessEnv;
let app: Server;
let appPort: number;
const requests: string[] = [];
const BIG = randomBytes(3_000_000);
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function kubectl(args: string[], as?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const full = [...args, `--cache-dir=${join(dir, 'cache')}`, ...(as ? [`--token=${as}`] : [])];
  return new Promise((resolve, reject) => {
    execFile(KUBECTL, full, { env, timeout: 20_000 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string }) | null;
      if (e?.code === 'ENOENT') return reject(new Error('kubectl not found: install kubernetes-client'));
      resolve({ code: typeof e?.code === 'number' ? e.code : e ? 1 : 0, stdout, stderr });
    });
  });
}

interface Forward {
  port: number;
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** `kubectl port-forward TARGET 0:PORT`, resolved once it prints the local port it listens on. */
function portForward(
  target: string,
  remotePort: number,
  opts: { as?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Forward> {
  const args = [
    'port-forward',
    '-n',
    'bookinfo',
    target,
    `0:${remotePort}`,
    `--cache-dir=${join(dir, 'cache')}`,
  ];
  if (opts.as) args.push(`--token=${opts.as}`);
  const proc = spawn(KUBECTL, args, { env: { ...env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill();
      reject(new Error(`kubectl port-forward printed no port within 15 s:\n${out}`));
    }, 15_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          port: Number(m[1]),
          proc,
          output: () => out,
          exited,
          async stop() {
            if (proc.exitCode === null) proc.kill();
            await exited;
          },
        });
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`kubectl port-forward exited (${code}) before listening:\n${out}`));
    });
  });
}

async function podNames(): Promise<string[]> {
  const r = await kubectl(['get', 'pods', '-n', 'bookinfo', '-l', 'app=web', '-o', 'name']);
  return r.stdout.trim().split('\n').filter(Boolean);
}

async function mapPods(value: string | null): Promise<void> {
  for (const pod of await podNames()) {
    const arg = value === null ? `${PORT_FORWARD_ANNOTATION}-` : `${PORT_FORWARD_ANNOTATION}=${value}`;
    const r = await kubectl(['annotate', '--overwrite', '-n', 'bookinfo', pod, arg]);
    expect(r.code, r.stderr).toBe(0);
  }
}

beforeAll(async () => {
  app = createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.host}`);
    if (req.method === 'POST') {
      const h = createHash('sha256');
      req.on('data', (d: Buffer) => h.update(d));
      req.on('end', () => res.end(h.digest('hex')));
    } else res.end(BIG);
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  appPort = (app.address() as AddressInfo).port;
  const lines: string[] = [];
  dc = await startDemoCluster({
    port: 0,
    load: [USERS_MANIFEST],
    log: (l) => void lines.push(l),
    auth: {
      tokens: [
        { token: token.editor, user: 'bookinfo-editor', uid: 'demo-bookinfo-editor' },
        { token: token.viewer, user: 'viewer', uid: 'demo-viewer' },
      ],
    },
  });
  upgrades = () => lines.filter((l) => l.includes('(upgrade:'));
  dir = await mkdtemp(join(tmpdir(), 'demo-cluster-pf-'));
  await dc.writeKubeconfig(join(dir, 'kubeconfig'));
  env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, KUBECONFIG: join(dir, 'kubeconfig') };
  for (const args of [
    ['create', 'deployment', 'web', '-n', 'bookinfo', '--image=web', '--replicas=2', '--port=8080'],
    ['expose', 'deployment', 'web', '-n', 'bookinfo', '--port=80', '--target-port=8080'],
  ]) {
    const r = await kubectl(args);
    expect(r.code, r.stderr).toBe(0);
  }
  await dc.settled();
  await mapPods(`8080=127.0.0.1:${appPort}`);
});

let upgrades: () => string[] = () => [];

afterAll(async () => {
  await dc?.close();
  await new Promise((r) => app?.close(r));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('kubectl port-forward', () => {
  it('reaches the process behind a service port over a WebSocket tunnel, bytes intact both ways', async () => {
    const before = upgrades().length;
    const pf = await portForward('svc/web', 80);
    try {
      const got = Buffer.from(await (await fetch(`http://127.0.0.1:${pf.port}/big`)).arrayBuffer());
      expect(sha(got)).toBe(sha(BIG));
      const upload = randomBytes(2_000_000);
      const res = await fetch(`http://127.0.0.1:${pf.port}/upload`, { method: 'POST', body: upload });
      expect(await res.text()).toBe(sha(upload));
      // Several connections at once, each its own pair of streams.
      const many = await Promise.all(
        Array.from({ length: 6 }, async (_, i) =>
          sha(Buffer.from(await (await fetch(`http://127.0.0.1:${pf.port}/${i}`)).arrayBuffer())),
        ),
      );
      expect(new Set(many)).toEqual(new Set([sha(BIG)]));
      expect(requests).toContain(`GET /big 127.0.0.1:${pf.port}`);
      // kubectl asked for the container port behind the service's (only 8080 is mapped), over a WebSocket:
      // no fallback to SPDY.
      const made = upgrades().slice(before);
      expect(made).toHaveLength(1);
      expect(made[0]).toMatch(
        /^GET \/api\/v1\/namespaces\/bookinfo\/pods\/web-[a-z0-9-]+\/portforward \(upgrade: websocket\)$/,
      );
      expect(pf.output()).not.toMatch(/error/i);
    } finally {
      await pf.stop();
    }
  });

  it('falls back to SPDY/3.1 as kubectl does when WebSockets are off', async () => {
    const before = upgrades().length;
    const pf = await portForward('svc/web', 80, { env: { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' } });
    try {
      const got = Buffer.from(await (await fetch(`http://127.0.0.1:${pf.port}/spdy`)).arrayBuffer());
      expect(sha(got)).toBe(sha(BIG));
      const made = upgrades().slice(before);
      expect(made).toHaveLength(1);
      expect(made[0]).toMatch(
        /^POST \/api\/v1\/namespaces\/bookinfo\/pods\/web-[a-z0-9-]+\/portforward \(upgrade: SPDY\/3\.1\)$/,
      );
    } finally {
      await pf.stop();
    }
  });

  it('reports a port no process is behind on the error stream, and kubectl stops', async () => {
    const [pod] = await podNames();
    const pf = await portForward(pod!, 9999);
    const failed = await fetch(`http://127.0.0.1:${pf.port}/`).then(
      () => 'answered',
      () => 'failed',
    );
    expect(failed).toBe('failed');
    expect(await pf.exited).not.toBe(0);
    expect(pf.output()).toContain('error forwarding port 9999 to pod bookinfo/web-');
    // kubectl quotes the message it prints.
    expect(pf.output()).toContain(`annotation ${PORT_FORWARD_ANNOTATION} (\\"9999=127.0.0.1:PORT\\")`);
  });

  it('lets a user forward only where RBAC grants create on pods/portforward', async () => {
    const pf = await portForward('svc/web', 80, { as: token.editor });
    try {
      const got = await fetch(`http://127.0.0.1:${pf.port}/editor`);
      expect(got.status).toBe(200);
    } finally {
      await pf.stop();
    }
    // The viewer may read the pod (kubectl resolves the service) but not forward to it: kubectl upgrades
    // before it listens, and stops there.
    const viewer = await kubectl(['port-forward', '-n', 'bookinfo', 'svc/web', '0:80'], token.viewer);
    expect(viewer.code).not.toBe(0);
    expect(viewer.stderr).toMatch(
      /pods "web-[a-z0-9-]+" is forbidden: User "viewer" cannot create resource "pods\/portforward" in API group "" in the namespace "bookinfo"/,
    );
    expect(viewer.stdout).not.toContain('Forwarding from');
  });
});

describe('the port-forward annotation', () => {
  it('maps container ports to loopback addresses only', () => {
    const m = parsePortForwardAnnotation(
      '20001=127.0.0.1:4000, 9090=[::1]:4001,80=10.0.0.1:80,x=1,81=localhost:82',
    );
    expect([...m.entries()]).toEqual([
      [20001, { host: '127.0.0.1', port: 4000 }],
      [9090, { host: '::1', port: 4001 }],
      [81, { host: 'localhost', port: 82 }],
    ]);
    expect(parsePortForwardAnnotation(undefined).size).toBe(0);
  });
});
