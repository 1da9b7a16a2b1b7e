/**
 * Typed Istio objects (networking.istio.io v1 / v1beta1 / v1alpha3 share one shape; security.istio.io v1
 * PeerAuthentication). Every field is optional where the CRD makes it optional, so plain Kubernetes objects
 * as read from the API server (or parsed from YAML) fit these types as they are.
 *
 * Helpers that work on these objects live beside them and are re-exported here: host resolution
 * (./hosts), durations (./duration).
 */

export interface ObjectMeta {
  name: string;
  /** Absent on objects read from a manifest without a namespace: treated as `default` (see namespaceOf). */
  namespace?: string;
  /** RFC 3339 string from the API (client-node's typed APIs turn it into a Date). Orders duplicates. */
  creationTimestamp?: string | Date;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface IstioObject<K extends string, S> {
  apiVersion: string;
  kind: K;
  metadata: ObjectMeta;
  spec: S;
}

// ---------------------------------------------------------------------------------------------------------
// Shared pieces

/** One of exact / prefix / regex (RE2, whole-string match). An empty object means "present". */
export interface StringMatch {
  exact?: string;
  prefix?: string;
  regex?: string;
}

export interface PortSelector {
  number?: number;
}

/** Istio `Destination`: a host (short name, FQDN or ServiceEntry host), optional subset and port. */
export interface RouteDestinationRef {
  host: string;
  subset?: string;
  port?: PortSelector;
}

export interface Percent {
  value?: number;
}

export interface WorkloadSelector {
  matchLabels?: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------------------
// VirtualService

export interface HTTPMatchRequest {
  name?: string;
  uri?: StringMatch;
  scheme?: StringMatch;
  method?: StringMatch;
  authority?: StringMatch;
  headers?: Record<string, StringMatch>;
  withoutHeaders?: Record<string, StringMatch>;
  queryParams?: Record<string, StringMatch>;
  port?: number;
  sourceLabels?: Record<string, string>;
  sourceNamespace?: string;
  gateways?: string[];
  ignoreUriCase?: boolean;
  statPrefix?: string;
}

export interface HeaderOperations {
  set?: Record<string, string>;
  add?: Record<string, string>;
  remove?: string[];
}

export interface Headers {
  request?: HeaderOperations;
  response?: HeaderOperations;
}

export interface HTTPRouteDestination {
  destination: RouteDestinationRef;
  weight?: number;
  headers?: Headers;
}

export interface HTTPFaultInjection {
  delay?: {
    fixedDelay?: string;
    exponentialDelay?: string;
    percentage?: Percent;
    /** Deprecated integer percentage; honoured when `percentage` is unset. */
    percent?: number;
  };
  abort?: {
    httpStatus?: number;
    grpcStatus?: string;
    http2Error?: string;
    percentage?: Percent;
  };
}

export interface HTTPRetry {
  attempts?: number;
  perTryTimeout?: string;
  retryOn?: string;
  retryRemoteLocalities?: boolean;
  retryIgnorePreviousHosts?: boolean;
  backoff?: string;
}

export interface HTTPMirrorPolicy {
  destination: RouteDestinationRef;
  percentage?: Percent;
}

export interface HTTPRedirect {
  uri?: string;
  authority?: string;
  port?: number;
  derivePort?: 'FROM_PROTOCOL_DEFAULT' | 'FROM_REQUEST_PORT';
  scheme?: string;
  redirectCode?: number;
}

export interface HTTPDirectResponse {
  status: number;
  body?: { string?: string; bytes?: string };
}

export interface HTTPRoute {
  name?: string;
  match?: HTTPMatchRequest[];
  route?: HTTPRouteDestination[];
  redirect?: HTTPRedirect;
  directResponse?: HTTPDirectResponse;
  delegate?: { name?: string; namespace?: string };
  rewrite?: { uri?: string; authority?: string; uriRegexRewrite?: { match?: string; rewrite?: string } };
  timeout?: string;
  retries?: HTTPRetry;
  fault?: HTTPFaultInjection;
  mirror?: RouteDestinationRef;
  /** Deprecated integer mirror percentage. */
  mirrorPercent?: number;
  mirrorPercentage?: Percent;
  mirrors?: HTTPMirrorPolicy[];
  corsPolicy?: Record<string, unknown>;
  headers?: Headers;
}

export interface L4MatchAttributes {
  destinationSubnets?: string[];
  port?: number;
  sourceLabels?: Record<string, string>;
  sourceNamespace?: string;
  sourceSubnet?: string;
  gateways?: string[];
}

export interface RouteDestination {
  destination: RouteDestinationRef;
  weight?: number;
}

export interface TCPRoute {
  match?: L4MatchAttributes[];
  route?: RouteDestination[];
}

export interface TLSRoute {
  match?: (L4MatchAttributes & { sniHosts?: string[] })[];
  route?: RouteDestination[];
}

export interface VirtualServiceSpec {
  hosts?: string[];
  gateways?: string[];
  http?: HTTPRoute[];
  tcp?: TCPRoute[];
  tls?: TLSRoute[];
  exportTo?: string[];
}

export type VirtualService = IstioObject<'VirtualService', VirtualServiceSpec>;

// ---------------------------------------------------------------------------------------------------------
// DestinationRule

export type SimpleLB =
  'UNSPECIFIED' | 'LEAST_CONN' | 'RANDOM' | 'PASSTHROUGH' | 'ROUND_ROBIN' | 'LEAST_REQUEST';

export interface LoadBalancerSettings {
  simple?: SimpleLB;
  consistentHash?: {
    httpHeaderName?: string;
    httpCookie?: { name?: string; path?: string; ttl?: string };
    useSourceIp?: boolean;
    httpQueryParameterName?: string;
    ringHash?: { minimumRingSize?: number };
    maglev?: { tableSize?: number };
    minimumRingSize?: number;
  };
  localityLbSetting?: Record<string, unknown>;
  warmup?: { duration?: string; minimumPercent?: number; aggression?: number };
  warmupDurationSecs?: string;
}

export interface ConnectionPoolSettings {
  tcp?: {
    maxConnections?: number;
    connectTimeout?: string;
    tcpKeepalive?: Record<string, unknown>;
    maxConnectionDuration?: string;
    idleTimeout?: string;
  };
  http?: {
    http1MaxPendingRequests?: number;
    http2MaxRequests?: number;
    maxRequestsPerConnection?: number;
    maxRetries?: number;
    idleTimeout?: string;
    h2UpgradePolicy?: 'DEFAULT' | 'DO_NOT_UPGRADE' | 'UPGRADE';
    useClientProtocol?: boolean;
    maxConcurrentStreams?: number;
  };
}

export interface OutlierDetection {
  consecutive5xxErrors?: number;
  consecutiveGatewayErrors?: number;
  splitExternalLocalOriginErrors?: boolean;
  consecutiveLocalOriginFailures?: number;
  interval?: string;
  baseEjectionTime?: string;
  maxEjectionPercent?: number;
  minHealthPercent?: number;
  /** Deprecated; Istio ignores it. */
  consecutiveErrors?: number;
}

export type ClientTlsMode = 'DISABLE' | 'SIMPLE' | 'MUTUAL' | 'ISTIO_MUTUAL';

export interface ClientTLSSettings {
  mode?: ClientTlsMode;
  clientCertificate?: string;
  privateKey?: string;
  caCertificates?: string;
  credentialName?: string;
  subjectAltNames?: string[];
  sni?: string;
  insecureSkipVerify?: boolean;
  caCrl?: string;
}

export interface PortTrafficPolicy {
  port?: PortSelector;
  loadBalancer?: LoadBalancerSettings;
  connectionPool?: ConnectionPoolSettings;
  outlierDetection?: OutlierDetection;
  tls?: ClientTLSSettings;
}

export interface TrafficPolicy {
  loadBalancer?: LoadBalancerSettings;
  connectionPool?: ConnectionPoolSettings;
  outlierDetection?: OutlierDetection;
  tls?: ClientTLSSettings;
  portLevelSettings?: PortTrafficPolicy[];
  tunnel?: { protocol?: string; targetHost?: string; targetPort?: number };
  proxyProtocol?: { version?: 'V1' | 'V2' };
  retryBudget?: { percent?: number; minRetryConcurrency?: number };
}

export interface Subset {
  name: string;
  labels?: Record<string, string>;
  trafficPolicy?: TrafficPolicy;
}

export interface DestinationRuleSpec {
  host?: string;
  trafficPolicy?: TrafficPolicy;
  subsets?: Subset[];
  exportTo?: string[];
  workloadSelector?: WorkloadSelector;
}

export type DestinationRule = IstioObject<'DestinationRule', DestinationRuleSpec>;

// ---------------------------------------------------------------------------------------------------------
// PeerAuthentication (security.istio.io/v1)

export type PeerAuthenticationMtlsMode = 'UNSET' | 'DISABLE' | 'PERMISSIVE' | 'STRICT';

export interface PeerAuthenticationSpec {
  selector?: WorkloadSelector;
  mtls?: { mode?: PeerAuthenticationMtlsMode };
  /** Keyed by workload (container) port number. */
  portLevelMtls?: Record<string, { mode?: PeerAuthenticationMtlsMode }>;
}

export type PeerAuthentication = IstioObject<'PeerAuthentication', PeerAuthenticationSpec>;

// ---------------------------------------------------------------------------------------------------------
// ServiceEntry and Gateway

export interface ServicePort {
  number: number;
  protocol?: string;
  name?: string;
  targetPort?: number;
}

export interface ServiceEntrySpec {
  hosts?: string[];
  addresses?: string[];
  ports?: ServicePort[];
  location?: 'MESH_EXTERNAL' | 'MESH_INTERNAL';
  resolution?: 'NONE' | 'STATIC' | 'DNS' | 'DNS_ROUND_ROBIN' | 'DYNAMIC_DNS';
  endpoints?: {
    address?: string;
    ports?: Record<string, number>;
    labels?: Record<string, string>;
    network?: string;
    locality?: string;
    weight?: number;
    serviceAccount?: string;
  }[];
  workloadSelector?: { labels?: Record<string, string> };
  exportTo?: string[];
  subjectAltNames?: string[];
}

export type ServiceEntry = IstioObject<'ServiceEntry', ServiceEntrySpec>;

export interface GatewayServer {
  port?: ServicePort;
  bind?: string;
  hosts?: string[];
  tls?: Record<string, unknown>;
  name?: string;
  defaultEndpoint?: string;
}

export interface GatewaySpec {
  selector?: Record<string, string>;
  servers?: GatewayServer[];
}

export type Gateway = IstioObject<'Gateway', GatewaySpec>;

/** Any of the Istio kinds this package models. */
export type IstioConfigObject =
  VirtualService | DestinationRule | PeerAuthentication | ServiceEntry | Gateway;

export {
  DEFAULT_CLUSTER_DOMAIN,
  namespaceOf,
  objectKey,
  resolveConfigHost,
  hostMatches,
  hostSpecificity,
  hostsIntersect,
  isExportedTo,
  labelsMatch,
  splitHostPort,
} from './hosts';
export { parseDuration, formatDuration } from './duration';
