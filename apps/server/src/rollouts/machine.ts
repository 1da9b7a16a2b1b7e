/**
 * The rollout's state machine, pure: what to write at each step, what a tick, a command or an evaluation
 * does to the state. The controller (controller.ts) does the I/O each transition asks for.
 *
 *   running ──(wait over, gates pass)──► next step … last step passes ──► promoted (100 %)
 *      │  └──(a gate fails)──► rolledBack (baseline weights written at once)
 *      ├──(pause, or the VirtualService changed by someone else)──► paused ──(resume: step written again)──► running
 *      ├──(abort)──► aborted (baseline weights)
 *      └──(promote)──► promoted (100 % at once)
 */
import type { GateResult, Rollout, RolloutCommand, StartRollout } from '@meshlens/contract';

export type Weights = Record<string, number>;

/** Integer weights proportional to `shares`, summing to `total` (largest remainder). */
export function apportion(shares: Weights, total: number): Weights {
  const entries = Object.entries(shares).filter(([, w]) => w > 0);
  const sum = entries.reduce((a, [, w]) => a + w, 0);
  if (sum <= 0 || total <= 0) return {};
  const exact = entries.map(([v, w]) => [v, (w * total) / sum] as const);
  const out: Weights = Object.fromEntries(exact.map(([v, x]) => [v, Math.floor(x)]));
  let left = total - Object.values(out).reduce((a, b) => a + b, 0);
  const byRemainder = [...exact].sort((a, b) => b[1] - Math.floor(b[1]) - (a[1] - Math.floor(a[1])));
  for (let i = 0; left > 0; i = (i + 1) % byRemainder.length, left--) {
    const v = (byRemainder[i] as readonly [string, number])[0];
    out[v] = (out[v] ?? 0) + 1;
  }
  return out;
}

/** The weights of a step: `percent` to the target, the rest shared as the baseline shares its other versions. */
export function stepWeights(baseline: Weights, target: string, percent: number): Weights {
  const others = Object.fromEntries(Object.entries(baseline).filter(([v]) => v !== target));
  const rest = apportion(others, 100 - percent);
  const out: Weights = { ...rest };
  if (percent > 0) out[target] = percent;
  // Versions named by the baseline stay listed at 0 (their subsets stay defined for the way back).
  for (const v of Object.keys(baseline)) out[v] ??= 0;
  return out;
}

/** The versions the gates compare the target with: the baseline's others with weight. */
export const baselineVersions = (r: Pick<Rollout, 'baseline' | 'target'>) =>
  Object.entries(r.baseline)
    .filter(([v, w]) => v !== r.target && w > 0)
    .map(([v]) => v);

/** The baseline's p95 last measured at an earlier step (the increase gate's reference at 100 %). */
export function earlierBaselineP95(r: Pick<Rollout, 'steps' | 'current'>): number | null {
  for (let i = r.current - 1; i >= 0; i--) {
    const g = r.steps[i]?.gates?.find((x) => x.gate === 'p95IncreasePercent');
    if (g?.baseline != null) return g.baseline;
  }
  return null;
}

interface VsRoute {
  destination?: { host?: string; subset?: string };
  weight?: number;
}

/**
 * The weights a VirtualService gives a service's versions now: its catch-all HTTP rule (the last one
 * without `match`), subsets read as versions through the DestinationRule's subset labels (else the subset
 * name). Undefined when there is no such rule or it names no subsets.
 */
export function weightsOf(
  vs: { spec?: unknown } | undefined,
  subsetVersions: Record<string, string> = {},
): Weights | undefined {
  const http = ((vs?.spec as { http?: { match?: unknown[]; route?: VsRoute[] }[] } | undefined)?.http ??
    []) as { match?: unknown[]; route?: VsRoute[] }[];
  const rule = [...http].reverse().find((h) => !h.match || h.match.length === 0);
  const routes = rule?.route ?? [];
  if (routes.length === 0 || routes.some((r) => !r.destination?.subset)) return undefined;
  const out: Weights = {};
  for (const r of routes) {
    const subset = r.destination?.subset as string;
    const v = subsetVersions[subset] ?? subset;
    out[v] = (out[v] ?? 0) + (r.weight ?? (routes.length === 1 ? 100 : 0));
  }
  return out;
}

export function newRollout(input: {
  id: string;
  namespace: string;
  service: string;
  body: StartRollout;
  baseline: Weights;
  by: string;
  now: Date;
}): Rollout {
  const at = input.now.toISOString();
  return {
    id: input.id,
    namespace: input.namespace,
    service: input.service,
    target: input.body.target,
    baseline: input.baseline,
    waitSeconds: input.body.waitSeconds,
    gates: input.body.gates,
    steps: input.body.steps.map((percent) => ({
      percent,
      weights: stepWeights(input.baseline, input.body.target, percent),
    })),
    current: 0,
    phase: 'running',
    startedBy: input.by,
    startedAt: at,
    updatedAt: at,
    events: [
      {
        at,
        by: input.by,
        message: `started: ${input.body.target} at ${input.body.steps.join(' → ')} %, ${input.body.waitSeconds} s per step`,
      },
    ],
  };
}

export const isActive = (r: Pick<Rollout, 'phase'>) => r.phase === 'running' || r.phase === 'paused';

/** What the controller must do for this rollout now. */
export type Action =
  | { kind: 'none' }
  /** Write these weights, then record the write (`afterWrite`). */
  | { kind: 'write'; weights: Weights; next: Rollout }
  /** Evaluate the gates over `windowSeconds`, then `afterEvaluation`. */
  | { kind: 'evaluate'; windowSeconds: number }
  /** A state change only (paused). */
  | { kind: 'save'; next: Rollout };

const clone = (r: Rollout): Rollout => structuredClone(r);
const event = (r: Rollout, at: Date, message: string, by?: string) => {
  r.events.push({ at: at.toISOString(), message, ...(by ? { by } : {}) });
  if (r.events.length > 100) r.events.splice(0, r.events.length - 100);
  r.updatedAt = at.toISOString();
};

/** Whether a command may be asked for now; the reason when not (409). */
export function commandRefusal(r: Rollout, command: RolloutCommand): string | undefined {
  if (!isActive(r)) return `rollout ${r.id} is ${r.phase}; it takes no more commands`;
  if (command === 'pause' && r.phase === 'paused') return `rollout ${r.id} is already paused`;
  if (command === 'resume' && r.phase === 'running') return `rollout ${r.id} is running, not paused`;
  return undefined;
}

/** A pending command, carried out. */
export function onCommand(r: Rollout, now: Date): Action {
  const p = r.pending;
  if (!p) return { kind: 'none' };
  const next = clone(r);
  delete next.pending;
  const refusal = commandRefusal(r, p.command);
  if (refusal) {
    event(next, now, `${p.command} ignored: ${refusal}`, p.by);
    return { kind: 'save', next };
  }
  switch (p.command) {
    case 'pause':
      next.phase = 'paused';
      next.reason = `paused by ${p.by}`;
      event(next, now, 'paused', p.by);
      return { kind: 'save', next };
    case 'resume': {
      next.phase = 'running';
      delete next.reason;
      // The step is written again (someone may have changed the VirtualService) and waited for in full.
      // Whatever the VirtualService holds now is taken as the base of that write.
      delete next.writtenResourceVersion;
      const step = next.steps[next.current];
      if (step) {
        delete step.startedAt;
        delete step.writtenBy;
      }
      event(next, now, 'resumed', p.by);
      return { kind: 'save', next };
    }
    case 'abort':
      next.phase = 'aborted';
      next.reason = `aborted by ${p.by}: baseline weights written back`;
      event(next, now, 'aborted: baseline weights written back', p.by);
      return { kind: 'write', weights: { ...r.baseline }, next };
    case 'promote': {
      next.phase = 'promoted';
      for (let i = next.current; i < next.steps.length; i++) {
        const s = next.steps[i];
        if (s && !s.outcome) s.outcome = 'skipped';
      }
      next.current = next.steps.length;
      next.reason = `promoted by ${p.by}`;
      event(next, now, `promoted now: ${r.target} at 100 %`, p.by);
      return { kind: 'write', weights: stepWeights(r.baseline, r.target, 100), next };
    }
  }
}

/**
 * A tick of a running rollout. `vsResourceVersion`: the VirtualService's now (undefined: it does not
 * exist). A version other than the rollout's last write means someone else changed it: paused.
 */
export function onTick(r: Rollout, now: Date, vsResourceVersion: string | undefined): Action {
  if (r.pending) return onCommand(r, now);
  if (r.phase !== 'running') return { kind: 'none' };
  if (r.writtenResourceVersion !== undefined && vsResourceVersion !== r.writtenResourceVersion) {
    const next = clone(r);
    next.phase = 'paused';
    next.reason =
      vsResourceVersion === undefined
        ? `VirtualService ${r.namespace}/${r.service} was deleted by someone else; resume to write the step again`
        : `VirtualService ${r.namespace}/${r.service} was changed by someone else (resourceVersion ${vsResourceVersion}, the rollout last wrote ${r.writtenResourceVersion}); resume to write the step again, or abort`;
    event(next, now, next.reason);
    return { kind: 'save', next };
  }
  const step = r.steps[r.current];
  if (!step) return { kind: 'none' };
  if (!step.startedAt) {
    const next = clone(r);
    event(next, now, `step ${r.current + 1}/${r.steps.length}: ${r.target} at ${step.percent} %`);
    return { kind: 'write', weights: step.weights, next };
  }
  const elapsed = (now.getTime() - Date.parse(step.startedAt)) / 1000;
  if (elapsed < r.waitSeconds) return { kind: 'none' };
  return { kind: 'evaluate', windowSeconds: r.waitSeconds };
}

/** After a write: the VirtualService's new version; a step written starts its wait now. */
export function afterWrite(
  next: Rollout,
  resourceVersion: string | undefined,
  now: Date,
  by: string,
): Rollout {
  const out = clone(next);
  if (resourceVersion !== undefined) out.writtenResourceVersion = resourceVersion;
  const step = out.steps[out.current];
  if (out.phase === 'running' && step && !step.startedAt) {
    step.startedAt = now.toISOString();
    step.writtenBy = by;
  }
  out.updatedAt = now.toISOString();
  return out;
}

/** The gates measured at the end of a step's wait: next step, promoted, or rolled back at once. */
export function afterEvaluation(r: Rollout, results: GateResult[], now: Date, windowSeconds: number): Action {
  const next = clone(r);
  const step = next.steps[next.current];
  if (!step || r.phase !== 'running') return { kind: 'none' };
  step.evaluatedAt = now.toISOString();
  step.windowSeconds = windowSeconds;
  step.gates = results;
  const failed = results.filter((g) => !g.pass);
  if (failed.length > 0) {
    step.outcome = 'failed';
    next.phase = 'rolledBack';
    next.failedGates = failed;
    next.reason = `gate${failed.length > 1 ? 's' : ''} failed at ${step.percent} %: ${failed.map((g) => g.message).join('; ')}; baseline weights written back`;
    event(next, now, next.reason);
    return { kind: 'write', weights: { ...r.baseline }, next };
  }
  step.outcome = 'passed';
  event(next, now, `step ${r.current + 1} passed: ${results.map((g) => g.message).join('; ')}`);
  next.current += 1;
  if (next.current >= next.steps.length) {
    next.phase = 'promoted';
    next.reason = `promoted: ${r.target} at 100 %`;
    event(next, now, next.reason);
    return { kind: 'save', next };
  }
  return { kind: 'save', next };
}
