import { GraphQuerySchema } from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import { escapePromString, escapeRegex, anyOf } from '../prometheus/escape';
import { toSamples, seriesKey } from './samples';
import { buildGraphQueries, mtlsInRequests, REQUEST_LABELS, SERIES_KEY_LABELS } from './queries';

const q = (params: Record<string, string>) => GraphQuerySchema.parse({ namespaces: 'bookinfo', ...params });

describe('graph PromQL', () => {
  it('costs at most 4 queries whatever the number of namespaces, with one regex matcher per selector', () => {
    const many = Array.from({ length: 300 }, (_, i) => `ns-${i}`).join(',');
    const queries = buildGraphQueries(q({ namespaces: many }));
    expect(queries.map((x) => x.name)).toEqual(['requests', 'responseTime', 'throughput', 'tcp']);
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
    const [requests, rt] = buildGraphQueries(q({ duration: '2m', responseTime: 'p99' }));
    expect(requests!.promql).toContain('[120s]');
    expect(requests!.promql).toContain(') > 0)');
    expect(rt!.promql).toMatch(/^\(histogram_quantile\(0\.99, /);
    expect(rt!.promql).toContain('by (le,reporter,');
    const idle = buildGraphQueries(q({ includeIdle: 'true' }));
    expect(idle[0]!.promql).not.toContain('> 0');
    const avg = buildGraphQueries(q({ responseTime: 'avg' }))[1]!.promql;
    expect(avg).toContain('istio_request_duration_milliseconds_sum');
    expect(avg).toContain('istio_request_duration_milliseconds_count');
  });

  it('skips queries for protocols not asked for', () => {
    expect(buildGraphQueries(q({ protocols: 'tcp' })).map((x) => x.name)).toEqual(['tcp']);
    const grpc = buildGraphQueries(q({ protocols: 'grpc' }));
    expect(grpc.map((x) => x.name)).toEqual(['requests', 'responseTime', 'throughput']);
    expect(grpc[0]!.promql).toContain('request_protocol="grpc"');
  });

  it('escapes label values', () => {
    expect(escapePromString('a"b\\c')).toBe('a\\"b\\\\c');
    expect(escapeRegex('a.b|c')).toBe('a\\.b\\|c');
    expect(anyOf('x', ['a.b', 'c"d'])).toBe('x=~"a\\\\.b|c\\"d"');
  });
});

describe('the requests query (issue 13: the default graph in 2 queries)', () => {
  const requestsOf = (params: Record<string, string> = {}) => buildGraphQueries(q(params))[0]!.promql;
  const selectorsOf = (promql: string) => promql.match(/\{[^}]*\}/g) ?? [];

  it('carries the mTLS: no mTLS query unless gRPC is rated by messages', () => {
    expect(mtlsInRequests(q({}))).toBe(true);
    expect(requestsOf()).toContain(',connection_security_policy)');
    const names = (p: Record<string, string>) => buildGraphQueries(q(p)).map((x) => x.name);
    expect(names({ protocols: 'http,grpc,tcp' })).toEqual(['requests', 'responseTime', 'throughput', 'tcp']);
    expect(mtlsInRequests(q({ protocols: 'http,grpc', rateGrpc: 'total' }))).toBe(false);
    const messages = buildGraphQueries(q({ protocols: 'http,grpc', rateGrpc: 'total' }));
    expect(messages.map((x) => x.name)).toEqual([
      'requests',
      'mtls',
      'responseTime',
      'throughput',
      'grpcMessages',
    ]);
    expect(messages[0]!.promql).not.toContain('connection_security_policy');
  });

  it("reads the destination reports once: the mTLS-only ones leave out the namespaces' callees", () => {
    const dest = selectorsOf(requestsOf()).filter((s) => s.includes('reporter="destination"'));
    const counted = dest.filter((s) => s.includes('destination_workload_namespace=~"bookinfo"'));
    const mtlsOnly = dest.filter((s) => !counted.includes(s));
    expect(mtlsOnly).toHaveLength(3);
    for (const s of mtlsOnly) expect(s).toContain('destination_workload_namespace!~"bookinfo"');
  });

  it('drops the source reports a destination report of the answer already gives, as countedSamples does', () => {
    const promql = requestsOf();
    const [head, tail] = promql.split(` unless on (${SERIES_KEY_LABELS.join(',')}) `);
    expect(tail).toBeDefined();
    // left of `unless`: the source reports; right: the destination reports Kiali counts, by the series key
    const left = selectorsOf(head!.slice(head!.lastIndexOf(' or ((') + 1));
    expect(left.length).toBeGreaterThan(0);
    expect(left.every((s) => s.includes('reporter="source"'))).toBe(true);
    expect(selectorsOf(tail!)).toEqual([
      '{reporter="destination",destination_workload_namespace=~"bookinfo"}',
    ]);
    expect(tail).toContain(`sum by (${SERIES_KEY_LABELS.join(',')}) (`);
  });

  it('splits several namespaces by the callee: each part reads its destination reports once, then its source reports', () => {
    const requests = buildGraphQueries(q({ namespaces: 'a,b,c' }))[0]!;
    expect(requests.parts).toHaveLength(2);
    const on = ` or on (${SERIES_KEY_LABELS.join(',')}) `;
    const [first, second] = requests.parts!;
    for (const part of [first!, second!]) {
      expect(part).not.toContain(' unless ');
      expect(part.split(on)).toHaveLength(2);
    }
    const counted = (part: string) =>
      selectorsOf(part.split(on)[0]!).filter((s) => s.includes('reporter="destination"'));
    expect(counted(first!)).toEqual(['{reporter="destination",destination_workload_namespace=~"a|b"}']);
    expect(counted(second!)).toEqual(['{reporter="destination",destination_workload_namespace=~"c"}']);
    // The source reports into the first half, then every other: none is read twice or left out.
    expect(selectorsOf(first!.split(on)[1]!)).toEqual([
      '{reporter="source",source_workload_namespace=~"a|b|c",destination_workload_namespace=~"a|b"}',
    ]);
    expect(selectorsOf(second!.split(on)[1]!)[0]).toBe(
      '{reporter="source",source_workload_namespace=~"a|b|c",destination_workload_namespace!~"a|b"}',
    );
  });

  it("matches on exactly the labels of samples.ts's seriesKey", () => {
    const labels = [...REQUEST_LABELS, 'connection_security_policy'];
    const metric = Object.fromEntries(labels.map((l) => [l, `${l}-a`]));
    const key = (m: Record<string, string>) => seriesKey(toSamples([{ metric: m, value: [0, '1'] }])[0]!);
    const inKey = labels.filter((l) => key({ ...metric, [l]: `${l}-b` }) !== key(metric));
    expect(inKey.sort()).toEqual([...SERIES_KEY_LABELS].sort());
  });

  it('takes a response-time quantile per selector before the `or`', () => {
    const rt = buildGraphQueries(q({ responseTime: 'p95' })).find((x) => x.name === 'responseTime')!;
    const parts = rt.promql.split(') or (');
    expect(parts).toHaveLength(3);
    for (const part of parts) {
      expect(part.match(/histogram_quantile\(0\.95, /g)).toHaveLength(1);
      expect(part.match(/rate\(/g)).toHaveLength(1);
    }
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
    expect(queries.map((x) => x.name)).toEqual(['requests', 'responseTime', 'throughput', 'tcp']);
    const dest = [
      '{request_protocol="http",reporter="destination",destination_workload_namespace=~"bookinfo",source_workload_namespace="bookinfo",source_workload="reviews"}',
      '{request_protocol="http",reporter="destination",destination_workload_namespace="bookinfo",destination_workload="reviews"}',
    ];
    expect(selectorsOf(queries[0]!.promql)).toEqual([
      ...dest,
      // its calls out of the namespace: the callee's destination report, for the mTLS only
      '{reporter="destination",request_protocol="http",destination_workload_namespace!~"bookinfo",source_workload_namespace="bookinfo",source_workload="reviews"}',
      '{request_protocol="http",reporter="source",source_workload_namespace="bookinfo",source_workload="reviews"}',
      '{request_protocol="http",reporter="source",source_workload_namespace=~"bookinfo",destination_workload_namespace="bookinfo",destination_workload="reviews"}',
      // what the source reports are checked against
      ...dest,
    ]);
    const by = `sum by (${L},connection_security_policy)`;
    const key = `sum by (${SERIES_KEY_LABELS.join(',')})`;
    const sel = (by: string, s: string) => `(${by} (rate(istio_requests_total${s}[300s])) > 0)`;
    const sels = selectorsOf(queries[0]!.promql)!;
    expect(queries[0]!.promql).toBe(
      [
        ...sels.slice(0, 3).map((s) => sel(by, s)),
        `((${sels
          .slice(3, 5)
          .map((s) => sel(by, s))
          .join(' or ')}) unless on (${SERIES_KEY_LABELS.join(',')}) (${sels
          .slice(5)
          .map((s) => sel(key, s))
          .join(' or ')}))`,
      ].join(' or '),
    );
    // TCP: every reporter; callers outside the namespace only as the callee's.
    expect(selectorsOf(queries[3]!.promql)!.filter((s, i, all) => all.indexOf(s) === i)).toEqual([
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
      '{reporter="destination",request_protocol="http",destination_workload_namespace!~"bookinfo",source_workload_namespace="bookinfo",source_canonical_service="reviews"}',
      '{request_protocol="http",reporter="source",source_workload_namespace="bookinfo",source_canonical_service="reviews"}',
      '{request_protocol="http",reporter="source",source_workload_namespace=~"bookinfo",destination_workload_namespace="bookinfo",destination_canonical_service="reviews"}',
      '{request_protocol="http",reporter="source",source_workload_namespace!~"bookinfo",destination_workload="unknown",destination_service=~"[^.]+\\\\.(bookinfo)\\\\.svc.*",destination_workload_namespace="bookinfo",destination_canonical_service="reviews"}',
      '{request_protocol="http",reporter="destination",destination_workload_namespace=~"bookinfo",source_workload_namespace="bookinfo",source_canonical_service="reviews"}',
      '{request_protocol="http",reporter="destination",destination_workload_namespace="bookinfo",destination_canonical_service="reviews"}',
    ]);
  });

  it('a service: the callee only, by its FQDN, local replies of outside callers included', () => {
    const queries = focused('service', { responseTime: 'avg' });
    const host = 'destination_service=~"reviews\\\\.bookinfo\\\\.svc.*"';
    const counted = `{request_protocol="http",reporter="destination",destination_workload_namespace=~"bookinfo",${host}}`;
    // The destination reports (with their mTLS): into the namespace, and the mTLS-only ones of callers
    // inside and outside and of local replies; the source reports; what they are checked against.
    const mtlsOnly =
      '{reporter="destination",request_protocol="http",destination_workload_namespace!~"bookinfo",';
    expect(selectorsOf(queries[0]!.promql)).toEqual([
      counted,
      `${mtlsOnly}source_workload_namespace=~"bookinfo",${host}}`,
      `${mtlsOnly}source_workload_namespace!~"bookinfo",destination_service_namespace=~"bookinfo",${host}}`,
      `${mtlsOnly}source_workload_namespace!~"bookinfo",destination_service_namespace="unknown",${host}}`,
      `{request_protocol="http",reporter="source",source_workload_namespace=~"bookinfo",${host}}`,
      `{request_protocol="http",reporter="source",source_workload_namespace!~"bookinfo",destination_workload="unknown",${host}}`,
      counted,
    ]);
    expect(selectorsOf(queries[1]!.promql)).toHaveLength(6);
    for (const { promql } of queries) expect(promql).not.toContain('[^.]+');
  });

  it('keeps within 6 queries with gRPC messages, and refuses a focus outside the namespaces', () => {
    expect(focused('workload', { protocols: 'http,grpc,tcp', rateGrpc: 'total' })).toHaveLength(6);
    expect(() =>
      buildGraphQueries({ ...q({}), focus: { kind: 'workload', namespace: 'other', name: 'reviews' } }),
    ).toThrow(/namespace other is not one of/);
  });
});
