/**
 * The routing evaluator's public contract: what Envoy (an Istio sidecar or gateway) does with one request.
 * Shared by packages/mesh-sim (to simulate traffic), apps/server and apps/web (to explain routing).
 * Pure data; the implementation lives in ./evaluate.ts. Spec: TRAFFIC-SEMANTICS.md (Istio 1.30).
 *
 * Istio objects are passed as plain Kubernetes objects (apiVersion, kind, metadata, spec) exactly as read
 * from the API server; the typed shapes are in ./model.ts.
 */
import type {
  DestinationRule,
  PeerAuthentication,
  ServiceEntry,
  VirtualService,
  TrafficPolicy,
} from './model';

/** Everything the evaluator needs to know about the mesh, as a snapshot. */
export interface MeshConfig {
  virtualServices: VirtualService[];
  destinationRules: DestinationRule[];
  peerAuthentications: PeerAuthentication[];
  serviceEntries: ServiceEntry[];
  /** Istio root namespace (mesh-wide PeerAuthentication, exported config). Default 'istio-system'. */
  rootNamespace?: string;
  /** Known Kubernetes services: FQDN host -> namespace/name; used to resolve short hosts and exportTo. */
  services: {
    name: string;
    namespace: string;
    ports: { port: number; name?: string; protocol?: string }[];
  }[];
}

/** The proxy that handles the request: a sidecar of a workload, or a gateway. */
export interface Caller {
  namespace: string;
  /** Pod labels of the calling workload (used for sourceLabels matches and workloadSelector). */
  labels: Record<string, string>;
  /** When the caller is a gateway: its Gateway objects' names as `namespace/name` (VS `gateways` matching). */
  gateways?: string[];
}

export interface HttpRequest {
  /** Host/authority as the app sent it: short (`reviews`), `reviews.bookinfo`, or FQDN. */
  host: string;
  port?: number;
  path: string; // may include ?query
  method: string;
  headers: Record<string, string>;
}

export interface Destination {
  /** Fully qualified host of the chosen destination, e.g. reviews.bookinfo.svc.cluster.local. */
  host: string;
  subset?: string;
  port?: number;
}

export interface RetryDecision {
  /** Retries after the first attempt (0 = none). Istio default: 2 when no retries block. */
  attempts: number;
  perTryTimeoutMs?: number;
  /** Envoy retry_on conditions, e.g. ['connect-failure','refused-stream','unavailable','cancelled','retriable-status-codes','503']. */
  retryOn: string[];
  /** HTTP codes retried (from numeric entries of retryOn). */
  retriableStatusCodes: number[];
}

export interface FaultDecision {
  /** Delay applied to this request (already rolled against percentage), ms. */
  delayMs?: number;
  /** Abort status applied to this request (already rolled against percentage). */
  abortStatus?: number;
}

export type HttpOutcome =
  | {
      kind: 'route';
      /** The VirtualService used (namespace/name), absent when default routing applied. */
      virtualService?: string;
      /** Index of the matched http[] rule and its name, if any. */
      ruleIndex?: number;
      ruleName?: string;
      destination: Destination;
      /** Pod labels selecting the endpoints: the subset's labels (service selector applies in addition). */
      subsetLabels?: Record<string, string>;
      fault: FaultDecision;
      /** Route timeout in ms; undefined = none (Istio default: disabled). */
      timeoutMs?: number;
      retries: RetryDecision;
      /** Mirror rolled for this request (absent when not mirrored this time). */
      mirror?: Destination;
      /** The DestinationRule traffic policy in force for this destination (subset policy merged over top-level, port-level applied). */
      policy?: TrafficPolicy;
      /** The DestinationRule used (namespace/name). */
      destinationRule?: string;
      /** Whether the client sends mTLS: DR tls mode ISTIO_MUTUAL, or auto-mTLS when the DR sets no tls. */
      clientMtls: boolean;
    }
  /** No rule matched: Envoy answers 404, flag NR, source sample only. */
  | { kind: 'noRoute'; virtualService: string }
  /** The route names a subset that no DestinationRule defines: 503, flag NC, source sample only. */
  | { kind: 'noCluster'; virtualService?: string; destination: Destination };

export type TcpOutcome =
  | {
      kind: 'route';
      virtualService?: string;
      destination: Destination;
      subsetLabels?: Record<string, string>;
      policy?: TrafficPolicy;
      destinationRule?: string;
      clientMtls: boolean;
    }
  | { kind: 'noRoute'; virtualService: string }
  | { kind: 'noCluster'; virtualService?: string; destination: Destination };

/** Server-side (destination sidecar) view: does it accept/require mTLS for this workload and port? */
export type PeerAuthMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE';

/**
 * Signatures implemented in ./evaluate.ts (all pure; `random` returns [0,1) and is the only source of
 * randomness so callers can seed it):
 *
 *   evaluateHttp(config: MeshConfig, caller: Caller, req: HttpRequest, random: () => number): HttpOutcome
 *   evaluateTcp(config: MeshConfig, caller: Caller, host: string, port: number, random: () => number): TcpOutcome
 *   peerAuthMode(config: MeshConfig, namespace: string, workloadLabels: Record<string,string>, port?: number): PeerAuthMode
 *   connectionSecurityPolicy(clientMtls: boolean, mode: PeerAuthMode): 'mutual_tls' | 'none'
 *   resolveHost(config: MeshConfig, host: string, callerNamespace: string): string   // short -> FQDN
 */
