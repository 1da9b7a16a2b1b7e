import type { TEdge, TrafficMap } from '../model';

export function sumClass(edge: Pick<TEdge, 'responses'>, test: (code: string) => boolean): number {
  let total = 0;
  for (const [code, flags] of Object.entries(edge.responses)) {
    if (!test(code)) continue;
    for (const v of Object.values(flags)) total += v;
  }
  return total;
}

export const is2xx = (c: string) => c.startsWith('2') || c.startsWith('1');
export const is3xx = (c: string) => c.startsWith('3');
export const is4xx = (c: string) => c.startsWith('4');
export const is5xx = (c: string) => c.startsWith('5');
export const isNoResponse = (c: string) => c === '0';

export function grpcErr(edge: Pick<TEdge, 'grpcStatuses'>): number {
  let total = 0;
  for (const [status, v] of Object.entries(edge.grpcStatuses))
    if (status !== '0' && status !== '-') total += v;
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
    if (e.protocol === 'grpc') {
      if (src) src.traffic.grpcOut += e.rps;
      if (dst) {
        dst.traffic.grpcIn += e.rps;
        dst.traffic.grpcInErr += grpcErr(e);
        dst.traffic.grpcInNoResponse += sumClass(e, isNoResponse);
      }
      continue;
    }
    if (src) src.traffic.httpOut += e.rps;
    if (dst) {
      dst.traffic.httpIn += e.rps;
      dst.traffic.httpIn3xx += sumClass(e, is3xx);
      dst.traffic.httpIn4xx += sumClass(e, is4xx);
      dst.traffic.httpIn5xx += sumClass(e, is5xx);
      dst.traffic.httpInNoResponse += sumClass(e, isNoResponse);
    }
  }
}
