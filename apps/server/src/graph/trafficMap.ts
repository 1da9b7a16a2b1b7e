import type { Protocol } from '@meshlens/contract';
import { edgesOf, endpointsOf, type EndpointOptions } from './endpoints';
import type { TEdge, TrafficMap, TrafficSample } from './model';
import { countsForRates, TCP_CONNECTIONS } from './samples';

const U = 'unknown';

function protocolOf(s: TrafficSample): Protocol {
  return s.protocol === 'grpc' ? 'grpc' : s.protocol === 'tcp' ? 'tcp' : 'http';
}

/** Adds `v` to `m[key]`. */
export function add(m: Map<string, number>, key: string, v: number): void {
  m.set(key, (m.get(key) ?? 0) + v);
}

/** The edge's flags → rate map of one code. */
export function flagsOf(edge: TEdge, code: string): Map<string, number> {
  let flags = edge.responses.get(code);
  if (!flags) edge.responses.set(code, (flags = new Map()));
  return flags;
}

function addRequest(edge: TEdge, s: TrafficSample): void {
  const code = s.code === '' ? U : s.code;
  add(flagsOf(edge, code), s.flags, s.value);
  edge.rps += s.value;
  if (edge.protocol === 'grpc') {
    const status = code === '0' ? '-' : s.grpc === '' ? '0' : s.grpc;
    add(edge.grpcStatuses, status, s.value);
  }
}

function addTcp(edge: TEdge, s: TrafficSample): void {
  if (s.protocol === TCP_CONNECTIONS) {
    add(edge.tcpConnections, s.flags, s.value);
    return;
  }
  add(flagsOf(edge, '-'), s.flags, s.value);
  edge.tcpBps += s.value;
}

/**
 * Samples → traffic map: nodes and edges with their rates. Request and TCP samples are de-duplicated by
 * reporter (see countsForRates); destination-reported samples (`mtls`, and TCP's) feed each edge's mTLS share.
 */
export function buildTrafficMap(
  requests: readonly TrafficSample[],
  tcp: readonly TrafficSample[],
  mtls: readonly TrafficSample[],
  options: EndpointOptions,
): TrafficMap {
  const map: TrafficMap = { nodes: new Map(), edges: new Map() };
  const apply = (samples: readonly TrafficSample[], isTcp: boolean) => {
    for (const s of samples) {
      if (!countsForRates(s)) continue;
      const ep = endpointsOf(s, options);
      if (!ep) continue;
      const edges = edgesOf(map, ep, isTcp ? 'tcp' : protocolOf(s), true, s.dstSvc);
      for (let i = 0; i < edges.length; i++) {
        if (isTcp) addTcp(edges[i]!, s);
        else addRequest(edges[i]!, s);
      }
    }
  };
  apply(requests, false);
  apply(tcp, true);
  applyMtls(map, mtls, options, false);
  applyMtls(map, tcp, options, true);
  return map;
}

/** mTLS share per edge from destination-reported samples (connection_security_policy="mutual_tls"). */
export function applyMtls(
  map: TrafficMap,
  samples: readonly TrafficSample[],
  options: EndpointOptions,
  isTcp: boolean,
): void {
  for (const s of samples) {
    if (s.reporter !== 'destination' || s.protocol === TCP_CONNECTIONS) continue;
    const ep = endpointsOf(s, options);
    if (!ep) continue;
    for (const edge of edgesOf(map, ep, isTcp ? 'tcp' : protocolOf(s), false, s.dstSvc)) {
      edge.destReported += s.value;
      if (s.security === 'mutual_tls') edge.mtls += s.value;
    }
  }
}
