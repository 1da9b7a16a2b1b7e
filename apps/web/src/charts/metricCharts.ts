/**
 * From a metrics answer to the charts of a metrics tab (pure): which charts, their titles and units,
 * each series' legend text, and uPlot's aligned data. Error charts are drawn in the failure colour.
 */
import type { MetricName, MetricSeries, MetricsResponse } from '@meshlens/contract';
import { formatBytesRate, formatMs, formatRps } from '../graph/format';

export type ChartUnit = 'rps' | 'ms' | 'bytes' | 'B/s' | 'conn/s' | 'msg/s';

export interface ChartSpec {
  metric: MetricName;
  title: string;
  unit: ChartUnit;
  /** Draw with the failure colour (error charts). */
  danger?: boolean;
}

export const CHARTS: ChartSpec[] = [
  { metric: 'request_count', title: 'Request volume', unit: 'rps' },
  {
    metric: 'request_error_count',
    title: 'Request errors (4xx, 5xx, gRPC, no response)',
    unit: 'rps',
    danger: true,
  },
  { metric: 'request_duration_millis', title: 'Request duration', unit: 'ms' },
  { metric: 'request_size', title: 'Request size', unit: 'bytes' },
  { metric: 'response_size', title: 'Response size', unit: 'bytes' },
  { metric: 'tcp_sent', title: 'TCP sent', unit: 'B/s' },
  { metric: 'tcp_received', title: 'TCP received', unit: 'B/s' },
  { metric: 'tcp_opened', title: 'TCP connections opened', unit: 'conn/s' },
  { metric: 'tcp_closed', title: 'TCP connections closed', unit: 'conn/s' },
  { metric: 'grpc_status', title: 'gRPC statuses', unit: 'rps' },
  { metric: 'grpc_sent', title: 'gRPC messages sent', unit: 'msg/s' },
  { metric: 'grpc_received', title: 'gRPC messages received', unit: 'msg/s' },
];

export function formatValue(unit: ChartUnit, v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '–';
  switch (unit) {
    case 'rps':
      return formatRps(v);
    case 'ms':
      return formatMs(v);
    case 'bytes':
      return formatBytesRate(v).replace('/s', '');
    case 'B/s':
      return formatBytesRate(v);
    default:
      return `${v < 10 ? v.toFixed(2) : Math.round(v)} ${unit}`;
  }
}

const STAT_TEXT: Record<string, string> = { avg: 'average', '0.5': 'p50', '0.95': 'p95', '0.99': 'p99' };

/** A series' legend text: its statistic (or gRPC status), then its group-by values. */
export function seriesLabel(metric: MetricName, s: MetricSeries): string {
  const parts: string[] = [];
  if (s.stat !== undefined)
    parts.push(metric === 'grpc_status' ? `status ${s.stat || '–'}` : (STAT_TEXT[s.stat] ?? s.stat));
  for (const v of Object.values(s.labels)) parts.push(v === '' ? '–' : v);
  return parts.length ? parts.join(' · ') : 'total';
}

export interface ChartData {
  spec: ChartSpec;
  labels: string[];
  /** uPlot's aligned data: timestamps, then one array per series. */
  data: [number[], ...(number | null)[][]];
  /** Every value is null or 0: nothing to draw. */
  empty: boolean;
}

/**
 * Units of rates: a rate series without a point there had no traffic then (drawn as 0, so a burst of
 * errors after a quiet spell shows as a rise, not as an isolated dot). Durations and sizes keep their gaps.
 */
const RATE_UNITS = new Set<ChartUnit>(['rps', 'B/s', 'conn/s', 'msg/s']);

/**
 * What the value axis must show of a chart's data (its min and max; null without data, when the chart
 * shows 0 to 1 and so keeps its axis, lining up with its neighbours): rates from 0, so a rise from 1.2 to
 * 4.6 rps does not look like one from nothing; durations and sizes around their values.
 */
export function valueBounds(unit: ChartUnit, min: number | null, max: number | null): [number, number] {
  if (min == null || max == null) return [0, 1];
  if (!RATE_UNITS.has(unit)) return [min, max];
  const low = Math.min(0, min);
  // no traffic at all: 0 to 1, as without data (uPlot would make 0 to 0 into 0 to 100)
  return [low, max > low ? max : low + 1];
}

/** The charts of an answer that it has series for, in display order (charts with no series are left out). */
export function chartsOf(m: MetricsResponse, keepEmpty: readonly MetricName[] = []): ChartData[] {
  const out: ChartData[] = [];
  for (const spec of CHARTS) {
    const series = m.metrics[spec.metric];
    if (!series) continue;
    if (series.length === 0 && !keepEmpty.includes(spec.metric)) continue;
    out.push({
      spec,
      labels: series.map((s) => seriesLabel(spec.metric, s)),
      data: [
        m.timestamps,
        ...series.map((s) => (RATE_UNITS.has(spec.unit) ? s.values.map((v) => v ?? 0) : s.values)),
      ],
      empty: series.every((s) => s.values.every((v) => v === null || v === 0)),
    });
  }
  return out;
}

/** The latest non-null value of a series (for the chart's summary line). */
export function latest(values: readonly (number | null)[]): number | null {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null) return values[i]!;
  return null;
}
