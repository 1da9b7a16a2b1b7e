import type { VectorSample } from '../prometheus/client';
import type { TrafficSample } from './model';
import { CONNECTIONS, DIRECTION_LABEL, MEASURE_LABEL } from './queries';

const U = 'unknown';
/** The protocol of the TCP query's connections-opened samples (its byte samples read `tcp`). */
export const TCP_CONNECTIONS = 'tcp-connections';

/** Prometheus vector → typed samples. Missing labels read as `unknown`; NaN and ±Inf values are dropped. */
export function toSamples(vector: readonly VectorSample[]): TrafficSample[] {
  const out: TrafficSample[] = [];
  for (const { metric: m, value } of vector) {
    const v = Number(value[1]);
    if (!Number.isFinite(v)) continue;
    out.push({
      reporter: m.reporter ?? U,
      srcCluster: m.source_cluster || U,
      dstCluster: m.destination_cluster || U,
      srcNs: m.source_workload_namespace || U,
      srcWl: m.source_workload || U,
      srcApp: m.source_canonical_service || U,
      srcVer: m.source_canonical_revision || U,
      dstSvcNs: m.destination_service_namespace || U,
      dstSvcName: m.destination_service_name || U,
      dstSvc: m.destination_service || U,
      dstNs: m.destination_workload_namespace || U,
      dstWl: m.destination_workload || U,
      dstApp: m.destination_canonical_service || U,
      dstVer: m.destination_canonical_revision || U,
      protocol: m.request_protocol || (m[MEASURE_LABEL] === CONNECTIONS ? TCP_CONNECTIONS : 'tcp'),
      code: m.response_code ?? '',
      grpc: m.grpc_response_status ?? '',
      flags: m.response_flags || '-',
      security: m.connection_security_policy || U,
      direction: m[DIRECTION_LABEL] ?? '',
      value: v,
    });
  }
  return out;
}

const KUBE_FQDN_NS = /^[a-z0-9-]+\.([a-z0-9-]+)\.svc(?:\.|$)/;

/** The namespace of the service a sample was sent to: its label, else read from the FQDN. */
export function serviceNamespace(s: TrafficSample): string {
  if (s.dstSvcNs !== U) return s.dstSvcNs;
  return KUBE_FQDN_NS.exec(s.dstSvc)?.[1] ?? U;
}

/**
 * Whether a sample is one Kiali reads for a graph of the `selected` namespaces: destination reports of
 * traffic into them (`destination_workload_namespace`), source reports of traffic out of them
 * (`source_workload_namespace`), and source reports from outside callers of requests into them that
 * reached no workload (local replies: faults, no route, overflow). Destination reports are what make an
 * edge when the caller's proxy reports nothing (client metrics turned off, a proxy that does not report).
 */
export function readByKiali(s: TrafficSample, selected: ReadonlySet<string>): boolean {
  if (s.reporter === 'destination') return selected.has(s.dstNs);
  if (s.reporter !== 'source') return false;
  return selected.has(s.srcNs) || (s.dstWl === U && selected.has(serviceNamespace(s)));
}

/**
 * The identity of a series but for its reporter: the same request reported by both proxies has one. The
 * requests query matches on the same labels (SERIES_KEY_LABELS in queries.ts; a test keeps them equal).
 */
export function seriesKey(s: TrafficSample): string {
  return `${s.srcCluster}\u0000${s.dstCluster}\u0000${s.srcNs}\u0000${s.srcWl}\u0000${s.srcApp}\u0000${s.srcVer}\u0000${s.dstSvc}\u0000${s.dstSvcName}\u0000${s.dstNs}\u0000${s.dstWl}\u0000${s.dstApp}\u0000${s.dstVer}\u0000${s.protocol}\u0000${s.code}\u0000${s.grpc}\u0000${s.flags}\u0000${s.direction}`;
}

/**
 * Kiali's de-duplication: the same request is usually reported twice, by the caller's proxy (`source`)
 * and by the callee's (`destination`). Of the samples Kiali reads (readByKiali), destination reports are
 * applied first and a source report whose series (`key`: caller, service, workload, code, flags …) a
 * destination report already gave is skipped, so a request reported by both counts once. Requests only
 * the caller saw (faults, circuit breaking, no route: other codes and flags) and traffic only one proxy
 * reported each count once too.
 */
export function countedSamples(
  samples: readonly TrafficSample[],
  selected: ReadonlySet<string>,
): TrafficSample[] {
  const out: TrafficSample[] = [];
  const sources: TrafficSample[] = [];
  for (const s of samples) {
    if (!readByKiali(s, selected)) continue;
    if (s.reporter === 'destination') out.push(s);
    else sources.push(s);
  }
  if (sources.length === 0) return out;
  // Only a destination report of a callee workload some source report names can give its series: the
  // others need no key (the requests query already drops most source reports a destination report gives).
  const callees = new Set<string>();
  for (const s of sources) callees.add(s.dstWl);
  const seen = new Set<string>();
  for (const s of out) if (callees.has(s.dstWl)) seen.add(seriesKey(s));
  for (const s of sources) if (seen.size === 0 || !seen.has(seriesKey(s))) out.push(s);
  return out;
}

/** Whether samples name more than one cluster (`source_cluster` / `destination_cluster`, not `unknown`). */
export function spansClusters(...lists: readonly (readonly TrafficSample[] | undefined)[]): boolean {
  let first: string | undefined;
  for (const list of lists) {
    if (!list) continue;
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      for (const c of [s.srcCluster, s.dstCluster]) {
        if (c === U) continue;
        if (first === undefined) first = c;
        else if (c !== first) return true;
      }
    }
  }
  return false;
}
