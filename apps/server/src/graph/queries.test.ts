import { GraphQuerySchema } from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import { escapePromString, escapeRegex, anyOf } from '../prometheus/escape';
import { buildGraphQueries, REQUEST_LABELS } from './queries';

const q = (params: Record<string, string>) => GraphQuerySchema.parse({ namespaces: 'bookinfo', ...params });

describe('graph PromQL', () => {
  it('costs at most 5 queries whatever the number of namespaces, with one regex matcher per selector', () => {
    const many = Array.from({ length: 300 }, (_, i) => `ns-${i}`).join(',');
    const queries = buildGraphQueries(q({ namespaces: many }));
    expect(queries.map((x) => x.name)).toEqual(['requests', 'mtls', 'responseTime', 'throughput', 'tcp']);
    for (const { promql } of queries) {
      // each selector names every namespace once, in one regex: the query does not grow per namespace
      const selectors = promql.match(/rate\(/g)!.length;
      expect(selectors).toBeLessThanOrEqual(12);
      // (a selector names the namespace list at most 3 times: caller inside / outside, service side)
      expect(promql.match(/ns-17\b/g)!.length).toBeLessThanOrEqual(3 * selectors);
      expect(promql).not.toMatch(/namespace="ns-/);
    }
  });

  it('uses the duration, the quantile and the idle filter', () => {
    const [requests, , rt] = buildGraphQueries(q({ duration: '2m', responseTime: 'p99' }));
    expect(requests!.promql).toContain('[120s]');
    expect(requests!.promql).toContain(') > 0)');
    expect(rt!.promql).toMatch(/^histogram_quantile\(0\.99, /);
    expect(rt!.promql).toContain('by (le,reporter,');
    const idle = buildGraphQueries(q({ includeIdle: 'true' }));
    expect(idle[0]!.promql).not.toContain('> 0');
    const avg = buildGraphQueries(q({ responseTime: 'avg' }))[2]!.promql;
    expect(avg).toContain('istio_request_duration_milliseconds_sum');
    expect(avg).toContain('istio_request_duration_milliseconds_count');
  });

  it('skips queries for protocols not asked for', () => {
    expect(buildGraphQueries(q({ protocols: 'tcp' })).map((x) => x.name)).toEqual(['tcp']);
    const grpc = buildGraphQueries(q({ protocols: 'grpc' }));
    expect(grpc.map((x) => x.name)).toEqual(['requests', 'mtls', 'responseTime', 'throughput']);
    expect(grpc[0]!.promql).toContain('request_protocol="grpc"');
  });

  it('escapes label values', () => {
    expect(escapePromString('a"b\\c')).toBe('a\\"b\\\\c');
    expect(escapeRegex('a.b|c')).toBe('a\\.b\\|c');
    expect(anyOf('x', ['a.b', 'c"d'])).toBe('x=~"a\\\\.b|c\\"d"');
  });
});

describe('graph PromQL focused on one entity (node graphs)', () => {
  const focused = (kind: 'app' | 'workload' | 'service', params: Record<string, string> = {}) =>
    buildGraphQueries({
      ...q({ protocols: 'http,tcp', ...params }),
      focus: { kind, namespace: 'bookinfo', name: 'reviews' },
    });
  const selectorsOf = (promql: string) => promql.match(/\{[^}]*\}/g);
  const L = REQUEST_LABELS.join(',');

  it('a workload: each reporter set once as the caller, once as the callee, in the same queries', () => {
    const queries = focused('workload');
    expect(queries.map((x) => x.name)).toEqual(['requests', 'mtls', 'responseTime', 'throughput', 'tcp']);
    const sel = (s: string) => `(sum by (${L}) (rate(istio_requests_total{${s}}[300s])) > 0)`;
    expect(queries[0]!.promql).toBe(
      [
        sel(
          'request_protocol="http",reporter="destination",destination_workload_namespace=~"bookinfo",source_workload_namespace="bookinfo",source_workload="reviews"',
        ),
        sel(
          'request_protocol="http",reporter="destination",destination_workload_namespace="bookinfo",destination_workload="reviews"',
        ),
        sel(
          'request_protocol="http",reporter="source",source_workload_namespace="bookinfo",source_workload="reviews"',
        ),
        sel(
          'request_protocol="http",reporter="source",source_workload_namespace=~"bookinfo",destination_workload_namespace="bookinfo",destination_workload="reviews"',
        ),
      ].join(' or '),
    );
    // TCP: every reporter; callers outside the namespace only as the callee's.
    expect(selectorsOf(queries[4]!.promql)!.filter((s, i, all) => all.indexOf(s) === i)).toEqual([
      '{source_workload_namespace="bookinfo",source_workload="reviews"}',
      '{source_workload_namespace=~"bookinfo",destination_workload_namespace="bookinfo",destination_workload="reviews"}',
      '{source_workload_namespace!~"bookinfo",destination_service_namespace=~"bookinfo",destination_workload_namespace="bookinfo",destination_workload="reviews"}',
      '{source_workload_namespace!~"bookinfo",destination_service_namespace="unknown",destination_service=~"[^.]+\\\\.(bookinfo)\\\\.svc.*",destination_workload_namespace="bookinfo",destination_workload="reviews"}',
    ]);
  });

  it('an app: its canonical service on either side', () => {
    const [requests] = focused('app');
    expect(selectorsOf(requests!.promql)).toEqual([
      '{request_protocol="http",reporter="destination",destination_workload_namespace=~"bookinfo",source_workload_namespace="bookinfo",source_canonical_service="reviews"}',
      '{request_protocol="http",reporter="destination",destination_workload_namespace="bookinfo",destination_canonical_service="reviews"}',
      '{request_protocol="http",reporter="source",source_workload_namespace="bookinfo",source_canonical_service="reviews"}',
      '{request_protocol="http",reporter="source",source_workload_namespace=~"bookinfo",destination_workload_namespace="bookinfo",destination_canonical_service="reviews"}',
      '{request_protocol="http",reporter="source",source_workload_namespace!~"bookinfo",destination_workload="unknown",destination_service=~"[^.]+\\\\.(bookinfo)\\\\.svc.*",destination_workload_namespace="bookinfo",destination_canonical_service="reviews"}',
    ]);
  });

  it('a service: the callee only, by its FQDN, local replies of outside callers included', () => {
    const queries = focused('service', { responseTime: 'avg' });
    const host = 'destination_service=~"reviews\\\\.bookinfo\\\\.svc.*"';
    expect(selectorsOf(queries[0]!.promql)).toEqual([
      `{request_protocol="http",reporter="destination",destination_workload_namespace=~"bookinfo",${host}}`,
      `{request_protocol="http",reporter="source",source_workload_namespace=~"bookinfo",${host}}`,
      `{request_protocol="http",reporter="source",source_workload_namespace!~"bookinfo",destination_workload="unknown",${host}}`,
    ]);
    // mTLS: destination reports of callers inside, outside, and local replies; response times as sum/count.
    expect(selectorsOf(queries[1]!.promql)).toEqual([
      `{reporter="destination",request_protocol="http",source_workload_namespace=~"bookinfo",${host}}`,
      `{reporter="destination",request_protocol="http",source_workload_namespace!~"bookinfo",destination_service_namespace=~"bookinfo",${host}}`,
      `{reporter="destination",request_protocol="http",source_workload_namespace!~"bookinfo",destination_service_namespace="unknown",${host}}`,
    ]);
    expect(selectorsOf(queries[2]!.promql)).toHaveLength(6);
    for (const { promql } of queries) expect(promql).not.toContain('[^.]+');
  });

  it('keeps within 6 queries with gRPC messages, and refuses a focus outside the namespaces', () => {
    expect(focused('workload', { protocols: 'http,grpc,tcp', rateGrpc: 'total' })).toHaveLength(6);
    expect(() =>
      buildGraphQueries({ ...q({}), focus: { kind: 'workload', namespace: 'other', name: 'reviews' } }),
    ).toThrow(/namespace other is not one of/);
  });
});
