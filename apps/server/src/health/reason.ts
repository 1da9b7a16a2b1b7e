/**
 * Health reasons in words, built from the tolerance that decided the verdict: which responses counted
 * (the code pattern described, never shown as a regex), the protocol, the direction, the share, and the
 * thresholds. E.g. `gRPC errors (status 1–16): 0.2 % of inbound requests, degraded above 0 %, failure at 10 %`.
 */
import type { HealthStatus } from '@meshlens/contract';
import { codeMatches, type Tolerance } from './tolerances';

const PROTOCOL_NAMES: Record<string, string> = { http: 'HTTP', grpc: 'gRPC', tcp: 'TCP' };

/** The codes a pattern is checked against, per protocol: HTTP statuses and gRPC status codes. */
const UNIVERSE: Record<string, readonly number[]> = {
  http: Array.from({ length: 500 }, (_, i) => 100 + i),
  grpc: Array.from({ length: 17 }, (_, i) => i),
};

export function protocolName(protocol: string): string {
  return PROTOCOL_NAMES[protocol] ?? protocol.toUpperCase();
}

/** Consecutive integers as ranges: [1,2,3,5] → "1–3, 5". */
function ranges(codes: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < codes.length;) {
    let j = i;
    while (j + 1 < codes.length && codes[j + 1] === codes[j]! + 1) j++;
    parts.push(j > i ? `${codes[i]}–${codes[j]}` : `${codes[i]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

const same = (a: readonly number[], from: number, to: number) =>
  a.length === to - from + 1 && a[0] === from && a[a.length - 1] === to;

const described = new Map<string, string>();

/**
 * What a tolerance's code pattern counts, for one protocol, in words: `HTTP server errors (5xx)`,
 * `HTTP client errors (4xx)`, `gRPC errors (status 1–16)`, `HTTP requests without a response`,
 * `HTTP status 503`, … A pattern that matches none of the protocol's codes is quoted as it is.
 */
export function describeCodes(pattern: string, protocol: string): string {
  const key = `${pattern}\u0000${protocol}`;
  const hit = described.get(key);
  if (hit !== undefined) return hit;
  const name = protocolName(protocol);
  let text: string;
  if (pattern === '-') text = `${name} requests without a response`;
  else {
    const codes = (UNIVERSE[protocol] ?? []).filter((c) => codeMatches(pattern, String(c)));
    if (codes.length === 0) text = `${name} responses matching "${pattern}"`;
    else if (protocol === 'http' && same(codes, 500, 599)) text = 'HTTP server errors (5xx)';
    else if (protocol === 'http' && same(codes, 400, 499)) text = 'HTTP client errors (4xx)';
    else if (protocol === 'http' && same(codes, 400, 599)) text = 'HTTP errors (4xx and 5xx)';
    else if (protocol === 'grpc' && same(codes, 1, 16)) text = 'gRPC errors (status 1–16)';
    else text = `${name} status ${ranges(codes)}`;
  }
  if (described.size < 1000) described.set(key, text);
  return text;
}

/** A share in %, readable at both ends: `0.2 %`, `12.5 %`, `< 0.1 %`, `100 %`. */
export function percentText(pct: number): string {
  if (pct > 0 && pct < 0.1) return '< 0.1 %';
  return `${Math.round(pct * 10) / 10} %`;
}

/** "degraded above 0 %" (any share), "degraded at 10 %" (that share or more). */
function threshold(word: string, value: number): string {
  return value > 0 ? `${word} at ${percentText(value)}` : `${word} above 0 %`;
}

/** The sentence for a Degraded or Failure verdict of one tolerance. */
export function requestHealthReason(
  t: Tolerance,
  protocol: string,
  direction: string,
  pct: number,
  status: Extract<HealthStatus, 'Degraded' | 'Failure'>,
): string {
  const limits =
    status === 'Failure'
      ? threshold('failure', t.failure)
      : `${threshold('degraded', t.degraded)}, ${threshold('failure', t.failure)}`;
  return `${describeCodes(t.code, protocol)}: ${percentText(pct)} of ${direction} requests, ${limits}`;
}
