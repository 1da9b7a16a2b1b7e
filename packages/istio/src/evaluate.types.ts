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
  Gateway,
  PeerAuthentication,
  HTTPRetry,
  ServiceEntry,
  VirtualService,
  TrafficPolicy,
} from './model';

/**
 * Everything the evaluator needs to know about the mesh, as a snapshot. Lookup tables are built once per
 * MeshConfig object (and rebuilt when one of its arrays is replaced or changes length): to change config,
 * build a new object or new arrays rather than editing objects inside them.
 */
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
    ports: { port: number; name?: string; protocol?: string; targetPort?: number | string }[];
    /** The service's pod selector; with `workloads`, finds a destination's pods (auto mTLS, validations). */
    selector?: Record<string, string>;
  }[];
  /** Kubernetes cluster domain used to qualify short hosts. Default 'cluster.local'. */
  clusterDomain?: string;
  /** Gateways known to the mesh (validations: gateway not found). Not needed for routing. */
  gateways?: Gateway[];
  /**
   * Workloads (pod templates) with their labels. Optional: used to decide auto mTLS (does the destination
   * have a sidecar?) and by validations (subset labels matching no workload). Absent = every destination is
   * assumed to run a sidecar.
   */
  workloads?: WorkloadInfo[];
  /** MeshConfig `enableAutoMtls`. Default true. */
  autoMtls?: boolean;
  /** MeshConfig `defaultHttpRetryPolicy`: replaces Istio's built-in default for routes without `retries`. */
  defaultHttpRetryPolicy?: HTTPRetry;
}

export interface WorkloadInfo {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  /** Whether the pods run an Istio sidecar. Default true. */
  sidecar?: boolean;
}

/** The proxy that handles the request: a sidecar of a workload, or a gateway. */
export interface Caller {
  namespace: string;
  /** Pod labels of the calling workload (used for sourceLabels matches and workloadSelector). */
  labels: Record<string, string>;
  /**
   * When the caller is a gateway: its Gateway objects' names as `namespace/name` (VS `gateways` matching).
   * A gateway matches VirtualService hosts against the request's Host as sent (no short-name completion)
   * and answers 404 NR when no VirtualService bound to it covers the host.
   */
  gateways?: string[];
}

export interface HttpRequest {
  /** Host/authority as the app sent it: short (`reviews`), `reviews.bookinfo`, or FQDN. */
  host: string;
  /**
   * Destination port the app connected to. Default: the port in `host` (`reviews:9080`), else the host's
   * only service port, else 80 (443 for scheme https). Match blocks with `port` compare against it.
   */
  port?: number;
  path: string; // may include ?query
  method: string;
  headers: Record<string, string>;
  /** `:scheme`, for `scheme` matches. Default 'http'. */
  scheme?: string;
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
  /**
   * Envoy retry_on conditions, e.g. ['connect-failure','refused-stream','unavailable','cancelled','retriable-status-codes','503'].
   * Numeric entries stay in this list as written and are also in `retriableStatusCodes`; when there are
   * any, 'retriable-status-codes' is present (Istio adds it). Use `isRetriable()` to apply them.
   */
  retryOn: string[];
  /** HTTP codes retried (from numeric entries of retryOn). */
  retriableStatusCodes: number[];
  /** Base interval of the jittered exponential back-off (`retries.backoff`), ms. Default 25. */
  backoffBaseMs?: number;
  /** Retries prefer another host (previous-hosts predicate); false with consistent-hash load balancing. */
  retryOtherHosts?: boolean;
}

export interface FaultDecision {
  /** Delay applied to this request (already rolled against percentage), ms. */
  delayMs?: number;
  /** Abort status applied to this request (already rolled against percentage). gRPC aborts: 200. */
  abortStatus?: number;
  /** For a gRPC abort (`grpcStatus`): the grpc-status name sent with HTTP 200, e.g. 'UNAVAILABLE'. */
  abortGrpcStatus?: string;
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
      /** Mirror rolled for this request (absent when not mirrored this time); the first of `mirrors`. */
      mirror?: Destination;
      /** Every mirror target rolled for this request (`mirror` + `mirrors[]`). */
      mirrors?: Destination[];
      /** The matched rule answers locally (`directResponse`): no upstream; destination is the requested host. */
      directResponse?: { status: number; body?: string };
      /** The matched rule redirects (`redirect`): the proxy answers this 3xx locally. */
      redirect?: { status: number; location: string };
      /** Human-readable steps: which VirtualService/rule/DestinationRule applied and why. */
      explanation?: string[];
      /** The DestinationRule traffic policy in force for this destination (subset policy merged over top-level, port-level applied). */
      policy?: TrafficPolicy;
      /** The DestinationRule used (namespace/name). */
      destinationRule?: string;
      /** Whether the client sends mTLS: DR tls mode ISTIO_MUTUAL, or auto-mTLS when the DR sets no tls. */
      clientMtls: boolean;
      /**
       * The host is neither a Kubernetes service nor a ServiceEntry host: with outbound ALLOW_ANY the proxy
       * forwards it through `PassthroughCluster` (the metrics' destination_service_name), with
       * REGISTRY_ONLY it answers 502 (BlackHoleCluster).
       */
      passthrough?: boolean;
    }
  /**
   * No rule matched: Envoy answers 404, flag NR, source sample only. `virtualService` is the
   * VirtualService whose rules were tried (namespace/name; several joined by ',' when a gateway merged
   * them), or '' at a gateway that has no VirtualService for the host at all.
   */
  | { kind: 'noRoute'; virtualService: string; explanation?: string[] }
  /** The route names a subset that no DestinationRule defines: 503, flag NC, source sample only. */
  | {
      kind: 'noCluster';
      virtualService?: string;
      /** Index of the matched http[] rule. */
      ruleIndex?: number;
      destination: Destination;
      explanation?: string[];
    };

export type TcpOutcome =
  | {
      kind: 'route';
      virtualService?: string;
      destination: Destination;
      subsetLabels?: Record<string, string>;
      policy?: TrafficPolicy;
      destinationRule?: string;
      clientMtls: boolean;
      /**
       * The host is neither a Kubernetes service nor a ServiceEntry host: with outbound ALLOW_ANY the proxy
       * forwards it through `PassthroughCluster` (the metrics' destination_service_name), with
       * REGISTRY_ONLY it answers 502 (BlackHoleCluster).
       */
      passthrough?: boolean;
      /** Index of the matched tcp[] (or tls[] when `tlsRoute`) rule; absent when the default TCP proxy applied. */
      ruleIndex?: number;
      /** The rule came from `tls[]` (evaluateTcp called with an SNI). */
      tlsRoute?: boolean;
      explanation?: string[];
    }
  /** Kept for symmetry; a sidecar falls back to the service's own TCP proxy, so evaluateTcp never yields it. */
  | { kind: 'noRoute'; virtualService: string; explanation?: string[] }
  | { kind: 'noCluster'; virtualService?: string; destination: Destination; explanation?: string[] };

/** Server-side (destination sidecar) view: does it accept/require mTLS for this workload and port? */
export type PeerAuthMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE';

/**
 * Signatures implemented in ./evaluate.ts (all pure; `random` returns [0,1) and is the only source of
 * randomness so callers can seed it):
 *
 *   evaluateHttp(config: MeshConfig, caller: Caller, req: HttpRequest, random: () => number): HttpOutcome
 *   evaluateTcp(config: MeshConfig, caller: Caller, host: string, port: number, random: () => number, options?: { sni?: string }): TcpOutcome
 *   peerAuthMode(config: MeshConfig, namespace: string, workloadLabels: Record<string,string>, port?: number): PeerAuthMode
 *   connectionSecurityPolicy(clientMtls: boolean, mode: PeerAuthMode): 'mutual_tls' | 'none'
 *   resolveHost(config: MeshConfig, host: string, callerNamespace: string): string   // short -> FQDN
 *
 * Further helpers (./retry, ./policy, ./peerAuth, ./describe): isRetriable, retryBackoffMs,
 * circuitBreakerLimits, outlierDetectionSettings, serverAcceptsConnection, describeRoute.
 */
