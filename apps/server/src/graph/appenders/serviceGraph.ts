import { ensureEdge, type TEdge, type TrafficMap } from '../model';
import { isServiceLike } from '../endpoints';
import { add, flagsOf, hostsOf } from '../trafficMap';

function mergeInto(target: TEdge, from: TEdge): void {
  for (const [code, flags] of from.responses) {
    const t = flagsOf(target, code);
    for (const [flag, v] of flags) add(t, flag, v);
  }
  for (const [code, hosts] of from.hosts) {
    const t = hostsOf(target, code);
    for (const [host, v] of hosts) add(t, host, v);
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
 * Workload graph with service nodes → service graph, as Kiali's ReduceToServiceGraph: the service nodes,
 * with a workload's calls drawn from the services in front of it (a service calling itself keeps its
 * self-edge); plus the traffic sources that are not services (the `unknown` caller, ingress gateways,
 * callers outside the mesh: nodes with no inbound edge) and their edges into services. Other workloads
 * and edges into non-service nodes are left out.
 */
export function reduceToServiceGraph(map: TrafficMap): TrafficMap {
  const out: TrafficMap = { nodes: new Map(), edges: new Map() };
  const servicesOf = new Map<string, string[]>();
  const hasIn = new Set<string>();
  for (const e of map.edges.values()) {
    hasIn.add(e.target);
    const from = map.nodes.get(e.source);
    const to = map.nodes.get(e.target);
    if (from && to && isServiceLike(from) && !isServiceLike(to)) {
      const list = servicesOf.get(to.id) ?? [];
      list.push(from.id);
      servicesOf.set(to.id, list);
    }
  }
  for (const node of map.nodes.values()) if (isServiceLike(node)) out.nodes.set(node.id, node);
  for (const e of map.edges.values()) {
    const to = map.nodes.get(e.target);
    const from = map.nodes.get(e.source);
    if (!to || !from || !isServiceLike(to)) continue; // service → workload hops vanish
    let sources: readonly string[];
    if (isServiceLike(from)) sources = [from.id];
    else if (servicesOf.has(from.id)) sources = servicesOf.get(from.id)!;
    else if (!hasIn.has(from.id)) {
      out.nodes.set(from.id, from);
      sources = [from.id];
    } else continue;
    for (const src of sources) mergeInto(ensureEdge(out, src, e.target, e.protocol), e);
  }
  return out;
}
