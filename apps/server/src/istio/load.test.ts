import { describe, expect, it } from 'vitest';
import type { InventorySnapshot, WorkloadInfo } from '../inventory/types';
import { PrometheusError, type PrometheusClient } from '../prometheus/client';
import { loadQueries, serviceLoad } from './load';

const workload = (version: string, pods: number, podsReady: number): WorkloadInfo => ({
  namespace: 'bookinfo',
  name: `reviews-${version}`,
  kind: 'Deployment',
  labels: { app: 'reviews', version },
  annotations: {},
  app: 'reviews',
  version,
  pods,
  podsReady,
  podsWithSidecar: pods,
  isGateway: false,
});
const snapshot: InventorySnapshot = {
  synced: true,
  namespaces: [{ name: 'bookinfo', labels: {}, annotations: {} }],
  workloads: [workload('v1', 2, 2), workload('v2', 1, 1), workload('v3', 0, 0)],
  services: [
    { namespace: 'bookinfo', name: 'reviews', labels: {}, annotations: {}, selector: { app: 'reviews' } },
  ],
  serviceEntries: [],
  hostConfig: {},
  failing: [],
};
const sample = (metric: Record<string, string>, v: number) => ({
  metric,
  value: [0, String(v)] as [number, string],
});
const pp = {
  source_workload_namespace: 'bookinfo',
  source_workload: 'productpage-v1',
  source_canonical_service: 'productpage',
  source_canonical_revision: 'v1',
};

function prometheus(fail = false) {
  const asked: { promql: string; time?: number }[] = [];
  const client: PrometheusClient = {
    url: 'http://prometheus.test',
    async query(promql, options) {
      asked.push({ promql, time: options?.time });
      if (fail) throw new PrometheusError('connect ECONNREFUSED', 'unreachable');
      if (promql.startsWith('max_over_time'))
        return { ms: 1, samples: [sample({ destination_canonical_revision: 'v1' }, 9)] };
      return {
        ms: 1,
        samples: [
          sample({ ...pp, destination_canonical_revision: 'v1' }, 4),
          sample({ ...pp, destination_canonical_revision: 'v2' }, 1),
          sample({ source_workload: 'unknown', destination_canonical_revision: 'v2' }, 0.5),
        ],
      };
    },
    queryRange: () => Promise.reject(new Error('not used')),
    async ping() {},
  };
  return { client, asked };
}

describe('service load', () => {
  it('two queries: the rate now by caller and version, the peak by version over the last hour', () => {
    const q = loadQueries('bookinfo', 'reviews');
    expect(q.current).toBe(
      'sum by (source_workload_namespace,source_workload,source_canonical_service,source_canonical_revision,destination_canonical_revision) (rate(istio_requests_total{reporter="destination",destination_service_namespace="bookinfo",destination_service_name="reviews"}[60s]))',
    );
    expect(q.peak).toBe(
      'max_over_time((sum by (destination_canonical_revision) (rate(istio_requests_total{reporter="destination",destination_service_namespace="bookinfo",destination_service_name="reviews"}[60s])))[3600s:60s])',
    );
    expect(loadQueries('a"b', 'c').current).toContain('destination_service_namespace="a\\"b"');
  });

  it('sums per version and per caller, with each version’s pods and a peak never under now', async () => {
    const { client, asked } = prometheus();
    const load = await serviceLoad(
      { prometheus: client, snapshot: () => snapshot, now: () => 1_800_000_000_500 },
      'bookinfo',
      'reviews',
    );
    expect(asked.map((a) => a.time)).toEqual([1_800_000_000, 1_800_000_000]);
    expect(load.versions).toEqual([
      { version: 'v1', rps: 4, peakRps: 9, pods: 2, podsReady: 2 },
      { version: 'v2', rps: 1.5, peakRps: 1.5, pods: 1, podsReady: 1 },
      { version: 'v3', rps: 0, peakRps: 0, pods: 0, podsReady: 0 },
    ]);
    expect(load.sources).toEqual([
      { namespace: 'bookinfo', workload: 'productpage-v1', app: 'productpage', version: 'v1', rps: 5 },
      { namespace: 'unknown', workload: 'unknown', app: 'unknown', version: 'unknown', rps: 0.5 },
    ]);
    expect(load.warnings).toEqual([]);
  });

  it('without Prometheus: the pods, no rates, and a warning saying so', async () => {
    const { client } = prometheus(true);
    const load = await serviceLoad({ prometheus: client, snapshot: () => snapshot }, 'bookinfo', 'reviews');
    expect(load.versions.map((v) => [v.version, v.rps, v.podsReady])).toEqual([
      ['v1', 0, 2],
      ['v2', 0, 1],
      ['v3', 0, 0],
    ]);
    expect(load.warnings).toHaveLength(1);
    expect(load.warnings[0]!.message).toMatch(/ECONNREFUSED; the live load is unknown/);
  });

  it('404 for a service the inventory does not hold', async () => {
    const { client } = prometheus();
    await expect(
      serviceLoad({ prometheus: client, snapshot: () => snapshot }, 'bookinfo', 'nope'),
    ).rejects.toMatchObject({
      status: 404,
    });
  });
});
