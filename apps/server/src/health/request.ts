import type { HealthStatus } from '@meshlens/contract';
import { requestHealthReason } from './reason';
import { codeMatches, regexMatches, type Tolerance } from './tolerances';
import { STATUS_RANK, type Verdict } from './verdict';

/** Requests/s per response code, per protocol; `-` is "no response" (HTTP code 0). */
export interface CodeRates {
  http: ReadonlyMap<string, number>;
  grpc: ReadonlyMap<string, number>;
}

export type Direction = 'inbound' | 'outbound';

const NO_CODES: ReadonlyMap<string, number> = new Map();
export const NO_RATES: CodeRates = { http: NO_CODES, grpc: NO_CODES };

/** CodeRates from plain objects: `codeRates({ '200': 9.5, '503': 0.5 })`. */
export function codeRates(http: Record<string, number> = {}, grpc: Record<string, number> = {}): CodeRates {
  return { http: new Map(Object.entries(http)), grpc: new Map(Object.entries(grpc)) };
}

/** Total requests/s over both protocols. */
export function totalRate(r: CodeRates): number {
  let t = 0;
  for (const v of r.http.values()) t += v;
  for (const v of r.grpc.values()) t += v;
  return t;
}

/**
 * A tolerance list compiled once: which of its tolerances apply per protocol and direction, and which
 * match each code. Health then costs a few array reads per (entity, code), no regex, no key strings.
 */
interface CompiledTolerances {
  applicable: Map<string, number[]>;
  /** code → matches[i] for tolerance i. */
  masks: Map<string, boolean[]>;
}
const compiledTolerances = new WeakMap<readonly Tolerance[], CompiledTolerances>();

function compile(list: readonly Tolerance[]): CompiledTolerances {
  let c = compiledTolerances.get(list);
  if (!c) compiledTolerances.set(list, (c = { applicable: new Map(), masks: new Map() }));
  return c;
}

function applicableOf(
  c: CompiledTolerances,
  list: readonly Tolerance[],
  protocol: string,
  direction: string,
) {
  const key = `${protocol} ${direction}`;
  let idx = c.applicable.get(key);
  if (!idx) {
    idx = [];
    for (let i = 0; i < list.length; i++)
      if (regexMatches(list[i]!.protocol, protocol) && regexMatches(list[i]!.direction, direction))
        idx.push(i);
    c.applicable.set(key, idx);
  }
  return idx;
}

function maskOf(c: CompiledTolerances, list: readonly Tolerance[], code: string): boolean[] {
  let mask = c.masks.get(code);
  if (!mask) {
    mask = list.map((t) => codeMatches(t.code, code));
    if (c.masks.size < 1000) c.masks.set(code, mask);
  }
  return mask;
}

const scratch: number[] = [];

/**
 * Request health of one direction (Kiali): for each tolerance that applies to the protocol and direction,
 * error% = matching-code rate / total × 100; a share > 0 is Failure at ≥ failure, else Degraded at
 * ≥ degraded. The worst wins, with the sentence of the tolerance that decided it. No requests → NoTraffic;
 * requests and no tolerance crossed → Healthy.
 */
export function requestHealth(
  rates: CodeRates,
  tolerances: readonly Tolerance[],
  direction: Direction | string = 'inbound',
): Verdict {
  const c = compile(tolerances);
  let status: HealthStatus = 'NoTraffic';
  let reason = '';
  for (const protocol of ['http', 'grpc'] as const) {
    const codes = rates[protocol];
    if (codes.size === 0) continue;
    let total = 0;
    for (const v of codes.values()) total += v;
    if (total <= 0) continue;
    if (STATUS_RANK[status] < STATUS_RANK.Healthy) status = 'Healthy';
    const idx = applicableOf(c, tolerances, protocol, direction);
    if (idx.length === 0) continue;
    for (let j = 0; j < idx.length; j++) scratch[j] = 0;
    for (const [code, v] of codes) {
      const mask = maskOf(c, tolerances, code);
      for (let j = 0; j < idx.length; j++) if (mask[idx[j]!]) scratch[j]! += v;
    }
    for (let j = 0; j < idx.length; j++) {
      const pct = (scratch[j]! / total) * 100;
      if (pct <= 0) continue;
      const t = tolerances[idx[j]!]!;
      const next: 'Failure' | 'Degraded' | undefined =
        pct >= t.failure ? 'Failure' : pct >= t.degraded ? 'Degraded' : undefined;
      if (!next || STATUS_RANK[next] <= STATUS_RANK[status]) continue;
      status = next;
      reason = requestHealthReason(t, protocol, direction, pct, next);
    }
  }
  return { status, reasons: reason ? [reason] : [] };
}

/**
 * Request health of an entity seen from both sides, as the graph grades a node: its inbound requests when
 * it has any, else its outbound ones; TCP-only traffic (no HTTP or gRPC request) counts as Healthy.
 */
export function trafficHealth(
  t: { inbound?: CodeRates; outbound?: CodeRates; tcpBytesPerSecond?: number },
  tolerances: readonly Tolerance[],
): Verdict {
  const inbound = t.inbound ?? NO_RATES;
  const hasInbound = inbound.http.size > 0 || inbound.grpc.size > 0;
  let v = hasInbound
    ? requestHealth(inbound, tolerances, 'inbound')
    : requestHealth(t.outbound ?? NO_RATES, tolerances, 'outbound');
  if (v.status === 'NoTraffic' && (t.tcpBytesPerSecond ?? 0) > 0) v = { status: 'Healthy', reasons: [] };
  return v;
}
