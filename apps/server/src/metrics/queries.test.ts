import { describe, expect, it } from 'vitest';
import { MetricsQuerySchema, METRIC_NAMES } from '@meshlens/contract';
import { align, splitFamily } from './service';
import { buildMetricsQueries, chooseStep, defaultReporter, entityMatchers } from './queries';

const q = (input: Record<string, string> = {}) => MetricsQuerySchema.parse(input);

describe('metrics queries', () => {
  it('chooses the smallest nice step giving at most 300 points', () => {
    expect(chooseStep(600)).toBe(5);
    expect(chooseStep(1800)).toBe(10);
    expect(chooseStep(3600)).toBe(15);
    expect(chooseStep(86_400)).toBe(300);
    for (const d of [60, 600, 1800, 3600, 10_800, 86_400, 604_800])
      expect(Math.floor(d / chooseStep(d)) + 1).toBeLessThanOrEqual(300);
  });

  it('selects a service by FQDN, workloads and apps by their side', () => {
    expect(entityMatchers({ kind: 'services', namespace: 'bookinfo', name: 'reviews' }, 'inbound')).toEqual([
      'destination_service=~"reviews\\\\.bookinfo\\\\..*"',
    ]);
    expect(entityMatchers({ kind: 'workloads', namespace: 'b', name: 'w' }, 'outbound')).toEqual([
      'source_workload_namespace="b"',
      'source_workload="w"',
    ]);
    expect(entityMatchers({ kind: 'apps', namespace: 'b', name: 'a' }, 'inbound')).toEqual([
      'destination_workload_namespace="b"',
      'destination_canonical_service="a"',
    ]);
    expect(defaultReporter('services', 'inbound')).toBe('source');
    expect(defaultReporter('workloads', 'inbound')).toBe('destination');
    expect(defaultReporter('apps', 'outbound')).toBe('source');
  });

  it('costs one query per family whatever the quantiles and labels, one for one chart', () => {
    const e = { kind: 'workloads' as const, namespace: 'b', name: 'w' };
    expect(buildMetricsQueries(e, q(), 'destination', 60)).toHaveLength(7);
    const grouped = buildMetricsQueries(e, q({ byLabels: 'response_code,source_workload' }), 'both', 60);
    expect(grouped).toHaveLength(7);
    expect(grouped[0]!.promql).toBe(
      'sum by (reporter,response_code,source_workload) (rate(istio_requests_total{destination_workload_namespace="b",destination_workload="w"}[60s]))',
    );
    expect(
      buildMetricsQueries(e, q({ metrics: 'tcp_sent,tcp_closed' }), 'source', 60).map((x) => x.family),
    ).toEqual(['tcp']);
    const duration = buildMetricsQueries(
      e,
      q({ quantiles: 'avg,0.99', metrics: 'request_duration_millis' }),
      'source',
      30,
    );
    expect(duration[0]!.promql).toContain(
      'histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="source"',
    );
    expect(duration[0]!.promql).toContain('"meshlens_series", "avg"');
    expect(METRIC_NAMES).toHaveLength(12);
  });
});

describe('aligning and splitting answers', () => {
  it('puts points on the shared axis, null where missing', () => {
    expect(
      align(
        {
          metric: {},
          values: [
            [105, '2'],
            [115, 'NaN'],
            [200, '1'],
          ],
        },
        [100, 105, 110, 115],
        100,
        5,
      ),
    ).toEqual([null, 2, null, null]);
  });

  it('splits a tagged family into its charts, with statistics and gRPC statuses', () => {
    const out = splitFamily(
      'grpc',
      [
        {
          metric: { meshlens_series: 'status', grpc_response_status: '14', source_app: 'a' },
          values: [[0, '1']],
        },
        { metric: { meshlens_series: 'sent', source_app: 'a' }, values: [[0, '3']] },
      ],
      ['grpc_status', 'grpc_sent'],
      [0],
      0,
      5,
    );
    expect(out).toEqual({
      grpc_status: [{ labels: { source_app: 'a' }, stat: '14', values: [1] }],
      grpc_sent: [{ labels: { source_app: 'a' }, values: [3] }],
    });
  });
});
