/**
 * The graph's PromQL on a real Prometheus that scrapes a loopback target exposing hand-made Istio series:
 * requests reported by both proxies and by one, local replies, outside callers, callees outside the
 * selection, and calls across the halves of the namespaces the big queries are split into. Whatever the
 * selection, the requests query's parts, counted as the server counts them (countedSamples), give what the
 * counted series of everything give; no part repeats a request a destination report of the answer gives;
 * the response-time and throughput parts answer what their single query does.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQuerySchema } from '@meshlens/contract';
import { startPrometheus, waitForPromQL, type PrometheusHandle } from '@meshlens/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGraphQueries, type GraphPromQuery } from '../src/graph/queries';
import { countedSamples, seriesKey, toSamples } from '../src/graph/samples';
import { createPrometheusClient, type PrometheusClient, type VectorSample } from '../src/prometheus/client';

type Side = [namespace: string, workload: string] | null;

/** One request series, as Istio labels it: `null` is a side no workload answered (a local reply). */
function labels(
  reporter: 'source' | 'destination',
  src: Side,
  dst: Side,
  host: string,
  code = '200',
  flags = '-',
) {
  const [svc, svcNs] = host.split('.');
  const local = dst === null;
  return {
    reporter,
    source_cluster: 'Kubernetes',
    destination_cluster: local ? 'unknown' : 'Kubernetes',
    source_workload_namespace: src?.[0] ?? 'unknown',
    source_workload: src?.[1] ?? 'unknown',
    source_canonical_service: src?.[1].replace(/-v1$/, '') ?? 'unknown',
    source_canonical_revision: src ? 'v1' : 'unknown',
    // A local reply reports the service FQDN but not its namespace (see endpoints.ts's serviceSeed).
    destination_service_namespace: local ? 'unknown' : svcNs!,
    destination_service_name: svc!,
    destination_service: host,
    destination_workload_namespace: dst?.[0] ?? 'unknown',
    destination_workload: dst?.[1] ?? 'unknown',
    destination_canonical_service: dst?.[1].replace(/-v1$/, '') ?? 'unknown',
    destination_canonical_revision: dst ? 'v1' : 'unknown',
    request_protocol: 'http',
    response_code: code,
    grpc_response_status: '',
    response_flags: flags,
    connection_security_policy: reporter === 'destination' ? 'mutual_tls' : 'unknown',
  };
}

const svc = (ns: string) => `${ns}-svc.${ns}.svc.cluster.local`;
const wl = (ns: string): Side => [ns, `${ns}-v1`];
const both = (from: string, to: string) => [
  labels('destination', wl(from), wl(to), svc(to)),
  labels('source', wl(from), wl(to), svc(to)),
];

/** Selected namespaces are among a–d; x is outside every selection. Rates are requests/s. */
const SERIES: { metric: Record<string, string>; rate: number }[] = [
  ...both('a', 'b'), // within the first half of a–d
  ...both('c', 'a'), // a caller of the second half into the first
  ...both('a', 'c'), // and the other way
  ...both('b', 'd'),
  ...both('a', 'x'), // a callee outside: its source report counts, its destination report only for mTLS
  ...both('x', 'b'), // an outside caller: its destination report counts
  labels('source', wl('b'), wl('d'), svc('d'), '503', 'UF'), // only the caller saw it
  labels('source', wl('a'), null, svc('d'), '503', 'UO'), // a local reply
  labels('source', wl('x'), null, svc('c'), '404', 'NR'), // an outside caller's local reply
].map((metric, i) => ({ metric, rate: 1 + i }));

const started = Date.now();

/** The exposition of every series at this instant: counters at their rate since the start. */
function exposition(): string {
  const t = (Date.now() - started) / 1000;
  const line = (name: string, m: Record<string, string>, v: number) =>
    `${name}{${Object.entries(m)
      .map(([k, x]) => `${k}="${x}"`)
      .join(',')}} ${v}`;
  const out: string[] = [];
  for (const { metric, rate } of SERIES) {
    out.push(line('istio_requests_total', metric, rate * t));
    for (const [le, share] of [
      ['10', 0.5],
      ['100', 0.9],
      ['+Inf', 1],
    ] as const)
      out.push(line('istio_request_duration_milliseconds_bucket', { ...metric, le }, rate * share * t));
    out.push(line('istio_request_duration_milliseconds_sum', metric, rate * 20 * t));
    out.push(line('istio_request_duration_milliseconds_count', metric, rate * t));
    out.push(line('istio_response_bytes_sum', metric, rate * 512 * t));
  }
  return `${out.join('\n')}\n`;
}

let target: Server;
let prometheus: PrometheusHandle;
let client: PrometheusClient;
let time: number;
const WINDOW = '10s';

beforeAll(async () => {
  target = createServer((_req, res) => {
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(exposition());
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const { port } = target.address() as AddressInfo;
  prometheus = await startPrometheus({ scrapeTargets: [`127.0.0.1:${port}`], scrapeIntervalSeconds: 1 });
  // Every series has a rate over the window.
  await waitForPromQL(
    prometheus.url,
    `rate(istio_requests_total[${WINDOW}]) > 0`,
    (s) => s.length === SERIES.length,
    60_000,
    500,
  );
  time = Date.now() / 1000;
  client = createPrometheusClient({ url: prometheus.url });
}, 90_000);

afterAll(async () => {
  await client?.close?.();
  await prometheus?.close();
  await new Promise((r) => target?.close(r));
});

const ask = async (promql: string): Promise<VectorSample[]> => (await client.query(promql, { time })).samples;

/** A query's answer as the server reads it: its parts' answers together, or its single query's. */
const answer = async (pq: GraphPromQuery) => (await Promise.all((pq.parts ?? [pq.promql]).map(ask))).flat();

const queriesOf = (namespaces: string[], params: Record<string, string> = {}) =>
  buildGraphQueries(
    GraphQuerySchema.parse({
      namespaces: namespaces.join(','),
      duration: WINDOW,
      protocols: 'http',
      ...params,
    }),
  );

const counted = (vector: VectorSample[], namespaces: string[]) =>
  new Map(
    countedSamples(toSamples(vector), new Set(namespaces)).map((s) => [
      `${s.reporter}|${seriesKey(s)}`,
      s.value,
    ]),
  );

const byLabels = (vector: VectorSample[]) =>
  new Map(vector.map((s) => [JSON.stringify(Object.entries(s.metric).sort()), Number(s.value[1])]));

describe.each([[['a']], [['a', 'b', 'c', 'd']], [['b', 'c']], [['a', 'c', 'd']]])(
  'the graph PromQL of namespaces %j',
  (namespaces) => {
    it('counts what the series of everything count, each request once', async () => {
      const requests = queriesOf(namespaces).find((q) => q.name === 'requests')!;
      expect(requests.parts).toHaveLength(2);
      const got = await answer(requests);
      const everything = await ask(
        `sum by (${Object.keys(SERIES[0]!.metric).join(',')}) (rate(istio_requests_total[${WINDOW}]))`,
      );
      const want = counted(everything, namespaces);
      expect(want.size).toBeGreaterThan(0);
      expect(counted(got, namespaces)).toEqual(want);
      // Prometheus already dropped the source reports a destination report of the answer gives.
      const samples = toSamples(got);
      const given = new Set(
        samples.filter((s) => s.reporter === 'destination' && namespaces.includes(s.dstNs)).map(seriesKey),
      );
      expect(samples.filter((s) => s.reporter === 'source' && given.has(seriesKey(s)))).toEqual([]);
    });

    it('answers response times and throughput in parts as in one query', async () => {
      for (const params of [{ responseTime: 'p95' }, { responseTime: 'avg' }]) {
        for (const name of ['responseTime', 'throughput'] as const) {
          const pq = queriesOf(namespaces, params).find((q) => q.name === name)!;
          expect(pq.parts).toHaveLength(2);
          const whole = byLabels(await ask(pq.promql));
          expect(whole.size).toBeGreaterThan(0);
          expect(byLabels(await answer(pq))).toEqual(whole);
        }
      }
    });
  },
);
