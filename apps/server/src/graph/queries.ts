import type { GraphQuery } from '@meshlens/contract';
import { anyOf, eq, escapePromString, escapeRegex } from '../prometheus/escape';

/** One PromQL query of a graph request. */
export interface GraphPromQuery {
  name: 'requests' | 'mtls' | 'tcp' | 'responseTime' | 'throughput' | 'grpcMessages';
  promql: string;
  /**
   * Sent as these queries, run in parallel, rather than as `promql` (their `or`): they share no series,
   * so their answers together are `promql`'s. Prometheus evaluates a query on one core.
   */
  parts?: string[];
}

const ENDPOINT_LABELS = [
  'reporter',
  'source_cluster',
  'destination_cluster',
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

/**
 * The entity a node-centred graph is about (the detail pages' node graph): every query reads only the
 * series where it is the caller or the callee. Its namespace must be one of the request's namespaces.
 */
export interface GraphFocus {
  kind: 'app' | 'workload' | 'service';
  namespace: string;
  name: string;
}

/** A graph request as the pipeline runs it: the API's query, optionally focused on one entity. */
export type PipelineQuery = GraphQuery & { focus?: GraphFocus };

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
function selectors(ns: Matchers, mode: 'both' | 'kiali', extra: string[], focus?: FocusSides): string[] {
  const join = (parts: string[]) => `{${parts.join(',')}}`;
  const inside = ns.label('source_workload_namespace');
  const outside = ns.notLabel('source_workload_namespace');
  const base: string[][] =
    mode === 'both'
      ? // Disjoint sets, so Prometheus reads no series twice: callers inside; callers outside into the
        // namespaces; and local replies that report destination_service_namespace="unknown".
        [
          [inside],
          [outside, ns.label('destination_service_namespace')],
          [outside, 'destination_service_namespace="unknown"', ns.host],
        ]
      : [
          ['reporter="destination"', ns.label('destination_workload_namespace')],
          ['reporter="source"', inside],
          ['reporter="source"', outside, 'destination_workload="unknown"', ns.host],
        ];
  const sets = base.map((parts) => [...extra, ...parts]);
  if (!focus) return sets.map(join);
  // Each set once with the entity as the caller, once as the callee (a self-call's series, in both,
  // come back as the same sums: `or` keeps one); the sets that cannot hold it are left out.
  return sets
    .flatMap((set) => [focus.caller, focus.callee].map((side) => side && conjoin(set, side)))
    .filter((set): set is string[] => set !== undefined)
    .map(join);
}

/** The entity's matchers as the caller (none for a service) and as the callee. */
interface FocusSides {
  caller?: string[];
  callee: string[];
}

function focusSides(f: GraphFocus): FocusSides {
  if (f.kind === 'service') {
    // The service node is the one of the FQDN (local replies report no service namespace, see serviceSeed).
    const host = `${escapeRegex(f.name)}\\.${escapeRegex(f.namespace)}\\.svc.*`;
    return { callee: [`destination_service=~"${escapePromString(host)}"`] };
  }
  // The app node is the canonical service (samples.ts), the workload node the workload.
  const label = f.kind === 'app' ? 'canonical_service' : 'workload';
  return {
    caller: [eq('source_workload_namespace', f.namespace), eq(`source_${label}`, f.name)],
    callee: [eq('destination_workload_namespace', f.namespace), eq(`destination_${label}`, f.name)],
  };
}

const labelOf = (matcher: string) => /^\w+/.exec(matcher)![0];

/**
 * The matchers of `set` and `side` together, or undefined when no series can match both. A side's matcher
 * on a label selects a subset of what a positive matcher of the set on that label selects (the entity's
 * namespace is one of the selected ones, its service one of their hosts), which it replaces, and nothing a
 * negative one (`!~` the selected namespaces) or a different value (`destination_workload="unknown"`)
 * selects.
 */
function conjoin(set: readonly string[], side: readonly string[]): string[] | undefined {
  const kept: string[] = [];
  for (const m of set) {
    const same = side.find((s) => labelOf(s) === labelOf(m));
    if (same === undefined) kept.push(m);
    else if (/^\w+(!~|!=)/.test(m) || (/^\w+="/.test(m) && m !== same)) return undefined;
  }
  return [...kept, ...side];
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
 * The labels that tell a request's series apart but for the proxy that reported it: samples.ts's seriesKey.
 * The requests query drops a source report whose series a destination report it also returns already has
 * (`unless on`), as countedSamples would, so the answer carries each request once.
 */
export const SERIES_KEY_LABELS = [
  'source_cluster',
  'destination_cluster',
  'source_workload_namespace',
  'source_workload',
  'source_canonical_service',
  'source_canonical_revision',
  'destination_service',
  'destination_service_name',
  'destination_workload_namespace',
  'destination_workload',
  'destination_canonical_service',
  'destination_canonical_revision',
  'request_protocol',
  'response_code',
  'grpc_response_status',
  'response_flags',
];

/** The protocols a request's L7 queries read: counted by requests, and all shown (mTLS, response times). */
function l7Protocols(q: Pick<GraphQuery, 'protocols' | 'rateHttp' | 'rateGrpc'>) {
  const wants = (p: 'http' | 'grpc') => q.protocols.includes(p);
  const http = wants('http') && q.rateHttp !== 'none';
  const grpc = wants('grpc') && q.rateGrpc !== 'none';
  return {
    http,
    grpc,
    byRequests: [...(http ? ['http'] : []), ...(grpc && q.rateGrpc === 'requests' ? ['grpc'] : [])],
    l7: [...(http ? ['http'] : []), ...(grpc ? ['grpc'] : [])],
  };
}

/**
 * Whether the requests query also answers for mTLS (no mTLS query): whenever it reads every L7 protocol
 * shown, i.e. unless gRPC is counted in messages. It then carries connection_security_policy and the
 * destination reports of the namespaces' callers too (the mTLS of their edges out of the namespaces).
 */
export function mtlsInRequests(q: Pick<GraphQuery, 'protocols' | 'rateHttp' | 'rateGrpc'>): boolean {
  const { byRequests, l7 } = l7Protocols(q);
  return byRequests.length > 0 && byRequests.length === l7.length;
}

/** The labels whose matchers name the request's namespaces (selectors). */
const NAMESPACE_LABELS = ['destination_workload_namespace', 'source_workload_namespace'];

const isDestination = (sel: string) => sel.includes('reporter="destination"');

/** A selector (`{…}`) with one more matcher. */
const withMatcher = (sel: string, matcher: string) => `${sel.slice(0, -1)},${matcher}}`;

/**
 * The PromQL of one graph request, none per namespace or per node: 2 queries for the graph as it opens
 * (requests with their mTLS, TCP), response time and throughput when asked; a separate mTLS query and a
 * gRPC-messages query when gRPC rates are messages (`rateGrpc` sent|received|total).
 */
export function buildGraphQueries(q: PipelineQuery): GraphPromQuery[] {
  if (q.focus && !q.namespaces.includes(q.focus.namespace))
    throw new Error(`graph focus: namespace ${q.focus.namespace} is not one of the request's`);
  const focus = q.focus && focusSides(q.focus);
  const nsMatcher: Matchers = {
    label: (label: string) => anyOf(label, q.namespaces),
    notLabel: (label: string) => anyOf(label, q.namespaces).replace('=~', '!~'),
    host: `destination_service=~"${escapePromString(`[^.]+\\.(${q.namespaces.map(escapeRegex).join('|')})\\.svc.*`)}"`,
  };
  const filter = q.includeIdle ? '' : ' > 0';
  // The two halves of the namespaces the costly queries are split into (see halves and the requests query).
  const half = q.namespaces.slice(0, Math.ceil(q.namespaces.length / 2));
  const rest = q.namespaces.slice(half.length);
  /** A selector with its matchers on the whole namespace list narrowed to `names`. */
  const narrow = (sel: string, names: readonly string[]) =>
    NAMESPACE_LABELS.reduce((s, l) => s.replace(anyOf(l, q.namespaces), anyOf(l, names)), sel);
  /**
   * `expr` of each selector, as two parts that each read about half of the series, run at once (a query
   * runs on one core; response-time quantiles over histogram buckets are the costliest query there is):
   * the selectors narrowed to a half of the namespaces, then to the rest, where the selectors that name
   * no namespace list of their own go (outside callers). One namespace: the first selector (destination
   * reports), then the others (source reports).
   */
  const halves = (sels: readonly string[], expr: (sel: string) => string): { parts?: string[] } => {
    const or = (xs: readonly string[]) => `(${xs.map((sel) => `(${expr(sel)})`).join(' or ')})`;
    if (sels.length < 2) return {};
    if (q.namespaces.length < 2) return { parts: [or(sels.slice(0, 1)), or(sels.slice(1))] };
    const split = sels.filter((sel) => narrow(sel, half) !== sel);
    const whole = sels.filter((sel) => !split.includes(sel));
    if (split.length === 0) return {};
    return {
      parts: [
        or(split.map((sel) => narrow(sel, half))),
        or([...split.map((sel) => narrow(sel, rest)), ...whole]),
      ],
    };
  };
  const { grpc, byRequests, l7 } = l7Protocols(q);
  const foldMtls = mtlsInRequests(q);
  // mTLS from the destination reports, without codes and flags: callers inside, callers outside into the
  // namespaces, local replies.
  const mtlsSelectors = () =>
    selectors(nsMatcher, 'both', ['reporter="destination"', ...protoMatcher(l7)], focus);
  // The same but for the callees in the namespaces, which the requests query's counted set reads already.
  const mtlsOnlySelectors = () =>
    selectors(
      nsMatcher,
      'both',
      ['reporter="destination"', ...protoMatcher(l7), nsMatcher.notLabel('destination_workload_namespace')],
      focus,
    );
  const out: GraphPromQuery[] = [];
  if (byRequests.length > 0) {
    const kiali = selectors(nsMatcher, 'kiali', protoMatcher(byRequests), focus);
    const counted = kiali.filter(isDestination);
    const sources = kiali.filter((sel) => !isDestination(sel));
    const labels = foldMtls ? [...REQUEST_LABELS, 'connection_security_policy'] : REQUEST_LABELS;
    const metric = 'istio_requests_total';
    let parts: string[];
    if (!focus && counted.length === 1 && sources.length > 0 && q.namespaces.length > 1) {
      // Two parts of about equal cost that each read every series once, split by the callee's workload
      // namespace (a half of the namespaces, the rest): a part's destination reports Kiali counts, then
      // (`or on` the series key) its source reports that none of them already gives. A source report can
      // only repeat a destination report of the same callee namespace, so of the same part. The second
      // part also holds the source reports of callees outside the namespaces (or none), those of outside
      // callers, and the mTLS-only destination reports.
      const inHalf = anyOf('destination_workload_namespace', half);
      const [callers, ...outsideCallers] = sources;
      const u = (sels: string[]) => union(metric, sels, labels, q.duration, filter);
      const on = `on (${SERIES_KEY_LABELS.join(',')})`;
      parts = [
        `(${u([narrow(counted[0]!, half)])}) or ${on} (${u([withMatcher(callers!, inHalf)])})`,
        `(${u([narrow(counted[0]!, rest)])}) or ${on} (${u([withMatcher(callers!, inHalf.replace('=~', '!~')), ...outsideCallers])})` +
          (foldMtls ? ` or ${u(mtlsOnlySelectors())}` : ''),
      ];
    } else {
      // The destination reports Kiali counts and, disjoint from them, those only read for the mTLS (callees
      // outside the namespaces); then the source reports whose series no counted destination report has.
      const destination = union(
        metric,
        foldMtls ? [...counted, ...mtlsOnlySelectors()] : counted,
        labels,
        q.duration,
        filter,
      );
      const source = union(metric, sources, labels, q.duration, filter);
      const given = union(metric, counted, SERIES_KEY_LABELS, q.duration, filter);
      parts = [
        ...(counted.length ? [destination] : []),
        ...(sources.length
          ? [counted.length ? `((${source}) unless on (${SERIES_KEY_LABELS.join(',')}) (${given}))` : source]
          : []),
      ];
    }
    // The destination reports and the rest cost about the same: two parts answer in about half the time
    // (not for one entity's graph, whose queries are small).
    const split = parts.length > 1 && !focus ? { parts: parts.map((p) => `(${p})`) } : {};
    out.push({ name: 'requests', promql: parts.join(' or '), ...split });
  }
  if (l7.length > 0) {
    const kiali = selectors(nsMatcher, 'kiali', protoMatcher(l7), focus);
    if (!foldMtls)
      out.push({
        name: 'mtls',
        promql: union('istio_requests_total', mtlsSelectors(), MTLS_LABELS, q.duration, filter),
      });
    const rtMetric = 'istio_request_duration_milliseconds';
    const rt = (sel: string) => {
      if (q.responseTime === 'avg')
        return `((${union(`${rtMetric}_sum`, [sel], RT_LABELS, q.duration, '')}) / (${union(`${rtMetric}_count`, [sel], RT_LABELS, q.duration, '')})) > 0`;
      // The quantile per selector, before the `or`: the `or` then matches one quantile per edge series
      // rather than every bucket series.
      const bucket = union(`${rtMetric}_bucket`, [sel], ['le', ...RT_LABELS], q.duration, '');
      return `histogram_quantile(${QUANTILES[q.responseTime]}, ${bucket}) > 0`;
    };
    const throughput = (sel: string) =>
      union('istio_response_bytes_sum', [sel], RT_LABELS, q.duration, ' > 0');
    for (const [name, expr] of [
      ['responseTime', rt],
      ['throughput', throughput],
    ] as const) {
      // One expression per selector: they share no series, so their `or` is their union.
      const promql = kiali.map((sel) => `(${expr(sel)})`).join(' or ');
      out.push({ name, promql, ...(focus ? {} : halves(kiali, expr)) });
    }
  }
  if (grpc && q.rateGrpc !== 'requests') {
    // Messages/s of gRPC streams, per direction; request_protocol set so the samples read as gRPC.
    const by = `sum by (${MESSAGE_LABELS.join(',')},${DIRECTION_LABEL})`;
    const metrics: [string, string][] = [];
    if (q.rateGrpc !== 'received') metrics.push(['istio_request_messages_total', 'sent']);
    if (q.rateGrpc !== 'sent') metrics.push(['istio_response_messages_total', 'received']);
    const parts = selectors(nsMatcher, 'kiali', [], focus).map((sel) => {
      const rates = metrics.map(([m, d]) => tag(`rate(${m}${sel}[${q.duration}s])`, DIRECTION_LABEL, d));
      return `(${by} (${rates.join(' or ')})${filter})`;
    });
    out.push({ name: 'grpcMessages', promql: tag(`(${parts.join(' or ')})`, 'request_protocol', 'grpc') });
  }
  if (q.protocols.includes('tcp') && q.rateTcp !== 'none') {
    // Bytes in the direction(s) asked, as Kiali names them: what the caller sent is what the server's
    // side received (istio_tcp_received_bytes_total, istio#32399), and the other way round. Connections
    // opened/s ride along in the same query, told apart by a label of their own.
    const tcp = selectors(nsMatcher, 'both', [], focus);
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
