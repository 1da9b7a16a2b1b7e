import { describe, expect, it } from 'vitest';
import type { Span, Trace } from '@meshlens/contract';
import type { PrometheusClient, VectorSample } from '../prometheus/client';
import { MTLS_WINDOW_SECONDS, securityByCall, securityQuery, traceCalls, withCallSecurity } from './mtls';

const span = (
  spanId: string,
  parentId: string | null,
  kind: Span['kind'],
  app?: string,
  ns = 'bookinfo',
): Span => ({
  spanId,
  parentId,
  service: app ? `${app}.${ns}` : 'no access',
  ...(app ? { app, namespace: ns } : {}),
  kind,
  operation: spanId,
  startUs: 1_800_000_000_000_000,
  durationUs: 20_000,
  error: false,
  tags: {},
});

// gateway → productpage → reviews (tried twice: two server spans under one client span) → ratings
const trace: Trace = {
  id: 't',
  startUs: 1_800_000_000_000_000,
  durationUs: 20_000,
  spans: [
    span('gw-c', null, 'client', 'istio-ingressgateway', 'istio-system'),
    span('pp-s', 'gw-c', 'server', 'productpage'),
    span('pp-c', 'pp-s', 'client', 'productpage'),
    span('rv-s1', 'pp-c', 'server', 'reviews'),
    span('rv-s2', 'pp-c', 'server', 'reviews'),
    span('rv-c', 'rv-s2', 'client', 'reviews'),
    span('ra-s', 'rv-c', 'server', 'ratings'),
    span('hidden-s', 'rv-c', 'server'),
  ],
};

const sample = (src: string, srcNs: string, dst: string, policy: string, n: number): VectorSample => ({
  metric: {
    source_canonical_service: src,
    source_workload_namespace: srcNs,
    destination_canonical_service: dst,
    destination_workload_namespace: 'bookinfo',
    connection_security_policy: policy,
  },
  value: [0, String(n)],
});

/** Recorded answer of the security query for the trace above (one line per caller, callee and policy). */
const SAMPLES: VectorSample[] = [
  sample('istio-ingressgateway', 'istio-system', 'productpage', 'mutual_tls', 120),
  sample('productpage', 'bookinfo', 'reviews', 'mutual_tls', 118),
  sample('reviews', 'bookinfo', 'ratings', 'none', 40),
  sample('reviews', 'bookinfo', 'ratings', 'mutual_tls', 0),
  sample('details', 'bookinfo', 'ratings', 'mutual_tls', 3),
];

const fakeProm = (answer: () => Promise<VectorSample[]>, seen: { promql?: string; time?: number }) =>
  ({
    url: 'http://prom',
    query: async (promql: string, o?: { time?: number }) => {
      seen.promql = promql;
      if (o?.time !== undefined) seen.time = o.time;
      return { samples: await answer(), ms: 1 };
    },
    queryRange: async () => ({ series: [], ms: 0 }),
    ping: async () => undefined,
  }) as PrometheusClient;

describe("a trace's calls and their mTLS from the metrics", () => {
  it('finds each call from a client span to a server span under it, only between readable spans', () => {
    expect(traceCalls(trace).map((c) => `${c.client.spanId}>${c.server.spanId}`)).toEqual([
      'gw-c>pp-s',
      'pp-c>rv-s1',
      'pp-c>rv-s2',
      'rv-c>ra-s',
    ]);
    expect(securityQuery(traceCalls(trace))).toBe(
      'sum by (source_canonical_service, source_workload_namespace, destination_canonical_service, ' +
        'destination_workload_namespace, connection_security_policy) ' +
        '(increase(istio_requests_total{reporter="destination", destination_workload_namespace=~"bookinfo"}' +
        `[${MTLS_WINDOW_SECONDS}s]))`,
    );
    expect(securityQuery([])).toBeNull();
  });

  it('calls a pair mutual_tls only when every reported request was, none when none was, else mixed', () => {
    const by = securityByCall([
      ...SAMPLES,
      sample('productpage', 'bookinfo', 'details', 'mutual_tls', 5),
      sample('productpage', 'bookinfo', 'details', 'none', 1),
    ]);
    expect(by.get('bookinfo/productpage>bookinfo/reviews')).toBe('mutual_tls');
    expect(by.get('bookinfo/reviews>bookinfo/ratings')).toBe('none');
    expect(by.get('bookinfo/productpage>bookinfo/details')).toBe('mixed');
  });

  it("marks each call's client and server spans, read at the end of a window holding the trace", async () => {
    const seen: { promql?: string; time?: number } = {};
    const now = 1_800_000_000 + 3600;
    const { trace: out, warning } = await withCallSecurity(
      fakeProm(async () => SAMPLES, seen),
      trace,
      now,
    );
    expect(warning).toBeUndefined();
    const mtls = Object.fromEntries(out.spans.map((s) => [s.spanId, s.mtls ?? '-']));
    expect(mtls).toEqual({
      'gw-c': 'mutual_tls',
      'pp-s': 'mutual_tls',
      'pp-c': 'mutual_tls',
      'rv-s1': 'mutual_tls',
      'rv-s2': 'mutual_tls',
      'rv-c': 'none',
      'ra-s': 'none',
      'hidden-s': '-',
    });
    expect(seen.time).toBeCloseTo(1_800_000_000.02 + MTLS_WINDOW_SECONDS / 2, 3);
    // a recent trace is read now, not in the future
    await withCallSecurity(
      fakeProm(async () => SAMPLES, seen),
      trace,
      1_800_000_010,
    );
    expect(seen.time).toBe(1_800_000_010);
  });

  it('leaves the trace as it was, with a warning, when Prometheus does not answer', async () => {
    const seen = {};
    const down = fakeProm(async () => Promise.reject(new Error('connect ECONNREFUSED')), seen);
    const r = await withCallSecurity(down, trace, 1_800_000_100);
    expect(r.trace).toBe(trace);
    expect(r.warning).toMatch(
      /mTLS of the calls is unknown: Prometheus did not answer \(connect ECONNREFUSED\)/,
    );
  });
});
