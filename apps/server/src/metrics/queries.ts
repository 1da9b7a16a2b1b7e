/**
 * The PromQL of a detail page's metrics (Kiali's `business/metrics*.go` in spirit): one range query per
 * chart family, whatever the data — requests, errors, durations, request sizes, response sizes, TCP
 * (sent, received, opened, closed in one), gRPC (statuses and messages in one). Series of one query are
 * told apart by a `meshlens_series` label (label_replace), so the count stays fixed.
 */
import {
  MAX_METRICS_POINTS,
  MIN_METRICS_STEP_SECONDS,
  type EntityKind,
  type MetricName,
  type MetricsQuery,
} from '@meshlens/contract';
import { eq, escapePromString, escapeRegex } from '../prometheus/escape';

export type Reporter = 'source' | 'destination' | 'both';

/** The label a query tags its series with (which metric, or which statistic). */
export const SERIES_LABEL = 'meshlens_series';

export const FAMILIES = [
  'requests',
  'errors',
  'duration',
  'requestSize',
  'responseSize',
  'tcp',
  'grpc',
] as const;
export type Family = (typeof FAMILIES)[number];

/** Which family answers each chart (and which `meshlens_series` value within it). */
export const CHART_SOURCE: Record<MetricName, { family: Family; series?: string }> = {
  request_count: { family: 'requests' },
  request_error_count: { family: 'errors' },
  request_duration_millis: { family: 'duration' },
  request_size: { family: 'requestSize' },
  response_size: { family: 'responseSize' },
  tcp_sent: { family: 'tcp', series: 'sent' },
  tcp_received: { family: 'tcp', series: 'received' },
  tcp_opened: { family: 'tcp', series: 'opened' },
  tcp_closed: { family: 'tcp', series: 'closed' },
  grpc_status: { family: 'grpc', series: 'status' },
  grpc_sent: { family: 'grpc', series: 'sent' },
  grpc_received: { family: 'grpc', series: 'received' },
};

export interface Entity {
  kind: EntityKind;
  namespace: string;
  name: string;
}

const NICE_STEPS = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];

/** The smallest nice step (≥ MIN_METRICS_STEP_SECONDS) giving at most MAX_METRICS_POINTS points. */
export function chooseStep(duration: number): number {
  const least = Math.max(MIN_METRICS_STEP_SECONDS, Math.ceil(duration / (MAX_METRICS_POINTS - 1)));
  return NICE_STEPS.find((s) => s >= least) ?? least;
}

/** Kiali's defaults: destination-reported inbound (the server's view), source-reported outbound. */
export function defaultReporter(kind: EntityKind, direction: MetricsQuery['direction']): Reporter {
  // A service's inbound traffic as its callers see it: local replies (fault aborts, circuit breaking,
  // no healthy upstream) exist only in the source reports.
  if (kind === 'services') return 'source';
  return direction === 'inbound' ? 'destination' : 'source';
}

/** The matchers selecting the entity's traffic in one direction (without the reporter). */
export function entityMatchers(e: Entity, direction: MetricsQuery['direction']): string[] {
  if (e.kind === 'services') {
    // By FQDN: local replies report destination_service_namespace="unknown" but keep the host.
    const host = `${escapeRegex(e.name)}\\.${escapeRegex(e.namespace)}\\..*`;
    return [`destination_service=~"${escapePromString(host)}"`];
  }
  const side = direction === 'inbound' ? 'destination' : 'source';
  const name = e.kind === 'workloads' ? `${side}_workload` : `${side}_canonical_service`;
  return [eq(`${side}_workload_namespace`, e.namespace), eq(name, e.name)];
}

export interface MetricsPromQuery {
  family: Family;
  promql: string;
}

const ERROR_CODES = 'response_code=~"0|[45][0-9][0-9]"';
const OK_CODES = 'response_code!~"0|[45][0-9][0-9]"';
const GRPC_ERRORS = 'grpc_response_status=~"[1-9]|1[0-6]"';

const tag = (expr: string, value: string) => `label_replace(${expr}, "${SERIES_LABEL}", "${value}", "", "")`;

/** The range queries of one metrics request: one per family that a requested chart needs. */
export function buildMetricsQueries(
  e: Entity,
  q: Pick<MetricsQuery, 'direction' | 'quantiles' | 'byLabels' | 'metrics'>,
  reporter: Reporter,
  rateInterval: number,
): MetricsPromQuery[] {
  const matchers = entityMatchers(e, q.direction);
  if (reporter !== 'both') matchers.unshift(`reporter="${reporter}"`);
  const labels = reporter === 'both' ? [...new Set(['reporter', ...q.byLabels])] : [...q.byLabels];
  const sel = (extra: string[] = []) => `{${[...matchers, ...extra].join(',')}}`;
  const by = (more: string[] = []) => `sum by (${[...more, ...labels].join(',')})`;
  const rate = (metric: string, extra: string[] = []) => `rate(${metric}${sel(extra)}[${rateInterval}s])`;
  const histogram = (metric: string) =>
    q.quantiles
      .map((stat) => {
        const expr =
          stat === 'avg'
            ? `(${by()} (${rate(`${metric}_sum`)}) / ${by()} (${rate(`${metric}_count`)}))`
            : `histogram_quantile(${stat}, ${by(['le'])} (${rate(`${metric}_bucket`)}))`;
        return tag(expr, stat);
      })
      .join(' or ');

  const families = new Set(q.metrics.map((m) => CHART_SOURCE[m].family));
  const out: MetricsPromQuery[] = [];
  for (const family of FAMILIES) {
    if (!families.has(family)) continue;
    let promql: string;
    switch (family) {
      case 'requests':
        promql = `${by()} (${rate('istio_requests_total')})`;
        break;
      case 'errors':
        // HTTP 4xx/5xx and no response; gRPC calls answered 200 with a failing status.
        promql = `${by()} (${rate('istio_requests_total', [ERROR_CODES])} or ${rate('istio_requests_total', ['request_protocol="grpc"', OK_CODES, GRPC_ERRORS])})`;
        break;
      case 'duration':
        promql = histogram('istio_request_duration_milliseconds');
        break;
      case 'requestSize':
        promql = histogram('istio_request_bytes');
        break;
      case 'responseSize':
        promql = histogram('istio_response_bytes');
        break;
      case 'tcp':
        promql = [
          tag(`${by()} (${rate('istio_tcp_sent_bytes_total')})`, 'sent'),
          tag(`${by()} (${rate('istio_tcp_received_bytes_total')})`, 'received'),
          tag(`${by()} (${rate('istio_tcp_connections_opened_total')})`, 'opened'),
          tag(`${by()} (${rate('istio_tcp_connections_closed_total')})`, 'closed'),
        ].join(' or ');
        break;
      case 'grpc':
        promql = [
          tag(
            `${by(['grpc_response_status'])} (${rate('istio_requests_total', ['request_protocol="grpc"'])})`,
            'status',
          ),
          tag(`${by()} (${rate('istio_request_messages_total')})`, 'sent'),
          tag(`${by()} (${rate('istio_response_messages_total')})`, 'received'),
        ].join(' or ');
        break;
    }
    out.push({ family, promql });
  }
  return out;
}
