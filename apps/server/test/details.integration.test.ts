/**
 * The detail pages' API against the real stack: demo cluster, mesh-sim's Bookinfo, a real Prometheus
 * scraping it every second, and the server started with startServer. Query counts are read from the
 * server's own /metrics (every PromQL query it sent).
 */
import {
  DetailResponseSchema,
  ErrorBodySchema,
  GraphResponseSchema,
  MetricsResponseSchema,
  graphSearchParams,
  metricsSearchParams,
  nodeId,
  NodeGraphQuerySchema,
  type EntityKind,
  type GraphResponse,
  type MetricsQuery,
} from '@meshlens/contract';
import { waitForPromQL } from '@meshlens/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centreId, centreOn, nodeGraphQuery } from '../src/details/nodeGraph';
import { buildGraph, type GraphSamples } from '../src/graph/buildGraph';
import { buildGraphQueries, type PipelineQuery } from '../src/graph/queries';
import { EMPTY_SNAPSHOT } from '../src/inventory/types';
import { createPrometheusClient } from '../src/prometheus/client';
import { startLiveStack, type LiveStack } from './liveStack';
import { applyFile, eventually } from './stackHelpers';

let live: LiveStack;
let server: LiveStack['server'];

beforeAll(async () => {
  live = await startLiveStack({
    name: 'details',
    // No answer reuse: each request's queries are counted.
    config: { graph: { cacheTtlMs: 0 }, prometheus: { timeoutMs: 5000 } },
    beforeServer: (kubeconfigPath) => applyFile(kubeconfigPath, 'destination-rule-all.yaml'),
  });
  server = live.server;
  await waitForPromQL(
    live.prometheus.url,
    'sum(rate(istio_requests_total{destination_service_name="reviews"}[5s])) > 0',
    (s) => s.length > 0,
    60_000,
    250,
  );
  await eventually(
    'the DestinationRule in the cache',
    async () => ((await detail('services', 'reviews')).istio.length > 0 ? true : undefined),
    20_000,
    250,
  );
}, 120_000);

afterAll(async () => {
  await live?.close();
});

const get = (path: string) => fetch(`${server.url}${path}`);

async function detail(kind: string, name: string, ns = 'bookinfo') {
  const res = await get(`/api/namespaces/${ns}/${kind}/${name}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return DetailResponseSchema.parse(await res.json());
}

async function metrics(kind: string, name: string, q: Partial<MetricsQuery>) {
  const res = await get(`/api/namespaces/bookinfo/${kind}/${name}/metrics?${metricsSearchParams(q)}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return MetricsResponseSchema.parse(await res.json());
}

const queriesSent = () => live.queriesSent();

/** The PromQL queries `fn` costs (nothing else runs against this server meanwhile). */
async function cost<T>(fn: () => Promise<T>): Promise<{ value: T; queries: number }> {
  const before = await queriesSent();
  const value = await fn();
  return { value, queries: (await queriesSent()) - before };
}

const sum = (values: (number | null)[]) => values.reduce<number>((n, v) => n + (v ?? 0), 0);

describe('GET /api/namespaces/{ns}/{kind}/{name}', () => {
  it('a service: ports, selector, its workloads and pods, its Istio objects validated, health', async () => {
    const d = await detail('services', 'reviews');
    expect(d.selector).toEqual({ app: 'reviews' });
    expect(d.ports.map((p) => p.port)).toEqual([9080]);
    expect(d.workloads.map((w) => w.name)).toEqual(['reviews-v1', 'reviews-v2', 'reviews-v3']);
    expect(d.versions).toEqual(['v1', 'v2', 'v3']);
    expect(d.pods.length).toBeGreaterThanOrEqual(3);
    for (const p of d.pods) {
      expect(p.phase).toBe('Running');
      expect(p.containers.map((c) => c.name)).toContain('istio-proxy');
      expect(p.proxyVersion).toBe('1.30.3');
    }
    const dr = d.istio.find((r) => r.kind === 'DestinationRule');
    expect(dr).toMatchObject({ plural: 'destinationrules', namespace: 'bookinfo', name: 'reviews' });
    expect(dr?.validation?.valid).toBe(true);
    // Traffic flows with no errors configured: the graph's verdict for the service node.
    expect(['Healthy', 'Degraded', 'Failure']).toContain(d.health.status);
  });

  it('a workload: type, replicas, its services, pods with containers and restarts', async () => {
    const d = await detail('workloads', 'reviews-v2');
    expect(d.type).toBe('Deployment');
    expect(d.replicas?.desired).toBeGreaterThanOrEqual(1);
    expect(d.services.map((s) => s.name)).toEqual(['reviews']);
    expect(d.sidecar.injected).toBe(d.sidecar.pods);
    expect(d.pods[0]!.containers.map((c) => c.name).sort()).toEqual(['istio-proxy', 'reviews']);
    expect(d.pods[0]!.restarts).toBe(0);
    expect(d.istio.map((r) => r.name)).toContain('reviews');
  });

  it('an app: every version, its workloads and services', async () => {
    const d = await detail('apps', 'reviews');
    expect(d.versions).toEqual(['v1', 'v2', 'v3']);
    expect(d.workloads.map((w) => w.name)).toEqual(['reviews-v1', 'reviews-v2', 'reviews-v3']);
    expect(d.services.map((s) => s.name)).toEqual(['reviews']);
  });

  it('404 for an unknown entity, naming it; 400 naming a bad parameter', async () => {
    for (const [path, words] of [
      ['/api/namespaces/bookinfo/services/nope', 'no service nope in namespace bookinfo'],
      ['/api/namespaces/bookinfo/workloads/reviews', 'no workload reviews in namespace bookinfo'],
      ['/api/namespaces/bookinfo/apps/nope/metrics', 'no app nope in namespace bookinfo'],
      ['/api/namespaces/nowhere/services/reviews/graph', 'no service reviews in namespace nowhere'],
    ] as const) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(ErrorBodySchema.parse(await res.json()).error.message).toBe(words);
    }
    for (const [path, param] of [
      ['/api/namespaces/bookinfo/services/reviews?x=1', 'x'],
      ['/api/namespaces/bookinfo/services/reviews/metrics?direction=sideways', 'direction'],
      ['/api/namespaces/bookinfo/services/reviews/metrics?direction=outbound', 'direction'],
      ['/api/namespaces/bookinfo/workloads/reviews-v1/metrics?byLabels=pod', 'byLabels'],
      ['/api/namespaces/bookinfo/workloads/reviews-v1/metrics?quantiles=0.9', 'quantiles'],
      ['/api/namespaces/bookinfo/workloads/reviews-v1/metrics?step=0', 'step'],
      ['/api/namespaces/bookinfo/workloads/reviews-v1/metrics?duration=5y', 'duration'],
      ['/api/namespaces/bookinfo/workloads/reviews-v1/graph?duration=1', 'duration'],
      ['/api/namespaces/Bookinfo/workloads/reviews-v1', 'namespace'],
    ] as const) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect(ErrorBodySchema.parse(await res.json()).error.message, path).toMatch(new RegExp(`^${param}: `));
    }
  });
});

describe('GET …/{name}/graph', () => {
  it('centres on the service: its callers and its workloads, 4 queries that read only its series', async () => {
    const { value: res, queries } = await cost(() =>
      get('/api/namespaces/bookinfo/services/reviews/graph?duration=1m&debug=true'),
    );
    expect(res.status).toBe(200);
    const g = GraphResponseSchema.parse(await res.json());
    expect(queries).toBe(4);
    expect(g.debug?.queries).toHaveLength(4);
    // Every query is focused on the service (no selector of the whole namespace's hosts).
    for (const { promql } of g.debug!.queries) {
      expect(promql).toContain('destination_service=~"reviews\\\\.bookinfo\\\\.svc.*"');
      expect(promql).not.toContain('[^.]+');
    }
    const centre = nodeId.service('bookinfo', 'reviews');
    expect(g.nodes.map((n) => n.id).sort()).toEqual(
      [
        centre,
        nodeId.workload('bookinfo', 'productpage-v1'),
        nodeId.workload('bookinfo', 'reviews-v1'),
        nodeId.workload('bookinfo', 'reviews-v2'),
        nodeId.workload('bookinfo', 'reviews-v3'),
      ].sort(),
    );
    expect(g.edges.every((e) => e.source === centre || e.target === centre)).toBe(true);
    expect(g.edges.find((e) => e.target === centre)?.rps).toBeGreaterThan(0);
    // The centre is graded on all its traffic; the others, whose traffic is here only in part, are not.
    expect(g.nodes.find((n) => n.id === centre)?.healthStatus).not.toBe('NoTraffic');
    for (const n of g.nodes.filter((x) => x.id !== centre)) {
      expect(n.healthStatus, n.id).toBe('NoTraffic');
      expect(n.healthReason, n.id).toMatch(/^not graded in the graph of service reviews/);
    }
  });

  it('a workload: callers and callees across its namespace, no other edges', async () => {
    const res = await get('/api/namespaces/bookinfo/workloads/reviews-v2/graph?duration=1m');
    const g = GraphResponseSchema.parse(await res.json());
    const centre = nodeId.workload('bookinfo', 'reviews-v2');
    const peers = g.nodes.map((n) => n.id).filter((id) => id !== centre);
    expect(peers).toContain(nodeId.workload('bookinfo', 'productpage-v1'));
    expect(peers).toContain(nodeId.workload('bookinfo', 'ratings-v1'));
    expect(peers).not.toContain(nodeId.workload('bookinfo', 'details-v1'));
  });

  /** The namespace graph's answer at `time`, from the real Prometheus and the pipeline (no inventory). */
  async function pipelineAt(q: PipelineQuery, time: number): Promise<GraphResponse> {
    const prometheus = createPrometheusClient({ url: live.prometheus.url, timeoutMs: 10_000 });
    const samples: GraphSamples = {};
    for (const pq of buildGraphQueries(q))
      samples[pq.name] = (await prometheus.query(pq.promql, { time })).samples;
    return buildGraph(q, samples, {
      inventory: EMPTY_SNAPSHOT,
      healthRules: [],
      cluster: 'test',
      timestamp: time,
      warnings: [],
    });
  }

  const byId = <T extends { id: string }>(xs: readonly T[]) =>
    [...xs].sort((a, b) => a.id.localeCompare(b.id));

  it.each([
    ['services', 'reviews'],
    ['workloads', 'reviews-v2'],
    ['workloads', 'productpage-v1'],
    ['apps', 'reviews'],
  ] as [EntityKind, string][])(
    'the focused queries give the namespace graph cut down: %s %s, same instant',
    async (kind, name) => {
      const q = nodeGraphQuery(kind, 'bookinfo', name, NodeGraphQuerySchema.parse({ duration: '1m' }));
      const { focus: _focus, ...whole } = q;
      const centre = centreId(kind, 'bookinfo', name);
      // An instant Prometheus has already scraped, read by both (once the 1 m window has traffic there).
      const [time, before] = await eventually(
        `traffic of ${name} in the namespace graph`,
        async () => {
          const t = Math.floor(Date.now() / 1000) - 2;
          const cut = centreOn(await pipelineAt(whole, t), centre);
          return cut.edges.length > 0 ? ([t, cut] as const) : undefined;
        },
        30_000,
        500,
      );
      const after = centreOn(await pipelineAt(q, time), centre);
      // Every edge as before: ends, rates, codes, response times, throughput, mTLS, health; the share of
      // its source's traffic too when the centre is the source (a caller's other calls are not read).
      const comparable = (g: GraphResponse) =>
        byId(g.edges).map((e) => (e.source === centre ? e : { ...e, percentOfSource: undefined }));
      expect(comparable(after)).toEqual(comparable(before));
      expect(after.nodes.map((n) => n.id).sort()).toEqual(before.nodes.map((n) => n.id).sort());
      // The centre node as before, its health and traffic included.
      expect(after.nodes.find((n) => n.id === centre)).toEqual(before.nodes.find((n) => n.id === centre));
    },
  );

  it('the route returns the nodes and edges of /api/graph cut down', async () => {
    const q = nodeGraphQuery(
      'workloads',
      'bookinfo',
      'reviews-v2',
      NodeGraphQuerySchema.parse({ duration: '1m' }),
    );
    const centre = centreId('workloads', 'bookinfo', 'reviews-v2');
    const [node, whole] = await Promise.all([
      get('/api/namespaces/bookinfo/workloads/reviews-v2/graph?duration=1m'),
      get(`/api/graph?${graphSearchParams(q)}`),
    ]);
    const focused = GraphResponseSchema.parse(await node.json());
    const cut = centreOn(GraphResponseSchema.parse(await whole.json()), centre);
    expect(focused.nodes.map((n) => n.id).sort()).toEqual(cut.nodes.map((n) => n.id).sort());
    expect(focused.edges.map((e) => e.id).sort()).toEqual(cut.edges.map((e) => e.id).sort());
  });
});

describe('GET …/{name}/metrics', () => {
  it('every chart of a service in 7 range queries, at most 300 points, requests non-zero', async () => {
    const { value: m, queries } = await cost(() => metrics('services', 'reviews', { duration: 600 }));
    expect(queries).toBe(7);
    expect(m.reporter).toBe('source');
    expect(m.timestamps.length).toBeLessThanOrEqual(300);
    expect(m.step).toBe(5);
    expect(Object.keys(m.metrics).sort()).toEqual(
      [
        'request_count',
        'request_error_count',
        'request_duration_millis',
        'request_size',
        'response_size',
        'tcp_sent',
        'tcp_received',
        'tcp_opened',
        'tcp_closed',
        'grpc_status',
        'grpc_sent',
        'grpc_received',
      ].sort(),
    );
    expect(sum(m.metrics.request_count![0]!.values)).toBeGreaterThan(0);
    expect(m.metrics.request_duration_millis!.map((s) => s.stat).sort()).toEqual([
      '0.5',
      '0.95',
      '0.99',
      'avg',
    ]);
    for (const s of m.metrics.request_count!) expect(s.values).toHaveLength(m.timestamps.length);
  });

  it('a day at most 300 points; one chart costs one query', async () => {
    const { value: m, queries } = await cost(() =>
      metrics('services', 'reviews', { duration: 86_400, metrics: ['request_count'] }),
    );
    expect(queries).toBe(1);
    expect(m.timestamps.length).toBeLessThanOrEqual(300);
    expect(Object.keys(m.metrics)).toEqual(['request_count']);
  });

  it('grouped by version and reporter, with chosen quantiles', async () => {
    const m = await metrics('apps', 'reviews', {
      reporter: 'both',
      byLabels: ['destination_canonical_revision'],
      quantiles: ['0.95'],
      metrics: ['request_count', 'request_duration_millis'],
    });
    const versions = new Set(m.metrics.request_count!.map((s) => s.labels.destination_canonical_revision));
    expect([...versions].sort()).toEqual(['v1', 'v2', 'v3']);
    const reporters = new Set(m.metrics.request_count!.map((s) => s.labels.reporter));
    expect([...reporters].sort()).toEqual(['destination', 'source']);
    expect(new Set(m.metrics.request_duration_millis!.map((s) => s.stat))).toEqual(new Set(['0.95']));
  });

  it('outbound of a workload: its calls by peer', async () => {
    const m = await metrics('workloads', 'productpage-v1', {
      direction: 'outbound',
      byLabels: ['destination_service_name'],
      metrics: ['request_count'],
    });
    expect(m.reporter).toBe('source');
    const peers = m.metrics
      .request_count!.filter((s) => sum(s.values) > 0)
      .map((s) => s.labels.destination_service_name);
    expect(peers.sort()).toEqual(['details', 'reviews']);
  });
});
