import type { HealthCounts } from '@meshlens/contract';
import { Link } from 'wouter';
import { STATUS_ORDER, STATUS_WORDS } from '../../health/words';

const GLYPH = { Failure: '✖', Degraded: '▲', NotReady: '◌', Healthy: '●', NoTraffic: '○' } as const;

/** `4 Applications: ● 3 ▲ 1`, linking to the list filtered to the namespace. */
export function HealthCountsView({
  label,
  counts,
  href,
}: {
  label: string;
  counts: HealthCounts;
  href: string;
}) {
  const total = STATUS_ORDER.reduce((n, s) => n + counts[s], 0);
  const words = STATUS_ORDER.filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${STATUS_WORDS[s].toLowerCase()}`)
    .join(', ');
  return (
    <div className="ov-counts">
      <Link href={href} className="ov-counts-link" title={`${total} ${label}: ${words || 'none'}`}>
        <span className="ov-counts-total">{total}</span> {label}
      </Link>
      <span className="ov-counts-statuses" role="img" aria-label={words || 'none'}>
        {STATUS_ORDER.filter((s) => counts[s] > 0).map((s) => (
          <span
            key={s}
            className={`health health-${s}`}
            title={`${counts[s]} ${STATUS_WORDS[s]}`}
            aria-hidden
          >
            {GLYPH[s]} {counts[s]}
          </span>
        ))}
      </span>
    </div>
  );
}
