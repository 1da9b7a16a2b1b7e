import { edgesOf, endpointsOf, type EndpointOptions } from '../endpoints';
import type { TrafficMap, TrafficSample } from '../model';
import { countsForRates } from '../samples';

const key = (s: TrafficSample) =>
  `${s.srcNs}|${s.srcWl}|${s.dstSvcNs}|${s.dstSvcName}|${s.dstNs}|${s.dstWl}|${s.protocol === 'grpc' ? 'grpc' : 'http'}`;

/**
 * Response time per edge (ms). The query returns one value per caller/service/workload series; an edge
 * that merges several (an app node over its workloads, a service node over its callers) gets their
 * average weighted by each series' request rate.
 */
export function applyResponseTime(
  map: TrafficMap,
  rtSamples: readonly TrafficSample[],
  requestSamples: readonly TrafficSample[],
  options: EndpointOptions,
): void {
  const weights = new Map<string, number>();
  for (const s of requestSamples) {
    if (!countsForRates(s)) continue;
    const k = key(s);
    weights.set(k, (weights.get(k) ?? 0) + s.value);
  }
  for (const s of rtSamples) {
    if (!countsForRates(s)) continue;
    const ep = endpointsOf(s, options);
    if (!ep) continue;
    const w = weights.get(key(s)) ?? 0;
    for (const edge of edgesOf(map, ep, s.protocol === 'grpc' ? 'grpc' : 'http', false, s.dstSvc)) {
      edge.rtWeighted += s.value * w;
      edge.rtWeight += w;
      edge.rtPlain += s.value;
      edge.rtCount += 1;
    }
  }
}

/** The edge's response time: weighted mean, or the plain mean when no weights were known. */
export function edgeResponseTime(edge: {
  rtWeighted: number;
  rtWeight: number;
  rtPlain: number;
  rtCount: number;
}): number | null {
  if (edge.rtCount === 0) return null;
  return edge.rtWeight > 0 ? edge.rtWeighted / edge.rtWeight : edge.rtPlain / edge.rtCount;
}
