import { describe, expect, it } from 'vitest';
import type { MetricsResponse } from '@meshlens/contract';
import { chartsOf, formatValue, latest, seriesLabel, valueBounds } from './metricCharts';

const answer: MetricsResponse = {
  direction: 'inbound',
  reporter: 'source',
  duration: 10,
  step: 5,
  rateInterval: 60,
  timestamps: [100, 105, 110],
  byLabels: ['destination_canonical_revision'],
  quantiles: ['avg', '0.95'],
  metrics: {
    request_count: [
      { labels: { destination_canonical_revision: 'v1' }, values: [1, 2, null] },
      { labels: { destination_canonical_revision: 'v2' }, values: [0, 0, 0] },
    ],
    request_error_count: [],
    request_duration_millis: [
      { labels: { destination_canonical_revision: 'v1' }, stat: '0.95', values: [5, null, 7] },
    ],
    tcp_sent: [],
  },
  warnings: [],
};

describe('chartsOf', () => {
  it('keeps answered charts with series, in display order, with aligned data', () => {
    const charts = chartsOf(answer);
    expect(charts.map((c) => c.spec.metric)).toEqual(['request_count', 'request_duration_millis']);
    // rates without a point are 0 (no traffic then); durations keep their gaps
    expect(charts[0]!.data).toEqual([
      [100, 105, 110],
      [1, 2, 0],
      [0, 0, 0],
    ]);
    expect(charts[0]!.labels).toEqual(['v1', 'v2']);
    expect(charts[1]!.labels).toEqual(['p95 · v1']);
    expect(charts[1]!.data[1]).toEqual([5, null, 7]);
  });

  it('keeps the error chart empty rather than hiding it when asked', () => {
    const charts = chartsOf(answer, ['request_error_count']);
    const errors = charts.find((c) => c.spec.metric === 'request_error_count')!;
    expect(errors.empty).toBe(true);
    expect(errors.spec.danger).toBe(true);
    expect(charts.find((c) => c.spec.metric === 'tcp_sent')).toBeUndefined();
  });
});

describe('labels and values', () => {
  it('names totals, statistics and gRPC statuses', () => {
    expect(seriesLabel('request_count', { labels: {}, values: [] })).toBe('total');
    expect(seriesLabel('request_duration_millis', { labels: {}, stat: 'avg', values: [] })).toBe('average');
    expect(seriesLabel('grpc_status', { labels: { source_app: '' }, stat: '14', values: [] })).toBe(
      'status 14 · –',
    );
  });

  it('formats by unit and finds the latest value', () => {
    expect(formatValue('rps', 2)).toBe('2.00 rps');
    expect(formatValue('ms', 1500)).toBe('1.50s');
    expect(formatValue('bytes', 2048)).toBe('2.0 KiB');
    expect(formatValue('conn/s', null)).toBe('–');
    expect(latest([1, 2, null])).toBe(2);
    expect(latest([null])).toBeNull();
  });
});

describe('the value axis', () => {
  it('shows rates from 0, durations and sizes around their values', () => {
    expect(valueBounds('rps', 1.2, 4.6)).toEqual([0, 4.6]);
    expect(valueBounds('B/s', 300, 900)).toEqual([0, 900]);
    expect(valueBounds('ms', 12, 80)).toEqual([12, 80]);
    expect(valueBounds('bytes', 650, 1000)).toEqual([650, 1000]);
  });

  it('keeps an axis of 0 to 1 without data or without traffic', () => {
    expect(valueBounds('rps', null, null)).toEqual([0, 1]);
    expect(valueBounds('ms', null, null)).toEqual([0, 1]);
    expect(valueBounds('rps', 0, 0)).toEqual([0, 1]);
  });
});
