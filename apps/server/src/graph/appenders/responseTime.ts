import { edgesOf, endpointsOf, type EndpointOptions, type Endpoints } from '../endpoints';
import type { TrafficMap, TrafficSample } from '../model';
import { countedSamples } from '../samples';

const protocolOf = (s: TrafficSample) => (s.protocol === 'grpc' ? 'grpc' : 'http');

/**
 * Response time per edge (ms). The query returns one value per caller/service/workload series; an edge
 * that merges several (an app node over its workloads, a service node over its callers) gets their
 * average weighted by each series' request rate. Series are matched to their request rates through the
 * endpoints both resolve to (memoized per build), so no key is built per sample.
 */
export function applyResponseTime(
  map: TrafficMap,
  rtSamples: readonly TrafficSample[],
  requestSamples: readonly TrafficSample[],
  options: EndpointOptions,
): void {
  const weights = { http: new Map<Endpoints, number>(), grpc: new Map<Endpoints, number>() };
  for (const s of countedSamples(requestSamples, options.selected)) {
    const ep = endpointsOf(s, options);
    if (!ep) continue;
    const w = weights[protocolOf(s)];
    w.set(ep, (w.get(ep) ?? 0) + s.value);
  }
  for (const s of countedSamples(rtSamples, options.selected)) {
    const ep = endpointsOf(s, options);
    if (!ep) continue;
    const protocol = protocolOf(s);
    const w = weights[protocol].get(ep) ?? 0;
    for (const edge of edgesOf(map, ep, protocol, false, s.dstSvc)) {
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
