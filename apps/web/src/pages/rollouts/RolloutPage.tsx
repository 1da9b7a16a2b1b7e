import { useEffect, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'wouter';
import type { GateResult, Rollout, RolloutCommand, RolloutStep } from '@meshlens/contract';
import { ErrorBox } from '../../wizards/ErrorBox';
import { isActive, rolloutKeys, sendCommand, useRollout } from './api';
import { fmtTime, PhaseBadge } from './RolloutsPage';
import './rollouts.css';

const GATE_LABEL: Record<GateResult['gate'], string> = {
  minRequests: 'Requests in window',
  errorPercent: 'Error %',
  p95Ms: 'p95 (ms)',
  p95IncreasePercent: 'p95 above baseline (%)',
};
const fmt = (n: number | null | undefined) => (n === null || n === undefined ? 'no data' : String(n));
const bound = (g: GateResult) => `${g.gate === 'minRequests' ? '≥' : '≤'} ${g.threshold}`;

/** Version colours of the split bar (the same version keeps its colour across bars). */
const COLOURS = ['#2b6cb0', '#3e8635', '#8b5cf6', '#c06f00', '#0f766e', '#b83280'];
const colourOf = (versions: string[], v: string) => COLOURS[versions.indexOf(v) % COLOURS.length];

function SplitBar({
  weights,
  versions,
  label,
}: {
  weights: Record<string, number>;
  versions: string[];
  label: string;
}) {
  const parts = versions.filter((v) => (weights[v] ?? 0) > 0);
  return (
    <div className="ro-split" aria-label={label} data-testid={`split-${label}`}>
      <div className="ro-split-label">{label}</div>
      <div
        className="ro-split-bar"
        role="img"
        aria-label={parts.map((v) => `${v} ${weights[v]} %`).join(', ')}
      >
        {parts.map((v) => (
          <span
            key={v}
            style={{ width: `${weights[v]}%`, background: colourOf(versions, v) }}
            title={`${v}: ${weights[v]} %`}
          >
            {(weights[v] ?? 0) >= 8 ? `${v} ${weights[v]} %` : ''}
          </span>
        ))}
        {parts.length === 0 && <span className="ro-split-none">no weighted routing</span>}
      </div>
    </div>
  );
}

function GateTable({ gates }: { gates: GateResult[] }) {
  return (
    <table className="ro-gates">
      <thead>
        <tr>
          <th scope="col">Gate</th>
          <th scope="col">Measured</th>
          <th scope="col">Threshold</th>
          <th scope="col">Result</th>
        </tr>
      </thead>
      <tbody>
        {gates.map((g) => (
          <tr key={g.gate} className={g.pass ? 'ro-pass' : 'ro-fail'} data-testid={`gate-${g.gate}`}>
            <th scope="row">{GATE_LABEL[g.gate]}</th>
            <td className="mono">
              {fmt(g.measured)}
              {g.baseline !== undefined && g.baseline !== null && (
                <span className="muted"> (baseline p95 {g.baseline} ms)</span>
              )}
            </td>
            <td className="mono">{bound(g)}</td>
            <td>{g.pass ? '✓ pass' : '✗ fail'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function stepState(r: Rollout, s: RolloutStep, i: number, now: number): { label: string; cls: string } {
  if (s.outcome === 'passed') return { label: 'Passed', cls: 'ro-pass' };
  if (s.outcome === 'failed') return { label: 'Failed: rolled back', cls: 'ro-fail' };
  if (s.outcome === 'skipped') return { label: 'Skipped (promoted now)', cls: 'ro-skip' };
  if (i === r.current && s.startedAt && r.phase === 'running') {
    const left = Math.max(0, Math.ceil(r.waitSeconds - (now - Date.parse(s.startedAt)) / 1000));
    return { label: left > 0 ? `Holding: gates in ${left} s` : 'Measuring gates…', cls: 'ro-now' };
  }
  if (i === r.current && r.phase === 'paused') return { label: 'Paused', cls: 'ro-now' };
  if (i === r.current && r.phase === 'running') return { label: 'Writing…', cls: 'ro-now' };
  return { label: isActive(r) ? 'Waiting' : 'Not reached', cls: 'ro-skip' };
}

/** `/rollouts/:namespace/:id`: the timeline of steps, each gate beside its threshold, the live split. */
export function RolloutPage({ namespace, id }: { namespace: string; id: string }) {
  const q = useRollout(namespace, id);
  const queryClient = useQueryClient();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const command = useMutation({
    mutationFn: (c: RolloutCommand) => sendCommand(namespace, id, c),
    onSuccess: (r) => {
      queryClient.setQueryData(rolloutKeys.one(namespace, id), r);
      void queryClient.invalidateQueries({ queryKey: rolloutKeys.all() });
    },
  });
  const r = q.data;
  if (q.error && !r)
    return (
      <div className="page ro-page">
        <div className="ro-body">
          <p className="inline-error">{q.error.message}</p>
          <Link href="/rollouts">All rollouts</Link>
        </div>
      </div>
    );
  if (!r) return <div className="page-loading">Loading…</div>;
  const versions = [...new Set([...Object.keys(r.baseline), r.target, ...Object.keys(r.live ?? {})])].sort();
  const busy = command.isPending || r.pending !== undefined;
  const button = (c: RolloutCommand, label: string, cls = 'btn') => (
    <button
      type="button"
      className={cls}
      disabled={busy}
      onClick={() => command.mutate(c)}
      data-testid={`rollout-${c}`}
    >
      {label}
    </button>
  );
  return (
    <div className="page ro-page" data-testid="rollout">
      <div className="page-header">
        <h1>
          Rollout of {r.service} {r.target} <span className="muted">· {r.namespace}</span>
        </h1>
        <PhaseBadge r={r} />
        <div className="spacer" />
        {isActive(r) && (
          <div className="ro-actions" role="toolbar" aria-label="Rollout actions">
            {r.phase === 'running' ? button('pause', 'Pause') : button('resume', 'Resume')}
            {button('promote', 'Promote now')}
            {button('abort', 'Abort', 'btn btn-danger')}
          </div>
        )}
      </div>
      <div className="ro-body">
        <p className="muted small">
          <Link href="/rollouts">All rollouts</Link> · started by {r.startedBy} at {fmtTime(r.startedAt)} ·{' '}
          {r.steps.map((s) => `${s.percent} %`).join(' → ')}, {r.waitSeconds} s per step
          {r.pending && ` · ${r.pending.command} asked by ${r.pending.by}, waiting for the driving console`}
        </p>
        {r.reason && (
          <div
            className={`ro-reason ${r.phase === 'rolledBack' || r.phase === 'aborted' ? 'ro-reason-bad' : r.phase === 'promoted' ? 'ro-reason-good' : 'ro-reason-warn'}`}
            role="status"
            data-testid="rollout-reason"
          >
            {r.reason}
          </div>
        )}
        <ErrorBox error={command.error ?? undefined} />
        <section className="ro-card">
          <h2>Traffic split</h2>
          <SplitBar weights={r.live ?? {}} versions={versions} label="Live now" />
          <SplitBar weights={r.baseline} versions={versions} label="Baseline" />
        </section>
        <section className="ro-card">
          <h2>Steps</h2>
          <ol className="ro-timeline" data-testid="timeline">
            {r.steps.map((s, i) => {
              const st = stepState(r, s, i, now);
              return (
                <li key={i} className={`ro-step ${st.cls}`} data-testid={`step-${i}`}>
                  <div className="ro-step-head">
                    <span className="ro-dot" aria-hidden />
                    <strong>
                      Step {i + 1}: {r.target} at {s.percent} %
                    </strong>
                    <span className="ro-step-state">{st.label}</span>
                    <span className="muted small ro-step-weights">
                      {Object.entries(s.weights)
                        .filter(([, w]) => w > 0)
                        .map(([v, w]) => `${v} ${w}`)
                        .join(' / ')}
                    </span>
                  </div>
                  <div className="muted small">
                    {s.startedAt && <>written {fmtTime(s.startedAt)}</>}
                    {s.writtenBy && <> by {s.writtenBy}</>}
                    {s.evaluatedAt && (
                      <>
                        {' '}
                        · measured {fmtTime(s.evaluatedAt)} over {s.windowSeconds} s
                      </>
                    )}
                  </div>
                  {s.gates && <GateTable gates={s.gates} />}
                </li>
              );
            })}
          </ol>
        </section>
        <section className="ro-card">
          <h2>Events</h2>
          <ul className="ro-events">
            {[...r.events].reverse().map((e, i) => (
              <li key={i}>
                <span className="mono muted">{fmtTime(e.at)}</span> {e.message}
                {e.by && <span className="muted"> — {e.by}</span>}
              </li>
            ))}
          </ul>
        </section>
      </div>
    </div>
  );
}
