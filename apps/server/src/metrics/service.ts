/**
 * Range series of one app, workload or service: a fixed set of range queries (one per chart family,
 * see ./queries.ts), run in parallel, aligned on one timestamp axis and split into charts.
 */
import type {
  GraphWarning,
  MetricName,
  MetricSeries,
  MetricsQuery,
  MetricsResponse,
} from '@meshlens/contract';
import { PrometheusError, type MatrixSeries, type PrometheusClient } from '../prometheus/client';
import {
  buildMetricsQueries,
  CHART_SOURCE,
  chooseStep,
  defaultReporter,
  SERIES_LABEL,
  type Entity,
  type Family,
} from './queries';

export interface MetricsServiceDeps {
  prometheus: PrometheusClient;
  now?: () => number;
}

/** Aligns Prometheus's points onto `timestamps` (null where a series has no point). */
export function align(series: MatrixSeries, timestamps: readonly number[], start: number, step: number) {
  const values: (number | null)[] = new Array<number | null>(timestamps.length).fill(null);
  for (const [t, v] of series.values) {
    const i = Math.round((t - start) / step);
    if (i < 0 || i >= values.length) continue;
    const n = Number(v);
    values[i] = Number.isFinite(n) ? n : null;
  }
  return values;
}

/** Splits one family's series into its charts, by the `meshlens_series` tag where the family has one. */
export function splitFamily(
  family: Family,
  series: readonly MatrixSeries[],
  wanted: readonly MetricName[],
  timestamps: readonly number[],
  start: number,
  step: number,
): Partial<Record<MetricName, MetricSeries[]>> {
  const out: Partial<Record<MetricName, MetricSeries[]>> = {};
  const charts = wanted.filter((m) => CHART_SOURCE[m].family === family);
  for (const chart of charts) out[chart] = [];
  const histogram = family === 'duration' || family === 'requestSize' || family === 'responseSize';
  for (const s of series) {
    const { [SERIES_LABEL]: tagValue, grpc_response_status: grpcStatus, ...rest } = s.metric;
    const chart = charts.find((c) => {
      const want = CHART_SOURCE[c].series;
      return want === undefined || want === tagValue;
    });
    if (!chart) continue;
    const labels: Record<string, string> = { ...rest };
    // grpc_response_status is the grouping of the status chart, a plain label elsewhere.
    if (grpcStatus !== undefined && chart !== 'grpc_status') labels.grpc_response_status = grpcStatus;
    const stat = histogram ? tagValue : chart === 'grpc_status' ? (grpcStatus ?? '') : undefined;
    out[chart]!.push({
      labels,
      ...(stat !== undefined ? { stat } : {}),
      values: align(s, timestamps, start, step),
    });
  }
  for (const chart of charts) out[chart]!.sort((a, b) => seriesKey(a).localeCompare(seriesKey(b)));
  return out;
}

const seriesKey = (s: MetricSeries) => `${s.stat ?? ''}\u0000${JSON.stringify(s.labels)}`;

export interface MetricsService {
  metrics(entity: Entity, q: MetricsQuery): Promise<MetricsResponse>;
}

export function createMetricsService(deps: MetricsServiceDeps): MetricsService {
  const now = deps.now ?? Date.now;
  return {
    async metrics(entity, q) {
      const reporter = q.reporter ?? defaultReporter(entity.kind, q.direction);
      const step = q.step ?? chooseStep(q.duration);
      const rateInterval = q.rateInterval ?? Math.max(60, 2 * step);
      const endAt = q.end ?? Math.floor(now() / 1000);
      // The newest point is `end` itself (not the step before it): a chart shows what just happened.
      const end = endAt;
      const start = end - Math.floor(q.duration / step) * step;
      const timestamps: number[] = [];
      for (let t = start; t <= end; t += step) timestamps.push(t);
      const queries = buildMetricsQueries(entity, q, reporter, rateInterval);
      const answers = await Promise.allSettled(
        queries.map((pq) => deps.prometheus.queryRange(pq.promql, { start, end, step })),
      );
      const metrics: MetricsResponse['metrics'] = {};
      const warnings: GraphWarning[] = [];
      answers.forEach((a, i) => {
        const family = queries[i]!.family;
        if (a.status === 'fulfilled') {
          Object.assign(metrics, splitFamily(family, a.value.series, q.metrics, timestamps, start, step));
          return;
        }
        const err = a.reason as Error;
        // A query Prometheus refused is our bug; one it could not answer in time is a warning.
        if (err instanceof PrometheusError && err.kind === 'bad_data') throw err;
        if (!warnings.some((w) => w.message === err.message))
          warnings.push({
            code:
              err instanceof PrometheusError && err.kind === 'timeout'
                ? 'PrometheusTimeout'
                : 'PrometheusError',
            message: `${err.message}; some charts are empty`,
          });
      });
      return {
        direction: q.direction,
        reporter,
        duration: end - start,
        step,
        rateInterval,
        timestamps,
        byLabels: reporter === 'both' ? [...new Set(['reporter', ...q.byLabels])] : q.byLabels,
        quantiles: q.quantiles,
        metrics,
        warnings,
      };
    },
  };
}
