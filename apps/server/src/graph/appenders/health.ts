import { combine, HEALTHY, requestHealth, workloadHealth, type Verdict } from '../../health/index';
import { tolerancesFor, type HealthRule, type Tolerance } from '../../health/tolerances';
import type { InventorySnapshot } from '../../inventory/types';
import type { CodeRates, TEdge, TNode, TrafficMap } from '../model';
import { add } from '../trafficMap';
import { indexWorkloads, workloadsOf } from './flags';

export type { CodeRates };

/** An edge's requests/s per code (cached on the edge: edges no longer change after building). */
export function edgeCodeRates(e: TEdge): CodeRates {
  if (e.codeRates) return e.codeRates;
  const http = new Map<string, number>();
  if (e.protocol === 'http') {
    for (const [code, flags] of e.responses) {
      let sum = 0;
      for (const v of flags.values()) sum += v;
      add(http, code === '0' ? '-' : code, sum);
    }
  }
  const out: CodeRates = { http, grpc: e.protocol === 'grpc' ? e.grpcStatuses : NO_CODES };
  e.codeRates = out;
  return out;
}

const NO_CODES: ReadonlyMap<string, number> = new Map();
const NO_RATES: CodeRates = { http: NO_CODES, grpc: NO_CODES };

export function codeRatesOf(edges: readonly TEdge[]): CodeRates {
  if (edges.length === 0) return NO_RATES;
  if (edges.length === 1) return edgeCodeRates(edges[0]!);
  const http = new Map<string, number>();
  const grpc = new Map<string, number>();
  for (const e of edges) {
    const r = edgeCodeRates(e);
    for (const [c, v] of r.http) add(http, c, v);
    for (const [c, v] of r.grpc) add(grpc, c, v);
  }
  return { http, grpc };
}

const NO_EDGES: readonly TEdge[] = [];

/** Health of every node and edge, from the same rates, with tolerances per namespace/name/annotation. */
export function applyHealth(
  map: TrafficMap,
  inventory: Pick<InventorySnapshot, 'workloads' | 'services' | 'namespaces'>,
  rules: readonly HealthRule[],
): void {
  const inbound = new Map<string, TEdge[]>();
  const outbound = new Map<string, TEdge[]>();
  for (const e of map.edges.values()) {
    (inbound.get(e.target) ?? inbound.set(e.target, []).get(e.target)!).push(e);
    (outbound.get(e.source) ?? outbound.set(e.source, []).get(e.source)!).push(e);
  }
  const byNs = indexWorkloads(inventory.workloads);
  const nsAnnotations = new Map(inventory.namespaces.map((n) => [n.name, n.annotations]));
  const services = new Map(inventory.services.map((s) => [`${s.namespace}/${s.name}`, s]));
  const tolerancesCache = new Map<string, readonly Tolerance[]>();

  const tolerancesOf = (n: TNode): readonly Tolerance[] => {
    const cached = tolerancesCache.get(n.id);
    if (cached) return cached;
    const wls = workloadsOf(n, byNs);
    const kind =
      n.type === 'service' || n.type === 'serviceEntry'
        ? 'service'
        : n.type === 'workload'
          ? 'workload'
          : 'app';
    const name = (kind === 'service' ? n.service : kind === 'workload' ? n.workload : n.app) ?? n.label;
    const objectAnnotations =
      kind === 'service'
        ? services.get(`${n.namespace}/${n.service}`)?.annotations
        : wls.find((w) => w.annotations['meshlens.io/health-rate'])?.annotations;
    const t = tolerancesFor(
      {
        namespace: n.namespace,
        kind,
        name,
        objectAnnotations,
        namespaceAnnotations: nsAnnotations.get(n.namespace),
      },
      rules,
    );
    tolerancesCache.set(n.id, t);
    return t;
  };

  for (const n of map.nodes.values()) {
    if (n.isBox) continue;
    const tol = tolerancesOf(n);
    const ins = inbound.get(n.id) ?? NO_EDGES;
    const outs = outbound.get(n.id) ?? NO_EDGES;
    let v: Verdict =
      ins.length > 0
        ? requestHealth(codeRatesOf(ins), tol, 'inbound')
        : requestHealth(codeRatesOf(outs), tol, 'outbound');
    const hasTcp = ins.some((e) => e.tcpBps > 0) || outs.some((e) => e.tcpBps > 0);
    if (v.status === 'NoTraffic' && hasTcp) v = { status: 'Healthy', reasons: [] };
    const wls = workloadsOf(n, byNs);
    if (wls.length > 0) v = combine(v, ...wls.map(workloadHealth));
    n.healthStatus = v.status;
    n.healthReason = v.reasons[0] ?? '';
  }
  for (const e of map.edges.values()) {
    const target = map.nodes.get(e.target);
    const tol = target ? tolerancesOf(target) : [];
    let v = requestHealth(edgeCodeRates(e), tol, 'inbound');
    if (e.protocol === 'tcp' && e.tcpBps > 0) v = HEALTHY;
    // gRPC messages (rateGrpc sent|received|total) carry no status: traffic without errors.
    if (e.protocol === 'grpc' && e.grpcStatuses.size === 0 && e.rps > 0) v = HEALTHY;
    e.healthStatus = v.status;
    e.healthReason = v.reasons[0] ?? '';
  }
}

/**
 * In a graph focused on one entity (a node graph) the other nodes carry only their traffic with it: a
 * verdict on that part would be wrong, so they are not graded (NoTraffic, Kiali's NA) and say so; their
 * edges, whose traffic is all there, keep theirs.
 */
export function ungradeAllBut(map: TrafficMap, centre: string, centreLabel: string): void {
  for (const n of map.nodes.values()) {
    if (n.id === centre || n.isBox) continue;
    n.healthStatus = 'NoTraffic';
    n.healthReason = `not graded in the graph of ${centreLabel}, which holds only its traffic with it; see its own page`;
  }
}
