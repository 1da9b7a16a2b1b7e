/**
 * The metrics tab's own URL parameters (pure): reporter, quantiles, group-by and a dragged range, next
 * to the shell's `duration` and `refresh`. Unknown or malformed values fall back to the defaults.
 */
import {
  METRIC_GROUP_LABELS,
  METRIC_QUANTILES,
  METRIC_REPORTERS,
  type MetricGroupLabel,
  type MetricQuantile,
  type MetricsQuery,
} from '@meshlens/contract';

export interface MetricsView {
  reporter?: MetricsQuery['reporter'];
  quantiles: MetricQuantile[];
  byLabels: MetricGroupLabel[];
  /** A range narrowed by dragging (unix seconds), else undefined (the shell's duration, up to now). */
  range?: { from: number; to: number };
}

export const DEFAULT_QUANTILES: MetricQuantile[] = ['avg', '0.5', '0.95', '0.99'];

/** Group-by choices with words (Kiali's: local version, remote app, response code, …). */
export const GROUP_CHOICES: { label: MetricGroupLabel; text: string; direction?: 'inbound' | 'outbound' }[] =
  [
    { label: 'destination_canonical_revision', text: 'Local version', direction: 'inbound' },
    { label: 'source_canonical_revision', text: 'Local version', direction: 'outbound' },
    { label: 'source_canonical_service', text: 'Remote app', direction: 'inbound' },
    { label: 'destination_canonical_service', text: 'Remote app', direction: 'outbound' },
    { label: 'source_workload', text: 'Remote workload', direction: 'inbound' },
    { label: 'destination_workload', text: 'Remote workload', direction: 'outbound' },
    { label: 'destination_service_name', text: 'Service' },
    { label: 'response_code', text: 'Response code' },
    { label: 'response_flags', text: 'Response flags' },
    { label: 'grpc_response_status', text: 'gRPC status' },
    { label: 'request_protocol', text: 'Protocol' },
    { label: 'connection_security_policy', text: 'mTLS' },
  ];

const list = <T extends string>(text: string | null, allowed: readonly T[]): T[] | undefined => {
  if (text === null) return undefined;
  return text.split(',').filter((s): s is T => (allowed as readonly string[]).includes(s));
};

export function parseMetricsView(search: string): MetricsView {
  const p = new URLSearchParams(search);
  const reporter = p.get('reporter');
  const from = Number(p.get('from'));
  const to = Number(p.get('to'));
  return {
    reporter: (METRIC_REPORTERS as readonly string[]).includes(reporter ?? '')
      ? (reporter as MetricsQuery['reporter'])
      : undefined,
    quantiles: list(p.get('quantiles'), METRIC_QUANTILES) ?? DEFAULT_QUANTILES,
    byLabels: list(p.get('by'), METRIC_GROUP_LABELS) ?? [],
    range:
      Number.isInteger(from) && Number.isInteger(to) && from > 0 && to - from >= 10
        ? { from, to }
        : undefined,
  };
}

/** `search` with the metrics view's parameters replaced by `patch` (others kept). */
export function patchMetricsSearch(search: string, patch: Partial<MetricsView>): string {
  const p = new URLSearchParams(search);
  const set = (key: string, value: string | undefined) =>
    value === undefined ? p.delete(key) : p.set(key, value);
  if ('reporter' in patch) set('reporter', patch.reporter);
  if (patch.quantiles) set('quantiles', patch.quantiles.join(','));
  if (patch.byLabels) set('by', patch.byLabels.length ? patch.byLabels.join(',') : undefined);
  if ('range' in patch) {
    set('from', patch.range ? String(patch.range.from) : undefined);
    set('to', patch.range ? String(patch.range.to) : undefined);
  }
  return p.toString();
}

/** The API query of a view: the dragged range, else the shell's duration ending now. */
export function metricsQueryOf(
  v: MetricsView,
  direction: MetricsQuery['direction'],
  duration: number,
): Partial<MetricsQuery> {
  return {
    direction,
    ...(v.reporter ? { reporter: v.reporter } : {}),
    quantiles: v.quantiles,
    byLabels: v.byLabels,
    ...(v.range ? { duration: v.range.to - v.range.from, end: v.range.to } : { duration }),
  };
}
