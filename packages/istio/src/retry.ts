/**
 * Retry policy (TRAFFIC-SEMANTICS.md §5): what a route's `retries` block (or its absence) turns into, and
 * Envoy's rules for whether a given failure is retried. The simulator plays the attempts; these functions
 * decide.
 */
import type { RetryDecision } from './evaluate.types';
import type { HTTPRetry } from './model';
import { parseDuration } from './duration';

/** Istio's built-in default when a route has no `retries` block. */
export const DEFAULT_RETRY_ON = [
  'connect-failure',
  'refused-stream',
  'unavailable',
  'cancelled',
  'retriable-status-codes',
] as const;
export const DEFAULT_RETRY_ATTEMPTS = 2;
export const DEFAULT_BACKOFF_BASE_MS = 25;

export function defaultRetryDecision(): RetryDecision {
  return {
    attempts: DEFAULT_RETRY_ATTEMPTS,
    retryOn: [...DEFAULT_RETRY_ON],
    retriableStatusCodes: [],
    backoffBaseMs: DEFAULT_BACKOFF_BASE_MS,
    retryOtherHosts: true,
  };
}

/**
 * istiod's `ConvertPolicy`: absent block → the default; `attempts` ≤ 0 (or unset) → retries disabled;
 * otherwise the default with attempts replaced and, when `retryOn` is set, its conditions (numbers become
 * retriable status codes and 'retriable-status-codes' is added).
 */
export function retryDecision(
  retries: HTTPRetry | undefined,
  consistentHash = false,
  meshDefault?: HTTPRetry,
): RetryDecision {
  if (!retries && meshDefault) return retryDecision(meshDefault, consistentHash);
  if (!retries) {
    const d = defaultRetryDecision();
    d.retryOtherHosts = !consistentHash;
    return d;
  }
  const attempts = Math.max(0, Math.trunc(retries.attempts ?? 0));
  if (attempts === 0) return { attempts: 0, retryOn: [], retriableStatusCodes: [] };
  const out = defaultRetryDecision();
  out.attempts = attempts;
  if (retries.retryOn && retries.retryOn.trim() !== '') {
    const parts = retries.retryOn
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    const codes = parts.filter((p) => /^\d+$/.test(p)).map(Number);
    out.retryOn = parts;
    out.retriableStatusCodes = codes;
    if (codes.length > 0 && !parts.includes('retriable-status-codes'))
      out.retryOn.push('retriable-status-codes');
  }
  const perTry = parseDuration(retries.perTryTimeout);
  if (perTry !== undefined && perTry > 0) out.perTryTimeoutMs = perTry;
  const backoff = parseDuration(retries.backoff);
  if (backoff !== undefined && backoff > 0) out.backoffBaseMs = backoff;
  out.retryOtherHosts = !consistentHash && retries.retryIgnorePreviousHosts !== false;
  return out;
}

/** What happened to one upstream attempt. `status` is a response the upstream actually sent. */
export type UpstreamFailure =
  | { kind: 'status'; status: number; grpcStatus?: string | number }
  | { kind: 'connectFailure' }
  | { kind: 'reset' }
  | { kind: 'refusedStream' }
  | { kind: 'perTryTimeout' }
  /** Circuit breaker overflow: never retried. */
  | { kind: 'overflow' };

const GRPC_CODES: Record<string, number> = {
  cancelled: 1,
  'deadline-exceeded': 4,
  'resource-exhausted': 8,
  internal: 13,
  unavailable: 14,
};
const GRPC_NAMES: Record<string, number> = {
  CANCELLED: 1,
  DEADLINE_EXCEEDED: 4,
  RESOURCE_EXHAUSTED: 8,
  INTERNAL: 13,
  UNAVAILABLE: 14,
};

/**
 * Envoy's retry decision for one failed attempt (`wouldRetryFromReset` / `wouldRetryFromHeaders`):
 * - connect failure: `connect-failure`, `5xx`, `gateway-error` or `reset`;
 * - reset and per-try timeout (treated as a reset): `5xx`, `gateway-error`, `reset`;
 * - refused stream: `refused-stream`, `5xx`, `gateway-error`, `reset`;
 * - a response: `5xx` (≥500), `gateway-error` (502/503/504), `retriable-4xx` (409), listed status codes
 *   under `retriable-status-codes`, gRPC conditions against `grpc-status`;
 * - overflow: never.
 * Whether attempts remain (and the maxRetries breaker) is the caller's bookkeeping.
 */
export function isRetriable(decision: RetryDecision, failure: UpstreamFailure): boolean {
  if (decision.attempts <= 0) return false;
  const on = new Set(decision.retryOn);
  const resetLike = on.has('5xx') || on.has('gateway-error') || on.has('reset');
  switch (failure.kind) {
    case 'overflow':
      return false;
    case 'connectFailure':
      return on.has('connect-failure') || resetLike;
    case 'reset':
    case 'perTryTimeout':
      return resetLike;
    case 'refusedStream':
      return on.has('refused-stream') || resetLike;
    case 'status': {
      const s = failure.status;
      if (on.has('5xx') && s >= 500) return true;
      if (on.has('gateway-error') && (s === 502 || s === 503 || s === 504)) return true;
      if (on.has('retriable-4xx') && s === 409) return true;
      if (on.has('retriable-status-codes') && decision.retriableStatusCodes.includes(s)) return true;
      if (failure.grpcStatus !== undefined) {
        const code =
          typeof failure.grpcStatus === 'number'
            ? failure.grpcStatus
            : GRPC_NAMES[failure.grpcStatus.toUpperCase()];
        for (const [cond, c] of Object.entries(GRPC_CODES)) if (on.has(cond) && c === code) return true;
      }
      return false;
    }
  }
}

/**
 * Fully jittered exponential back-off before retry number `retry` (1-based): uniform in
 * [0, (2^retry − 1) × base), capped at 10 × base (Envoy's default max interval; 250 ms for the 25 ms base).
 */
export function retryBackoffMs(decision: RetryDecision, retry: number, random: () => number): number {
  const base = decision.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS;
  const ceiling = Math.min((2 ** Math.max(1, retry) - 1) * base, 10 * base);
  return random() * ceiling;
}
