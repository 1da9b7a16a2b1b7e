/**
 * Kiali's graph semantics against the real stack (demo cluster, mesh-sim's Bookinfo, a real Prometheus
 * scraping every second, the server): traffic only the destination proxy reports (client metrics turned
 * off mesh-wide, as large meshes do) keeps its edges; a request that matched no route shows as an edge
 * into the `unknown` service with 404 NR. Each case runs on a stack of its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoCluster } from '@meshlens/demo-cluster';
import { startMeshSim } from '@meshlens/mesh-sim';
import { startPrometheus, waitForPromQL, type PrometheusHandle } from '@meshlens/stack';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server';
import { applyYaml, edgesBy, eventually, getGraph } from './stackHelpers';

const WINDOW = '10s';

interface Stack {
  dir: string;
  kubeconfigPath: string;
  cluster: Awaited<ReturnType<typeof startDemoCluster>>;
  sim: Awaited<ReturnType<typeof startMeshSim>>;
  prometheus: PrometheusHandle;
  server: RunningServer;
}

async function startStack(
  disabledMetrics: Parameters<typeof startMeshSim>[0]['disabledMetrics'],
  stack: Partial<Stack>,
): Promise<Stack> {
  stack.dir = mkdtempSync(join(tmpdir(), 'meshlens-graph-kiali-'));
  stack.kubeconfigPath = join(stack.dir, 'kubeconfig');
  stack.cluster = await startDemoCluster({ host: '127.0.0.1', port: 0 });
  await stack.cluster.writeKubeconfig(stack.kubeconfigPath);
  stack.sim = await startMeshSim({
    kubeconfigPath: stack.kubeconfigPath,
    scenario: 'bookinfo',
    metricsPort: 0,
    rateScale: 30,
    log: () => undefined,
    ...(disabledMetrics ? { disabledMetrics } : {}),
  });
  stack.prometheus = await startPrometheus({
    scrapeTargets: [stack.sim.metricsUrl],
    scrapeIntervalSeconds: 1,
    dataDir: join(stack.dir, 'prom'),
  });
  stack.server = await startServer({
    kubeconfigPath: stack.kubeconfigPath,
    prometheusUrl: stack.prometheus.url,
    port: 0,
    config: { graph: { cacheTtlMs: 0 }, prometheus: { timeoutMs: 5000 } },
    logger: pino({ level: 'silent' }),
  });
  await waitForPromQL(
    stack.prometheus.url,
    'sum(rate(istio_requests_total[5s])) > 0',
    (s) => s.length > 0,
    60_000,
    250,
  );
  return stack as Stack;
}

async function stopStack(s: Partial<Stack>): Promise<void> {
  await s.server?.close();
  await s.prometheus?.close();
  await s.sim?.close();
  await s.cluster?.close();
  if (s.dir) rmSync(s.dir, { recursive: true, force: true });
}

const graphOf = (s: Stack, params: Record<string, string> = {}) =>
  getGraph(s.server.url, { namespaces: 'bookinfo', duration: WINDOW, graphType: 'workload', ...params });

describe('client metrics off (Telemetry override: REQUEST_COUNT for CLIENT)', () => {
  const s: Partial<Stack> = {};
  beforeAll(async () => {
    await startStack([{ metric: 'REQUEST_COUNT', mode: 'CLIENT' }], s);
  });
  afterAll(() => stopStack(s));

  it('keeps every Bookinfo edge from the destination reports alone', async () => {
    const stack = s as Stack;
    // the setup: no proxy reports a request as its caller
    const source = await waitForPromQL(
      stack.prometheus.url,
      'count(istio_requests_total{reporter="source"}) or vector(0)',
      (r) => r.length === 1,
      10_000,
      250,
    );
    expect(Number(source[0]!.value[1])).toBe(0);
    const edges = await eventually(
      'Bookinfo edges from destination reports',
      async () => {
        const g = await graphOf(stack);
        const live = g.edges.filter((e) => e.rps > 0);
        return live.length >= 11 ? edgesBy(g) : undefined;
      },
      15_000,
      500,
    );
    for (const id of [
      'wl:istio-system/istio-ingressgateway>svc:bookinfo/productpage:http',
      'wl:bookinfo/productpage-v1>svc:bookinfo/details:http',
      'wl:bookinfo/productpage-v1>svc:bookinfo/reviews:http',
      'wl:bookinfo/reviews-v2>svc:bookinfo/ratings:http',
      'svc:bookinfo/ratings>wl:bookinfo/ratings-v1:http',
    ])
      expect(edges.get(id)?.rps ?? 0, id).toBeGreaterThan(0);
    // the callee's inbound rate is all of what its callers sent it
    const g = await graphOf(stack);
    const ratings = g.nodes.find((n) => n.id === 'wl:bookinfo/ratings-v1')!;
    const into = g.edges.filter((e) => e.target === 'svc:bookinfo/ratings').reduce((a, e) => a + e.rps, 0);
    expect(ratings.httpIn).toBeGreaterThan(0);
    expect(into).toBeCloseTo(ratings.httpIn, 1);
  });
});

describe('a request that matches no route', () => {
  const s: Partial<Stack> = {};
  beforeAll(async () => {
    await startStack(undefined, s);
    // ratings is routed for end-user jason only: reviews' other calls get 404 NR from their own proxy
    await applyYaml(
      s.kubeconfigPath!,
      `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings
spec:
  hosts: [ratings]
  http:
  - match:
    - headers:
        end-user:
          exact: jason
    route:
    - destination:
        host: ratings
`,
      'bookinfo',
    );
  });
  afterAll(() => stopStack(s));

  it('goes into the `unknown` service node with its code, flag and host', async () => {
    const stack = s as Stack;
    const edge = await eventually(
      'reviews → unknown (404 NR)',
      async () => {
        const g = await graphOf(stack);
        return g.edges.find(
          (e) => e.id === 'wl:bookinfo/reviews-v2>svc:unknown/unknown:http' && e.rate4xx > 0,
        );
      },
      15_000,
      500,
    );
    expect(Object.keys(edge.responses)).toEqual(['404']);
    expect(Object.keys(edge.responses['404']!)).toEqual(['NR']);
    expect(Object.keys(edge.responseHosts?.['404'] ?? {})).toEqual(['ratings:9080']);
    const g = await graphOf(stack);
    expect(g.nodes.find((n) => n.id === 'svc:unknown/unknown')).toMatchObject({
      type: 'service',
      label: 'unknown',
      isOutside: false,
    });
  });

  it('runs the gRPC-messages and both-directions TCP queries on Prometheus without error', async () => {
    const g = await graphOf(s as Stack, { rateGrpc: 'total', rateTcp: 'total', debug: 'true' });
    expect(g.warnings).toEqual([]);
    const queries = g.debug!.queries;
    expect(queries.map((q) => q.name)).toEqual([
      'requests',
      'mtls',
      'responseTime',
      'throughput',
      'grpcMessages',
      'tcp',
    ]);
    expect(queries.filter((q) => q.error)).toEqual([]);
  });
});
