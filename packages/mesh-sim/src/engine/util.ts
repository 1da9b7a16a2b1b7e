/** Small helpers of the request simulation: local replies, gRPC status mapping, sizes. */
import type { Random } from '../random';

/** Envoy's Grpc::Utility::httpToGrpcStatus. */
export function httpToGrpcStatus(status: number): number {
  switch (status) {
    case 400:
      return 13;
    case 401:
      return 16;
    case 403:
      return 7;
    case 404:
      return 12;
    case 429:
    case 502:
    case 503:
    case 504:
      return 14;
    default:
      return 2;
  }
}

const GRPC_STATUS_NUMBERS: Record<string, number> = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
};

export function grpcStatusNumber(name: string): number {
  const n = Number(name);
  if (Number.isInteger(n)) return n;
  return GRPC_STATUS_NUMBERS[name.toUpperCase()] ?? 2;
}

export interface Reply {
  code: number;
  /** gRPC status as a string; '' for plain HTTP. */
  grpc: string;
}

/**
 * A reply Envoy generates itself. For gRPC requests Envoy answers HTTP 200 with the mapped grpc-status
 * (trailers-only response), so response_code is 200 and grpc_response_status carries the error.
 */
export function localReply(status: number, protocol: 'http' | 'grpc', grpcName?: string): Reply {
  if (protocol === 'http') return { code: status, grpc: '' };
  return {
    code: 200,
    grpc: String(grpcName !== undefined ? grpcStatusNumber(grpcName) : httpToGrpcStatus(status)),
  };
}

/** A size around `mean` (±25%), at least 1. */
export function jitter(random: Random, mean: number): number {
  return Math.max(1, Math.round(mean * (0.75 + random() * 0.5)));
}

/** Wire size of a local reply (status line, a few headers, short body). */
export const LOCAL_REPLY_BYTES = 120;
/** Time a sidecar adds per hop, ms. */
export const hopOverhead = (random: Random) => 0.2 + random() * 0.4;

export function failed(r: Reply): boolean {
  return r.code === 0 || r.code >= 500 || (r.grpc !== '' && r.grpc !== '0');
}

export function hasLabels(p: { labels: Record<string, string> }, labels: Record<string, string>): boolean {
  for (const k in labels) if (p.labels[k] !== labels[k]) return false;
  return true;
}
