/**
 * Before/after graphs against the real stack: demo cluster, mesh-sim's Bookinfo, a real Prometheus
 * scraping every second. A routing change (reviews all on v1, then all on v3) between two windows shows
 * in one compare request as a vanished/shrunk v1 edge and a new v3 edge.
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
import { applyFile, edgesBy, eventually, getGraph } from './stackHelpers';

const WINDOW = '10s';
const V1 = 'svc:bookinfo/reviews>vapp:bookinfo/reviews/v1:http';
const V3 = 'svc:bookinfo/reviews>vapp:bookinfo/reviews/v3:http';
let dir: string;
let cluster: Awaited<ReturnType<typeof startDemoCluster>>;
let sim: Awaited<ReturnType<typeof startMeshSim>>;
let prometheus: PrometheusHandle;
let server: RunningServer;
let kubeconfigPath: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshlens-compare-it-'));
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
  prometheus = await startPrometheus({
    scrapeTargets: [sim.metricsUrl],
    scrapeIntervalSeconds: 1,
    dataDir: join(dir, 'prom'),
  });
  server = await startServer({
    kubeconfigPath,
    prometheusUrl: prometheus.url,
    port: 0,
    config: { graph: { cacheTtlMs: 500 }, prometheus: { timeoutMs: 5000 } },
    logger: pino({ level: 'silent' }),
  });
  await waitForPromQL(prometheus.url, 'sum(rate(istio_requests_total[5s])) > 0', (s) => s.length > 0, 60_000);
});

afterAll(async () => {
  await server?.close();
  await prometheus?.close();
  await sim?.close();
  await cluster?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const graph = (params: Record<string, string> = {}) =>
  getGraph(server.url, { namespaces: 'bookinfo', protocols: 'http', ...params });

describe('graph compare', () => {
  it('shows a routing change between two windows as deltas, new and vanished edges', async () => {
    // every version of reviews has had traffic over a whole window (round robin without routing)
    await eventually(
      'reviews v1, v2 and v3 in the graph',
      async () => {
        const e = edgesBy(await graph({ duration: WINDOW }));
        return [V1, V3].every((id) => (e.get(id)?.rps ?? 0) > 0) ? true : undefined;
      },
      60_000,
      500,
    );
    await applyFile(kubeconfigPath, 'destination-rule-all.yaml');
    await applyFile(kubeconfigPath, 'virtual-service-all-v1.yaml');
    // the moment: a whole window of reviews on v1 only
    const before = await eventually(
      'a window of reviews v1 only',
      async () => {
        const g = await graph({ duration: WINDOW });
        const e = edgesBy(g);
        return (e.get(V1)?.rps ?? 0) > 0 && !e.has(V3) ? g : undefined;
      },
      60_000,
      500,
    );
    // its window ended at the answer's time: the moment a little later holds no v3 either
    const moment = Math.ceil(before.timestamp);
    // the change goes in after the moment
    await eventually(
      'the moment passed',
      async () => (Date.now() / 1000 > moment ? true : undefined),
      2000,
      50,
    );
    await applyFile(kubeconfigPath, 'virtual-service-reviews-v3.yaml');
    // then a whole window of reviews on v3 only, and the after window over
    await eventually(
      'a window of reviews v3 only',
      async () => {
        const e = edgesBy(await graph({ duration: WINDOW }));
        return (e.get(V3)?.rps ?? 0) > 0 && !e.has(V1) && Date.now() / 1000 >= moment + 12 ? true : undefined;
      },
      60_000,
      500,
    );

    const g = await graph({ compare: String(moment), compareWindow: WINDOW, debug: 'true' });
    expect(g.compare).toEqual({
      time: moment,
      before: { start: moment - 10, end: moment },
      after: { start: moment, end: moment + 10 },
    });
    // one fixed query set per window: the requests and the response times, throughput, twice
    expect(g.debug!.queries.map((q) => q.name)).toEqual([
      'before:requests',
      'before:responseTime',
      'before:throughput',
      'after:requests',
      'after:responseTime',
      'after:throughput',
    ]);
    const edges = edgesBy(g);
    const v3 = edges.get(V3)!;
    expect(v3).toMatchObject({ cmpStatus: 'new', cmpRateBefore: 0, cmpErrBefore: null });
    expect(v3.cmpRateAfter).toBeGreaterThan(0);
    expect(v3.cmpRtAfter).toBeGreaterThan(0);
    // v1's traffic fell (gone, unless the switch fell inside the after window's first scrapes)
    const v1 = edges.get(V1)!;
    expect(v1.cmpStatus).not.toBe('new');
    expect(v1.cmpRateBefore).toBeGreaterThan(v1.cmpRateAfter!);
    expect(v1.cmpRateBefore).toBeGreaterThan(0);
    expect(v1.cmpRtBefore).toBeGreaterThan(0);
    // reviews v3 calls ratings only after the change (v1 calls nobody)
    const ratings = g.edges.find((e) => e.id === 'vapp:bookinfo/reviews/v3>svc:bookinfo/ratings:http');
    expect(ratings?.cmpStatus).toBe('new');
    const node = g.nodes.find((n) => n.id === 'vapp:bookinfo/reviews/v3')!;
    expect(node).toMatchObject({ cmpStatus: 'new', cmpRateBefore: 0 });
    // the reviews service got about the same requests in both windows
    const svc = g.nodes.find((n) => n.id === 'svc:bookinfo/reviews')!;
    expect(svc.cmpStatus).toBe('both');
    expect(svc.cmpRateAfter! / svc.cmpRateBefore!).toBeGreaterThan(0.5);
    expect(svc.cmpRateAfter! / svc.cmpRateBefore!).toBeLessThan(2);
  }, 150_000);

  it('answers 400 naming the parameter for a compare it cannot make', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, string][] = [
      [`compare=${now + 600}`, 'compare: must be at least 10s in the past'],
      [`compare=${now - 600}&queryTime=${now - 60}`, 'queryTime: not with compare'],
      ['compareWindow=10m', 'compareWindow: only with compare'],
      [`compare=${now - 600}&compareWindow=5y`, 'compareWindow'],
      ['compare=yesterday', 'compare'],
    ];
    for (const [query, message] of cases) {
      const res = await fetch(`${server.url}/api/graph?namespaces=bookinfo&${query}`);
      expect(res.status, query).toBe(400);
      expect(JSON.stringify(await res.json()), query).toContain(message);
    }
  });
});
