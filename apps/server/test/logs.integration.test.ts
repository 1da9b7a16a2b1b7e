/**
 * The logs route against the demo cluster (real RBAC) with mesh-sim's Bookinfo as the nodes' kubelet:
 * lines arrive as NDJSON events, `follow` streams new ones, a viewer of another namespace is refused, bad
 * parameters are 400s naming them, and a client that goes away frees the stream down to the kubelet.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import {
  LogStreamEventSchema,
  podLogsPath,
  workloadPodsPath,
  WorkloadPodsResponseSchema,
  type LogStreamEvent,
} from '@meshlens/contract';
import { startDemoCluster } from '@meshlens/demo-cluster';
import { startMeshSim, type MeshSim } from '@meshlens/mesh-sim';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server';
import { eventually } from './stackHelpers';

const TOKENS = {
  reader: 'tok-reader-0123456789',
  /** A second token of user reader. */
  readerAgain: 'tok-reader-again-0123456789',
  /** Another user with reader's rights. */
  peer: 'tok-peer-0123456789',
  other: 'tok-other-0123456789',
  lister: 'tok-lister-0123456789',
};
/**
 * reader: `view` in bookinfo (pods/log included); other: `view` in namespace other only; lister: may list
 * bookinfo's pods, services and deployments (the console counts it as a reader) but not read pods/log.
 */
const RBAC = `apiVersion: v1
kind: Namespace
metadata: { name: other }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: reader, namespace: bookinfo }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view }
subjects:
  - { apiGroup: rbac.authorization.k8s.io, kind: User, name: reader }
  - { apiGroup: rbac.authorization.k8s.io, kind: User, name: peer }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: other, namespace: other }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: other }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: lister, namespace: bookinfo }
rules:
  - { apiGroups: [''], resources: [pods, services], verbs: [get, list, watch] }
  - { apiGroups: [apps], resources: [deployments], verbs: [get, list, watch] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: lister, namespace: bookinfo }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: lister }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: lister }]
`;

let dir: string;
let cluster: Awaited<ReturnType<typeof startDemoCluster>>;
let sim: MeshSim;
let server: RunningServer;
let pod: string;

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** Polls every 100 ms, for at most 20 s, until `f` returns a value. */
const until = <T>(what: string, f: () => Promise<T | undefined>) => eventually(what, f, 20_000, 100);

const followers = async () =>
  ((await (await fetch(`${sim.url}/debug/state`)).json()) as { logs: { followers: number } }).logs.followers;

/** Reads NDJSON events off a response body as they come. */
async function* events(res: Response): AsyncGenerator<LogStreamEvent> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let rest = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const parts = (rest + decoder.decode(value, { stream: true })).split('\n');
    rest = parts.pop() ?? '';
    for (const p of parts) yield LogStreamEventSchema.parse(JSON.parse(p));
  }
}

const logs = (query: string, token = TOKENS.reader, signal?: AbortSignal) =>
  fetch(`${server.url}${podLogsPath('bookinfo', pod)}?${query}`, {
    headers: auth(token),
    ...(signal ? { signal } : {}),
  });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshlens-logs-it-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>x</title>');
  cluster = await startDemoCluster({
    host: '127.0.0.1',
    port: 0,
    auth: {
      tokens: [
        { token: TOKENS.reader, user: 'reader' },
        { token: TOKENS.readerAgain, user: 'reader' },
        { token: TOKENS.peer, user: 'peer' },
        { token: TOKENS.other, user: 'other' },
        { token: TOKENS.lister, user: 'lister' },
      ],
    },
  });
  const kubeconfigPath = join(dir, 'kubeconfig');
  await cluster.writeKubeconfig(kubeconfigPath);
  sim = await startMeshSim({ kubeconfigPath, scenario: 'bookinfo', tickMs: 100, log: () => undefined });
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const api = KubernetesObjectApi.makeApiClient(kc);
  for (const doc of RBAC.split('---\n')) {
    const { parse } = await import('yaml');
    await api.create(parse(doc) as never);
  }
  server = await startServer({
    kubeconfigPath,
    prometheusUrl: 'http://127.0.0.1:9',
    port: 0,
    host: '127.0.0.1',
    config: {
      webDir: dir,
      kubernetes: { timeoutMs: 5000 },
      auth: { strategy: 'token' },
      logs: { maxFollowsPerClient: 2 },
    },
    logger: pino({ level: 'silent' }),
  });
  pod = await until('the reviews-v1 pod', async () => {
    const list = await api.list(
      'v1',
      'Pod',
      'bookinfo',
      undefined,
      undefined,
      undefined,
      undefined,
      'app=reviews,version=v1',
    );
    return list.items[0]?.metadata?.name;
  });
});

afterAll(async () => {
  await server?.close();
  await sim?.close();
  await cluster?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('GET /api/namespaces/{ns}/pods/{pod}/logs', () => {
  it('streams the selected lines as events with their time, then ends', async () => {
    const got = await until('10 access-log lines', async () => {
      const res = await logs('container=istio-proxy&tailLines=10');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
      const all: LogStreamEvent[] = [];
      for await (const e of events(res)) all.push(e);
      return all.length === 11 ? all : undefined;
    });
    const lines = got.filter((e) => e.kind === 'line');
    expect(lines).toHaveLength(10);
    for (const l of lines) {
      expect(Date.parse(l.time)).toBeGreaterThan(Date.now() - 120_000);
      expect(l.text).toMatch(/^\[\S+\] "GET \/reviews\/0 HTTP\/1\.1" \d{3} /);
    }
    expect(got.at(-1)).toEqual({ kind: 'end', reason: 'complete', message: '10 lines' });
    const app = await logs('container=reviews&tailLines=2');
    const appLines: LogStreamEvent[] = [];
    for await (const e of events(app)) if (e.kind === 'line') appLines.push(e);
    expect(appLines).toHaveLength(2);
    expect(appLines[0]!.kind === 'line' && appLines[0]!.text).toMatch(/(INFO |ERROR|WARN ) GET \/reviews\/0/);
  });

  it('follows: new lines arrive on the open response, and closing it frees the cluster stream', async () => {
    const abort = new AbortController();
    const res = await logs('container=istio-proxy&tailLines=0&follow=true', TOKENS.reader, abort.signal);
    expect(res.status).toBe(200);
    const started = Date.now();
    const seen: LogStreamEvent[] = [];
    for await (const e of events(res)) {
      seen.push(e);
      if (seen.length >= 3) break;
    }
    expect(seen.every((e) => e.kind === 'line' && Date.parse(e.time) >= started - 1000)).toBe(true);
    expect(await followers()).toBe(1);
    abort.abort();
    await until('the kubelet follower to go', async () => ((await followers()) === 0 ? true : undefined));
  });

  it('caps the follows one user has open at once, and gives a place back when one closes', async () => {
    const FOLLOW = 'container=istio-proxy&tailLines=0&follow=true';
    const follow = async (token: string) => {
      const abort = new AbortController();
      return { res: await logs(FOLLOW, token, abort.signal), close: () => abort.abort() };
    };
    const a = await follow(TOKENS.reader);
    // The same user with another token: one user, whatever credential they use.
    const b = await follow(TOKENS.readerAgain);
    expect([a.res.status, b.res.status]).toEqual([200, 200]);
    await until('both kubelet streams', async () => ((await followers()) === 2 ? true : undefined));
    for (const token of [TOKENS.reader, TOKENS.readerAgain]) {
      const refused = await logs(FOLLOW, token);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('5');
      const error = ((await refused.json()) as { error: { name: string; message: string } }).error;
      expect(error.name).toBe('TooManyRequestsError');
      expect(error.message).toMatch(/you already follow 2 logs.*\(logs\.maxFollowsPerClient\); close one/);
    }
    // No stream to the kubelet was opened for the refused ones.
    expect(await followers()).toBe(2);
    // Another user has places of their own, and a read without follow is not counted.
    const c = await follow(TOKENS.peer);
    expect(c.res.status).toBe(200);
    const plain = await logs('container=istio-proxy&tailLines=1', TOKENS.reader);
    expect(plain.status).toBe(200);
    for await (const e of events(plain)) if (e.kind === 'end') break;
    // The client goes away: its place comes back (its kubelet stream closes too).
    a.close();
    const d = await until('a place given back', async () => {
      const next = await follow(TOKENS.reader);
      if (next.res.status === 200) return next;
      await next.res.body?.cancel();
      return undefined;
    });
    await until('three kubelet streams', async () => ((await followers()) === 3 ? true : undefined));
    for (const f of [b, c, d]) f.close();
    await until('every kubelet follower to go', async () => ((await followers()) === 0 ? true : undefined));
    // And every place with them.
    const again = [await follow(TOKENS.reader), await follow(TOKENS.reader)];
    expect(again.map((f) => f.res.status)).toEqual([200, 200]);
    for (const f of again) f.close();
    await until('the last followers to go', async () => ((await followers()) === 0 ? true : undefined));
  });

  it("refuses a user who may not read the pod's namespace", async () => {
    const res = await logs('container=reviews', TOKENS.other);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/bookinfo/);
  });

  it("lists a workload's pods and their containers", async () => {
    const res = await fetch(`${server.url}${workloadPodsPath('bookinfo', 'reviews-v1')}`, {
      headers: auth(TOKENS.reader),
    });
    expect(res.status).toBe(200);
    expect(WorkloadPodsResponseSchema.parse(await res.json()).pods).toEqual([
      { name: pod, phase: 'Running', containers: ['reviews', 'istio-proxy'] },
    ]);
    const refused = await fetch(`${server.url}${workloadPodsPath('bookinfo', 'reviews-v1')}`, {
      headers: auth(TOKENS.other),
    });
    expect(refused.status).toBe(403);
  });

  it("reads with the user's own credentials: the API server refuses pods/log to who lacks it", async () => {
    const res = await logs('container=reviews', TOKENS.lister);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      'User "lister" cannot get resource "pods/log" in API group "" in the namespace "bookinfo"',
    );
  });

  it('answers 400 naming the parameter', async () => {
    const cases: [string, string][] = [
      ['container=Reviews', 'container'],
      ['container=reviews&tailLines=-1', 'tailLines'],
      ['container=reviews&tailLines=999999', 'tailLines'],
      ['container=reviews&sinceSeconds=0', 'sinceSeconds'],
      ['container=reviews&follow=yes', 'follow'],
      ['container=reviews&limit=3', 'limit'],
      // The API server's own refusal: several containers and none named.
      ['tailLines=1', 'container'],
    ];
    for (const [query, param] of cases) {
      const res = await logs(query);
      expect(res.status, query).toBe(400);
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message.startsWith(`${param}:`), `${query}: ${body.error.message}`).toBe(true);
    }
    const bad = await fetch(`${server.url}${podLogsPath('bookinfo', 'Not_A_Pod')}`, {
      headers: auth(TOKENS.reader),
    });
    expect(bad.status).toBe(400);
    const missing = await fetch(`${server.url}${podLogsPath('bookinfo', 'nope')}?container=x`, {
      headers: auth(TOKENS.reader),
    });
    expect(missing.status).toBe(404);
  });
});
