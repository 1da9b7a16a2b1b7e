import { z } from 'zod';
import { GRAPH_TYPES, PROTOCOLS, RESPONSE_TIMES } from './graphQuery';

export const HEALTH_STATUSES = ['Healthy', 'Degraded', 'Failure', 'NoTraffic', 'NotReady'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];
export const HealthStatusSchema = z.enum(HEALTH_STATUSES);

export const NODE_TYPES = [
  'app',
  'versionedApp',
  'workload',
  'service',
  'serviceEntry',
  'unknown',
  'box',
] as const;
export type NodeType = (typeof NODE_TYPES)[number];

export const BOX_TYPES = ['namespace', 'app', 'cluster'] as const;
export type BoxType = (typeof BOX_TYPES)[number];

/**
 * Before/after comparison (a graph asked with `compare`): whether the element had traffic in both windows
 * (`both`), only after the moment (`new`) or only before it (`vanished`: its own figures are then zero).
 */
export const COMPARE_STATUSES = ['both', 'new', 'vanished'] as const;
export type CompareStatus = (typeof COMPARE_STATUSES)[number];

/**
 * A node's or edge's figures in the two compared windows, flat (Cytoscape selectors such as
 * `edge[cmpStatus = "new"]`). Rate: requests/s, or bytes/s when `cmpUnit` is `Bps` (TCP); error %: null
 * without requests; response time (the answer's `responseTime` statistic, ms; a node's is its slowest
 * inbound edge's): null when unknown.
 */
const compareFields = {
  cmpStatus: z.enum(COMPARE_STATUSES).optional(),
  cmpUnit: z.enum(['rps', 'Bps']).optional(),
  cmpRateBefore: z.number().optional(),
  cmpRateAfter: z.number().optional(),
  cmpErrBefore: z.number().nullable().optional(),
  cmpErrAfter: z.number().nullable().optional(),
  cmpRtBefore: z.number().nullable().optional(),
  cmpRtAfter: z.number().nullable().optional(),
};
export type CompareFields = { [K in keyof typeof compareFields]?: z.infer<(typeof compareFields)[K]> };

/**
 * One graph node. Every field is a primitive (flat data for Cytoscape selectors such as
 * `node[healthStatus = "Failure"]` or `node[?hasTrafficShifting]`). Rates are per second, unrounded;
 * HTTP/gRPC rates are requests/s, TCP rates bytes/s.
 */
export const GraphNodeSchema = z.object({
  /** Stable id, see `nodeId`: `wl:ns/name`, `app:ns/app`, `vapp:ns/app/version`, `svc:ns/name`, `se:host`, `unknown`, `box:…`. */
  id: z.string(),
  type: z.enum(NODE_TYPES),
  /** Short display text (workload, app, `app v1`, service name, host, `unknown`, box name). */
  label: z.string(),
  /** Id of the enclosing box node when the graph is boxed. */
  parent: z.string().optional(),
  cluster: z.string(),
  /** Namespace (for a service entry: the namespace of the ServiceEntry object, or `unknown`). */
  namespace: z.string(),
  app: z.string().optional(),
  version: z.string().optional(),
  workload: z.string().optional(),
  service: z.string().optional(),
  /** For service-entry nodes: the host called. */
  host: z.string().optional(),
  /** For box nodes. */
  boxType: z.enum(BOX_TYPES).optional(),

  // Flags
  /** A traffic source with no inbound traffic in the graph (e.g. the ingress gateway, or `unknown`). */
  isRoot: z.boolean(),
  /** An Istio ingress/egress gateway workload. */
  isGateway: z.boolean(),
  /** Its namespace was not among the requested ones (shown because selected nodes talk to it). */
  isOutside: z.boolean(),
  /** No traffic in the window (only with includeIdle). */
  isIdle: z.boolean(),
  /** Some pods of the workload run without the istio-proxy sidecar. */
  hasMissingSidecar: z.boolean(),
  isServiceEntry: z.boolean(),
  /** `MESH_EXTERNAL` / `MESH_INTERNAL` for service entries. */
  serviceEntryLocation: z.string().optional(),
  isBox: z.boolean(),
  /**
   * Stands for the nodes of the namespaces the signed-in user may not read (Kiali's `isInaccessible`):
   * one node, `inaccessible`, that names none of them, with their traffic to and from the readable ones.
   */
  isInaccessible: z.boolean().optional(),

  // Config badges (from VirtualServices / DestinationRules whose host is this node's service)
  hasVS: z.boolean(),
  hasDR: z.boolean(),
  hasTrafficShifting: z.boolean(),
  hasRequestRouting: z.boolean(),
  hasFaultInjection: z.boolean(),
  hasTimeout: z.boolean(),
  hasRetries: z.boolean(),
  hasCircuitBreaker: z.boolean(),
  hasMirroring: z.boolean(),

  // Traffic (per second)
  httpIn: z.number(),
  httpIn3xx: z.number(),
  httpIn4xx: z.number(),
  httpIn5xx: z.number(),
  httpInNoResponse: z.number(),
  httpOut: z.number(),
  grpcIn: z.number(),
  /** gRPC requests with a non-OK grpc status. */
  grpcInErr: z.number(),
  grpcInNoResponse: z.number(),
  grpcOut: z.number(),
  /** TCP bytes/s (the direction(s) `rateTcp` asks for). */
  tcpIn: z.number(),
  tcpOut: z.number(),

  healthStatus: HealthStatusSchema,
  /** Why, in words, e.g. `HTTP server errors (5xx): 12.5 % of inbound requests, failure at 10 %`; empty when Healthy. */
  healthReason: z.string(),
  ...compareFields,
});
export type GraphNode = z.infer<typeof GraphNodeSchema>;

/**
 * Requests/s per response code then per response flag: `{ "200": { "-": 1.2 }, "503": { "UO": 0.3 } }`.
 * Code `-` = no response (Istio's `response_code="0"`). gRPC edges are keyed by gRPC status (`0` = OK,
 * `14` = UNAVAILABLE …), as Kiali keys them.
 */
export const ResponsesSchema = z.record(z.string(), z.record(z.string(), z.number()));
export type Responses = z.infer<typeof ResponsesSchema>;

export const GraphEdgeSchema = z.object({
  /** `<source>><target>:<protocol>` (see `edgeId`). */
  id: z.string(),
  source: z.string(),
  target: z.string(),
  protocol: z.enum(PROTOCOLS),
  /** Requests/s (http, grpc); with `rateGrpc` sent|received|total, gRPC messages/s; 0 for tcp. */
  rps: z.number(),
  rate2xx: z.number(),
  rate3xx: z.number(),
  rate4xx: z.number(),
  rate5xx: z.number(),
  /** Requests that got no response (code 0), requests/s. */
  rateNoResponse: z.number(),
  /** gRPC requests with a non-OK grpc status, requests/s. */
  rateGrpcErr: z.number(),
  /** HTTP: (4xx + 5xx + no response) / rps × 100; gRPC: (non-OK + no response) / rps × 100; TCP: 0. */
  errorPct: z.number(),
  /** This edge's share of the source node's outbound traffic of the same protocol, in %. */
  percentOfSource: z.number(),
  /** Milliseconds (the statistic in the answer's `responseTime`), null when unknown or into a service node. */
  responseTimeMs: z.number().nullable(),
  /** Bytes/s: for TCP the direction(s) `rateTcp` asks for; for HTTP/gRPC response bytes; null when unknown. */
  throughputBps: z.number().nullable(),
  /** % of the traffic sent with mutual TLS (destination-reported), null when unknown. */
  mtlsPct: z.number().nullable(),
  /** HTTP/gRPC: requests/s per code and flag; TCP: bytes/s per flag under code `-` (Kiali's shape). */
  responses: ResponsesSchema,
  /**
   * Requests/s per response code then per requested host (`destination_service`, e.g.
   * `reviews.bookinfo.svc.cluster.local`, or the Host header of a request that matched no route); with
   * `responses` this is Kiali's `responses{code:{flags, hosts}}`, as rates. TCP: bytes/s under `-`.
   */
  responseHosts: ResponsesSchema.optional(),
  /** TCP edges only: connections opened per second, per response flag (`-` = none); absent when unknown. */
  connections: z.record(z.string(), z.number()).optional(),
  isIdle: z.boolean(),
  healthStatus: HealthStatusSchema,
  healthReason: z.string(),
  ...compareFields,
});
export type GraphEdge = z.infer<typeof GraphEdgeSchema>;

export const GraphWarningSchema = z.object({
  /** e.g. `PrometheusUnavailable`, `PrometheusTimeout`, `PrometheusError`, `InventoryNotSynced`, `NamespaceNotFound`. */
  code: z.string(),
  message: z.string(),
});
export type GraphWarning = z.infer<typeof GraphWarningSchema>;

export const GraphDebugSchema = z.object({
  queries: z.array(
    z.object({
      name: z.string(),
      promql: z.string(),
      ms: z.number(),
      series: z.number(),
      error: z.string().optional(),
      /** Sent as this many queries run in parallel (their answers together are `promql`'s); absent: 1. */
      parts: z.number().int().optional(),
    }),
  ),
  /** True when this answer came from the server's cache or an identical request in flight. */
  shared: z.boolean(),
  /** Server time spent building the graph, excluding Prometheus, ms. */
  buildMs: z.number(),
});
export type GraphDebug = z.infer<typeof GraphDebugSchema>;

/** Answer of `GET /api/graph`. */
export const GraphResponseSchema = z.object({
  /** Unix seconds the rates were evaluated at. */
  timestamp: z.number(),
  /** Rate window, seconds. */
  duration: z.number(),
  graphType: z.enum(GRAPH_TYPES),
  namespaces: z.array(z.string()),
  responseTime: z.enum(RESPONSE_TIMES),
  nodes: z.array(GraphNodeSchema),
  edges: z.array(GraphEdgeSchema),
  warnings: z.array(GraphWarningSchema),
  debug: GraphDebugSchema.optional(),
  /** With `compare`: the two windows (unix seconds); the answer's own figures are the `after` window's. */
  compare: z
    .object({
      time: z.number(),
      before: z.object({ start: z.number(), end: z.number() }),
      after: z.object({ start: z.number(), end: z.number() }),
    })
    .optional(),
});
export type GraphResponse = z.infer<typeof GraphResponseSchema>;

/** The config badges of a node (from the VirtualServices and DestinationRules of its service). */
export type ConfigBadges = Pick<
  GraphNode,
  | 'hasVS'
  | 'hasDR'
  | 'hasTrafficShifting'
  | 'hasRequestRouting'
  | 'hasFaultInjection'
  | 'hasTimeout'
  | 'hasRetries'
  | 'hasCircuitBreaker'
  | 'hasMirroring'
>;

/** A node's inbound and outbound rates per protocol and response class. */
export type NodeTraffic = Pick<
  GraphNode,
  | 'httpIn'
  | 'httpIn3xx'
  | 'httpIn4xx'
  | 'httpIn5xx'
  | 'httpInNoResponse'
  | 'httpOut'
  | 'grpcIn'
  | 'grpcInErr'
  | 'grpcInNoResponse'
  | 'grpcOut'
  | 'tcpIn'
  | 'tcpOut'
>;

export const noConfigBadges = (): ConfigBadges => ({
  hasVS: false,
  hasDR: false,
  hasTrafficShifting: false,
  hasRequestRouting: false,
  hasFaultInjection: false,
  hasTimeout: false,
  hasRetries: false,
  hasCircuitBreaker: false,
  hasMirroring: false,
});

export const emptyNodeTraffic = (): NodeTraffic => ({
  httpIn: 0,
  httpIn3xx: 0,
  httpIn4xx: 0,
  httpIn5xx: 0,
  httpInNoResponse: 0,
  httpOut: 0,
  grpcIn: 0,
  grpcInErr: 0,
  grpcInNoResponse: 0,
  grpcOut: 0,
  tcpIn: 0,
  tcpOut: 0,
});

/** A node with no flags, no badges, no traffic and Healthy: the base that graph builders and tests fill in. */
export function graphNode(
  fields: Partial<GraphNode> & Pick<GraphNode, 'id' | 'type' | 'label' | 'namespace'>,
): GraphNode {
  return {
    cluster: 'Kubernetes',
    isRoot: false,
    isGateway: false,
    isOutside: false,
    isIdle: false,
    hasMissingSidecar: false,
    isServiceEntry: false,
    isBox: false,
    ...noConfigBadges(),
    ...emptyNodeTraffic(),
    healthStatus: 'Healthy',
    healthReason: '',
    ...fields,
  };
}
