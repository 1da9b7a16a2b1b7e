/** DestinationRule (networking.istio.io v1 / v1beta1 / v1alpha3). */
import type { IstioObject, PortSelector, WorkloadSelector } from './common';

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
