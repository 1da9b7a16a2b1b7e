/** The rollout state machine: weights per step, ticks, evaluations, commands, someone else's change. */
import type { GateResult, Rollout } from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import {
  afterEvaluation,
  earlierBaselineP95,
  afterWrite,
  apportion,
  newRollout,
  onTick,
  stepWeights,
  weightsOf,
  type Action,
} from './machine';

const t0 = new Date('2026-12-06T08:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const pass: GateResult = { gate: 'errorPercent', threshold: 5, measured: 0, pass: true, message: 'ok' };
const fail: GateResult = {
  gate: 'errorPercent',
  threshold: 5,
  measured: 48.5,
  pass: false,
  message: 'v3 answered 48.5 % 5xx (at most 5 %)',
};

const start = (): Rollout =>
  newRollout({
    id: 'reviews-1',
    namespace: 'bookinfo',
    service: 'reviews',
    baseline: { v1: 100 },
    body: {
      target: 'v3',
      steps: [25, 50, 100],
      waitSeconds: 10,
      gates: { maxErrorPercent: 5, minRequests: 10 },
    },
    by: 'jane',
    now: t0,
  });

/** Carries out a write action as the controller would, with the VirtualService's new version. */
const written = (a: Action, rv: string, s: number): Rollout => {
  if (a.kind !== 'write') throw new Error(`expected a write, got ${a.kind}`);
  return afterWrite(a.next, rv, at(s), 'console-a');
};
const saved = (a: Action): Rollout => {
  if (a.kind !== 'save') throw new Error(`expected a save, got ${a.kind}`);
  return a.next;
};

describe('weights', () => {
  it('apportions integer weights summing to the total', () => {
    expect(apportion({ v1: 1, v2: 1, v3: 1 }, 100)).toEqual({ v1: 34, v2: 33, v3: 33 });
    expect(stepWeights({ v1: 50, v2: 50 }, 'v3', 25)).toEqual({ v1: 38, v2: 37, v3: 25 });
    expect(stepWeights({ v1: 90, v3: 10 }, 'v3', 50)).toEqual({ v1: 50, v3: 50 });
    expect(stepWeights({ v1: 100 }, 'v3', 100)).toEqual({ v1: 0, v3: 100 });
  });

  it('reads the weights of a VirtualService catch-all rule, subsets as versions', () => {
    const vs = {
      spec: {
        http: [
          { match: [{ headers: {} }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] },
          {
            route: [
              { destination: { host: 'reviews', subset: 'one' }, weight: 80 },
              { destination: { host: 'reviews', subset: 'v3' }, weight: 20 },
            ],
          },
        ],
      },
    };
    expect(weightsOf(vs, { one: 'v1' })).toEqual({ v1: 80, v3: 20 });
    expect(
      weightsOf({ spec: { http: [{ route: [{ destination: { host: 'reviews' } }] }] } }),
    ).toBeUndefined();
    expect(weightsOf(undefined)).toBeUndefined();
  });
});

describe('a rollout', () => {
  it('writes each step, waits, and promotes when every step passes', () => {
    let r = start();
    expect(r.steps.map((s) => s.weights)).toEqual([
      { v1: 75, v3: 25 },
      { v1: 50, v3: 50 },
      { v1: 0, v3: 100 },
    ]);
    r = written(onTick(r, at(0), undefined), '10', 0);
    expect(r.steps[0]?.startedAt).toBe(at(0).toISOString());
    expect(onTick(r, at(9), '10')).toEqual({ kind: 'none' });
    expect(onTick(r, at(10), '10')).toEqual({ kind: 'evaluate', windowSeconds: 10 });
    r = saved(afterEvaluation(r, [pass], at(10), 10));
    expect(r.current).toBe(1);
    expect(r.steps[0]?.outcome).toBe('passed');
    r = written(onTick(r, at(10), '10'), '11', 10);
    r = saved(afterEvaluation(r, [pass], at(20), 10));
    r = written(onTick(r, at(20), '11'), '12', 20);
    r = saved(afterEvaluation(r, [pass], at(30), 10));
    expect(r.phase).toBe('promoted');
    expect(r.current).toBe(3);
    expect(onTick(r, at(40), '12')).toEqual({ kind: 'none' });
  });

  it("finds the baseline's p95 of the last step that measured it", () => {
    const inc = (baseline: number | null): GateResult => ({
      gate: 'p95IncreasePercent',
      threshold: 20,
      measured: 0,
      baseline,
      pass: true,
      message: '',
    });
    const r = start();
    r.steps[0]!.gates = [pass, inc(30)];
    r.steps[1]!.gates = [pass, inc(null)];
    expect(earlierBaselineP95({ ...r, current: 2 })).toBe(30);
    expect(earlierBaselineP95({ ...r, current: 0 })).toBeNull();
  });

  it('rolls back to the baseline at once when a gate fails, recording the failed gate', () => {
    let r = written(onTick(start(), at(0), undefined), '10', 0);
    const a = afterEvaluation(r, [pass, fail], at(10), 10);
    expect(a.kind).toBe('write');
    if (a.kind !== 'write') return;
    expect(a.weights).toEqual({ v1: 100 });
    r = afterWrite(a.next, '11', at(10), 'console-a');
    expect(r.phase).toBe('rolledBack');
    expect(r.failedGates).toEqual([fail]);
    expect(r.steps[0]).toMatchObject({ outcome: 'failed', gates: [pass, fail] });
    expect(r.reason).toContain('48.5 % 5xx');
    expect(r.writtenResourceVersion).toBe('11');
  });

  it('pauses when the VirtualService changed under it, and writes the step again on resume', () => {
    let r = written(onTick(start(), at(0), undefined), '10', 0);
    r = saved(onTick(r, at(3), '14'));
    expect(r.phase).toBe('paused');
    expect(r.reason).toContain('changed by someone else (resourceVersion 14, the rollout last wrote 10)');
    expect(onTick(r, at(30), '14')).toEqual({ kind: 'none' });
    r = saved(
      onTick({ ...r, pending: { command: 'resume', by: 'jane', at: at(31).toISOString() } }, at(31), '14'),
    );
    expect(r.phase).toBe('running');
    expect(r.pending).toBeUndefined();
    const again = onTick(r, at(31), '14');
    expect(again).toMatchObject({ kind: 'write', weights: { v1: 75, v3: 25 } });
    r = written(again, '15', 31);
    expect(onTick(r, at(40), '15')).toEqual({ kind: 'none' });
    expect(onTick(r, at(41), '15')).toEqual({ kind: 'evaluate', windowSeconds: 10 });
  });

  it('carries out pause, abort and promote', () => {
    const r = written(onTick(start(), at(0), undefined), '10', 0);
    const cmd = (command: 'pause' | 'abort' | 'promote') =>
      onTick({ ...r, pending: { command, by: 'ops', at: at(5).toISOString() } }, at(5), '10');
    expect(saved(cmd('pause'))).toMatchObject({ phase: 'paused', reason: 'paused by ops' });
    expect(cmd('abort')).toMatchObject({ kind: 'write', weights: { v1: 100 }, next: { phase: 'aborted' } });
    const promote = cmd('promote');
    expect(promote).toMatchObject({
      kind: 'write',
      weights: { v1: 0, v3: 100 },
      next: { phase: 'promoted' },
    });
    if (promote.kind === 'write')
      expect(promote.next.steps.map((s) => s.outcome)).toEqual(['skipped', 'skipped', 'skipped']);
    // A command on a finished rollout is dropped, saying so.
    const done = {
      ...r,
      phase: 'promoted' as const,
      pending: { command: 'abort' as const, by: 'ops', at: '' },
    };
    const ignored = saved(onTick(done, at(6), '10'));
    expect(ignored.phase).toBe('promoted');
    expect(ignored.events.at(-1)?.message).toContain('abort ignored');
  });
});
