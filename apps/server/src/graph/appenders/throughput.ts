import { edgesOf, endpointsOf, type EndpointOptions } from '../endpoints';
import type { TrafficMap, TrafficSample } from '../model';
import { countedSamples } from '../samples';

/** HTTP/gRPC throughput: response bytes/s per edge (TCP edges carry their byte rate already). */
export function applyThroughput(
  map: TrafficMap,
  samples: readonly TrafficSample[],
  options: EndpointOptions,
): void {
  for (const s of countedSamples(samples, options.selected)) {
    const ep = endpointsOf(s, options);
    if (!ep) continue;
    for (const edge of edgesOf(map, ep, s.protocol === 'grpc' ? 'grpc' : 'http', false, s.dstSvc))
      edge.throughput = (edge.throughput ?? 0) + s.value;
  }
}
