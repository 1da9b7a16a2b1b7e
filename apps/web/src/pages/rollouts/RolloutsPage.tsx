import { Link } from 'wouter';
import type { Rollout } from '@meshlens/contract';
import { useRollouts } from './api';
import './rollouts.css';

export function PhaseBadge({ r }: { r: Pick<Rollout, 'phase'> }) {
  const label = {
    running: 'Running',
    paused: 'Paused',
    promoted: 'Promoted',
    rolledBack: 'Rolled back',
    aborted: 'Aborted',
  }[r.phase];
  return (
    <span className={`ro-phase ro-${r.phase}`} data-testid="rollout-phase">
      {label}
    </span>
  );
}

export const fmtTime = (iso: string | undefined) => (iso ? new Date(iso).toLocaleTimeString() : '–');

export const stepLabel = (r: Rollout) =>
  r.current >= r.steps.length
    ? `${r.steps.length}/${r.steps.length}`
    : `${r.current + 1}/${r.steps.length} (${r.steps[r.current]?.percent ?? 0} %)`;

/** `/rollouts`: every rollout the user may read, newest first. */
export function RolloutsPage() {
  const q = useRollouts();
  const rollouts = q.data?.rollouts ?? [];
  return (
    <div className="page ro-page">
      <div className="page-header">
        <h1>Rollouts</h1>
        {q.data?.driver && (
          <span className="muted small" title="The console instance holding the rollouts' Lease">
            driven by {q.data.driver}
          </span>
        )}
      </div>
      <div className="ro-body">
        {q.error && <p className="inline-error">{q.error.message}</p>}
        {q.isPending ? (
          <p className="muted">Loading…</p>
        ) : rollouts.length === 0 ? (
          <div className="empty-state">
            <p>No rollouts yet.</p>
            <p className="muted small">
              Start one from a service&apos;s Traffic Shifting wizard: &ldquo;Roll out gradually&rdquo;.
            </p>
          </div>
        ) : (
          <table className="ro-table" data-testid="rollouts">
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">Target</th>
                <th scope="col">Status</th>
                <th scope="col">Step</th>
                <th scope="col">Started by</th>
                <th scope="col">Started</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {rollouts.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link href={`/rollouts/${encodeURIComponent(r.namespace)}/${encodeURIComponent(r.id)}`}>
                      {r.service}.{r.namespace}
                    </Link>
                  </td>
                  <td>{r.target}</td>
                  <td>
                    <PhaseBadge r={r} />
                  </td>
                  <td>{stepLabel(r)}</td>
                  <td>{r.startedBy}</td>
                  <td>{fmtTime(r.startedAt)}</td>
                  <td className="ro-why">{r.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
