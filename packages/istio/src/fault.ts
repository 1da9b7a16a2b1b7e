/**
 * Per-request draws of a matched rule (TRAFFIC-SEMANTICS.md §4 and §6): fault delay and abort, and mirrors.
 * The `…Spec` functions give the configured percentages (for previews); the `roll…` functions draw.
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

export interface FaultSpec {
  delay?: { ms: number; percent: number };
  abort?: { status: number; grpcStatus?: string; percent: number };
}

/**
 * The faults a rule configures with their percentages: unset percentage = 0 (never); the deprecated
 * integer `percent` counts for delays; a gRPC abort answers HTTP 200 plus the grpc-status.
 */
export function faultSpec(fault: HTTPFaultInjection | undefined): FaultSpec {
  const out: FaultSpec = {};
  const d = fault?.delay;
  const ms = parseDuration(d?.fixedDelay);
  if (d && ms !== undefined && ms > 0) out.delay = { ms, percent: percentOf(d.percentage, d.percent) };
  const a = fault?.abort;
  if (a && a.grpcStatus !== undefined) {
    out.abort = { status: 200, grpcStatus: a.grpcStatus, percent: percentOf(a.percentage, undefined) };
  } else if (a && a.httpStatus !== undefined) {
    out.abort = { status: a.httpStatus, percent: percentOf(a.percentage, undefined) };
  }
  return out;
}

/** §4: the delay decision first, then an independent abort decision. */
export function rollFault(fault: HTTPFaultInjection | undefined, random: () => number): FaultDecision {
  const spec = faultSpec(fault);
  const out: FaultDecision = {};
  if (spec.delay && rollPercent(spec.delay.percent, random)) out.delayMs = spec.delay.ms;
  if (spec.abort && rollPercent(spec.abort.percent, random)) {
    out.abortStatus = spec.abort.status;
    if (spec.abort.grpcStatus !== undefined) out.abortGrpcStatus = spec.abort.grpcStatus;
  }
  return out;
}

/** §6: `mirror` with mirrorPercentage (or deprecated mirrorPercent; default 100), then each `mirrors[]`. */
export function mirrorSpec(
  config: MeshConfig,
  rule: HTTPRoute,
  vsNamespace: string,
  port: number | undefined,
): { destination: Destination; percent: number }[] {
  const out: { destination: Destination; percent: number }[] = [];
  if (rule.mirror) {
    const percent = rule.mirrorPercentage
      ? percentOf(rule.mirrorPercentage, undefined)
      : rule.mirrorPercent !== undefined
        ? percentOf(undefined, rule.mirrorPercent)
        : 100;
    out.push({ destination: resolveDestination(config, rule.mirror, vsNamespace, port), percent });
  }
  for (const m of rule.mirrors ?? []) {
    const percent = m.percentage ? percentOf(m.percentage, undefined) : 100;
    out.push({ destination: resolveDestination(config, m.destination, vsNamespace, port), percent });
  }
  return out;
}

export function rollMirrors(
  config: MeshConfig,
  rule: HTTPRoute,
  vsNamespace: string,
  port: number | undefined,
  random: () => number,
): Destination[] {
  return mirrorSpec(config, rule, vsNamespace, port)
    .filter((m) => rollPercent(m.percent, random))
    .map((m) => m.destination);
}
