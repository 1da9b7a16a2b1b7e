/**
 * Integration: the real demo cluster, mesh-sim running bookinfo against it, and the real Prometheus
 * scraping mesh-sim every second. Routing changes go through the Kubernetes API, as a user's would, and
 * the assertions are PromQL answers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoCluster, type DemoCluster } from '@meshlens/demo-cluster';
import {
  queryPrometheus,
  startPrometheus,
  vectorOf,
  waitForPromQL,
  type PrometheusHandle,
} from '@meshlens/stack';
import { applyObjects } from '../src/kube/apply';
import { startMeshSim, type MeshSim } from '../src/start';
import { sample, yaml } from './helpers';

let cluster: DemoCluster;
let sim: MeshSim;
let prom: PrometheusHandle;
let dir: string;
let kc: KubeConfig;

/** The instant vector `promql` answers at `time` (Prometheus seconds). */
const vectorAt = async (promql: string, time: number) =>
  vectorOf(await queryPrometheus(prom.url, promql, time));
/** The answer at `time` as { label value: sample value }. */
const byLabel = async (promql: string, label: string, time: number) =>
  Object.fromEntries((await vectorAt(promql, time)).map((s) => [s.metric[label] ?? '', Number(s.value[1])]));
/** The value of a one-sample answer at `time`; fails when the answer is not exactly one sample. */
const single = async (promql: string, time: number) => {
  const samples = await vectorAt(promql, time);
  expect(samples, `one sample for ${promql}`).toHaveLength(1);
  return Number(samples[0]!.value[1]);
};

/**
 * Waits (bounded) until Prometheus's samples show every marker of a change, and returns Prometheus's time
 * then: every sample scraped after it was recorded with the whole change in effect. Markers are PromQL
 * expressions that are empty until the change shows.
 */
async function changeSeen(markers: string[], timeoutMs: number): Promise<number> {
  const all = markers.map((m) => `count(${m})`).join(' and on() ');
  const [answer] = await waitForPromQL(prom.url, all, (s) => s.length > 0, timeoutMs);
  return Number(answer!.value[0]);
}

/**
 * Waits (bounded) until Prometheus has scraped mesh-sim at or after `time`, so that answers at `time` are
 * final: asked again later they would be the same.
 */
async function scrapedThrough(time: number, timeoutMs: number): Promise<void> {
  await waitForPromQL(
    prom.url,
    'max(timestamp(up{job="mesh"}))',
    (s) => Number(s[0]?.value[1] ?? 0) >= time,
    timeoutMs,
  );
}

/** Phase A: 80/20 between reviews v1 and v2, jason's ratings calls aborted, a tiny pool for details, no mTLS. */
const phaseA = () => [
  ...sample('destination-rule-all.yaml').filter((o) => o.metadata.name !== 'details'),
  ...yaml(`
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: details }
spec:
  host: details
  trafficPolicy:
    connectionPool:
      tcp: { maxConnections: 1 }
      http: { http1MaxPendingRequests: 1, http2MaxRequests: 1 }
  subsets:
    - { name: v1, labels: { version: v1 } }
    - { name: v2, labels: { version: v2 } }
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: default }
spec: { mtls: { mode: DISABLE } }
`),
  ...sample('virtual-service-reviews-80-20.yaml'),
  ...sample('virtual-service-ratings-test-abort.yaml'),
];

/** Phase B: reviews routed to a subset no DestinationRule defines; mTLS required. */
const phaseB = () =>
  yaml(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews }
spec:
  hosts: [reviews]
  http: [{ route: [{ destination: { host: reviews, subset: v9 } }] }]
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: default }
spec: { mtls: { mode: STRICT } }
`);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mesh-sim-it-'));
  cluster = await startDemoCluster({ port: 0 });
  const kubeconfigPath = join(dir, 'kubeconfig');
  await cluster.writeKubeconfig(kubeconfigPath);
  kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  // 10x Bookinfo's default: 50 requests/s through the gateway, so that 20 s windows are dense.
  sim = await startMeshSim({
    kubeconfigPath,
    scenario: 'bookinfo',
    rateScale: 10,
    tickMs: 100,
    log: () => {},
  });
  prom = await startPrometheus({ scrapeTargets: [sim.metricsUrl], scrapeIntervalSeconds: 1 });
});

afterAll(async () => {
  await prom?.close();
  await sim?.close();
  await cluster?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('mesh-sim scraped by Prometheus', () => {
  it('follows routing changes made through the Kubernetes API', { timeout: 120_000 }, async () => {
    // Before: reviews spread over v1, v2 and v3, and mutual TLS (Istio's auto mTLS) everywhere.
    const before = await waitForPromQL(
      prom.url,
      'sum by (destination_version) (rate(istio_requests_total{reporter="source",destination_service_name="reviews"}[5s])) > 0',
      (s) => s.length === 3,
      30_000,
    );
    expect(before.map((s) => s.metric.destination_version).sort()).toEqual(['v1', 'v2', 'v3']);
    const t0 = Number(before[0]!.value[0]);
    expect(
      await byLabel(
        'sum by (connection_security_policy) (rate(istio_requests_total{reporter="destination"}[5s])) > 0',
        'connection_security_policy',
        t0,
      ),
    ).toEqual({ mutual_tls: expect.any(Number) });

    await applyObjects(kc, phaseA());
    const seenA = await changeSeen(
      [
        'istio_requests_total{response_flags="FI"}', // ratings: the abort for jason
        'istio_requests_total{response_flags="UO"}', // details: its pool overflows
        'istio_requests_total{reporter="destination",connection_security_policy="none"}', // mTLS off
        // reviews: v3 gets nothing any more
        'sum(increase(istio_requests_total{reporter="source",destination_service_name="reviews",destination_version="v3"}[3s])) == 0',
      ],
      30_000,
    );
    // Every answer below is at time A, over windows that start after the change was seen.
    const A = seenA + 20;
    await scrapedThrough(A, 40_000);

    // 80/20 split of reviews; v3's series is still there, with no traffic.
    const split = await byLabel(
      'sum(rate(istio_requests_total{reporter="source",destination_service_name="reviews"}[20s])) by (destination_version)',
      'destination_version',
      A,
    );
    expect(Object.keys(split).sort()).toEqual(['v1', 'v2', 'v3']);
    const all = split.v1! + split.v2! + split.v3!;
    expect(all).toBeGreaterThan(20);
    expect(Math.abs((100 * split.v1!) / all - 80)).toBeLessThanOrEqual(5);
    expect(Math.abs((100 * split.v2!) / all - 20)).toBeLessThanOrEqual(5);
    expect(split.v3).toBe(0);

    // Fault abort for jason (30% of visitors): 500 FI on reviews' side only.
    const ratings = await byLabel(
      'sum(rate(istio_requests_total{source_app="reviews",destination_service_name="ratings"}[20s])) by (reporter, response_code, response_flags)',
      'response_flags',
      A,
    );
    expect(ratings.FI ?? 0).toBeGreaterThan(0);
    const fi = await byLabel(
      'sum(rate(istio_requests_total{response_flags="FI",destination_service_name="ratings"}[20s])) by (reporter, response_code)',
      'reporter',
      A,
    );
    expect(Object.keys(fi)).toEqual(['source']);
    expect(
      await single('sum(rate(istio_requests_total{response_flags="FI",response_code="500"}[20s]))', A),
    ).toBeGreaterThan(0);
    const fiShare =
      (await single(
        'sum(rate(istio_requests_total{reporter="source",source_app="reviews",response_flags="FI"}[20s]))',
        A,
      )) /
      (await single(
        'sum(rate(istio_requests_total{reporter="source",source_app="reviews",destination_service_name="ratings"}[20s]))',
        A,
      ));
    console.info(
      `reviews split v1 ${((100 * split.v1!) / all).toFixed(1)}% v2 ${((100 * split.v2!) / all).toFixed(1)}% ` +
        `v3 ${split.v3}; FI share of reviews->ratings ${(100 * fiShare).toFixed(1)}%`,
    );
    expect(fiShare).toBeGreaterThan(0.15);
    expect(fiShare).toBeLessThan(0.45);

    // Tight connection pool on details: some 503 UO, reported by the client only. The server side of
    // details does report the requests that got through, but never a UO.
    expect(
      await single(
        'sum(rate(istio_requests_total{reporter="source",destination_service_name="details",response_code="503",response_flags="UO"}[20s]))',
        A,
      ),
    ).toBeGreaterThan(0);
    expect(
      await single(
        'sum(rate(istio_requests_total{reporter="destination",destination_service_name="details"}[20s]))',
        A,
      ),
    ).toBeGreaterThan(0);
    expect(await vectorAt('istio_requests_total{reporter="destination",response_flags="UO"}', A)).toEqual([]);

    // PeerAuthentication DISABLE: plaintext everywhere; the mutual_tls series gets nothing.
    expect(
      await byLabel(
        'sum by (connection_security_policy) (rate(istio_requests_total{reporter="destination"}[10s]))',
        'connection_security_policy',
        A,
      ),
    ).toEqual({ none: expect.toSatisfy((v: number) => v > 0), mutual_tls: 0 });

    // Phase B: a subset nobody defines gives 503 NC; STRICT gives mutual_tls on destination samples.
    await applyObjects(kc, phaseB());
    const seenB = await changeSeen(
      [
        'istio_requests_total{reporter="source",response_code="503",response_flags="NC"}',
        'sum(increase(istio_requests_total{reporter="destination",connection_security_policy="mutual_tls"}[3s])) > 0',
      ],
      30_000,
    );
    const B = seenB + 5;
    await scrapedThrough(B, 20_000);
    expect(
      await byLabel(
        'sum by (connection_security_policy) (rate(istio_requests_total{reporter="destination"}[5s]))',
        'connection_security_policy',
        B,
      ),
    ).toEqual({ mutual_tls: expect.toSatisfy((v: number) => v > 0), none: 0 });
    // Calls to reviews all end in the client's NC (Envoy names the subset-less cluster reviews:9080);
    // reviews' own series get nothing.
    expect(
      await single(
        'sum(rate(istio_requests_total{reporter="source",destination_service_name="reviews:9080",response_code="503",response_flags="NC"}[5s]))',
        B,
      ),
    ).toBeGreaterThan(0);
    expect(
      await byLabel(
        'sum by (destination_version) (rate(istio_requests_total{reporter="source",destination_service_name="reviews"}[5s]))',
        'destination_version',
        B,
      ),
    ).toEqual({ v1: 0, v2: 0, v3: 0 });
  });
});
