/** Write order of a routing change: subsets exist before a VirtualService names them, and go after. */
import type { DestinationRule, RoutingPlan, VirtualService } from '@meshlens/istio';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from './kubeClient';
import { planSteps } from './routing';

const dr = (subsets: string[], rv?: string): DestinationRule => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name: 'reviews', namespace: 'bookinfo', ...(rv ? { resourceVersion: rv } : {}) },
  spec: { host: 'reviews', subsets: subsets.map((name) => ({ name, labels: { version: name } })) },
});
const vs: VirtualService = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'reviews', namespace: 'bookinfo', resourceVersion: '5' },
  spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' } }] }] },
};
const plan = (prev: DestinationRule | undefined, next: DestinationRule | undefined): RoutingPlan => ({
  virtualService: vs,
  destinationRule: next,
  deletes: [],
  kept: [],
  previous: { virtualService: vs, destinationRule: prev },
  kind: 'trafficShifting',
});
const stored = (...objs: object[]) =>
  new Map(objs.map((o) => [`${(o as KubeObject).kind}/${(o as KubeObject).metadata.name}`, o as KubeObject]));
const summary = (steps: ReturnType<typeof planSteps>) =>
  steps.map((s) => {
    const subsets = (s.object.spec as { subsets?: { name: string }[] }).subsets;
    return `${s.action} ${s.object.kind}${subsets ? ` ${subsets.map((x) => x.name).join(',')}` : ''}`;
  });

describe('planSteps', () => {
  it('adding subsets: DestinationRule first', () => {
    expect(summary(planSteps(plan(undefined, dr(['v1'])), stored(vs)))).toEqual([
      'create DestinationRule v1',
      'update VirtualService',
    ]);
  });
  it('removing subsets: VirtualService first', () => {
    const prev = dr(['v1', 'v0'], '7');
    expect(summary(planSteps(plan(prev, dr(['v1'], '7')), stored(vs, prev)))).toEqual([
      'update VirtualService',
      'update DestinationRule v1',
    ]);
  });
  it('both: widen the DestinationRule, write the VirtualService, then narrow it', () => {
    const prev = dr(['v1', 'v0'], '7');
    expect(summary(planSteps(plan(prev, dr(['v1', 'v2'], '7')), stored(vs, prev)))).toEqual([
      'update DestinationRule v1,v2,v0',
      'update VirtualService',
      'update DestinationRule v1,v2',
    ]);
  });
});
