import type { CodeRates } from '../health/request';
import {
  emptyNodeTraffic,
  noConfigBadges,
  type BoxType,
  type ConfigBadges,
  type HealthStatus,
  type NodeTraffic,
  type NodeType,
  type Protocol,
} from '@meshlens/contract';

/** One Prometheus series of the requests / TCP / response-time queries, with the labels the graph uses. */
export interface TrafficSample {
  reporter: string;
  /** Istio's cluster ids of the caller's and the callee's proxies (`unknown` when not reported). */
  srcCluster: string;
  dstCluster: string;
  srcNs: string;
  srcWl: string;
  srcApp: string;
  srcVer: string;
  dstSvcNs: string;
  dstSvcName: string;
  dstSvc: string;
  dstNs: string;
  dstWl: string;
  dstApp: string;
  dstVer: string;
  protocol: string;
  code: string;
  grpc: string;
  flags: string;
  security: string;
  /** TCP bytes and gRPC messages: `sent` or `received` (the query's own label); else empty. */
  direction: string;
  value: number;
}

/** A node of the traffic map (internal; see draftResponse for the contract shape). */
export interface TNode {
  id: string;
  type: NodeType;
  label: string;
  namespace: string;
  /** The cluster it runs in (from source_cluster / destination_cluster), when the samples say. */
  cluster?: string;
  app?: string;
  version?: string;
  workload?: string;
  service?: string;
  host?: string;
  serviceEntryLocation?: string;
  boxType?: BoxType;
  parent?: string;
  /** FQDNs of the services traffic reached this node through. */
  destServices: Set<string>;
  isRoot: boolean;
  isGateway: boolean;
  isOutside: boolean;
  isIdle: boolean;
  hasMissingSidecar: boolean;
  isServiceEntry: boolean;
  isBox: boolean;
  badges: Badges;
  traffic: NodeTraffic;
  healthStatus: HealthStatus;
  healthReason: string;
}

export type Badges = ConfigBadges;
export type { NodeTraffic };

export interface TEdge {
  id: string;
  source: string;
  target: string;
  protocol: Protocol;
  /** code → flags → rate (requests/s; TCP: `-` → flags → bytes/s). Maps: codes are integer-like keys,
   *  which plain objects store as (slow, sparse) elements. */
  responses: Map<string, Map<string, number>>;
  /** code → requested host → rate (Kiali's `responses[code].hosts`). */
  hosts: Map<string, Map<string, number>>;
  /** gRPC status → requests/s. */
  grpcStatuses: Map<string, number>;
  rps: number;
  tcpBps: number;
  /** TCP: connections opened/s per response flag. */
  tcpConnections: Map<string, number>;
  /** Destination-reported rate and its mutual-TLS part (for mtlsPct). */
  destReported: number;
  mtls: number;
  /** Weighted response time accumulators. */
  rtWeighted: number;
  rtWeight: number;
  rtCount: number;
  rtPlain: number;
  throughput?: number;
  healthStatus: HealthStatus;
  healthReason: string;
  /** Derived once the map is built (see classesOf and edgeCodeRates). */
  classes?: EdgeClasses;
  codeRates?: CodeRates;
}

/** Requests/s per response class of an edge. */
export interface EdgeClasses {
  c2xx: number;
  c3xx: number;
  c4xx: number;
  c5xx: number;
  noResponse: number;
  grpcErr: number;
}

/** Requests/s per code, per protocol; `-` is "no response" (HTTP code 0). */
export type { CodeRates } from '../health/request';

export interface TrafficMap {
  nodes: Map<string, TNode>;
  edges: Map<string, TEdge>;
}

export const emptyTraffic = emptyNodeTraffic;
export const noBadges = noConfigBadges;

type NodeSeed = Pick<TNode, 'id' | 'type' | 'label' | 'namespace'> &
  Partial<
    Pick<
      TNode,
      | 'app'
      | 'version'
      | 'workload'
      | 'service'
      | 'host'
      | 'serviceEntryLocation'
      | 'isServiceEntry'
      | 'cluster'
    >
  >;

export function newNode(seed: NodeSeed): TNode {
  return {
    destServices: new Set(),
    isRoot: false,
    isGateway: false,
    isOutside: false,
    isIdle: false,
    hasMissingSidecar: false,
    isServiceEntry: false,
    isBox: false,
    badges: noBadges(),
    traffic: emptyTraffic(),
    healthStatus: 'NoTraffic',
    healthReason: '',
    ...seed,
  };
}

/** An edge's id (and its key in TrafficMap.edges). */
export const edgeId = (source: string, target: string, protocol: Protocol) =>
  `${source}>${target}:${protocol}`;

export function newEdge(
  source: string,
  target: string,
  protocol: Protocol,
  id = edgeId(source, target, protocol),
): TEdge {
  return {
    id,
    source,
    target,
    protocol,
    responses: new Map(),
    hosts: new Map(),
    grpcStatuses: new Map(),
    rps: 0,
    tcpBps: 0,
    tcpConnections: new Map(),
    destReported: 0,
    mtls: 0,
    rtWeighted: 0,
    rtWeight: 0,
    rtCount: 0,
    rtPlain: 0,
    healthStatus: 'NoTraffic',
    healthReason: '',
  };
}

export function ensureNode(map: TrafficMap, seed: NodeSeed): TNode {
  let node = map.nodes.get(seed.id);
  if (!node) {
    node = newNode(seed);
    map.nodes.set(seed.id, node);
  }
  return node;
}

export function ensureEdge(
  map: TrafficMap,
  source: string,
  target: string,
  protocol: Protocol,
  id = edgeId(source, target, protocol),
): TEdge {
  let edge = map.edges.get(id);
  if (!edge) {
    edge = newEdge(source, target, protocol, id);
    map.edges.set(id, edge);
  }
  return edge;
}
