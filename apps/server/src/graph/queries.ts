import type { GraphQuery } from '@meshlens/contract';
import { anyOf, escapePromString, escapeRegex } from '../prometheus/escape';

/** One PromQL query of a graph request. */
export interface GraphPromQuery {
  name: 'requests' | 'mtls' | 'tcp' | 'responseTime' | 'throughput';
  promql: string;
}

const ENDPOINT_LABELS = [
  'reporter',
  'source_workload_namespace',
  'source_workload',
  'source_canonical_service',
  'source_canonical_revision',
  'destination_service_namespace',
  'destination_service_name',
  'destination_service',
  'destination_workload_namespace',
  'destination_workload',
  'destination_canonical_service',
  'destination_canonical_revision',
];
export const REQUEST_LABELS = [
  ...ENDPOINT_LABELS,
  'request_protocol',
  'response_code',
  'grpc_response_status',
  'response_flags',
];
export const MTLS_LABELS = [...ENDPOINT_LABELS, 'request_protocol', 'connection_security_policy'];
export const TCP_LABELS = [...ENDPOINT_LABELS, 'response_flags', 'connection_security_policy'];
export const RT_LABELS = [...ENDPOINT_LABELS, 'request_protocol'];

/** The TCP query's series of connections opened/s carry `meshlens_measure="connections"`; its byte series none. */
export const MEASURE_LABEL = 'meshlens_measure';
export const CONNECTIONS = 'connections';

const QUANTILES = { p50: 0.5, p95: 0.95, p99: 0.99 } as const;

/**
 * Selector sets covering traffic that touches the selected namespaces on either side, with one regex
 * matcher each, whatever the number of namespaces. `both` keeps both reporters (needed for mTLS, which
 * only the destination reports); `dedup` keeps only the samples `countsForRates` would use.
 */
function selectors(ns: Matchers, mode: 'both' | 'dedup', extra: string[]): string[] {
  const join = (parts: string[]) => `{${[...extra, ...parts].join(',')}}`;
  // Disjoint sets, so Prometheus reads no series twice: callers inside; callers outside into the
  // namespaces; and local replies (faults, overflow) that report destination_service_namespace="unknown",
  // matched by the service FQDN.
  const inside = ns.label('source_workload_namespace');
  const outside = ns.notLabel('source_workload_namespace');
  const into = ns.label('destination_service_namespace');
  const byHost = ['destination_service_namespace="unknown"', ns.host];
  if (mode === 'both') return [join([inside]), join([outside, into]), join([outside, ...byHost])];
  return [
    join(['reporter="source"', inside]),
    join(['reporter="source"', outside, into]),
    join(['reporter="source"', outside, ...byHost]),
    join(['reporter="destination"', 'source_workload="unknown"', into]),
  ];
}

interface Matchers {
  label: (label: string) => string;
  notLabel: (label: string) => string;
  /** destination_service matching `<svc>.<one of the namespaces>.svc…` */
  host: string;
}

function union(metric: string, sels: string[], labels: string[], duration: number, filter: string): string {
  const by = labels.join(',');
  return sels.map((sel) => `(sum by (${by}) (rate(${metric}${sel}[${duration}s]))${filter})`).join(' or ');
}

/** The PromQL of one graph request: at most 5 queries, none per namespace or per node. */
export function buildGraphQueries(q: GraphQuery): GraphPromQuery[] {
  const nsMatcher: Matchers = {
    label: (label: string) => anyOf(label, q.namespaces),
    notLabel: (label: string) => anyOf(label, q.namespaces).replace('=~', '!~'),
    host: `destination_service=~"${escapePromString(`[^.]+\\.(${q.namespaces.map(escapeRegex).join('|')})\\.svc.*`)}"`,
  };
  const filter = q.includeIdle ? '' : ' > 0';
  const http = q.protocols.filter((p) => p !== 'tcp');
  const out: GraphPromQuery[] = [];
  if (http.length > 0) {
    const protoMatcher = http.length === 1 ? [`request_protocol="${http[0]}"`] : [];
    const dedup = selectors(nsMatcher, 'dedup', protoMatcher);
    // Rates from the de-duplicated samples; mTLS from the destination reports, without codes and flags.
    out.push({
      name: 'requests',
      promql: union('istio_requests_total', dedup, REQUEST_LABELS, q.duration, filter),
    });
    const destination = selectors(nsMatcher, 'both', ['reporter="destination"', ...protoMatcher]);
    out.push({
      name: 'mtls',
      promql: union('istio_requests_total', destination, MTLS_LABELS, q.duration, filter),
    });
    const rtMetric = 'istio_request_duration_milliseconds';
    const rt =
      q.responseTime === 'avg'
        ? `((${union(`${rtMetric}_sum`, dedup, RT_LABELS, q.duration, '')}) / (${union(`${rtMetric}_count`, dedup, RT_LABELS, q.duration, '')})) > 0`
        : `histogram_quantile(${QUANTILES[q.responseTime]}, ${union(`${rtMetric}_bucket`, dedup, ['le', ...RT_LABELS], q.duration, '')}) > 0`;
    out.push({ name: 'responseTime', promql: rt });
    out.push({
      name: 'throughput',
      promql: union('istio_response_bytes_sum', dedup, RT_LABELS, q.duration, ' > 0'),
    });
  }
  if (q.protocols.includes('tcp')) {
    // Bytes in both directions: rate() drops the metric name, so the sent and received series of one
    // connection would collide in an `or`; a label apiece keeps both for the sum. Connections opened/s
    // ride along in the same query, told apart by a label of their own.
    const tcp = selectors(nsMatcher, 'both', []);
    const by = `sum by (${TCP_LABELS.join(',')})`;
    const rate = (m: string, sel: string) => `rate(${m}${sel}[${q.duration}s])`;
    const tag = (expr: string, label: string, value: string) =>
      `label_replace(${expr}, "${label}", "${value}", "", "")`;
    const parts = tcp.map((sel) => {
      const sent = tag(rate('istio_tcp_sent_bytes_total', sel), 'meshlens_direction', 'sent');
      const received = tag(rate('istio_tcp_received_bytes_total', sel), 'meshlens_direction', 'received');
      const opened = `${by} (${rate('istio_tcp_connections_opened_total', sel)})${filter}`;
      return `(${by} (${sent} or ${received})${filter}) or ${tag(opened, MEASURE_LABEL, CONNECTIONS)}`;
    });
    out.push({ name: 'tcp', promql: parts.map((p) => `(${p})`).join(' or ') });
  }
  return out;
}
