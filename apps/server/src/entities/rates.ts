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
  /**
   * Services and workloads per cluster (`clusterKey`), from the reports' source_cluster and
   * destination_cluster: over several clusters the same service is a row per cluster, each with its own.
   */
  inCluster: { services: Map<string, Traffic>; workloads: Map<string, Traffic> };
}

const U = 'unknown';
const FQDN = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.|$)/;

export const entityKey = (namespace: string, name: string) => `${namespace}/${name}`;
export const clusterKey = (cluster: string, namespace: string, name: string) =>
  `${cluster}@${namespace}/${name}`;

/** A service's or workload's traffic: in its cluster when the rows name one, else over every cluster. */
export function trafficOf(
  rates: EntityRates,
  kind: 'services' | 'workloads',
  e: { namespace: string; name: string; cluster?: string },
): Traffic | undefined {
  return e.cluster
    ? rates.inCluster[kind].get(clusterKey(e.cluster, e.namespace, e.name))
    : rates[kind].get(entityKey(e.namespace, e.name));
}

/**
 * The one empty map every direction and protocol starts with, replaced by its own map on its first rate
 * (addRate): at 2,400 services most entities have no gRPC and many no outbound traffic, and allocating
 * four maps per entity (~12,000 entities with their per-cluster copies) was most of splitRates' time and
 * garbage. Never written to.
 */
const NONE: Map<string, number> = new Map();

function traffic(m: Map<string, Traffic>, key: string): Traffic {
  let t = m.get(key);
  if (!t) {
    t = { inbound: { http: NONE, grpc: NONE }, outbound: { http: NONE, grpc: NONE }, tcp: 0 };
    m.set(key, t);
  }
  return t;
}

function addRate(side: Traffic['inbound'], protocol: 'http' | 'grpc', code: string, v: number): void {
  let m = side[protocol];
  if (m === NONE) side[protocol] = m = new Map();
  m.set(code, (m.get(code) ?? 0) + v);
}

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
  const out: EntityRates = {
    services: new Map(),
    workloads: new Map(),
    apps: new Map(),
    inCluster: { services: new Map(), workloads: new Map() },
  };
  /** The same sample counted in the entity's cluster too, when the report names it. */
  const both = (
    kind: 'services' | 'workloads',
    cluster: string | undefined,
    ns: string,
    name: string,
  ): Traffic[] => [
    traffic(out[kind], entityKey(ns, name)),
    ...(valid(cluster) ? [traffic(out.inCluster[kind], clusterKey(cluster, ns, name))] : []),
  ];
  for (const s of inbound) {
    const l = s.metric;
    const v = Number(s.value[1]);
    if (!(v > 0)) continue;
    const { protocol, code } = codeOf(l);
    const fqdn = FQDN.exec(l.destination_service ?? '');
    const svcNs = valid(l.destination_service_namespace) ? l.destination_service_namespace : fqdn?.[2];
    const svcName = valid(l.destination_service_name) ? l.destination_service_name : fqdn?.[1];
    // a local reply (no workload answered) counts on the caller's cluster's service, as the graph draws it
    const svcCluster = valid(l.destination_cluster) ? l.destination_cluster : l.source_cluster;
    if (svcNs && svcName)
      for (const t of both('services', svcCluster, svcNs, svcName)) addRate(t.inbound, protocol, code, v);
    const wlNs = l.destination_workload_namespace;
    if (valid(wlNs) && valid(l.destination_workload))
      for (const t of both('workloads', l.destination_cluster, wlNs, l.destination_workload))
        addRate(t.inbound, protocol, code, v);
    if (valid(wlNs) && valid(l.destination_canonical_service))
      addRate(traffic(out.apps, entityKey(wlNs, l.destination_canonical_service)).inbound, protocol, code, v);
  }
  for (const s of outbound) {
    const l = s.metric;
    const v = Number(s.value[1]);
    if (!(v > 0) || !valid(l.source_workload_namespace)) continue;
    const { protocol, code } = codeOf(l);
    if (valid(l.source_workload))
      for (const t of both('workloads', l.source_cluster, l.source_workload_namespace, l.source_workload))
        addRate(t.outbound, protocol, code, v);
    if (valid(l.source_canonical_service))
      addRate(
        traffic(out.apps, entityKey(l.source_workload_namespace, l.source_canonical_service)).outbound,
        protocol,
        code,
        v,
      );
  }
  for (const s of tcp) {
    const l = s.metric;
    const v = Number(s.value[1]);
    if (!(v > 0)) continue;
    const touch = (
      kind: 'services' | 'workloads',
      cluster: string | undefined,
      ns: string | undefined,
      name: string | undefined,
    ) => {
      if (valid(ns) && valid(name)) for (const t of both(kind, cluster, ns, name)) t.tcp += v;
    };
    const touchApp = (ns: string | undefined, name: string | undefined) => {
      if (valid(ns) && valid(name)) traffic(out.apps, entityKey(ns, name)).tcp += v;
    };
    touch('services', l.destination_cluster, l.destination_service_namespace, l.destination_service_name);
    touch('workloads', l.destination_cluster, l.destination_workload_namespace, l.destination_workload);
    touchApp(l.destination_workload_namespace, l.destination_canonical_service);
    touch('workloads', l.source_cluster, l.source_workload_namespace, l.source_workload);
    touchApp(l.source_workload_namespace, l.source_canonical_service);
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
