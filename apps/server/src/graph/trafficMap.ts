import type { Protocol } from '@meshlens/contract';
import { edgesOf, endpointsOf, type EndpointOptions } from './endpoints';
import type { TEdge, TrafficMap, TrafficSample } from './model';
import { countedSamples, TCP_CONNECTIONS } from './samples';

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

/** The edge's host → rate map of one code. */
export function hostsOf(edge: TEdge, code: string): Map<string, number> {
  let hosts = edge.hosts.get(code);
  if (!hosts) edge.hosts.set(code, (hosts = new Map()));
  return hosts;
}

/**
 * gRPC status for a gRPC response whose proxy recorded none (Istio before 1.5): the gRPC project's
 * HTTP → gRPC status mapping (doc/http-grpc-status-mapping.md); a 200 without status reads as OK.
 */
export function grpcStatusOfHttp(code: string): string {
  switch (code) {
    case '200':
      return '0';
    case '400':
      return '13';
    case '401':
      return '16';
    case '403':
      return '7';
    case '404':
      return '12';
    case '429':
    case '502':
    case '503':
    case '504':
      return '14';
    default:
      return '2';
  }
}

/**
 * The key of a response, as Kiali keys it: `-` when no response was sent (Istio's response_code 0),
 * else the HTTP code, or for gRPC the gRPC status (`0` OK, `14` UNAVAILABLE …).
 */
export function responseCode(s: Pick<TrafficSample, 'code' | 'grpc'>, protocol: Protocol): string {
  if (s.code === '0') return '-';
  if (protocol !== 'grpc') return s.code === '' ? U : s.code;
  if (s.grpc !== '' && s.grpc !== '-' && s.grpc !== U) return s.grpc;
  return grpcStatusOfHttp(s.code);
}

function addRequest(edge: TEdge, s: TrafficSample): void {
  if (s.direction !== '') {
    // gRPC messages (rateGrpc sent|received|total): a rate without responses.
    edge.rps += s.value;
    return;
  }
  const code = responseCode(s, edge.protocol);
  add(flagsOf(edge, code), s.flags, s.value);
  add(hostsOf(edge, code), s.dstSvc, s.value);
  edge.rps += s.value;
  if (edge.protocol === 'grpc') add(edge.grpcStatuses, code, s.value);
}

function addTcp(edge: TEdge, s: TrafficSample): void {
  if (s.protocol === TCP_CONNECTIONS) {
    add(edge.tcpConnections, s.flags, s.value);
    return;
  }
  add(flagsOf(edge, '-'), s.flags, s.value);
  add(hostsOf(edge, '-'), s.dstSvc, s.value);
  edge.tcpBps += s.value;
}

/**
 * Samples → traffic map: nodes and edges with their rates. Request, gRPC message and TCP samples are the
 * ones Kiali reads, each request counted once whichever proxies reported it (see countedSamples);
 * destination-reported samples (`mtls`, and TCP's) feed each edge's mTLS share.
 */
export function buildTrafficMap(
  requests: readonly TrafficSample[],
  tcp: readonly TrafficSample[],
  mtls: readonly TrafficSample[],
  options: EndpointOptions,
  grpcMessages: readonly TrafficSample[] = [],
): TrafficMap {
  const map: TrafficMap = { nodes: new Map(), edges: new Map() };
  const apply = (samples: readonly TrafficSample[], isTcp: boolean) => {
    for (const s of countedSamples(samples, options.selected)) {
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
  apply(grpcMessages, false);
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
