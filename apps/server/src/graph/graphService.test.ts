import { gunzipSync } from 'node:zlib';
import { GraphQuerySchema } from '@meshlens/contract';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { deriveSnapshot, type RawInventory } from '../inventory/derive';
import { PrometheusError, type PrometheusClient } from '../prometheus/client';
import { createGraphService, FAILED_ANSWER_TTL_MS } from './graphService';

const raw = (
  await import('./__golden__/fixtures/bookinfo-handcrafted/inventory.json', { with: { type: 'json' } })
).default as unknown as RawInventory;
const inventory = deriveSnapshot(raw, true);

/**
 * A Prometheus client answering every query with one productpage → reviews series, counting calls and
 * keeping the PromQL asked. While `down` is set it fails as an unreachable Prometheus does.
 */
function countingPrometheus() {
  const calls = { n: 0, promql: [] as string[], down: false };
  const client: PrometheusClient = {
    url: 'http://prometheus.test',
    async query(promql) {
      calls.n++;
      calls.promql.push(promql);
      await new Promise((r) => setTimeout(r, 5));
      if (calls.down) throw new PrometheusError('connect ECONNREFUSED 127.0.0.1:9090', 'unreachable');
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
    queryRange: () => Promise.reject(new Error('the graph asks instant queries only')),
    async ping() {},
  };
  return { client, calls };
}

const TTL_MS = 60_000;

/** A graph service over `client` with the bookinfo inventory, answers reused for a minute. */
const serviceOf = (client: PrometheusClient, options: { cacheMaxBytes?: number; now?: () => number } = {}) =>
  createGraphService({
    prometheus: client,
    inventory: () => inventory,
    healthRules: [],
    cluster: 'Kubernetes',
    cacheTtlMs: TTL_MS,
    logger: pino({ level: 'silent' }),
    ...options,
  });

/** A clock the test moves by hand (ms). */
const manualClock = () => {
  const clock = { t: 1_800_000_000_000 };
  return { clock, now: () => clock.t };
};

const query = (duration: number, protocols = 'http') =>
  GraphQuerySchema.parse({ namespaces: 'bookinfo', duration: `${duration}s`, protocols });

/**
 * The graph query each PromQL is (requests and mTLS both read istio_requests_total: the mTLS query alone
 * has connection_security_policy without response codes).
 */
const kindOf = (promql: string) =>
  promql.includes('histogram_quantile(')
    ? 'responseTime'
    : promql.includes('istio_response_bytes_sum')
      ? 'throughput'
      : promql.includes('istio_tcp_')
        ? 'tcp'
        : promql.includes('istio_request_messages_total')
          ? 'grpcMessages'
          : promql.includes('connection_security_policy') && !promql.includes('response_code')
            ? 'mtls'
            : 'requests';

describe('graph service cache', () => {
  it('shares concurrent identical requests and reuses an answer within its TTL', async () => {
    const { client, calls } = countingPrometheus();
    const service = serviceOf(client);
    const bodies = await Promise.all(Array.from({ length: 10 }, () => service.getGraphBody(query(60), true)));
    // One computation: one query per part the view shows (HTTP: requests with their mTLS, response times
    // and throughput, each in two parts).
    expect(calls.promql.map(kindOf).sort()).toEqual([
      'requests',
      'requests',
      'responseTime',
      'responseTime',
      'throughput',
      'throughput',
    ]);
    const perComputation = calls.n;
    expect(perComputation).toBe(6);
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

  it('one entry for equivalent spellings and parameter orders; service graphs ignore injectServiceNodes', async () => {
    const { client, calls } = countingPrometheus();
    const service = serviceOf(client);
    const spellings = [
      { namespaces: 'bookinfo,default', duration: '5m', includeIdle: 'false', protocols: 'http,tcp' },
      { protocols: 'tcp,http', duration: '300', namespaces: 'default,bookinfo,bookinfo', includeIdle: '0' },
      { duration: 300, namespaces: ['default', 'bookinfo'], protocols: ['http', 'tcp'], debug: 'true' },
    ];
    for (const q of spellings) await service.getGraph(GraphQuerySchema.parse(q));
    expect(calls.n).toBe(7);
    await service.getGraph(GraphQuerySchema.parse({ ...spellings[0], duration: '6m' }));
    expect(calls.n).toBe(14);
    const serviceGraph = { namespaces: 'bookinfo', graphType: 'service' };
    await service.getGraph(GraphQuerySchema.parse({ ...serviceGraph, injectServiceNodes: 'true' }));
    const n = calls.n;
    await service.getGraph(GraphQuerySchema.parse({ ...serviceGraph, injectServiceNodes: 'false' }));
    expect(calls.n).toBe(n);
  });

  it('one entry per focus: a node graph never gets the answer of another entity or of the namespace', async () => {
    const { client, calls } = countingPrometheus();
    const service = serviceOf(client);
    const focus = (kind: 'app' | 'workload' | 'service', name: string) => ({
      ...query(60),
      focus: { kind, namespace: 'bookinfo', name },
    });
    await service.getGraph(query(60));
    await service.getGraph(focus('workload', 'reviews-v1'));
    await service.getGraph(focus('workload', 'reviews-v2'));
    await service.getGraph(focus('app', 'reviews-v2'));
    // 6 for the namespace (each query in two parts), 3 per entity (their small queries each in one).
    expect(calls.n).toBe(15);
    // Each focused computation read only its entity's series.
    expect(calls.promql.slice(6, 9).every((p) => p.includes('source_workload="reviews-v1"'))).toBe(true);
    await service.getGraph(focus('workload', 'reviews-v2'));
    expect(calls.n).toBe(15);
  });

  it('keeps at most cacheMaxBytes of answers, dropping the oldest first', async () => {
    const { client, calls } = countingPrometheus();
    const service = serviceOf(client, { cacheMaxBytes: 1 });
    const size = (await service.getGraphBody(query(60), true)).body.length;
    expect(service.stats().cached).toBe(0); // larger than the budget: not kept at all
    // Room for two answers of this size, not three.
    const bounded = serviceOf(client, { cacheMaxBytes: Math.floor(size * 2.5) });
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

  it('asks exactly the queries the protocols and rates need: 4 for every protocol, 6 with gRPC messages, 1 for TCP only', async () => {
    const { client, calls } = countingPrometheus();
    const service = serviceOf(client);
    await service.getGraphBody(query(60, 'http,grpc,tcp'), true);
    expect(calls.promql.map(kindOf).sort()).toEqual([
      'requests',
      'requests',
      'responseTime',
      'responseTime',
      'tcp',
      'throughput',
      'throughput',
    ]);
    calls.promql = [];
    await service.getGraphBody(query(60, 'tcp'), true);
    expect(calls.promql.map(kindOf)).toEqual(['tcp']);
    // gRPC rated by messages (rateGrpc sent|received|total): one more query, as Kiali's gRPC messages
    calls.promql = [];
    await service.getGraphBody({ ...query(60, 'http,grpc,tcp'), rateGrpc: 'total' }, true);
    expect(calls.promql.map(kindOf).sort()).toEqual([
      'grpcMessages',
      'mtls',
      'requests',
      'requests',
      'responseTime',
      'responseTime',
      'tcp',
      'throughput',
      'throughput',
    ]);
  });

  it('runs the response-time and throughput queries only when their appenders are asked; the key includes them', async () => {
    const { client, calls } = countingPrometheus();
    const service = serviceOf(client);
    const withAppenders = (appenders: string) =>
      GraphQuerySchema.parse({ namespaces: 'bookinfo', duration: '60s', appenders });
    // The default graph of the web page: no response times, no throughput.
    const none = await service.getGraph({ ...withAppenders(''), debug: true });
    expect(calls.n).toBe(3);
    expect(calls.promql.map(kindOf).sort()).toEqual(['requests', 'requests', 'tcp']);
    expect(none.debug?.queries.map((q) => [q.name, q.parts])).toEqual([
      ['requests', 2],
      ['tcp', undefined],
    ]);
    expect(
      none.edges.every(
        (e) => e.responseTimeMs === null && (e.protocol === 'tcp' || e.throughputBps === null),
      ),
    ).toBe(true);
    calls.promql = [];
    const rt = await service.getGraph(withAppenders('responseTime'));
    expect(calls.n).toBe(8);
    expect(calls.promql.map(kindOf).sort()).toEqual([
      'requests',
      'requests',
      'responseTime',
      'responseTime',
      'tcp',
    ]);
    expect(rt.edges.some((e) => e.responseTimeMs !== null)).toBe(true);
    calls.promql = [];
    await service.getGraph(withAppenders('throughput'));
    expect(calls.n).toBe(13);
    expect(calls.promql.map(kindOf).sort()).toEqual([
      'requests',
      'requests',
      'tcp',
      'throughput',
      'throughput',
    ]);
    // Each set of steps is its own cache entry; the same set again (any order) is reused.
    await service.getGraph(withAppenders('throughput,responseTime'));
    expect(calls.n).toBe(20);
    await service.getGraph(GraphQuerySchema.parse({ namespaces: 'bookinfo', duration: '60s' }));
    expect(calls.n).toBe(20);
    await service.getGraph(withAppenders(' responseTime '));
    await service.getGraph(withAppenders(''));
    expect(calls.n).toBe(20);
  });

  it('computes again once an answer is cacheTtlMs old', async () => {
    const { client, calls } = countingPrometheus();
    const { clock, now } = manualClock();
    const service = serviceOf(client, { now });
    await service.getGraphBody(query(60), true);
    expect(calls.n).toBe(6);
    clock.t += TTL_MS - 1;
    await service.getGraphBody(query(60), true);
    expect(calls.n).toBe(6);
    clock.t += 1;
    await service.getGraphBody(query(60), true);
    expect(calls.n).toBe(12);
    expect(service.stats()).toMatchObject({ cached: 1, inFlight: 0 });
  });

  it(`keeps an answer with Prometheus warnings ${FAILED_ANSWER_TTL_MS} ms only, a good one again for cacheTtlMs`, async () => {
    expect(FAILED_ANSWER_TTL_MS).toBeLessThan(TTL_MS);
    const { client, calls } = countingPrometheus();
    const { clock, now } = manualClock();
    const service = serviceOf(client, { now });
    calls.down = true;
    const down = await service.getGraph(query(60));
    expect(down.warnings.map((w) => w.code)).toEqual(['PrometheusUnavailable']);
    expect(calls.n).toBe(6);
    // Reused meanwhile: many clients do not turn a struggling Prometheus into a storm of retries.
    clock.t += FAILED_ANSWER_TTL_MS - 1;
    expect((await service.getGraph(query(60))).warnings.map((w) => w.code)).toEqual([
      'PrometheusUnavailable',
    ]);
    expect(calls.n).toBe(6);
    // Prometheus is back: the next request after the short TTL has traffic, and is kept for cacheTtlMs.
    calls.down = false;
    clock.t += 1;
    const up = await service.getGraph(query(60));
    expect(up.warnings).toEqual([]);
    expect(up.edges.some((e) => e.rps > 0)).toBe(true);
    expect(calls.n).toBe(12);
    clock.t += TTL_MS - 1;
    await service.getGraph(query(60));
    expect(calls.n).toBe(12);
  });
});

describe('the requests query in two parts', () => {
  it('sends its destination reports and its source reports as two queries at once and reads both', async () => {
    const asked: string[] = [];
    let inFlight = 0;
    let most = 0;
    const metric = (reporter: string, from: string, to: string) => ({
      reporter,
      source_workload_namespace: 'bookinfo',
      source_workload: `${from}-v1`,
      source_canonical_service: from,
      source_canonical_revision: 'v1',
      destination_service_namespace: 'bookinfo',
      destination_service_name: to,
      destination_service: `${to}.bookinfo.svc.cluster.local`,
      destination_workload_namespace: 'bookinfo',
      destination_workload: `${to}-v1`,
      destination_canonical_service: to,
      destination_canonical_revision: 'v1',
      request_protocol: 'http',
      response_code: '200',
      response_flags: '-',
    });
    const client: PrometheusClient = {
      url: 'http://prometheus.test',
      async query(promql) {
        asked.push(promql);
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 20));
        inFlight--;
        // The source part is the one with the `unless` (queries.ts); the other holds destination reports.
        const sample = promql.includes(' unless on (')
          ? metric('source', 'productpage', 'reviews')
          : metric('destination', 'reviews', 'ratings');
        return { ms: 20, samples: [{ metric: sample, value: [0, '2'] }] };
      },
      queryRange: () => Promise.reject(new Error('instant queries only')),
      async ping() {},
    };
    const g = await serviceOf(client).getGraph({
      ...GraphQuerySchema.parse({
        namespaces: 'bookinfo',
        duration: '60s',
        appenders: '',
        protocols: 'http',
      }),
      debug: true,
    });
    expect(asked).toHaveLength(2);
    expect(most).toBe(2);
    // Each part's series once: both edges, each at its own rate.
    const rps = (from: string, to: string) =>
      g.edges.filter((e) => e.source.includes(from) && e.target.includes(to)).map((e) => e.rps);
    expect(rps('productpage', 'reviews')).toContain(2);
    expect(rps('reviews', 'ratings')).toContain(2);
    expect(g.debug?.queries).toEqual([expect.objectContaining({ name: 'requests', parts: 2, series: 2 })]);
  });
});

describe('graph service compare', () => {
  it('answers a before/after request with the plain query set once per window, merged', async () => {
    const t = 1_800_000_000;
    const asked: { promql: string; time: number }[] = [];
    const series = (version: string) => ({
      metric: {
        reporter: 'destination',
        source_workload_namespace: 'bookinfo',
        source_workload: 'productpage-v1',
        source_canonical_service: 'productpage',
        source_canonical_revision: 'v1',
        destination_service_namespace: 'bookinfo',
        destination_service_name: 'reviews',
        destination_service: 'reviews.bookinfo.svc.cluster.local',
        destination_workload_namespace: 'bookinfo',
        destination_workload: `reviews-${version}`,
        destination_canonical_service: 'reviews',
        destination_canonical_revision: version,
        request_protocol: 'http',
        response_code: '200',
        response_flags: '-',
      },
      value: [0, '2'] as [number, string],
    });
    const client: PrometheusClient = {
      url: 'http://prometheus.test',
      async query(promql, options) {
        asked.push({ promql, time: options?.time as number });
        // v1 answered before the moment, v2 after it
        const requests = kindOf(promql) === 'requests';
        return { ms: 1, samples: requests ? [series((options?.time as number) <= t ? 'v1' : 'v2')] : [] };
      },
      queryRange: () => Promise.reject(new Error('the graph asks instant queries only')),
      async ping() {},
    };
    const service = serviceOf(client, { now: () => (t + 3600) * 1000 });
    const plain = GraphQuerySchema.parse({ namespaces: 'bookinfo', protocols: 'http' });
    await service.getGraph(plain);
    const plainCount = asked.length;
    asked.length = 0;
    const answer = await service.getGraph(
      GraphQuerySchema.parse({ namespaces: 'bookinfo', protocols: 'http', compare: t, compareWindow: '10m' }),
    );
    // the same fixed set per window, whatever the graph's size: twice the plain request's
    expect(asked).toHaveLength(2 * plainCount);
    expect(asked.filter((a) => a.time === t)).toHaveLength(plainCount);
    expect(asked.filter((a) => a.time === t + 600)).toHaveLength(plainCount);
    for (const a of asked) expect(a.promql).toContain('[600s]');
    expect(answer.compare).toEqual({
      time: t,
      before: { start: t - 600, end: t },
      after: { start: t, end: t + 600 },
    });
    const status = Object.fromEntries(answer.edges.map((e) => [e.target, e.cmpStatus]));
    expect(status).toMatchObject({
      'vapp:bookinfo/reviews/v1': 'vanished',
      'vapp:bookinfo/reviews/v2': 'new',
    });
    // cached under its own key: the same compare again asks nothing
    await service.getGraph(GraphQuerySchema.parse({ namespaces: 'bookinfo', protocols: 'http', compare: t }));
    expect(asked).toHaveLength(2 * plainCount);
    await service.getGraph(
      GraphQuerySchema.parse({ namespaces: 'bookinfo', protocols: 'http', compare: t, compareWindow: '600' }),
    );
    expect(asked).toHaveLength(2 * plainCount);
  });
});
