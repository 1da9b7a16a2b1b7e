import type { ServiceLoadResponse } from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import { predictEffect, routingObjects } from './effect';

const load = (over: Partial<ServiceLoadResponse> = {}): ServiceLoadResponse => ({
  namespace: 'bookinfo',
  service: 'reviews',
  timestamp: 1_800_000_000,
  rateWindowSeconds: 60,
  peakSpanSeconds: 3600,
  versions: [
    { version: 'v1', rps: 6, peakRps: 8, pods: 1, podsReady: 1 },
    { version: 'v2', rps: 3, peakRps: 4, pods: 1, podsReady: 1 },
    { version: 'v3', rps: 1, peakRps: 1.5, pods: 1, podsReady: 1 },
  ],
  sources: [
    { namespace: 'bookinfo', workload: 'productpage-v1', app: 'productpage', version: 'v1', rps: 10 },
  ],
  warnings: [],
  ...over,
});
const dr = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name: 'reviews', namespace: 'bookinfo' },
  spec: { host: 'reviews', subsets: ['v1', 'v2', 'v3'].map((v) => ({ name: v, labels: { version: v } })) },
};
const vs = (http: unknown[]) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'reviews', namespace: 'bookinfo' },
  spec: { hosts: ['reviews'], http },
});
const weights = (w: Record<string, number>) =>
  vs([
    {
      route: Object.entries(w).map(([subset, weight]) => ({
        destination: { host: 'reviews', subset },
        weight,
      })),
    },
  ]);
const row = (e: ReturnType<typeof predictEffect>, v: string) => e.rows.find((r) => r.version === v)!;

describe('predictEffect', () => {
  it('predicts each version’s requests/s beside its load now and its peak', () => {
    const e = predictEffect(load(), { virtualService: weights({ v1: 50, v2: 50 }), destinationRule: dr });
    expect(e.rows.map((r) => [r.version, r.now, r.peak, r.predicted])).toEqual([
      ['v1', 6, 8, 5],
      ['v2', 3, 4, 5],
      ['v3', 1, 1.5, 0],
    ]);
    expect(e.rows.every((r) => r.warnings.length === 0)).toBe(true);
    expect(e.total).toBe(10);
  });

  it('warns when a version would get more than N× its peak (N configurable)', () => {
    const all = { virtualService: weights({ v3: 100 }), destinationRule: dr };
    const e = predictEffect(load(), all);
    expect(row(e, 'v3').predicted).toBe(10);
    expect(row(e, 'v3').warnings).toEqual([
      'would get 10.0 rps: 6.7× its peak of the last hour (1.50 rps; warning above 2×)',
    ]);
    expect(predictEffect(load(), all, 10).rows.every((r) => r.warnings.length === 0)).toBe(true);
    // a version idle for the last hour: any load is past N× its peak
    const idle = load({ versions: [{ version: 'v3', rps: 0, peakRps: 0, pods: 1, podsReady: 1 }] });
    expect(row(predictEffect(idle, all), 'v3').warnings[0]).toMatch(/received no requests in the last hour/);
  });

  it('warns when requests would go to a version with no ready pod', () => {
    const scaled = load({
      versions: [
        { version: 'v1', rps: 6, peakRps: 8, pods: 1, podsReady: 1 },
        { version: 'v3', rps: 0, peakRps: 40, pods: 0, podsReady: 0 },
      ],
    });
    const e = predictEffect(scaled, { virtualService: weights({ v1: 80, v3: 20 }), destinationRule: dr });
    expect(row(e, 'v3').warnings).toEqual(['no ready pod (0 pods): its 2.00 rps would fail (503)']);
    expect(row(e, 'v1').warnings).toEqual([]);
  });

  it('names a header rule it cannot weigh, and bounds what it could send', () => {
    const rules = vs([
      {
        match: [{ headers: { 'end-user': { exact: 'jason' } } }],
        route: [{ destination: { host: 'reviews', subset: 'v2' } }],
      },
      { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
    ]);
    const e = predictEffect(load(), { virtualService: rules, destinationRule: dr });
    expect(row(e, 'v1').predicted).toBe(10);
    expect(row(e, 'v2')).toMatchObject({ predicted: 0, upTo: 10, warnings: [] });
    expect(row(e, 'v2').notes).toEqual([
      'could get up to 10.0 rps: 2.5× its peak of the last hour (4.00 rps; warning above 2×)',
    ]);
    expect(e.uncertain.map((u) => u.match)).toEqual(['header end-user exact "jason"']);
  });

  it('uses the objects the preview would write, else the routing in place', () => {
    const current = { virtualService: weights({ v1: 100 }), destinationRule: dr };
    expect(routingObjects(undefined, current)).toEqual(current);
    const next = weights({ v2: 100 });
    expect(routingObjects([next], current)).toEqual({ virtualService: next, destinationRule: dr });
    // no routing at all: Kubernetes spreads over the ready pods
    const e = predictEffect(load(), { virtualService: null, destinationRule: null });
    expect(e.rows.map((r) => Math.round(r.predicted * 100) / 100)).toEqual([3.33, 3.33, 3.33]);
  });
});
