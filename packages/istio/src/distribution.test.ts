/** httpRouteDistribution: the shares a preview shows, checked on Bookinfo samples and hand-made rules. */
import { describe, expect, it } from 'vitest';
import { httpRouteDistribution } from './distribution';
import { evaluateHttp } from './evaluate';
import { mulberry32 } from './random';
import { bookinfoMesh, get, mesh, productpage, reviewsV2, vs } from '../test/fixtures';

const FQDN = (s: string) => `${s}.bookinfo.svc.cluster.local`;

describe('httpRouteDistribution', () => {
  it('80/20 split as shares, and the shares agree with seeded draws of evaluateHttp', () => {
    const m = bookinfoMesh(['virtual-service-reviews-80-20.yaml', 'destination-rule-all.yaml']);
    const d = httpRouteDistribution(m, productpage, get('reviews'));
    expect(d).toMatchObject({ kind: 'route', virtualService: 'bookinfo/reviews', ruleIndex: 0 });
    expect(d.shares.map((s) => [s.destination.subset, s.share, s.subsetLabels, s.clientMtls])).toEqual([
      ['v1', 0.8, { version: 'v1' }, true],
      ['v2', 0.2, { version: 'v2' }, true],
    ]);
    const random = mulberry32(5);
    let v2 = 0;
    for (let i = 0; i < 5000; i++) {
      const o = evaluateHttp(m, productpage, get('reviews'), random);
      if (o.kind === 'route' && o.destination.subset === 'v2') v2++;
    }
    expect(Math.abs(v2 / 5000 - (d.shares[1]?.share ?? 0))).toBeLessThan(0.02);
  });

  it('header routing: jason and the rest get different rules', () => {
    const m = bookinfoMesh(['virtual-service-reviews-jason-v2-v3.yaml', 'destination-rule-all.yaml']);
    const jason = httpRouteDistribution(m, productpage, get('reviews', '/', { 'end-user': 'jason' }));
    expect([jason.ruleIndex, jason.shares.map((s) => [s.destination.subset, s.share])]).toEqual([
      0,
      [['v2', 1]],
    ]);
    const others = httpRouteDistribution(m, productpage, get('reviews'));
    expect([others.ruleIndex, others.shares.map((s) => [s.destination.subset, s.share])]).toEqual([
      1,
      [['v3', 1]],
    ]);
  });

  it('faults as configured percentages', () => {
    const m = bookinfoMesh(['virtual-service-ratings-test-abort.yaml', 'destination-rule-all.yaml']);
    expect(httpRouteDistribution(m, reviewsV2, get('ratings', '/', { 'end-user': 'jason' })).fault).toEqual({
      abort: { status: 500, percent: 100 },
    });
    expect(httpRouteDistribution(m, reviewsV2, get('ratings')).fault).toEqual({});
    const delay = bookinfoMesh(['virtual-service-ratings-test-delay.yaml', 'destination-rule-all.yaml']);
    expect(
      httpRouteDistribution(delay, reviewsV2, get('ratings', '/', { 'end-user': 'jason' })).fault,
    ).toEqual({
      delay: { ms: 7000, percent: 100 },
    });
  });

  it('undefined subsets are flagged noCluster; no VirtualService is one default share', () => {
    const alone = bookinfoMesh(['virtual-service-all-v1.yaml']);
    expect(httpRouteDistribution(alone, productpage, get('reviews')).shares).toEqual([
      { destination: { host: FQDN('reviews'), subset: 'v1', port: 9080 }, share: 1, noCluster: true },
    ]);
    const none = httpRouteDistribution(bookinfoMesh([]), productpage, get('reviews'));
    expect(none.shares).toEqual([
      { destination: { host: FQDN('reviews'), port: 9080 }, share: 1, clientMtls: true },
    ]);
    expect(none.retries?.attempts).toBe(2);
  });

  it('merges repeated destinations, reports mirrors, timeout, retries, local answers and noRoute', () => {
    const m = mesh({
      virtualServices: [
        vs('r', {
          hosts: ['reviews'],
          http: [
            { match: [{ uri: { exact: '/gone' } }], directResponse: { status: 410 } },
            { match: [{ uri: { exact: '/x' } }], route: [{ destination: { host: 'reviews' } }] },
            {
              match: [{ uri: { prefix: '/' } }],
              route: [
                { destination: { host: 'reviews' }, weight: 30 },
                { destination: { host: 'ratings' }, weight: 50 },
                { destination: { host: 'reviews' }, weight: 20 },
              ],
              mirror: { host: 'details' },
              mirrorPercentage: { value: 5 },
              timeout: '3s',
              retries: { attempts: 1, retryOn: '5xx' },
            },
          ],
        }),
      ],
    });
    const d = httpRouteDistribution(m, productpage, get('reviews', '/api'));
    expect(d.shares.map((s) => [s.destination.host, s.share])).toEqual([
      [FQDN('reviews'), 0.5],
      [FQDN('ratings'), 0.5],
    ]);
    expect(d.mirrors).toEqual([{ destination: { host: FQDN('details'), port: 9080 }, percent: 5 }]);
    expect(d.timeoutMs).toBe(3000);
    expect(d.retries).toMatchObject({ attempts: 1, retryOn: ['5xx'] });
    expect(httpRouteDistribution(m, productpage, get('reviews', '/gone'))).toMatchObject({
      kind: 'local',
      ruleIndex: 0,
    });
    const narrow = mesh({
      virtualServices: [
        vs('r', {
          hosts: ['reviews'],
          http: [{ match: [{ uri: { exact: '/x' } }], route: [{ destination: { host: 'reviews' } }] }],
        }),
      ],
    });
    expect(httpRouteDistribution(narrow, productpage, get('reviews', '/y'))).toMatchObject({
      kind: 'noRoute',
      shares: [],
    });
  });
});
