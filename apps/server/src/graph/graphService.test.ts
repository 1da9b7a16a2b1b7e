import { gunzipSync } from 'node:zlib';
import { GraphQuerySchema } from '@meshlens/contract';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { deriveSnapshot, type RawInventory } from '../inventory/derive';
import type { PrometheusClient } from '../prometheus/client';
import { createGraphService } from './graphService';

const raw = (
  await import('./__golden__/fixtures/bookinfo-handcrafted/inventory.json', { with: { type: 'json' } })
).default as unknown as RawInventory;
const inventory = deriveSnapshot(raw, true);

/** A Prometheus client answering every query with one productpage → reviews series, counting calls. */
function countingPrometheus() {
  const calls = { n: 0 };
  const client: PrometheusClient = {
    url: 'http://prometheus.test',
    async query() {
      calls.n++;
      await new Promise((r) => setTimeout(r, 5));
      return {
        ms: 5,
        samples: [
          {
            metric: {
              reporter: 'source',
              source_workload_namespace: 'bookinfo',
              source_workload: 'productpage-v1',
              source_canonical_service: 'productpage',
              source_canonical_revision: 'v1',
              destination_service_namespace: 'bookinfo',
              destination_service_name: 'reviews',
              destination_service: 'reviews.bookinfo.svc.cluster.local',
              destination_workload_namespace: 'bookinfo',
              destination_workload: 'reviews-v1',
              destination_canonical_service: 'reviews',
              destination_canonical_revision: 'v1',
              request_protocol: 'http',
              response_code: '200',
              response_flags: '-',
            },
            value: [0, '1'],
          },
        ],
      };
    },
    async ping() {},
  };
  return { client, calls };
}

/** A graph service over `client` with the bookinfo inventory, answers reused for a minute. */
const serviceOf = (client: PrometheusClient, cacheMaxBytes?: number) =>
  createGraphService({
    prometheus: client,
    inventory: () => inventory,
    healthRules: [],
    cluster: 'Kubernetes',
    cacheTtlMs: 60_000,
    logger: pino({ level: 'silent' }),
    ...(cacheMaxBytes === undefined ? {} : { cacheMaxBytes }),
  });

const query = (duration: number) =>
  GraphQuerySchema.parse({ namespaces: 'bookinfo', duration: `${duration}s`, protocols: 'http' });

describe('graph service cache', () => {
  it('shares concurrent identical requests and reuses an answer within its TTL', async () => {
    const { client, calls } = countingPrometheus();
    const service = serviceOf(client);
    const bodies = await Promise.all(Array.from({ length: 10 }, () => service.getGraphBody(query(60), true)));
    const perComputation = calls.n;
    expect(perComputation).toBeGreaterThan(0);
    // One gzipped Buffer, made once, for every client.
    expect(new Set(bodies.map((b) => b.body))).toHaveProperty('size', 1);
    expect(bodies.every((b) => b.gzipped)).toBe(true);
    await service.getGraphBody(query(60), true);
    expect(calls.n).toBe(perComputation);
    expect(service.stats()).toMatchObject({ cached: 1, inFlight: 0, cachedBytes: bodies[0]!.body.length });
    // A client without gzip gets the same answer as plain JSON.
    const plain = await service.getGraphBody(query(60), false);
    expect(plain.gzipped).toBe(false);
    expect(gunzipSync(bodies[0]!.body).equals(plain.body)).toBe(true);
    expect(JSON.parse(plain.body.toString('utf8'))).toMatchObject({ namespaces: ['bookinfo'] });
    expect(calls.n).toBe(perComputation);
  });

  it('keeps at most cacheMaxBytes of answers, dropping the oldest first', async () => {
    const { client, calls } = countingPrometheus();
    const service = serviceOf(client, 1);
    const size = (await service.getGraphBody(query(60), true)).body.length;
    expect(service.stats().cached).toBe(0); // larger than the budget: not kept at all
    // Room for two answers of this size, not three.
    const bounded = serviceOf(client, Math.floor(size * 2.5));
    for (const d of [61, 62, 63]) await bounded.getGraphBody(query(d), true);
    const stats = bounded.stats();
    expect(stats.cached).toBe(2);
    expect(stats.cachedBytes).toBeLessThanOrEqual(Math.floor(size * 2.5));
    const before = calls.n;
    await bounded.getGraphBody(query(63), true); // newest: still cached
    expect(calls.n).toBe(before);
    await bounded.getGraphBody(query(61), true); // oldest: evicted, computed again
    expect(calls.n).toBeGreaterThan(before);
  });
});
