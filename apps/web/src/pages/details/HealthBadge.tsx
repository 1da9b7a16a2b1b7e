import type { HealthStatus } from '@meshlens/contract';

const TEXT: Record<HealthStatus, string> = {
  Healthy: 'Healthy',
  Degraded: 'Degraded',
  Failure: 'Failure',
  NoTraffic: 'No traffic',
  NotReady: 'Not ready',
};

/** A health dot and word; hovering explains it (the rule, rate and threshold that decided). */
export function HealthBadge({ status, reasons }: { status: HealthStatus; reasons: readonly string[] }) {
  const why = reasons.length ? reasons.join('\n') : undefined;
  return (
    <span className={`health health-${status}`} title={why} data-testid="health">
      <span className="dot" aria-hidden /> {TEXT[status]}
      {why && <span className="visually-hidden">: {reasons.join('; ')}</span>}
    </span>
  );
}
