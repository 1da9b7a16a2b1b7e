import type { HealthStatus } from '@meshlens/contract';

/** A health verdict and why, in words (which rule, which rate, which threshold). */
export interface Verdict {
  status: HealthStatus;
  /** Why the status is what it is; empty for a plain Healthy or NoTraffic. */
  reasons: string[];
}

/** Kiali's priority: Failure > Degraded > NotReady > Healthy > NoTraffic (NA). */
export const STATUS_RANK: Record<HealthStatus, number> = {
  Failure: 4,
  Degraded: 3,
  NotReady: 2,
  Healthy: 1,
  NoTraffic: 0,
};

export const NO_TRAFFIC: Verdict = Object.freeze({ status: 'NoTraffic', reasons: [] }) as Verdict;
export const HEALTHY: Verdict = Object.freeze({ status: 'Healthy', reasons: [] }) as Verdict;

/**
 * The worst of several verdicts: its status, and the reasons of every verdict with that status (in the
 * order given, so the first reason is the first worst verdict's).
 */
export function combine(...verdicts: readonly Verdict[]): Verdict {
  let status: HealthStatus = 'NoTraffic';
  for (const v of verdicts) if (STATUS_RANK[v.status] > STATUS_RANK[status]) status = v.status;
  const reasons: string[] = [];
  for (const v of verdicts) if (v.status === status) reasons.push(...v.reasons);
  return { status, reasons };
}

/** One line for a tooltip: `Degraded: HTTP server errors (5xx): 2 % of inbound requests, …`. */
export function verdictText(v: Verdict): string {
  return v.reasons.length ? `${v.status}: ${v.reasons.join('; ')}` : v.status;
}
