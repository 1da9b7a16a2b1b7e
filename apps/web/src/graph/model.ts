import type { HealthStatus } from '@meshlens/contract';

/**
 * Flat element data as it lives in Cytoscape: primitives only, so the stylesheet can select on it
 * (`node[health = "Failure"]`, `node[?hasVS]`) and updates are cheap `ele.data(patch)` calls.
 */
export type NodeKind =
  | 'app'
  | 'versionedApp'
  | 'workload'
  | 'service'
  | 'serviceEntry'
  | 'unknown'
  | 'box'
  /** One namespace (per cluster) of a large graph, collapsed (see aggregate.ts). */
  | 'aggregate';
/** Health as the server reports it: Healthy, Degraded, Failure, NoTraffic, NotReady. */
export type Health = HealthStatus;

export interface NodeData {
  id: string;
  /** Compound parent (namespace box id) when namespace boxes are on. */
  parent?: string;
  nodeType: NodeKind;
  label: string;
  cluster: string;
  namespace: string;
  app: string;
  version: string;
  workload: string;
  service: string;
  health: Health;
  healthReason: string;
  isRoot: boolean;
  isGateway: boolean;
  isOutside: boolean;
  /** Stands for the nodes of namespaces the user may not read. */
  isInaccessible?: boolean;
  isIdle: boolean;
  isOutOfMesh: boolean;
  isServiceEntry: boolean;
  hasVS: boolean;
  hasDR: boolean;
  hasTrafficShifting: boolean;
  hasRequestRouting: boolean;
  hasFaultInjection: boolean;
  hasTimeout: boolean;
  hasRetries: boolean;
  hasCB: boolean;
  hasMirroring: boolean;
  /** Badge glyphs shown under the label (e.g. "⎇ ⇉"); empty when none. */
  badges: string;
  /** What the node shows: the label, and the badges on a second line (precomputed: no style function). */
  display: string;
  httpIn: number;
  httpOut: number;
  grpcIn: number;
  grpcOut: number;
  tcpIn: number;
  tcpOut: number;
  /** Error % of inbound HTTP+gRPC requests (NaN without inbound traffic). */
  errPct: number;
  /** Before/after comparison (see compare.ts): its verdict and the line added under the label; '' otherwise. */
  cmpVerdict?: string;
  cmpLine?: string;
  /** Aggregate nodes and the boxes of expanded groups: the group's key (see aggregate.ts). */
  group?: string;
  /** Aggregate nodes: how many graph nodes the group holds. */
  members?: number;
}

export type Protocol = 'http' | 'grpc' | 'tcp';

export interface EdgeData {
  id: string;
  source: string;
  target: string;
  protocol: Protocol;
  /** requests/s for http and grpc, bytes/s for tcp. */
  rate: number;
  /** Error % (4xx, 5xx, no response; grpc errors); NaN when idle. */
  errPct: number;
  /** % of the source node's outbound traffic of this protocol. */
  pctReq: number;
  /** Response time in ms, NaN when unknown. */
  rt: number;
  /** bytes/s, NaN when unknown. */
  throughput: number;
  /** % of traffic with mutual TLS, NaN when unknown. */
  mtls: number;
  health: Health;
  isIdle: boolean;
  /** Stroke width in px derived from the rate (log scale). */
  width: number;
  /** Pre-formatted labels, chosen by the edge-label setting through a class. */
  rateLabel: string;
  pctLabel: string;
  rtLabel: string;
  /** "mTLS" when ≥ 1% of the traffic is mutual TLS; shown with the security toggle. */
  lock: string;
  /** Before/after comparison (see compare.ts): verdict and label, '' when not comparing (none when summed). */
  cmpVerdict?: string;
  cmpLabel?: string;
}

export interface ResponseDetail {
  code: string;
  /** requests/s for this code. */
  rate: number;
  /** flag → % of this code's requests. */
  flags: Record<string, number>;
}

/** Detail kept beside the graph (not in cy): response codes per edge, for the side panel. */
export interface EdgeDetail {
  responses: ResponseDetail[];
  sourcePrincipal?: string;
  destPrincipal?: string;
}

/** Edge id → its detail (a Map, or toElements' lazy EdgeDetails). */
export interface EdgeDetailLookup {
  get(id: string): EdgeDetail | undefined;
  has(id: string): boolean;
  keys(): Iterable<string>;
  [Symbol.iterator](): Iterator<[string, EdgeDetail]>;
}

export interface GraphElements {
  nodes: NodeData[];
  edges: EdgeData[];
  details: EdgeDetailLookup;
  /** Aggregate node id → the nodes it stands for (find tests them; see aggregate.ts). */
  members?: Map<string, NodeData[]>;
}
