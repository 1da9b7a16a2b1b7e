/**
 * Integration: the bucket annotation travels the way it does in a cluster (scenario workload -> Deployment
 * pod template -> the demo cluster's Pods -> mesh-sim's watch), and startMeshSim's telemetry options shape
 * what /metrics serves over HTTP.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoCluster, type DemoCluster } from '@meshlens/demo-cluster';
import { startMeshSim, type MeshSim } from '../src/start';
import { parseExposition, type Series } from './helpers';

const SCENARIO = `
name: buckets
namespaces: [{ name: shop }, { name: legacy, injection: false }]
services:
  - { name: api, namespace: shop, ports: [{ port: 8080 }] }
  - { name: db, namespace: shop, ports: [{ port: 8080 }] }
workloads:
  - name: api-v1
    namespace: shop
    app: api
    version: v1
    annotations: { sidecar.istio.io/statsHistogramBuckets: '{"istiocustom":[2,20,200]}' }
    calls: [{ to: db, port: 8080, paths: [{ path: /q, weight: 1 }] }]
  - { name: db-v1, namespace: shop, app: db, version: v1 }
  - name: client
    namespace: legacy
    app: client
    calls: [{ to: api.shop, port: 8080, paths: [{ path: /, weight: 1 }] }]
entry: [{ workload: legacy/client, rate: 50 }]
`;

let cluster: DemoCluster;
let sim: MeshSim;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mesh-sim-telemetry-'));
  cluster = await startDemoCluster({ port: 0 });
  await cluster.writeKubeconfig(join(dir, 'kubeconfig'));
  await writeFile(join(dir, 'scenario.yaml'), SCENARIO);
  sim = await startMeshSim({
    kubeconfigPath: join(dir, 'kubeconfig'),
    scenario: join(dir, 'scenario.yaml'),
    histogramBuckets: [5, 50],
    disabledMetrics: ['REQUEST_SIZE', { metric: 'RESPONSE_SIZE', mode: 'CLIENT' }],
    log: () => undefined,
  });
});

afterAll(async () => {
  await sim?.close();
  await cluster?.close();
  await rm(dir, { recursive: true, force: true });
});

async function scrapeUntil(ok: (s: Series[]) => boolean): Promise<Series[]> {
  const until = Date.now() + 15_000;
  for (;;) {
    const series = parseExposition(await (await fetch(sim.metricsUrl)).text());
    if (ok(series) || Date.now() > until) return series;
    await new Promise((r) => setTimeout(r, 300));
  }
}

const les = (series: Series[], match: Record<string, string>) =>
  [
    ...new Set(
      series
        .filter(
          (s) =>
            s.name === 'istio_request_duration_milliseconds_bucket' &&
            Object.entries(match).every(([k, v]) => s.labels[k] === v),
        )
        .map((s) => s.labels.le),
    ),
  ].join(',');

describe('telemetry settings through the demo cluster', () => {
  it("api's pods carry the annotation: its proxy reports with its buckets, db's and the rest with the mesh-wide ones", async () => {
    const series = await scrapeUntil((s) => les(s, { reporter: 'source', source_workload: 'api-v1' }) !== '');
    // api's proxy: as server (from the unmeshed client) and as client (to db).
    expect(les(series, { reporter: 'destination', destination_workload: 'api-v1' })).toBe('2,20,200,+Inf');
    expect(les(series, { reporter: 'source', source_workload: 'api-v1' })).toBe('2,20,200,+Inf');
    // db's proxy has no annotation: the mesh-wide buckets.
    expect(les(series, { reporter: 'destination', destination_workload: 'db-v1' })).toBe('5,50,+Inf');
  });

  it('leaves out the disabled metrics per mode', async () => {
    const reportersIn = (series: Series[], name: string) =>
      [...new Set(series.filter((s) => s.name === name).map((s) => s.labels.reporter))].sort();
    // Until both proxies of a call have reported, what is left out could just be what did not happen yet.
    const series = await scrapeUntil((s) => reportersIn(s, 'istio_requests_total').length === 2);
    const reporters = (name: string) => reportersIn(series, name);
    expect(reporters('istio_request_bytes_count')).toEqual([]);
    expect(reporters('istio_response_bytes_count')).toEqual(['destination']);
    expect(reporters('istio_requests_total')).toEqual(['destination', 'source']);
    const state = (await (await fetch(`${sim.url}/debug/state`)).json()) as {
      series: { exposed: number };
      telemetry: { disabled: { source: string[]; destination: string[] } };
    };
    expect(state.telemetry.disabled.source.sort()).toEqual(['REQUEST_SIZE', 'RESPONSE_SIZE']);
    expect(state.telemetry.disabled.destination).toEqual(['REQUEST_SIZE']);
    expect(state.series.exposed).toBeGreaterThan(0);
  });
});
