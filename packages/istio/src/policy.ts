/**
 * DestinationRule policy with Istio's and Envoy's defaults filled in (TRAFFIC-SEMANTICS.md §7), so a
 * simulator reads plain numbers: circuit-breaker thresholds, outlier detection, load balancer.
 */
import type { TrafficPolicy } from './model';
import { parseDuration } from './duration';

/** Istio's default for every circuit-breaker threshold: 2^32 − 1, i.e. unlimited. */
export const UNLIMITED = 4_294_967_295;

export interface CircuitBreakerLimits {
  /** tcp.maxConnections (Envoy max_connections). */
  maxConnections: number;
  /** http.http1MaxPendingRequests (max_pending_requests): overflow → 503 UO. */
  maxPendingRequests: number;
  /** http.http2MaxRequests (max_requests, concurrent in-flight): overflow → 503 UO. */
  maxRequests: number;
  /** http.maxRetries (concurrent retries): overflow → retry skipped, UO added. */
  maxRetries: number;
  /** http.maxRequestsPerConnection; 0 = unlimited. */
  maxRequestsPerConnection: number;
  /** tcp.connectTimeout, default the mesh connectTimeout (10 s). */
  connectTimeoutMs: number;
  /** http.idleTimeout / tcp.idleTimeout, default 1 h. */
  httpIdleTimeoutMs: number;
  tcpIdleTimeoutMs: number;
}

function limit(v: number | undefined): number {
  return v === undefined || v === null || v <= 0 ? UNLIMITED : v;
}

export function circuitBreakerLimits(policy: TrafficPolicy | undefined): CircuitBreakerLimits {
  const cp = policy?.connectionPool;
  return {
    maxConnections: limit(cp?.tcp?.maxConnections),
    maxPendingRequests: limit(cp?.http?.http1MaxPendingRequests),
    maxRequests: limit(cp?.http?.http2MaxRequests),
    maxRetries: limit(cp?.http?.maxRetries),
    maxRequestsPerConnection: Math.max(0, cp?.http?.maxRequestsPerConnection ?? 0),
    connectTimeoutMs: parseDuration(cp?.tcp?.connectTimeout) ?? 10_000,
    httpIdleTimeoutMs: parseDuration(cp?.http?.idleTimeout) ?? 3_600_000,
    tcpIdleTimeoutMs: parseDuration(cp?.tcp?.idleTimeout) ?? 3_600_000,
  };
}

export interface OutlierDetectionSettings {
  /** Consecutive 5xx (and local-origin failures unless split) before ejection; undefined = disabled. */
  consecutive5xxErrors?: number;
  /** Consecutive 502/503/504; undefined = disabled. */
  consecutiveGatewayErrors?: number;
  splitExternalLocalOriginErrors: boolean;
  consecutiveLocalOriginFailures: number;
  intervalMs: number;
  baseEjectionTimeMs: number;
  /** Envoy max_ejection_time: 300 s, or the base if larger. */
  maxEjectionTimeMs: number;
  maxEjectionPercent: number;
  /** Healthy panic threshold; Istio sets 0 (no panic mode) whenever outlierDetection is present. */
  minHealthPercent: number;
}

/** Outlier detection in force, or undefined when the policy has no outlierDetection block (nothing ejected). */
export function outlierDetectionSettings(
  policy: TrafficPolicy | undefined,
): OutlierDetectionSettings | undefined {
  const od = policy?.outlierDetection;
  if (!od) return undefined;
  const base = parseDuration(od.baseEjectionTime) ?? 30_000;
  const c5 = od.consecutive5xxErrors;
  const cg = od.consecutiveGatewayErrors;
  return {
    consecutive5xxErrors: c5 === undefined || c5 === null ? 5 : c5 > 0 ? c5 : undefined,
    consecutiveGatewayErrors: cg !== undefined && cg !== null && cg > 0 ? cg : undefined,
    splitExternalLocalOriginErrors: od.splitExternalLocalOriginErrors === true,
    consecutiveLocalOriginFailures: od.consecutiveLocalOriginFailures ?? 5,
    intervalMs: parseDuration(od.interval) ?? 10_000,
    baseEjectionTimeMs: base,
    maxEjectionTimeMs: Math.max(300_000, base),
    maxEjectionPercent: od.maxEjectionPercent ?? 10,
    minHealthPercent: od.minHealthPercent ?? 0,
  };
}

export type LoadBalancerKind = 'LEAST_REQUEST' | 'ROUND_ROBIN' | 'RANDOM' | 'PASSTHROUGH' | 'CONSISTENT_HASH';

/** `UNSPECIFIED`, unset and the deprecated `LEAST_CONN` all mean LEAST_REQUEST. */
export function loadBalancerKind(policy: TrafficPolicy | undefined): LoadBalancerKind {
  const lb = policy?.loadBalancer;
  if (lb?.consistentHash) return 'CONSISTENT_HASH';
  switch (lb?.simple) {
    case 'ROUND_ROBIN':
      return 'ROUND_ROBIN';
    case 'RANDOM':
      return 'RANDOM';
    case 'PASSTHROUGH':
      return 'PASSTHROUGH';
    default:
      return 'LEAST_REQUEST';
  }
}
