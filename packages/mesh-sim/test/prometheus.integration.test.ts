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

const byLabel = async (promql: string, label: string) =>
  Object.fromEntries(
    vectorOf(await queryPrometheus(prom.url, promql)).map((s) => [s.metric[label] ?? '', Number(s.value[1])]),
  );
const scalar = async (promql: string) =>
  vectorOf(await queryPrometheus(prom.url, promql)).reduce((a, s) => a + Number(s.value[1]), 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
  it('follows routing changes made through the Kubernetes API', { timeout: 90_000 }, async () => {
    await waitForPromQL(prom.url, 'istio_requests_total', (s) => s.length > 0, 20_000);
    await applyObjects(kc, phaseA());
    await sleep(26_000); // 20 s window entirely after the change, plus scrape lag

    // 80/20 split of reviews, no v3.
    const split = await byLabel(
      'sum(rate(istio_requests_total{reporter="source",destination_service_name="reviews"}[20s])) by (destination_version)',
      'destination_version',
    );
    const all = (split.v1 ?? 0) + (split.v2 ?? 0) + (split.v3 ?? 0);
    expect(all).toBeGreaterThan(20);
    expect(Math.abs((100 * (split.v1 ?? 0)) / all - 80)).toBeLessThanOrEqual(5);
    expect(Math.abs((100 * (split.v2 ?? 0)) / all - 20)).toBeLessThanOrEqual(5);
    expect(split.v3 ?? 0).toBe(0);

    // Fault abort for jason (30% of visitors): 500 FI on reviews' side only.
    const ratings = await byLabel(
      'sum(rate(istio_requests_total{source_app="reviews",destination_service_name="ratings"}[20s])) by (reporter, response_code, response_flags)',
      'response_flags',
    );
    expect(ratings.FI ?? 0).toBeGreaterThan(0);
    const fi = await byLabel(
      'sum(rate(istio_requests_total{response_flags="FI",destination_service_name="ratings"}[20s])) by (reporter, response_code)',
      'reporter',
    );
    expect(Object.keys(fi)).toEqual(['source']);
    expect(
      await scalar('sum(rate(istio_requests_total{response_flags="FI",response_code="500"}[20s]))'),
    ).toBeGreaterThan(0);
    const fiShare =
      (await scalar(
        'sum(rate(istio_requests_total{reporter="source",source_app="reviews",response_flags="FI"}[20s]))',
      )) /
      (await scalar(
        'sum(rate(istio_requests_total{reporter="source",source_app="reviews",destination_service_name="ratings"}[20s]))',
      ));
    console.info(
      `reviews split v1 ${((100 * (split.v1 ?? 0)) / all).toFixed(1)}% v2 ${((100 * (split.v2 ?? 0)) / all).toFixed(1)}% ` +
        `v3 ${split.v3 ?? 0}; FI share of reviews->ratings ${(100 * fiShare).toFixed(1)}%`,
    );
    expect(fiShare).toBeGreaterThan(0.15);
    expect(fiShare).toBeLessThan(0.45);

    // Tight connection pool on details: some 503 UO, reported by the client only.
    expect(
      await scalar(
        'sum(rate(istio_requests_total{reporter="source",destination_service_name="details",response_code="503",response_flags="UO"}[20s]))',
      ),
    ).toBeGreaterThan(0);
    expect(
      await scalar('sum(rate(istio_requests_total{reporter="destination",response_flags="UO"}[20s]))'),
    ).toBe(0);

    // PeerAuthentication DISABLE: plaintext everywhere.
    expect(
      await scalar(
        'sum(rate(istio_requests_total{reporter="destination",connection_security_policy="mutual_tls"}[10s]))',
      ),
    ).toBe(0);

    // Phase B: a subset nobody defines gives 503 NC; STRICT gives mutual_tls on destination samples.
    await applyObjects(kc, phaseB());
    await waitForPromQL(
      prom.url,
      'sum(rate(istio_requests_total{reporter="source",response_code="503",response_flags="NC"}[5s]))',
      (s) => s.length > 0 && Number(s[0]!.value[1]) > 0,
      20_000,
    );
    await sleep(4_000);
    expect(
      await scalar(
        'sum(rate(istio_requests_total{reporter="destination",connection_security_policy="mutual_tls"}[3s]))',
      ),
    ).toBeGreaterThan(0);
    expect(
      await scalar(
        'sum(rate(istio_requests_total{reporter="destination",connection_security_policy="none"}[3s]))',
      ),
    ).toBe(0);
    expect(
      await scalar(
        'sum(rate(istio_requests_total{reporter="source",destination_service_name="reviews"}[3s]))',
      ),
    ).toBe(0);
  });
});
