/**
 * The tracing routes against mesh-sim's Jaeger query API (Bookinfo, every request traced) and the demo
 * cluster with real RBAC: an entity's traces and filters, one trace with its proxies' tags, span statistics,
 * what a user of one namespace sees of a trace that crosses others, bad input, and no or a dead backend.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  entityPath,
  ServerConfigResponseSchema,
  SpanStatsResponseSchema,
  TraceResponseSchema,
  TracesResponseSchema,
} from '@meshlens/contract';
import { startDemoCluster } from '@meshlens/demo-cluster';
import { startMeshSim, type MeshSim } from '@meshlens/mesh-sim';
import { freePort } from '@meshlens/stack';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server';
import { TRACING_DISABLED_MESSAGE } from '../src/tracing/router';
import { applyYaml, eventually } from './stackHelpers';

const TOKENS = { admin: 'tok-admin-0123456789', reader: 'tok-reader-0123456789' };
const RBAC = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: admin-view }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: admin }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: reader, namespace: bookinfo }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: reader }]
`;
const DETAILS_ABORT = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: details }
spec:
  hosts: [details]
  http:
    - fault: { abort: { percentage: { value: 50 }, httpStatus: 503 } }
      route: [{ destination: { host: details } }]
`;

let dir: string;
let cluster: Awaited<ReturnType<typeof startDemoCluster>>;
let sim: MeshSim;
let server: RunningServer;
let bare: RunningServer;
let dead: RunningServer;

const get = (base: string, path: string, token = TOKENS.admin) =>
  fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });

async function traces(query: string, kind: 'apps' | 'workloads' | 'services' = 'apps', name = 'reviews') {
  const res = await get(server.url, `${entityPath('bookinfo', kind, name, 'traces')}?${query}`);
  expect(res.status).toBe(200);
  return TracesResponseSchema.parse(await res.json());
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshlens-tracing-it-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>x</title>');
  cluster = await startDemoCluster({
    host: '127.0.0.1',
    port: 0,
    auth: {
      tokens: [
        { token: TOKENS.admin, user: 'admin' },
        { token: TOKENS.reader, user: 'reader' },
      ],
    },
  });
  const kubeconfigPath = join(dir, 'kubeconfig');
  await cluster.writeKubeconfig(kubeconfigPath);
  sim = await startMeshSim({
    kubeconfigPath,
    scenario: 'bookinfo',
    tickMs: 100,
    tracingSampling: 100,
    logLines: 0,
    log: () => undefined,
  });
  await applyYaml(kubeconfigPath, RBAC, 'bookinfo');
  await applyYaml(kubeconfigPath, DETAILS_ABORT, 'bookinfo');
  const start = (tracingUrl: string | undefined) =>
    startServer({
      kubeconfigPath,
      prometheusUrl: 'http://127.0.0.1:9',
      port: 0,
      host: '127.0.0.1',
      config: {
        webDir: dir,
        auth: { strategy: 'token' },
        ...(tracingUrl ? { tracing: { url: tracingUrl, externalUrl: 'http://jaeger.example/' } } : {}),
      },
      logger: pino({ level: 'silent' }),
    });
  server = await start(sim.tracingUrl);
  bare = await start(undefined);
  dead = await start(`http://127.0.0.1:${await freePort()}/jaeger`);
  // Traffic with the fault in force: 30 traces of productpage with an errored span.
  await eventually(
    'errored productpage traces',
    async () => {
      const t = await traces('errorsOnly=true&limit=30', 'apps', 'productpage');
      return t.traces.length === 30 ? t : undefined;
    },
    30_000,
    200,
  );
});

afterAll(async () => {
  await server?.close();
  await bare?.close();
  await dead?.close();
  await sim?.close();
  await cluster?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('GET …/{kind}/{name}/traces', () => {
  it("lists an app's traces newest first, each with the app's own span", async () => {
    const t = await traces('limit=20');
    expect(t.tracing).toEqual({ enabled: true, externalUrl: 'http://jaeger.example' });
    expect(t.service).toBe('reviews.bookinfo');
    expect(t.traces).toHaveLength(20);
    const starts = t.traces.map((x) => x.startUs);
    expect([...starts].sort((a, b) => b - a)).toEqual(starts);
    for (const x of t.traces) {
      expect(x.services).toEqual(
        expect.arrayContaining(['istio-ingressgateway.istio-system', 'reviews.bookinfo']),
      );
      expect(x.rootService).toBe('istio-ingressgateway.istio-system');
      expect(x.entity?.operation).toBe('reviews.bookinfo.svc.cluster.local:9080/*');
      expect(x.startUs / 1e6).toBeGreaterThanOrEqual(t.start);
    }
  });

  it("filters on errors, duration and a tag of the entity's own spans", async () => {
    const errors = await traces('errorsOnly=true&limit=50', 'apps', 'productpage');
    expect(errors.traces.length).toBeGreaterThan(0);
    for (const x of errors.traces) expect(x.errors).toBeGreaterThan(0);
    // reviews has no errored span of its own: the fault is on details
    expect((await traces('errorsOnly=true&limit=50')).traces).toEqual([]);
    const flagged = await traces('tag=response_flags:FI&limit=50', 'apps', 'productpage');
    expect(flagged.traces.length).toBeGreaterThan(0);
    const slow = await traces('minDurationMs=5&limit=50');
    for (const x of slow.traces) expect(x.durationUs).toBeGreaterThanOrEqual(5000);
    const all = await traces('limit=200');
    expect(slow.traces.length).toBeLessThan(all.traces.length);
  });

  it("narrows a workload to its pods' spans and a service to the requests into it", async () => {
    const v2 = await traces('limit=40', 'workloads', 'reviews-v2');
    expect(v2.traces.length).toBeGreaterThan(0);
    for (const x of v2.traces) {
      const res = await get(server.url, `/api/traces/${x.id}`);
      const { trace } = TraceResponseSchema.parse(await res.json());
      expect(trace.spans.some((s) => s.pod?.startsWith('reviews-v2-'))).toBe(true);
      break;
    }
    const svc = await traces('limit=20', 'services', 'details');
    expect(svc.service).toBe('details.bookinfo');
    for (const x of svc.traces) expect(x.entity?.operation).toMatch(/^details\.bookinfo\.svc\./);
  });

  it("one trace: every span with its parent and its proxy's tags; redacted outside what the user reads", async () => {
    const [first] = (await traces('limit=1', 'apps', 'ratings')).traces;
    expect(first).toBeDefined();
    const res = await get(server.url, `/api/traces/${first!.id}`);
    expect(res.status).toBe(200);
    const { trace, warnings } = TraceResponseSchema.parse(await res.json());
    // this console's Prometheus is down: the calls' mTLS is unknown, and the answer says why
    expect(warnings).toEqual([expect.stringMatching(/^mTLS of the calls is unknown: Prometheus/)]);
    expect(trace.spans.every((s) => s.mtls === undefined)).toBe(true);
    const byId = new Map(trace.spans.map((s) => [s.spanId, s]));
    const ratings = trace.spans.find((s) => s.service === 'ratings.bookinfo' && s.kind === 'server')!;
    const chain: string[] = [];
    for (let s: typeof ratings | undefined = ratings; s; s = s.parentId ? byId.get(s.parentId) : undefined)
      chain.unshift(`${s.service}/${s.kind}`);
    expect(chain).toEqual([
      'istio-ingressgateway.istio-system/client',
      'productpage.bookinfo/server',
      'productpage.bookinfo/client',
      'reviews.bookinfo/server',
      'reviews.bookinfo/client',
      'ratings.bookinfo/server',
    ]);
    expect(ratings).toMatchObject({
      app: 'ratings',
      namespace: 'bookinfo',
      statusCode: 200,
      responseFlags: '-',
      upstreamCluster: 'inbound|9080||',
    });
    expect(ratings.pod).toMatch(/^ratings-v1-/);
    expect(ratings.requestId).toMatch(/^[0-9a-f-]{36}$/);

    const asReader = TraceResponseSchema.parse(
      await (await get(server.url, `/api/traces/${first!.id}`, TOKENS.reader)).json(),
    );
    const gateway = asReader.trace.spans.find((s) => !s.parentId || !byId.has(s.parentId))!;
    expect(gateway).toMatchObject({ service: 'no access', operation: '', tags: {} });
    expect(asReader.trace.spans.filter((s) => s.service === 'ratings.bookinfo')).toHaveLength(1);
  });

  it('span statistics per peer', async () => {
    const res = await get(server.url, `${entityPath('bookinfo', 'apps', 'reviews', 'spans')}?limit=100`);
    expect(res.status).toBe(200);
    const s = SpanStatsResponseSchema.parse(await res.json());
    const inbound = s.stats.find((x) => x.direction === 'inbound' && x.peer === 'productpage.bookinfo')!;
    expect(inbound.count).toBeGreaterThan(0);
    expect(inbound.p95Ms).toBeGreaterThanOrEqual(inbound.p50Ms);
    const out = s.stats.find((x) => x.direction === 'outbound')!;
    expect(out.peer).toBe('ratings.bookinfo.svc.cluster.local:9080/*');
  });

  it('bad input is a 400 naming it; an unknown trace or entity a 404', async () => {
    const bad = async (path: string, what: RegExp) => {
      const res = await get(server.url, path);
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toMatch(what);
    };
    const p = entityPath('bookinfo', 'apps', 'reviews', 'traces');
    await bad(`${p}?tag=nocolon`, /tag.*key:value/);
    await bad(`${p}?limit=0`, /limit.*at least 1/);
    await bad(`${p}?minDurationMs=fast`, /minDurationMs/);
    await bad(`${p}?errorsOnly=perhaps`, /errorsOnly/);
    await bad(`${p}?service=x`, /service/);
    await bad('/api/traces/not-a-trace-id', /trace id/);
    expect((await get(server.url, '/api/traces/00000000000000000000000000000bad')).status).toBe(404);
    expect((await get(server.url, entityPath('bookinfo', 'apps', 'nosuchapp', 'traces'))).status).toBe(404);
  });
});

describe('without a tracing backend, or with one that is down', () => {
  it('says how to enable it, in the answer and in /api/config', async () => {
    const res = await get(bare.url, `${entityPath('bookinfo', 'apps', 'reviews', 'traces')}`);
    expect(res.status).toBe(200);
    const t = TracesResponseSchema.parse(await res.json());
    expect(t.tracing).toEqual({ enabled: false, message: TRACING_DISABLED_MESSAGE });
    expect(t.traces).toEqual([]);
    const config = ServerConfigResponseSchema.parse(await (await get(bare.url, '/api/config')).json());
    expect(config.tracing).toEqual({ enabled: false });
    const on = ServerConfigResponseSchema.parse(await (await get(server.url, '/api/config')).json());
    expect(on.tracing).toEqual({ enabled: true, externalUrl: 'http://jaeger.example' });
  });

  it('a backend that does not answer is a 503 naming it', async () => {
    const res = await get(dead.url, `${entityPath('bookinfo', 'apps', 'reviews', 'traces')}`);
    expect(res.status).toBe(503);
    expect(JSON.stringify(await res.json())).toMatch(/tracing backend .* unreachable/);
  });
});
