import { describe, expect, it } from 'vitest';
import { deriveSnapshot, type RawInventory } from '../inventory/derive';
import type { PrometheusClient } from '../prometheus/client';
import { createEntitiesService } from './service';

const raw = (
  await import('../graph/__golden__/fixtures/bookinfo-handcrafted/inventory.json', {
    with: { type: 'json' },
  })
).default as unknown as RawInventory;
const inventory = deriveSnapshot(raw, true);

/** Answers every query with one request series into reviews; counts instant and range queries. */
function countingPrometheus() {
  const calls = { instant: 0, range: 0, ranges: [] as { promql: string; step: number }[] };
  const client: PrometheusClient = {
    url: 'http://prometheus.test',
    async query() {
      calls.instant++;
      await new Promise((r) => setTimeout(r, 5));
      return {
        ms: 5,
        samples: [
          {
            metric: {
              reporter: 'source',
              destination_service_namespace: 'bookinfo',
              destination_service_name: 'reviews',
              destination_workload_namespace: 'bookinfo',
              destination_workload: 'reviews-v1',
              destination_canonical_service: 'reviews',
              request_protocol: 'http',
              response_code: '200',
            },
            value: [0, '2'],
          },
        ],
      };
    },
    async queryRange(promql, range) {
      calls.range++;
      calls.ranges.push({ promql, step: range.step });
      await new Promise((r) => setTimeout(r, 5));
      return {
        ms: 5,
        series: [{ metric: { destination_service_namespace: 'bookinfo' }, values: [[0, '2']] }],
      };
    },
    async ping() {},
  };
  return { client, calls };
}

const counts = (c: { instant: number; range: number }) => ({ instant: c.instant, range: c.range });

const serviceOf = (client: PrometheusClient, clock: { t: number }) =>
  createEntitiesService({
    prometheus: client,
    inventory: () => inventory,
    healthRules: [],
    istioNamespace: 'istio-system',
    cacheTtlMs: 10_000,
    now: () => clock.t,
  });

describe('entities service answer reuse', () => {
  it('shares one computation between concurrent overview clients and reuses it for the TTL', async () => {
    const { client, calls } = countingPrometheus();
    const clock = { t: 1_800_000_000_000 };
    const service = serviceOf(client, clock);
    const answers = await Promise.all(Array.from({ length: 20 }, () => service.overview(['bookinfo'], 300)));
    expect(counts(calls)).toEqual({ instant: 3, range: 1 });
    expect(new Set(answers.map((a) => a.namespaces[0]!.traffic.inboundRps))).toEqual(new Set([2]));
    clock.t += 9_000;
    await service.overview(['bookinfo'], 300);
    expect(counts(calls)).toEqual({ instant: 3, range: 1 });
    clock.t += 2_000; // past the TTL: asked again
    await service.overview(['bookinfo'], 300);
    expect(counts(calls)).toEqual({ instant: 6, range: 2 });
  });

  it("answers a list from the overview's rates for the same namespaces and duration", async () => {
    const { client, calls } = countingPrometheus();
    const clock = { t: 1_800_000_000_000 };
    const service = serviceOf(client, clock);
    await service.overview(['bookinfo'], 300);
    const services = await service.list('services', ['bookinfo'], 300);
    expect(counts(calls)).toEqual({ instant: 3, range: 1 });
    expect(services.rows.find((r) => r.name === 'reviews')?.inboundRps).toBe(2);
    // Another duration is another answer.
    await service.list('services', ['bookinfo'], 60);
    expect(counts(calls)).toEqual({ instant: 6, range: 1 });
    // A list first: the overview still needs its series, so it asks for everything.
    await service.list('apps', ['bookinfo'], 120);
    await service.overview(['bookinfo'], 120);
    expect(counts(calls)).toEqual({ instant: 12, range: 2 });
  });

  it('builds an answer once per fetched rates and inventory version', async () => {
    const { client } = countingPrometheus();
    const clock = { t: 1_800_000_000_000 };
    let snap = inventory;
    const service = createEntitiesService({
      prometheus: client,
      inventory: () => snap,
      healthRules: [],
      istioNamespace: 'istio-system',
      cacheTtlMs: 10_000,
      now: () => clock.t,
    });
    const first = await service.overview(['bookinfo'], 300);
    expect(await service.overview(['bookinfo'], 300)).toBe(first);
    // the server's own time, for the debug answer (the bench reports it)
    expect(first.debug?.splitMs).toBeGreaterThanOrEqual(0);
    expect(first.debug?.buildMs).toBeGreaterThanOrEqual(0);
    const list = await service.list('workloads', ['bookinfo'], 300);
    expect(await service.list('workloads', ['bookinfo'], 300)).toBe(list);
    expect(await service.list('apps', ['bookinfo'], 300)).not.toBe(list);
    // The inventory changed (a new version of the snapshot): built again from the same rates.
    snap = { ...inventory, workloads: inventory.workloads.filter((w) => w.name !== 'reviews-v1') };
    const again = await service.list('workloads', ['bookinfo'], 300);
    expect(again).not.toBe(list);
    expect(again.rows.map((r) => r.name)).not.toContain('reviews-v1');
    expect(list.rows.map((r) => r.name)).toContain('reviews-v1');
  });

  it('asks the sparklines at a step of 30 s past 3 min, each point the rate over max(60 s, step)', async () => {
    for (const [duration, step] of [
      [60, 15],
      [120, 20],
      [300, 30],
      [1800, 90],
      [3600, 180],
    ] as const) {
      const { client, calls } = countingPrometheus();
      await serviceOf(client, { t: 1_800_000_000_000 }).overview(['bookinfo'], duration);
      expect(calls.ranges).toHaveLength(1);
      expect(calls.ranges[0]!.step).toBe(step);
      // every sample read once per point: no window of two steps
      const windows = [...calls.ranges[0]!.promql.matchAll(/\[(\d+)s\]/g)].map((m) => Number(m[1]));
      expect(new Set(windows)).toEqual(new Set([Math.max(60, step)]));
    }
  });
});
