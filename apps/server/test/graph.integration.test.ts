/**
 * The graph API against the real stack: demo cluster (Kubernetes API emulator), mesh-sim's Bookinfo,
 * a real Prometheus scraping it every second, and the server started with startServer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoCluster } from '@meshlens/demo-cluster';
import { startMeshSim } from '@meshlens/mesh-sim';
import { freePort, startPrometheus, waitForPromQL, type PrometheusHandle } from '@meshlens/stack';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server';
import { applyFile, applyYaml, edgesBy, eventually, getGraph } from './stackHelpers';

const WINDOW = '10s';
let dir: string;
let cluster: Awaited<ReturnType<typeof startDemoCluster>>;
let sim: Awaited<ReturnType<typeof startMeshSim>>;
let prometheus: PrometheusHandle;
let promPort: number;
let server: RunningServer;
let kubeconfigPath: string;

const startProm = async () =>
  startPrometheus({
    scrapeTargets: [sim.metricsUrl],
    scrapeIntervalSeconds: 1,
    dataDir: join(dir, 'prom'),
    port: promPort,
  });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshlens-graph-it-'));
  kubeconfigPath = join(dir, 'kubeconfig');
  cluster = await startDemoCluster({ host: '127.0.0.1', port: 0 });
  await cluster.writeKubeconfig(kubeconfigPath);
  sim = await startMeshSim({
    kubeconfigPath,
    scenario: 'bookinfo',
    metricsPort: 0,
    rateScale: 30,
    log: () => undefined,
  });
  promPort = await freePort();
  prometheus = await startProm();
  server = await startServer({
    kubeconfigPath,
    prometheusUrl: prometheus.url,
    port: 0,
    config: { graph: { cacheTtlMs: 500 }, prometheus: { timeoutMs: 2000 } },
    logger: pino({ level: 'silent' }),
  });
  await waitForPromQL(
    prometheus.url,
    'sum(rate(istio_requests_total[5s])) > 0',
    (s) => s.length > 0,
    60_000,
    250,
  );
  // Every Bookinfo edge has had traffic within the window.
  await eventually(
    'ratings traffic in the graph',
    async () =>
      (await bookinfo({ graphType: 'workload' })).edges.filter((e) => e.rps > 0).length >= 11
        ? true
        : undefined,
    30_000,
    500,
  );
});

afterAll(async () => {
  await server?.close();
  await prometheus?.close();
  await sim?.close();
  await cluster?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const bookinfo = (params: Record<string, string> = {}) =>
  getGraph(server.url, { namespaces: 'bookinfo', duration: WINDOW, ...params });

describe('Bookinfo topology', () => {
  const expected: Record<string, string[]> = {
    workload: [
      'wl:istio-system/istio-ingressgateway>svc:bookinfo/productpage:http',
      'svc:bookinfo/productpage>wl:bookinfo/productpage-v1:http',
      'wl:bookinfo/productpage-v1>svc:bookinfo/details:http',
      'wl:bookinfo/productpage-v1>svc:bookinfo/reviews:http',
      'svc:bookinfo/details>wl:bookinfo/details-v1:http',
      'svc:bookinfo/reviews>wl:bookinfo/reviews-v1:http',
      'svc:bookinfo/reviews>wl:bookinfo/reviews-v2:http',
      'svc:bookinfo/reviews>wl:bookinfo/reviews-v3:http',
      'wl:bookinfo/reviews-v2>svc:bookinfo/ratings:http',
      'wl:bookinfo/reviews-v3>svc:bookinfo/ratings:http',
      'svc:bookinfo/ratings>wl:bookinfo/ratings-v1:http',
    ],
    versionedApp: [
      'vapp:istio-system/istio-ingressgateway/latest>svc:bookinfo/productpage:http',
      'svc:bookinfo/productpage>vapp:bookinfo/productpage/v1:http',
      'vapp:bookinfo/productpage/v1>svc:bookinfo/details:http',
      'vapp:bookinfo/productpage/v1>svc:bookinfo/reviews:http',
      'svc:bookinfo/details>vapp:bookinfo/details/v1:http',
      'svc:bookinfo/reviews>vapp:bookinfo/reviews/v1:http',
      'svc:bookinfo/reviews>vapp:bookinfo/reviews/v2:http',
      'svc:bookinfo/reviews>vapp:bookinfo/reviews/v3:http',
      'vapp:bookinfo/reviews/v2>svc:bookinfo/ratings:http',
      'vapp:bookinfo/reviews/v3>svc:bookinfo/ratings:http',
      'svc:bookinfo/ratings>vapp:bookinfo/ratings/v1:http',
    ],
    app: [
      'app:istio-system/istio-ingressgateway>svc:bookinfo/productpage:http',
      'svc:bookinfo/productpage>app:bookinfo/productpage:http',
      'app:bookinfo/productpage>svc:bookinfo/details:http',
      'app:bookinfo/productpage>svc:bookinfo/reviews:http',
      'svc:bookinfo/details>app:bookinfo/details:http',
      'svc:bookinfo/reviews>app:bookinfo/reviews:http',
      'app:bookinfo/reviews>svc:bookinfo/ratings:http',
      'svc:bookinfo/ratings>app:bookinfo/ratings:http',
    ],
    service: [
      'wl:istio-system/istio-ingressgateway>svc:bookinfo/productpage:http',
      'svc:bookinfo/productpage>svc:bookinfo/details:http',
      'svc:bookinfo/productpage>svc:bookinfo/reviews:http',
      'svc:bookinfo/reviews>svc:bookinfo/ratings:http',
    ],
  };
  it.each(Object.keys(expected))('%s graph', async (graphType) => {
    const g = await bookinfo({ graphType, debug: 'true' });
    expect(g.warnings).toEqual([]);
    expect(
      g.edges
        .filter((e) => e.rps > 0)
        .map((e) => e.id)
        .sort(),
    ).toEqual([...expected[graphType]!].sort());
    // Every protocol is shown: each of the 4 queries once (mTLS comes with the requests), nothing per
    // namespace or node.
    expect(g.debug!.queries.map((q) => q.name)).toEqual(['requests', 'responseTime', 'throughput', 'tcp']);
    const gateway = g.nodes.find((n) => n.isGateway)!;
    expect(gateway).toMatchObject({ namespace: 'istio-system', isRoot: true, isOutside: true });
    expect(g.edges.every((e) => e.healthStatus === 'Healthy')).toBe(true);
  });
});

describe('namespace selection', () => {
  it('shows traffic crossing into other namespaces as outside nodes', async () => {
    const g = await getGraph(server.url, {
      namespaces: 'istio-system',
      duration: WINDOW,
      graphType: 'workload',
    });
    const byId = new Map(g.nodes.map((n) => [n.id, n]));
    expect(byId.get('wl:istio-system/istio-ingressgateway')).toMatchObject({
      isOutside: false,
      isRoot: true,
    });
    expect(byId.get('svc:bookinfo/productpage')).toMatchObject({ isOutside: true });
    // only traffic touching istio-system: nothing between two bookinfo workloads
    expect(g.edges.some((e) => e.id.startsWith('wl:bookinfo/reviews-v2>'))).toBe(false);
  });

  it('replays a past instant with queryTime', async () => {
    // A moment ago there was traffic (once the window before it has two scrapes)…
    const recent = await eventually(
      'traffic 2 s ago',
      async () => {
        const at = Math.floor(Date.now() / 1000) - 2;
        const g = await getGraph(server.url, {
          namespaces: 'bookinfo',
          duration: WINDOW,
          queryTime: String(at),
        });
        return g.timestamp === at && g.edges.filter((e) => e.rps > 0).length > 5 ? g : undefined;
      },
      15_000,
      500,
    );
    expect(recent.warnings).toEqual([]);
    // …an hour ago, before the stack existed, there was none.
    const before = Math.floor(Date.now() / 1000) - 3600;
    const past = await getGraph(server.url, {
      namespaces: 'bookinfo',
      duration: WINDOW,
      queryTime: String(before),
    });
    expect(past.timestamp).toBe(before);
    expect(past.edges.filter((e) => e.rps > 0)).toEqual([]);
  });

  it('says which namespaces do not exist', async () => {
    const g = await getGraph(server.url, { namespaces: 'bookinfo,nope', duration: WINDOW });
    expect(g.warnings).toEqual([{ code: 'NamespaceNotFound', message: 'no such namespace: nope' }]);
    expect(g.edges.length).toBeGreaterThan(0);
  });
});

describe('routing changes show in the graph', () => {
  it(
    '80/20 VirtualService: reviews edges carry 80% and 20% (±5) and the service gets the shifting badge',
    { timeout: 45_000 },
    async () => {
      await applyFile(kubeconfigPath, 'destination-rule-all.yaml');
      await applyFile(kubeconfigPath, 'virtual-service-reviews-80-20.yaml');
      const changedAt = Date.now();
      const shares = await eventually(
        '80/20 split',
        async () => {
          if (Date.now() - changedAt < 11_000) return undefined; // a window of post-change traffic only
          const g = await bookinfo({ graphType: 'versionedApp' });
          // A complete answer only: a query timed out on a busy machine leaves edges out, with a warning.
          if (g.warnings.length > 0) return undefined;
          const e = edgesBy(g);
          const v1 = e.get('svc:bookinfo/reviews>vapp:bookinfo/reviews/v1:http')?.percentOfSource ?? 0;
          const v2 = e.get('svc:bookinfo/reviews>vapp:bookinfo/reviews/v2:http')?.percentOfSource ?? 0;
          const reviews = g.nodes.find((n) => n.id === 'svc:bookinfo/reviews');
          return { v1, v2, v3: e.get('svc:bookinfo/reviews>vapp:bookinfo/reviews/v3:http'), reviews };
        },
        30_000,
      );
      expect(shares.v1).toBeGreaterThanOrEqual(75);
      expect(shares.v1).toBeLessThanOrEqual(85);
      expect(shares.v2).toBeGreaterThanOrEqual(15);
      expect(shares.v2).toBeLessThanOrEqual(25);
      expect(shares.v3?.rps ?? 0).toBe(0);
      expect(shares.reviews).toMatchObject({ hasVS: true, hasDR: true, hasTrafficShifting: true });
    },
  );

  it('a fault-injected edge turns to Failure', { timeout: 45_000 }, async () => {
    await applyFile(kubeconfigPath, 'fault-injection-details-v1.yaml');
    const edge = await eventually(
      'details edge failing',
      async () => {
        const g = await bookinfo({ graphType: 'workload' });
        const e = edgesBy(g).get('wl:bookinfo/productpage-v1>svc:bookinfo/details:http');
        return e && e.healthStatus === 'Failure' && e.errorPct > 50 ? { e, g } : undefined;
      },
      30_000,
    );
    expect(Object.keys(edge.e.responses)).toContain('555');
    expect(edge.e.responses['555']).toHaveProperty('FI');
    expect(edge.g.nodes.find((n) => n.id === 'svc:bookinfo/details')).toMatchObject({
      hasFaultInjection: true,
    });
  });

  it('mTLS: 0% with PeerAuthentication DISABLE, 100% after STRICT', { timeout: 75_000 }, async () => {
    const pa = (mode: string) =>
      `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\nspec:\n  mtls:\n    mode: ${mode}\n`;
    const mtlsOf = async () => {
      const g = await bookinfo({ graphType: 'workload' });
      const inside = g.edges.filter(
        (e) => e.rps > 0 && e.target.includes(':bookinfo/') && e.mtlsPct !== null,
      );
      return inside.length ? inside.map((e) => e.mtlsPct!) : undefined;
    };
    await applyYaml(kubeconfigPath, pa('DISABLE'), 'bookinfo');
    let changedAt = Date.now();
    await eventually(
      'mTLS off',
      async () =>
        Date.now() - changedAt > 11_000 && (await mtlsOf())?.every((p) => p === 0) ? true : undefined,
      30_000,
    );
    await applyYaml(kubeconfigPath, pa('STRICT'), 'bookinfo');
    changedAt = Date.now();
    const pcts = await eventually(
      'mTLS 100%',
      async () => {
        if (Date.now() - changedAt < 11_000) return undefined;
        const p = await mtlsOf();
        return p?.every((x) => x === 100) ? p : undefined;
      },
      30_000,
    );
    expect(pcts.length).toBeGreaterThan(3);
  });
});

describe('cost and resilience', () => {
  /** Queries the server at `url` has sent to Prometheus, by its own /metrics. */
  const queriesSent = async (url: string) => {
    const text = await (await fetch(`${url}/metrics`)).text();
    return [...text.matchAll(/^meshlens_prometheus_queries_total\{outcome="[a-z_]+"\} (\d+)$/gm)].reduce(
      (a, m) => a + Number(m[1]),
      0,
    );
  };

  it('50 concurrent identical requests cost one set of queries', async () => {
    // A server of its own that keeps answers for a minute: on a busy machine the 50 requests can arrive
    // over longer than the main server's 500 ms cache, and each late one would be a fair recomputation.
    const patient = await startServer({
      kubeconfigPath,
      prometheusUrl: prometheus.url,
      port: 0,
      config: { graph: { cacheTtlMs: 60_000 }, prometheus: { timeoutMs: 2000 } },
      logger: pino({ level: 'silent' }),
    });
    try {
      const before = await queriesSent(patient.url);
      const answers = await Promise.all(
        Array.from({ length: 50 }, () =>
          getGraph(patient.url, {
            namespaces: 'bookinfo',
            duration: WINDOW,
            graphType: 'versionedApp',
            debug: 'true',
          }),
        ),
      );
      const after = await queriesSent(patient.url);
      // requests, response times and throughput (each in two parts sent at once), TCP.
      expect(answers[0]!.debug!.queries.map((q) => [q.name, q.parts ?? 1])).toEqual([
        ['requests', 2],
        ['responseTime', 2],
        ['throughput', 2],
        ['tcp', 1],
      ]);
      expect(after - before).toBe(7);
      expect(answers.filter((a) => !a.debug!.shared)).toHaveLength(1);
    } finally {
      await patient.close();
    }
  });

  it(
    'a stopped Prometheus gives the graph with a warning; traffic comes back when it returns',
    { timeout: 45_000 },
    async () => {
      await prometheus.close();
      // A window no request has asked for yet: the answer cannot come from the cache, it is computed now.
      const down = await bookinfo({ graphType: 'workload', duration: '12s' });
      expect(down.warnings.map((w) => w.code)).toContain('PrometheusUnavailable');
      expect(down.nodes.map((n) => n.id)).toContain('wl:bookinfo/reviews-v2');
      expect(down.edges.every((e) => e.rps === 0)).toBe(true);
      prometheus = await startProm();
      const up = await eventually(
        'traffic after restart',
        async () => {
          const g = await bookinfo({ graphType: 'workload' });
          return g.warnings.length === 0 && g.edges.some((e) => e.rps > 0) ? g : undefined;
        },
        30_000,
      );
      expect(
        up.edges.find((e) => e.id === 'svc:bookinfo/productpage>wl:bookinfo/productpage-v1:http')?.rps,
      ).toBeGreaterThan(0);
    },
  );
});
