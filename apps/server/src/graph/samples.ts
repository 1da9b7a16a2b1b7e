import type { VectorSample } from '../prometheus/client';
import type { TrafficSample } from './model';
import { CONNECTIONS, MEASURE_LABEL } from './queries';

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
      value: v,
    });
  }
  return out;
}

/**
 * Kiali's de-duplication: the same request is usually reported twice, by the caller's proxy (`source`) and
 * by the callee's (`destination`). Rates count the `source` sample when the caller is in the mesh (it also
 * sees requests that never reached the callee: faults, circuit breaking, no healthy upstream), and the
 * `destination` sample only when the caller is unknown (outside the mesh, no source sample exists).
 */
export function countsForRates(s: TrafficSample): boolean {
  return s.reporter === 'source' ? s.srcWl !== U : s.reporter === 'destination' && s.srcWl === U;
}
