/**
 * The PromQL of the overview and the lists: a fixed set whatever the number of namespaces (one regex
 * matcher for the namespaces, grouped once, split in memory). Lists: inbound requests, outbound requests,
 * TCP bytes (3 instant queries). Overview: the same 3 plus one range query for the sparklines.
 */
import { anyOf, escapePromString, escapeRegex } from '../prometheus/escape';

export interface EntityPromQuery {
  name: 'inbound' | 'outbound' | 'tcp' | 'series';
  promql: string;
}

export const INBOUND_LABELS = [
  'reporter',
  'destination_cluster',
  'destination_service_namespace',
  'destination_service_name',
  'destination_service',
  'destination_workload_namespace',
  'destination_workload',
  'destination_canonical_service',
  'request_protocol',
  'response_code',
  'grpc_response_status',
];
export const OUTBOUND_LABELS = [
  'source_cluster',
  'source_workload_namespace',
  'source_workload',
  'source_canonical_service',
  'request_protocol',
  'response_code',
  'grpc_response_status',
];
export const TCP_LABELS = [
  'source_cluster',
  'destination_cluster',
  'source_workload_namespace',
  'source_workload',
  'source_canonical_service',
  'destination_service_namespace',
  'destination_service_name',
  'destination_workload_namespace',
  'destination_workload',
  'destination_canonical_service',
];

/**
 * Selectors of requests into the namespaces, each request counted once: as its caller's proxy reported it
 * (reporter="source", which also sees local replies such as injected faults), or as the destination
 * reported it when the caller is outside the mesh. `namespaces` undefined = every namespace.
 */
function inboundSelectors(namespaces: readonly string[] | undefined): string[] {
  const into = namespaces ? [anyOf('destination_service_namespace', namespaces)] : [];
  // Local replies name the service by FQDN with destination_service_namespace="unknown".
  const byHost = namespaces
    ? [
        'destination_service_namespace="unknown"',
        `destination_service=~"${escapePromString(`[^.]+\\.(${namespaces.map(escapeRegex).join('|')})\\.svc.*`)}"`,
      ]
    : undefined;
  const sets: string[][] = [
    ['reporter="source"', ...into],
    ['reporter="destination"', 'source_workload="unknown"', ...into],
  ];
  if (byHost) sets.push(['reporter="source"', ...byHost]);
  return sets.map((s) => `{${s.join(',')}}`);
}

const union = (metric: string, sels: string[], labels: string[], window: number, filter = ' > 0') =>
  sels
    .map((sel) => `(sum by (${labels.join(',')}) (rate(${metric}${sel}[${window}s]))${filter})`)
    .join(' or ');

/** The lists' 3 instant queries. */
export function listQueries(namespaces: readonly string[] | undefined, window: number): EntityPromQuery[] {
  const from = namespaces ? [anyOf('source_workload_namespace', namespaces)] : [];
  const outSel = `{${['reporter="source"', ...from].join(',')}}`;
  const tcpSel = namespaces
    ? [
        `{${['reporter="source"', ...from].join(',')}}`,
        `{${['reporter="destination"', anyOf('destination_workload_namespace', namespaces)].join(',')}}`,
      ]
    : ['{reporter="destination"}'];
  return [
    {
      name: 'inbound',
      promql: union('istio_requests_total', inboundSelectors(namespaces), INBOUND_LABELS, window),
    },
    { name: 'outbound', promql: union('istio_requests_total', [outSel], OUTBOUND_LABELS, window) },
    { name: 'tcp', promql: union('istio_tcp_sent_bytes_total', tcpSel, TCP_LABELS, window) },
  ];
}

/**
 * Inbound requests/s per namespace over time (the overview's sparklines): one range query. Each selector
 * is summed per namespace (and reporter, which tells the parts apart) before the `or`: `or` on the raw
 * series would match every series' full label set at every step, 2-3x the cost of the whole query at
 * 800 namespaces, for the same sums.
 */
export function seriesQuery(namespaces: readonly string[] | undefined, step: number): EntityPromQuery {
  const sels = inboundSelectors(namespaces).slice(0, 2);
  // Each point the rate over its own step (at least 60 s: 4 scrapes at Istio's 15 s): points that share no
  // samples, each sample read once; a window of 2 steps read each twice for a smoother line.
  const window = Math.max(60, step);
  return {
    name: 'series',
    promql: `sum by (destination_service_namespace) (${sels
      .map(
        (sel) =>
          `sum by (destination_service_namespace,reporter) (rate(istio_requests_total${sel}[${window}s]))`,
      )
      .join(' or ')})`,
  };
}
