/**
 * Per-request draws of a matched rule (TRAFFIC-SEMANTICS.md §4 and §6): fault delay and abort, and mirrors.
 */
import type { Destination, FaultDecision, MeshConfig } from './evaluate.types';
import type { HTTPFaultInjection, HTTPRoute, Percent } from './model';
import { parseDuration } from './duration';
import { resolveDestination } from './destination';

function percentOf(p: Percent | undefined, legacy: number | undefined): number {
  if (p) return Math.min(100, Math.max(0, p.value ?? 0));
  return Math.min(100, Math.max(0, legacy ?? 0));
}

/** Rolls a percentage: 100 always, 0 never, otherwise one draw. */
export function rollPercent(percent: number, random: () => number): boolean {
  if (percent >= 100) return true;
  if (percent <= 0) return false;
  return random() * 100 < percent;
}

/** §4: the delay decision first, then an independent abort decision; unset percentage = never. */
export function rollFault(fault: HTTPFaultInjection | undefined, random: () => number): FaultDecision {
  const out: FaultDecision = {};
  if (!fault) return out;
  const d = fault.delay;
  if (d && d.fixedDelay !== undefined) {
    const ms = parseDuration(d.fixedDelay);
    if (ms !== undefined && ms > 0 && rollPercent(percentOf(d.percentage, d.percent), random))
      out.delayMs = ms;
  }
  const a = fault.abort;
  if (a && (a.httpStatus !== undefined || a.grpcStatus !== undefined)) {
    if (rollPercent(percentOf(a.percentage, undefined), random)) {
      if (a.grpcStatus !== undefined) {
        out.abortStatus = 200;
        out.abortGrpcStatus = a.grpcStatus;
      } else {
        out.abortStatus = a.httpStatus;
      }
    }
  }
  return out;
}

/** §6: `mirror` with mirrorPercentage (or deprecated mirrorPercent; default 100), then each `mirrors[]`. */
export function rollMirrors(
  config: MeshConfig,
  rule: HTTPRoute,
  vsNamespace: string,
  port: number | undefined,
  random: () => number,
): Destination[] {
  const out: Destination[] = [];
  if (rule.mirror) {
    const pct = rule.mirrorPercentage
      ? percentOf(rule.mirrorPercentage, undefined)
      : rule.mirrorPercent !== undefined
        ? percentOf(undefined, rule.mirrorPercent)
        : 100;
    if (rollPercent(pct, random)) out.push(resolveDestination(config, rule.mirror, vsNamespace, port));
  }
  for (const m of rule.mirrors ?? []) {
    const pct = m.percentage ? percentOf(m.percentage, undefined) : 100;
    if (rollPercent(pct, random)) out.push(resolveDestination(config, m.destination, vsNamespace, port));
  }
  return out;
}
