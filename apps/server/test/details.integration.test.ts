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
  metricsSearchParams,
  nodeId,
  type MetricsQuery,
} from '@meshlens/contract';
import { waitForPromQL } from '@meshlens/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  it('centres on the service: its callers and its workloads, from the graph pipeline, 5 queries', async () => {
    const { value: res, queries } = await cost(() =>
      get('/api/namespaces/bookinfo/services/reviews/graph?duration=1m&debug=true'),
    );
    expect(res.status).toBe(200);
    const g = GraphResponseSchema.parse(await res.json());
    expect(queries).toBe(5);
    expect(g.debug?.queries).toHaveLength(5);
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
