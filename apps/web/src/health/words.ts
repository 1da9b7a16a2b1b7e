import type { HealthStatus, HealthVerdict } from '@meshlens/contract';

export const STATUS_WORDS: Record<HealthStatus, string> = {
  Failure: 'Failure',
  Degraded: 'Degraded',
  NotReady: 'Not ready',
  Healthy: 'Healthy',
  NoTraffic: 'No traffic',
};

export const STATUS_ORDER: readonly HealthStatus[] = [
  'Failure',
  'Degraded',
  'NotReady',
  'Healthy',
  'NoTraffic',
];

/** Rank for sorting: worst first. */
export const statusRank = (s: HealthStatus) => STATUS_ORDER.indexOf(s);

/** The hover text of a health icon: the status, then each reason on its own line. */
export function explainHealth(v: HealthVerdict): string {
  const head = STATUS_WORDS[v.status];
  if (v.reasons.length) return `${head}\n${v.reasons.map((r) => `• ${r}`).join('\n')}`;
  if (v.status === 'Healthy') return `${head}: no error rate above its tolerance, every pod available`;
  if (v.status === 'NoTraffic') return `${head}: no requests in the window; pods as desired`;
  return head;
}
