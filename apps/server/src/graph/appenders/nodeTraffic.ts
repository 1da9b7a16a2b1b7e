import type { EdgeClasses, TEdge, TrafficMap } from '../model';

export type { EdgeClasses };

/** Rates per response class of an edge, computed once (edges no longer change after building). */
export function classesOf(edge: TEdge): EdgeClasses {
  if (edge.classes) return edge.classes;
  const c: EdgeClasses = {
    c2xx: 0,
    c3xx: 0,
    c4xx: 0,
    c5xx: 0,
    noResponse: 0,
    grpcErr: edge.protocol === 'grpc' ? grpcErr(edge) : 0,
  };
  if (edge.protocol === 'grpc') {
    // Keyed by gRPC status: no HTTP classes; `-` is no response.
    c.noResponse = sumOf(edge.responses.get('-'));
  } else if (edge.protocol === 'http') {
    for (const [code, flags] of edge.responses) {
      const total = sumOf(flags);
      const first = code.charCodeAt(0);
      if (code === '-' || code === '0') c.noResponse += total;
      else if (first === 50 || first === 49)
        c.c2xx += total; // '2', '1'
      else if (first === 51) c.c3xx += total;
      else if (first === 52) c.c4xx += total;
      else if (first === 53) c.c5xx += total;
    }
  }
  edge.classes = c;
  return c;
}

function sumOf(m: ReadonlyMap<string, number> | undefined): number {
  let total = 0;
  if (m) for (const v of m.values()) total += v;
  return total;
}

export function grpcErr(edge: Pick<TEdge, 'grpcStatuses'>): number {
  let total = 0;
  for (const [status, v] of edge.grpcStatuses) if (status !== '0' && status !== '-') total += v;
  return total;
}

/** Node inbound/outbound rates per protocol, summed from its edges. */
export function applyNodeTraffic(map: TrafficMap): void {
  for (const e of map.edges.values()) {
    const src = map.nodes.get(e.source);
    const dst = map.nodes.get(e.target);
    if (e.protocol === 'tcp') {
      if (src) src.traffic.tcpOut += e.tcpBps;
      if (dst) dst.traffic.tcpIn += e.tcpBps;
      continue;
    }
    const c = classesOf(e);
    if (e.protocol === 'grpc') {
      if (src) src.traffic.grpcOut += e.rps;
      if (dst) {
        dst.traffic.grpcIn += e.rps;
        dst.traffic.grpcInErr += c.grpcErr;
        dst.traffic.grpcInNoResponse += c.noResponse;
      }
      continue;
    }
    if (src) src.traffic.httpOut += e.rps;
    if (dst) {
      dst.traffic.httpIn += e.rps;
      dst.traffic.httpIn3xx += c.c3xx;
      dst.traffic.httpIn4xx += c.c4xx;
      dst.traffic.httpIn5xx += c.c5xx;
      dst.traffic.httpInNoResponse += c.noResponse;
    }
  }
}
