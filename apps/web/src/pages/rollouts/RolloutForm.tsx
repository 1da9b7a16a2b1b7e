import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useLocation } from 'wouter';
import type { StartRollout } from '@meshlens/contract';
import { ErrorBox } from '../../wizards/ErrorBox';
import { rolloutKeys, startRollout } from './api';
import './rollouts.css';

/** Steps as typed: `5, 25, 50, 100`. */
export function parseSteps(text: string): number[] | string {
  const parts = text
    .split(/[\s,→>]+/)
    .map((s) => s.replace('%', '').trim())
    .filter(Boolean);
  if (parts.length === 0) return 'give at least one step';
  const steps = parts.map(Number);
  if (steps.some((s) => !Number.isInteger(s) || s < 1 || s > 100)) return 'steps are whole % from 1 to 100';
  if (steps.some((s, i) => i > 0 && s <= (steps[i - 1] as number))) return 'steps must increase';
  if (steps[steps.length - 1] !== 100) return 'the last step must be 100';
  return steps;
}

/**
 * "Roll out gradually" in Traffic Shifting: a target version raised step by step, each step held for a
 * wait and checked against gates before the next; a failed gate puts `baseline` back.
 */
export function RolloutForm({
  namespace,
  service,
  versions,
  baseline,
}: {
  namespace: string;
  service: string;
  versions: string[];
  /** The weights to start from and to go back to (the routing now, else the weights above). */
  baseline: Record<string, number>;
}) {
  const [, navigate] = useLocation();
  const queryClient = useQueryClient();
  const candidates = versions.filter((v) => (baseline[v] ?? 0) < 100);
  const [target, setTarget] = useState(candidates[candidates.length - 1] ?? versions[0] ?? '');
  const [stepsText, setStepsText] = useState('5, 25, 50, 100');
  const [waitSeconds, setWaitSeconds] = useState(60);
  const [maxErrorPercent, setMaxErrorPercent] = useState(1);
  const [maxP95Ms, setMaxP95Ms] = useState<number | ''>(500);
  const [maxP95IncreasePercent, setMaxP95IncreasePercent] = useState<number | ''>('');
  const [minRequests, setMinRequests] = useState(20);
  const steps = parseSteps(stepsText);
  const start = useMutation({
    mutationFn: (body: StartRollout) => startRollout(namespace, service, body),
    onSuccess: async (r) => {
      await queryClient.invalidateQueries({ queryKey: rolloutKeys.all() });
      navigate(`/rollouts/${encodeURIComponent(r.namespace)}/${encodeURIComponent(r.id)}`);
    },
  });
  const submit = () => {
    if (typeof steps === 'string') return;
    start.mutate({
      target,
      baseline,
      steps,
      waitSeconds,
      gates: {
        maxErrorPercent,
        minRequests,
        ...(maxP95Ms !== '' ? { maxP95Ms } : {}),
        ...(maxP95IncreasePercent !== '' ? { maxP95IncreasePercent } : {}),
      },
    });
  };
  const num = (v: string) => (v === '' ? '' : Number(v));
  const baselineText = Object.entries(baseline)
    .filter(([, w]) => w > 0)
    .map(([v, w]) => `${v} ${w} %`)
    .join(', ');
  return (
    <div className="ro-form" data-testid="rollout-form">
      <p className="muted small">
        From {baselineText || 'the weights above'}, the target&apos;s share rises step by step; after each
        wait the gates are measured for it in Prometheus. One failing gate puts these weights back at once.
      </p>
      <div className="ro-grid">
        <label>
          Target version
          <select className="select" value={target} onChange={(e) => setTarget(e.target.value)}>
            {versions.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <label>
          Steps (% to the target)
          <input
            className="input"
            value={stepsText}
            onChange={(e) => setStepsText(e.target.value)}
            aria-invalid={typeof steps === 'string'}
          />
        </label>
        <label>
          Wait per step (s)
          <input
            className="input"
            type="number"
            min={5}
            max={3600}
            value={waitSeconds}
            onChange={(e) => setWaitSeconds(Number(e.target.value))}
          />
        </label>
        <label>
          Max error %
          <input
            className="input"
            type="number"
            min={0}
            max={100}
            step="any"
            value={maxErrorPercent}
            onChange={(e) => setMaxErrorPercent(Number(e.target.value))}
          />
        </label>
        <label>
          Max p95 (ms)
          <input
            className="input"
            type="number"
            min={1}
            placeholder="no bound"
            value={maxP95Ms}
            onChange={(e) => setMaxP95Ms(num(e.target.value))}
          />
        </label>
        <label>
          Max p95 above baseline (%)
          <input
            className="input"
            type="number"
            min={0}
            placeholder="no bound"
            value={maxP95IncreasePercent}
            onChange={(e) => setMaxP95IncreasePercent(num(e.target.value))}
          />
        </label>
        <label>
          Min requests per window
          <input
            className="input"
            type="number"
            min={0}
            value={minRequests}
            onChange={(e) => setMinRequests(Number(e.target.value))}
          />
        </label>
      </div>
      {typeof steps === 'string' && (
        <p className="wz-invalid" role="status">
          Steps: {steps}
        </p>
      )}
      <ErrorBox error={start.error ?? undefined} />
      <button
        type="button"
        className="btn btn-primary"
        disabled={typeof steps === 'string' || !target || start.isPending}
        onClick={submit}
        data-testid="start-rollout"
      >
        {start.isPending ? 'Starting…' : `Start rollout of ${target}`}
      </button>
    </div>
  );
}
