import type { GraphQuery } from '@meshlens/contract';
import { anyOf, escapePromString, escapeRegex } from '../prometheus/escape';

/** One PromQL query of a graph request. */
export interface GraphPromQuery {
  name: 'requests' | 'mtls' | 'tcp' | 'responseTime' | 'throughput' | 'grpcMessages';
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
export const MESSAGE_LABELS = ENDPOINT_LABELS;

/** The TCP query's series of connections opened/s carry `meshlens_measure="connections"`; its byte series none. */
export const MEASURE_LABEL = 'meshlens_measure';
export const CONNECTIONS = 'connections';
/**
 * TCP bytes and gRPC messages: `sent` (by the caller) or `received` (by the caller), so the two series of
 * one connection or stream stay apart in an `or` (rate() drops the metric name).
 */
export const DIRECTION_LABEL = 'meshlens_direction';

const QUANTILES = { p50: 0.5, p95: 0.95, p99: 0.99 } as const;

/**
 * Selector sets, with one regex matcher each whatever the number of namespaces. `kiali`: the series Kiali
 * reads (see readByKiali): destination reports into the namespaces, source reports out of them, and
 * source reports from outside callers of requests into them that reached no workload (local replies,
 * matched by the service FQDN). `both`: every reporter's series touching the namespaces on either side
 * (mTLS, which only the destination reports, and TCP, whose samples readByKiali filters).
 */
function selectors(ns: Matchers, mode: 'both' | 'kiali', extra: string[]): string[] {
  const join = (parts: string[]) => `{${[...extra, ...parts].join(',')}}`;
  const inside = ns.label('source_workload_namespace');
  const outside = ns.notLabel('source_workload_namespace');
  if (mode === 'both') {
    // Disjoint sets, so Prometheus reads no series twice: callers inside; callers outside into the
    // namespaces; and local replies that report destination_service_namespace="unknown".
    const into = ns.label('destination_service_namespace');
    const byHost = ['destination_service_namespace="unknown"', ns.host];
    return [join([inside]), join([outside, into]), join([outside, ...byHost])];
  }
  return [
    join(['reporter="destination"', ns.label('destination_workload_namespace')]),
    join(['reporter="source"', inside]),
    join(['reporter="source"', outside, 'destination_workload="unknown"', ns.host]),
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

const protoMatcher = (protocols: readonly string[]) =>
  protocols.length === 1 ? [`request_protocol="${protocols[0]}"`] : [];

const tag = (expr: string, label: string, value: string) =>
  `label_replace(${expr}, "${label}", "${value}", "", "")`;

/**
 * The PromQL of one graph request, none per namespace or per node: 5 queries by default (requests, mTLS,
 * response time, throughput, TCP), 6 when gRPC rates are messages (`rateGrpc` sent|received|total).
 */
export function buildGraphQueries(q: GraphQuery): GraphPromQuery[] {
  const nsMatcher: Matchers = {
    label: (label: string) => anyOf(label, q.namespaces),
    notLabel: (label: string) => anyOf(label, q.namespaces).replace('=~', '!~'),
    host: `destination_service=~"${escapePromString(`[^.]+\\.(${q.namespaces.map(escapeRegex).join('|')})\\.svc.*`)}"`,
  };
  const filter = q.includeIdle ? '' : ' > 0';
  const wants = (p: 'http' | 'grpc') => q.protocols.includes(p);
  const http = wants('http') && q.rateHttp !== 'none';
  const grpc = wants('grpc') && q.rateGrpc !== 'none';
  const byRequests = [...(http ? ['http'] : []), ...(grpc && q.rateGrpc === 'requests' ? ['grpc'] : [])];
  const l7 = [...(http ? ['http'] : []), ...(grpc ? ['grpc'] : [])];
  const out: GraphPromQuery[] = [];
  if (byRequests.length > 0) {
    out.push({
      name: 'requests',
      promql: union(
        'istio_requests_total',
        selectors(nsMatcher, 'kiali', protoMatcher(byRequests)),
        REQUEST_LABELS,
        q.duration,
        filter,
      ),
    });
  }
  if (l7.length > 0) {
    const kiali = selectors(nsMatcher, 'kiali', protoMatcher(l7));
    // mTLS from the destination reports, without codes and flags.
    const destination = selectors(nsMatcher, 'both', ['reporter="destination"', ...protoMatcher(l7)]);
    out.push({
      name: 'mtls',
      promql: union('istio_requests_total', destination, MTLS_LABELS, q.duration, filter),
    });
    const rtMetric = 'istio_request_duration_milliseconds';
    const rt =
      q.responseTime === 'avg'
        ? `((${union(`${rtMetric}_sum`, kiali, RT_LABELS, q.duration, '')}) / (${union(`${rtMetric}_count`, kiali, RT_LABELS, q.duration, '')})) > 0`
        : `histogram_quantile(${QUANTILES[q.responseTime]}, ${union(`${rtMetric}_bucket`, kiali, ['le', ...RT_LABELS], q.duration, '')}) > 0`;
    out.push({ name: 'responseTime', promql: rt });
    out.push({
      name: 'throughput',
      promql: union('istio_response_bytes_sum', kiali, RT_LABELS, q.duration, ' > 0'),
    });
  }
  if (grpc && q.rateGrpc !== 'requests') {
    // Messages/s of gRPC streams, per direction; request_protocol set so the samples read as gRPC.
    const by = `sum by (${MESSAGE_LABELS.join(',')},${DIRECTION_LABEL})`;
    const metrics: [string, string][] = [];
    if (q.rateGrpc !== 'received') metrics.push(['istio_request_messages_total', 'sent']);
    if (q.rateGrpc !== 'sent') metrics.push(['istio_response_messages_total', 'received']);
    const parts = selectors(nsMatcher, 'kiali', []).map((sel) => {
      const rates = metrics.map(([m, d]) => tag(`rate(${m}${sel}[${q.duration}s])`, DIRECTION_LABEL, d));
      return `(${by} (${rates.join(' or ')})${filter})`;
    });
    out.push({ name: 'grpcMessages', promql: tag(`(${parts.join(' or ')})`, 'request_protocol', 'grpc') });
  }
  if (q.protocols.includes('tcp') && q.rateTcp !== 'none') {
    // Bytes in the direction(s) asked, as Kiali names them: what the caller sent is what the server's
    // side received (istio_tcp_received_bytes_total, istio#32399), and the other way round. Connections
    // opened/s ride along in the same query, told apart by a label of their own.
    const tcp = selectors(nsMatcher, 'both', []);
    const by = `sum by (${TCP_LABELS.join(',')},${DIRECTION_LABEL})`;
    const byConn = `sum by (${TCP_LABELS.join(',')})`;
    const rate = (m: string, sel: string) => `rate(${m}${sel}[${q.duration}s])`;
    const metrics: [string, string][] = [];
    if (q.rateTcp !== 'received') metrics.push(['istio_tcp_received_bytes_total', 'sent']);
    if (q.rateTcp !== 'sent') metrics.push(['istio_tcp_sent_bytes_total', 'received']);
    const parts = tcp.map((sel) => {
      const bytes = metrics.map(([m, d]) => tag(rate(m, sel), DIRECTION_LABEL, d)).join(' or ');
      const opened = `${byConn} (${rate('istio_tcp_connections_opened_total', sel)})${filter}`;
      return `(${by} (${bytes})${filter}) or ${tag(opened, MEASURE_LABEL, CONNECTIONS)}`;
    });
    out.push({ name: 'tcp', promql: parts.map((p) => `(${p})`).join(' or ') });
  }
  return out;
}
