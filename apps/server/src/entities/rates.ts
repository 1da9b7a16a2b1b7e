/**
 * The queries' samples split per entity, in memory: requests/s per response code (health's CodeRates)
 * into and out of each service, workload and app, and TCP bytes/s touching each.
 */
import type { CodeRates } from '../health/index';
import type { VectorSample } from '../prometheus/client';

export interface Traffic {
  inbound: { http: Map<string, number>; grpc: Map<string, number> };
  outbound: { http: Map<string, number>; grpc: Map<string, number> };
  tcp: number;
}

export interface EntityRates {
  services: Map<string, Traffic>;
  workloads: Map<string, Traffic>;
  apps: Map<string, Traffic>;
}

const U = 'unknown';
const FQDN = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.|$)/;

export const entityKey = (namespace: string, name: string) => `${namespace}/${name}`;

function traffic(m: Map<string, Traffic>, key: string): Traffic {
  let t = m.get(key);
  if (!t) {
    t = {
      inbound: { http: new Map(), grpc: new Map() },
      outbound: { http: new Map(), grpc: new Map() },
      tcp: 0,
    };
    m.set(key, t);
  }
  return t;
}

const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);

/** The code a sample counts under: HTTP status (0 → `-`, no response) or gRPC status. */
function codeOf(labels: Record<string, string>): { protocol: 'http' | 'grpc'; code: string } {
  if (labels.request_protocol === 'grpc')
    return { protocol: 'grpc', code: labels.grpc_response_status ?? '' };
  const code = labels.response_code ?? '';
  return { protocol: 'http', code: code === '0' ? '-' : code };
}

const valid = (v: string | undefined): v is string => v !== undefined && v !== '' && v !== U;

export function splitRates(
  inbound: VectorSample[],
  outbound: VectorSample[],
  tcp: VectorSample[],
): EntityRates {
  const out: EntityRates = { services: new Map(), workloads: new Map(), apps: new Map() };
  for (const s of inbound) {
    const l = s.metric;
    const v = Number(s.value[1]);
    if (!(v > 0)) continue;
    const { protocol, code } = codeOf(l);
    const fqdn = FQDN.exec(l.destination_service ?? '');
    const svcNs = valid(l.destination_service_namespace) ? l.destination_service_namespace : fqdn?.[2];
    const svcName = valid(l.destination_service_name) ? l.destination_service_name : fqdn?.[1];
    if (svcNs && svcName) add(traffic(out.services, entityKey(svcNs, svcName)).inbound[protocol], code, v);
    const wlNs = l.destination_workload_namespace;
    if (valid(wlNs) && valid(l.destination_workload))
      add(traffic(out.workloads, entityKey(wlNs, l.destination_workload)).inbound[protocol], code, v);
    if (valid(wlNs) && valid(l.destination_canonical_service))
      add(traffic(out.apps, entityKey(wlNs, l.destination_canonical_service)).inbound[protocol], code, v);
  }
  for (const s of outbound) {
    const l = s.metric;
    const v = Number(s.value[1]);
    if (!(v > 0) || !valid(l.source_workload_namespace)) continue;
    const { protocol, code } = codeOf(l);
    if (valid(l.source_workload))
      add(
        traffic(out.workloads, entityKey(l.source_workload_namespace, l.source_workload)).outbound[protocol],
        code,
        v,
      );
    if (valid(l.source_canonical_service))
      add(
        traffic(out.apps, entityKey(l.source_workload_namespace, l.source_canonical_service)).outbound[
          protocol
        ],
        code,
        v,
      );
  }
  for (const s of tcp) {
    const l = s.metric;
    const v = Number(s.value[1]);
    if (!(v > 0)) continue;
    const touch = (m: Map<string, Traffic>, ns: string | undefined, name: string | undefined) => {
      if (valid(ns) && valid(name)) traffic(m, entityKey(ns, name)).tcp += v;
    };
    touch(out.services, l.destination_service_namespace, l.destination_service_name);
    touch(out.workloads, l.destination_workload_namespace, l.destination_workload);
    touch(out.apps, l.destination_workload_namespace, l.destination_canonical_service);
    touch(out.workloads, l.source_workload_namespace, l.source_workload);
    touch(out.apps, l.source_workload_namespace, l.source_canonical_service);
  }
  return out;
}

/** Inbound requests/s and the share that failed (5xx, no response, gRPC status ≠ 0). */
export function inboundSummary(rates: CodeRates): { rps: number; errorRate: number } {
  let rps = 0;
  let errors = 0;
  for (const [code, v] of rates.http) {
    rps += v;
    if (code === '-' || code.startsWith('5')) errors += v;
  }
  for (const [code, v] of rates.grpc) {
    rps += v;
    if (code !== '0' && code !== '') errors += v;
  }
  return { rps, errorRate: rps > 0 ? errors / rps : 0 };
}
