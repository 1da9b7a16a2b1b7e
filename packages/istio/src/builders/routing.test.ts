/**
 * Traffic shifting and request routing over Bookinfo (data/istio/bookinfo/): the objects match the
 * Istio samples, merge with hand-written rules, pass the validations, and route as intended (evaluator).
 */
import { describe, expect, it } from 'vitest';
import type { MeshConfig } from '../evaluate.types';
import type { DestinationRule, HTTPRoute, VirtualService } from '../model';
import { evaluateHttp } from '../evaluate';
import { mulberry32 } from '../random';
import { bookinfoMesh, get, loadBookinfo, productpage } from '../../test/fixtures';
import { applied, build, expectValid } from '../../test/builderFixtures';
import { IntentError } from './context';

/** Rule names are meshlens bookkeeping: drop them to compare with the samples. */
const unnamed = (spec: VirtualService['spec']) => ({
  ...spec,
  http: spec.http?.map(({ name: _n, ...r }: HTTPRoute) => r),
});
const sample = <T>(file: string, name: string) =>
  loadBookinfo(file).find((o) => o.metadata.name === name) as unknown as T;

/** Subset counts over n seeded requests from productpage to reviews. */
function shares(mesh: MeshConfig, n: number, headers: Record<string, string> = {}) {
  const random = mulberry32(42);
  const count: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const out = evaluateHttp(mesh, productpage, get('reviews:9080', '/reviews/0', headers), random);
    const key = out.kind === 'route' ? (out.destination.subset ?? 'any') : out.kind;
    count[key] = (count[key] ?? 0) + 1;
  }
  return count;
}

describe('traffic shifting', () => {
  it('{v1: 80, v2: 20} on reviews: the 80-20 sample plus destination-rule-all subsets, routed 80/20', () => {
    const mesh = bookinfoMesh([]);
    const plan = build({ trafficShifting: { v1: 80, v2: 20 } }, mesh);
    const vs = plan.virtualService as VirtualService;
    expect(unnamed(vs.spec)).toEqual(
      sample<VirtualService>('virtual-service-reviews-80-20.yaml', 'reviews').spec,
    );
    const dr = plan.destinationRule as DestinationRule;
    expect(dr.spec.host).toBe('reviews.bookinfo.svc.cluster.local');
    expect(dr.spec.subsets).toEqual(
      sample<DestinationRule>('destination-rule-all.yaml', 'reviews').spec.subsets,
    );
    for (const o of [vs, dr]) {
      expect(o.metadata).toMatchObject({
        name: 'reviews',
        namespace: 'bookinfo',
        labels: {
          'app.kubernetes.io/managed-by': 'meshlens',
          'meshlens.io/wizard': 'trafficShifting',
          'meshlens.io/service': 'reviews',
        },
      });
    }
    const count = shares(expectValid(mesh, plan), 10_000);
    expect(Object.keys(count).sort()).toEqual(['v1', 'v2']);
    expect(Math.abs((count.v1 ?? 0) / 10_000 - 0.8)).toBeLessThan(0.02);
  });

  it('over the hand-written jason-v2-v3 rules: jason stays first, the catch-all is replaced, ownership stays', () => {
    const mesh = bookinfoMesh(['virtual-service-reviews-jason-v2-v3.yaml', 'destination-rule-all.yaml']);
    const plan = build({ trafficShifting: { weights: { v1: 50, v3: 50 } } }, mesh);
    const vs = plan.virtualService as VirtualService;
    expect(vs.spec.http?.[0]).toEqual(
      sample<VirtualService>('virtual-service-reviews-jason-v2-v3.yaml', 'reviews').spec.http?.[0],
    );
    expect(vs.spec.http).toHaveLength(2);
    expect(vs.spec.http?.[1]?.route?.map((r) => [r.destination.subset, r.weight])).toEqual([
      ['v1', 50],
      ['v3', 50],
    ]);
    // Hand-written: not claimed by meshlens (delete routing leaves it), but the wizard is recorded.
    expect(vs.metadata.labels?.['app.kubernetes.io/managed-by']).toBeUndefined();
    expect(vs.metadata.labels?.['meshlens.io/wizard']).toBe('trafficShifting');
    // destination-rule-all already has every subset: the DestinationRule is not rewritten.
    expect(plan.destinationRule).toBeUndefined();
    const after = expectValid(mesh, plan);
    expect(shares(after, 500, { 'end-user': 'jason' })).toEqual({ v2: 500 });
    const count = shares(after, 10_000);
    expect(Math.abs((count.v3 ?? 0) / 10_000 - 0.5)).toBeLessThan(0.02);
  });

  it('applying the same intent to its own result changes nothing', () => {
    const mesh = bookinfoMesh([]);
    const first = build({ trafficShifting: { v1: 90, v3: 10 } }, mesh);
    const again = build({ trafficShifting: { v1: 90, v3: 10 } }, applied(mesh, first));
    expect(again.virtualService).toBeUndefined();
    expect(again.destinationRule).toBeUndefined();
  });

  it('zero weights are dropped; a single version gets no weight; the mirror copies a share', () => {
    const mesh = bookinfoMesh([]);
    const plan = build(
      { trafficShifting: { weights: { v1: 100, v2: 0 }, mirror: { version: 'v3', percentage: 25 } } },
      mesh,
    );
    const rule = plan.virtualService?.spec.http?.[0];
    expect(rule?.route).toEqual([{ destination: { host: 'reviews', subset: 'v1' } }]);
    expect(rule?.mirror).toEqual({ host: 'reviews', subset: 'v3' });
    expect(rule?.mirrorPercentage).toEqual({ value: 25 });
    const after = expectValid(mesh, plan);
    const random = mulberry32(7);
    let mirrored = 0;
    for (let i = 0; i < 4000; i++) {
      const out = evaluateHttp(after, productpage, get('reviews:9080', '/'), random);
      if (out.kind === 'route' && out.mirror?.subset === 'v3') mirrored++;
    }
    expect(Math.abs(mirrored / 4000 - 0.25)).toBeLessThan(0.03);
  });

  it('a version no workload has is refused at its path', () => {
    const err = (() => {
      try {
        build({ trafficShifting: { v1: 50, v9: 50 } }, bookinfoMesh([]));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(IntentError);
    expect((err as IntentError).causes).toEqual([
      expect.objectContaining({ path: 'trafficShifting/weights/v9', code: 'ML2004' }),
    ]);
    expect((err as IntentError).message).toContain('versions: v1, v2, v3');
  });

  it('TCP shifting writes tcp[] routes', () => {
    const mesh = bookinfoMesh([]);
    const plan = build({ tcpTrafficShifting: { v1: 70, v3: 30 } }, mesh);
    expect(plan.virtualService?.spec.tcp).toEqual([
      {
        route: [
          { destination: { host: 'reviews', subset: 'v1' }, weight: 70 },
          { destination: { host: 'reviews', subset: 'v3' }, weight: 30 },
        ],
      },
    ]);
    expectValid(mesh, plan);
  });
});

describe('request routing', () => {
  it('jason → v2, the rest → v1: the test-v2 sample, and the evaluator agrees', () => {
    const mesh = bookinfoMesh([]);
    const plan = build(
      {
        requestRouting: {
          rules: [
            {
              match: [{ headers: { 'end-user': { exact: 'jason' } } }],
              route: [{ version: 'v2', weight: 100 }],
            },
          ],
          defaultRoute: [{ version: 'v1', weight: 100 }],
        },
      },
      mesh,
    );
    expect(unnamed(plan.virtualService?.spec ?? {})).toEqual(
      sample<VirtualService>('virtual-service-reviews-test-v2.yaml', 'reviews').spec,
    );
    const after = expectValid(mesh, plan);
    expect(shares(after, 200, { 'end-user': 'jason' })).toEqual({ v2: 200 });
    expect(shares(after, 200, { 'end-user': 'kim' })).toEqual({ v1: 200 });
  });

  it('maps every kind of match, keeps the user rules, and replaces only its own rules on the next run', () => {
    const mesh = bookinfoMesh(['virtual-service-reviews-jason-v2-v3.yaml']);
    const first = build(
      {
        requestRouting: {
          rules: [
            {
              name: 'beta',
              match: [
                {
                  uri: { regex: '/reviews/[0-9]+' },
                  method: { exact: 'GET' },
                  headers: { 'X-Beta': { present: true } },
                },
                { queryParams: { canary: { prefix: 'y' } } },
              ],
              route: [
                { version: 'v3', weight: 60 },
                { version: 'v1', weight: 40 },
              ],
              timeout: '2s',
            },
          ],
        },
      },
      mesh,
    );
    const http = first.virtualService?.spec.http ?? [];
    expect(http.map((r) => r.name)).toEqual([undefined, 'meshlens-beta', 'meshlens-default']);
    expect(http[1]?.match).toEqual([
      { uri: { regex: '/reviews/[0-9]+' }, method: { exact: 'GET' }, headers: { 'x-beta': {} } },
      { queryParams: { canary: { prefix: 'y' } } },
    ]);
    // No default route given: the rest goes to the whole service.
    expect(http[2]?.route).toEqual([{ destination: { host: 'reviews' } }]);
    const after = expectValid(mesh, first);
    expect(Object.keys(shares(after, 100, { 'x-beta': '1' })).sort()).toEqual(['v1', 'v3']);
    expect(shares(after, 100)).toEqual({ any: 100 });
    expect(shares(after, 100, { 'end-user': 'jason', 'x-beta': '1' })).toEqual({ v2: 100 });
    const second = build(
      {
        requestRouting: {
          rules: [{ match: [{ uri: { prefix: '/api' } }], route: [{ version: 'v2', weight: 100 }] }],
          defaultRoute: [{ version: 'v3', weight: 100 }],
        },
      },
      after,
    );
    expect(second.virtualService?.spec.http?.map((r) => r.name)).toEqual([
      undefined,
      'meshlens-rule-0',
      'meshlens-default',
    ]);
    expectValid(after, second);
  });
});
