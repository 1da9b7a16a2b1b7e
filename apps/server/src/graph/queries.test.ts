import { GraphQuerySchema } from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import { escapePromString, escapeRegex, anyOf } from '../prometheus/escape';
import { buildGraphQueries } from './queries';

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
