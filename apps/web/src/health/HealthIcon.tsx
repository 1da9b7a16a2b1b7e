import type { HealthVerdict } from '@meshlens/contract';
import { explainHealth, STATUS_WORDS } from './words';
import './health.css';

const GLYPH = { Failure: '✖', Degraded: '▲', NotReady: '◌', Healthy: '●', NoTraffic: '○' } as const;

/** The shared health icon: a coloured glyph whose title (hover) and accessible name explain it in words. */
export function HealthIcon({ health, withText = false }: { health: HealthVerdict; withText?: boolean }) {
  const text = explainHealth(health);
  return (
    <span className={`health health-${health.status}`} title={text} aria-label={text} role="img">
      <span aria-hidden>{GLYPH[health.status]}</span>
      {withText && (
        <span className="health-text" aria-hidden>
          {STATUS_WORDS[health.status]}
        </span>
      )}
    </span>
  );
}
