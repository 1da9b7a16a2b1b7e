import { ensureEdge, type TEdge, type TrafficMap } from '../model';
import { isServiceLike } from '../endpoints';
import { add, flagsOf } from '../trafficMap';

function mergeInto(target: TEdge, from: TEdge): void {
  for (const [code, flags] of from.responses) {
    const t = flagsOf(target, code);
    for (const [flag, v] of flags) add(t, flag, v);
  }
  for (const [status, v] of from.grpcStatuses) add(target.grpcStatuses, status, v);
  target.rps += from.rps;
  target.tcpBps += from.tcpBps;
  for (const [flag, v] of from.tcpConnections) add(target.tcpConnections, flag, v);
  target.destReported += from.destReported;
  target.mtls += from.mtls;
  target.rtWeighted += from.rtWeighted;
  target.rtWeight += from.rtWeight;
  target.rtPlain += from.rtPlain;
  target.rtCount += from.rtCount;
  if (from.throughput !== undefined) target.throughput = (target.throughput ?? 0) + from.throughput;
}

/**
 * Workload graph with service nodes → service graph (Kiali's ReduceToServiceGraph): a workload behind a
 * service disappears, and its outbound edges start at that service instead. Workloads no service leads to
 * (gateways, unknown callers) stay as they are.
 */
export function reduceToServiceGraph(map: TrafficMap): TrafficMap {
  const out: TrafficMap = { nodes: new Map(), edges: new Map() };
  const servicesOf = new Map<string, string[]>();
  for (const e of map.edges.values()) {
    const from = map.nodes.get(e.source);
    const to = map.nodes.get(e.target);
    if (from && to && isServiceLike(from) && !isServiceLike(to)) {
      const list = servicesOf.get(to.id) ?? [];
      list.push(from.id);
      servicesOf.set(to.id, list);
    }
  }
  for (const node of map.nodes.values())
    if (isServiceLike(node) || !servicesOf.has(node.id)) out.nodes.set(node.id, node);
  for (const e of map.edges.values()) {
    if (servicesOf.has(e.target)) continue; // service → workload hops vanish
    const sources = servicesOf.get(e.source) ?? [e.source];
    for (const src of sources) {
      if (src === e.target) continue;
      mergeInto(ensureEdge(out, src, e.target, e.protocol), e);
    }
  }
  return out;
}
