import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../istio/kubeClient';
import { rolloutSummary, type RolloutChange } from '../rollouts/controller';
import { objectsOfStates } from './objects';

const obj = (kind: string, name: string, resourceVersion: string): KubeObject => ({
  apiVersion: 'networking.istio.io/v1',
  kind,
  metadata: { name, namespace: 'bookinfo', resourceVersion },
});

describe("a rollout step's objects for the change history", () => {
  it('pairs each object before and after, leaving out the ones the write did not change', () => {
    const out = objectsOfStates(
      [obj('VirtualService', 'reviews', '10'), obj('DestinationRule', 'reviews', '7')],
      [obj('VirtualService', 'reviews', '12'), obj('DestinationRule', 'reviews', '7')],
    );
    expect(out).toEqual([
      {
        kind: 'VirtualService',
        namespace: 'bookinfo',
        name: 'reviews',
        before: obj('VirtualService', 'reviews', '10'),
        after: obj('VirtualService', 'reviews', '12'),
      },
    ]);
  });

  it('records a created object with no before and a deleted one with no after', () => {
    const out = objectsOfStates(
      [obj('DestinationRule', 'old', '3')],
      [obj('VirtualService', 'reviews', '1')],
    );
    expect(
      out.map((o) => [
        o.kind,
        o.name,
        o.before?.metadata.resourceVersion ?? null,
        o.after?.metadata.resourceVersion ?? null,
      ]),
    ).toEqual([
      ['DestinationRule', 'old', '3', null],
      ['VirtualService', 'reviews', null, '1'],
    ]);
  });

  it('summarises the step: the rollout, its command and the weights written', () => {
    const change: RolloutChange = {
      actor: { kind: 'rollout', rolloutId: 'r-1', startedBy: 'alice', driver: 'pod-a', command: 'abort' },
      namespace: 'bookinfo',
      service: 'reviews',
      intent: { trafficShifting: { weights: { v1: 100, v3: 0 } } },
      before: [],
      after: [],
      at: '2026-12-06T08:00:00.000Z',
    };
    expect(rolloutSummary(change)).toBe('rollout reviews (r-1): abort, v1 100, v3 0');
    const { command: _command, ...actor } = change.actor;
    expect(rolloutSummary({ ...change, actor })).toBe('rollout reviews (r-1): v1 100, v3 0');
  });
});
