/** DestinationRule lookup precedence, fragment merging and policy inheritance (§1, §7). */
import { describe, expect, it } from 'vitest';
import { evaluateHttp } from './evaluate';
import { effectiveTrafficPolicy, findDestinationRule } from './destinationRule';
import { circuitBreakerLimits, loadBalancerKind } from './policy';
import type { Caller, HttpOutcome } from './evaluate.types';
import type { TrafficPolicy } from './model';
import { dr, get, mesh, productpage, vs } from '../test/fixtures';

const REVIEWS = 'reviews.bookinfo.svc.cluster.local';
const shop: Caller = { namespace: 'shop', labels: { app: 'web' } };

function route(o: HttpOutcome) {
  if (o.kind !== 'route') throw new Error(`expected a route, got ${o.kind}`);
  return o;
}

describe('which DestinationRule applies', () => {
  const inSvcNs = dr('reviews', {
    host: 'reviews',
    trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } },
  });
  const inCallerNs = dr(
    'reviews-shop',
    { host: REVIEWS, trafficPolicy: { loadBalancer: { simple: 'RANDOM' } } },
    'shop',
  );
  const inRoot = dr(
    'all',
    { host: '*.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
    'istio-system',
  );

  it("caller's namespace first, then the service's namespace, then the root namespace", () => {
    const m = mesh({ destinationRules: [inSvcNs, inCallerNs, inRoot] });
    expect(findDestinationRule(m, 'shop', {}, REVIEWS)?.keys).toEqual(['shop/reviews-shop']);
    expect(findDestinationRule(m, 'bookinfo', {}, REVIEWS)?.keys).toEqual(['bookinfo/reviews']);
    expect(findDestinationRule(m, 'other', {}, REVIEWS)?.keys).toEqual(['bookinfo/reviews']);
    const rootOnly = mesh({ destinationRules: [inRoot] });
    expect(findDestinationRule(rootOnly, 'shop', {}, REVIEWS)?.keys).toEqual(['istio-system/all']);
    expect(findDestinationRule(rootOnly, 'shop', {}, 'www.example.com')).toBeUndefined();
  });

  it('clients in the root namespace (gateways) see its rules first, private ones included', () => {
    const rootPrivate = dr(
      'gw-reviews',
      {
        host: 'reviews.bookinfo.svc.cluster.local',
        exportTo: ['.'],
        trafficPolicy: { loadBalancer: { simple: 'RANDOM' } },
      },
      'istio-system',
    );
    const m = mesh({ destinationRules: [inSvcNs, rootPrivate] });
    expect(findDestinationRule(m, 'istio-system', {}, REVIEWS)?.keys).toEqual(['istio-system/gw-reviews']);
    expect(findDestinationRule(m, 'shop', {}, REVIEWS)?.keys).toEqual(['bookinfo/reviews']);
    expect(
      findDestinationRule(mesh({ destinationRules: [rootPrivate] }), 'shop', {}, REVIEWS),
    ).toBeUndefined();
  });

  it('exportTo "." keeps a rule to its own namespace', () => {
    const priv = dr('reviews', { host: 'reviews', exportTo: ['.'] });
    const m = mesh({ destinationRules: [priv, inRoot] });
    expect(findDestinationRule(m, 'bookinfo', {}, REVIEWS)?.keys).toEqual(['bookinfo/reviews']);
    expect(findDestinationRule(m, 'shop', {}, REVIEWS)?.keys).toEqual(['istio-system/all']);
  });

  it('the most specific host wins within a namespace', () => {
    const wild = dr('wild', {
      host: '*.bookinfo.svc.cluster.local',
      trafficPolicy: { loadBalancer: { simple: 'RANDOM' } },
    });
    const m = mesh({ destinationRules: [wild, inSvcNs] });
    expect(findDestinationRule(m, 'bookinfo', {}, REVIEWS)?.keys).toEqual(['bookinfo/reviews']);
    expect(findDestinationRule(m, 'bookinfo', {}, 'ratings.bookinfo.svc.cluster.local')?.keys).toEqual([
      'bookinfo/wild',
    ]);
  });

  it('fragments for one host merge: first trafficPolicy kept, first subset definition wins', () => {
    const a = dr('a', {
      host: 'reviews',
      trafficPolicy: { loadBalancer: { simple: 'RANDOM' } },
      subsets: [{ name: 'v1', labels: { version: 'v1' } }],
    });
    const b = dr('b', {
      host: 'reviews',
      trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } },
      subsets: [
        { name: 'v1', labels: { version: 'other' } },
        { name: 'v2', labels: { version: 'v2' } },
      ],
    });
    const applied = findDestinationRule(mesh({ destinationRules: [b, a] }), 'bookinfo', {}, REVIEWS);
    expect(applied?.keys).toEqual(['bookinfo/a', 'bookinfo/b']);
    expect(applied?.trafficPolicy).toEqual({ loadBalancer: { simple: 'RANDOM' } });
    expect(applied?.subsets).toEqual([
      { name: 'v1', labels: { version: 'v1' } },
      { name: 'v2', labels: { version: 'v2' } },
    ]);
  });

  it('a workloadSelector rule applies only to the workloads it selects', () => {
    const sel = dr('for-pp', {
      host: 'reviews',
      workloadSelector: { matchLabels: { app: 'productpage' } },
      trafficPolicy: { loadBalancer: { simple: 'RANDOM' } },
    });
    const m = mesh({ destinationRules: [sel, inSvcNs] });
    expect(
      findDestinationRule(m, 'bookinfo', productpage.labels, REVIEWS)?.trafficPolicy?.loadBalancer?.simple,
    ).toBe('RANDOM');
    expect(
      findDestinationRule(m, 'bookinfo', { app: 'ratings' }, REVIEWS)?.trafficPolicy?.loadBalancer?.simple,
    ).toBe('ROUND_ROBIN');
  });
});

describe('policy inheritance', () => {
  const top: TrafficPolicy = {
    loadBalancer: { simple: 'ROUND_ROBIN' },
    connectionPool: { tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 10 } },
    outlierDetection: { consecutive5xxErrors: 7 },
    portLevelSettings: [{ port: { number: 9080 }, loadBalancer: { simple: 'RANDOM' } }],
  };

  it('a subset field replaces the whole top-level field (no deep merge)', () => {
    const merged = effectiveTrafficPolicy(
      top,
      { connectionPool: { http: { http2MaxRequests: 5 } } },
      undefined,
    );
    expect(merged?.connectionPool).toEqual({ http: { http2MaxRequests: 5 } });
    expect(circuitBreakerLimits(merged).maxConnections).toBe(4_294_967_295);
    expect(merged?.loadBalancer).toEqual({ simple: 'ROUND_ROBIN' });
    expect(merged?.outlierDetection).toEqual({ consecutive5xxErrors: 7 });
    expect(merged?.portLevelSettings).toBeUndefined();
  });

  it('a top-level port entry replaces LB, pool, outlier and TLS for that port; omitted ones fall to defaults', () => {
    const p = effectiveTrafficPolicy(top, undefined, 9080);
    expect(p).toEqual({ loadBalancer: { simple: 'RANDOM' } });
    expect(effectiveTrafficPolicy(top, undefined, 9090)?.loadBalancer).toEqual({ simple: 'ROUND_ROBIN' });
  });

  it("a subset's port entry wins over everything for its port", () => {
    const subset: TrafficPolicy = {
      outlierDetection: { consecutive5xxErrors: 1 },
      portLevelSettings: [{ port: { number: 9080 }, connectionPool: { http: { maxRetries: 1 } } }],
    };
    expect(effectiveTrafficPolicy(top, subset, 9080)).toEqual({
      connectionPool: { http: { maxRetries: 1 } },
    });
    expect(effectiveTrafficPolicy(top, subset, 9090)).toMatchObject({
      loadBalancer: { simple: 'ROUND_ROBIN' },
      outlierDetection: { consecutive5xxErrors: 1 },
    });
    expect(effectiveTrafficPolicy(undefined, undefined, 9080)).toBeUndefined();
  });

  it('through evaluateHttp: subset policy only when the route targets that subset', () => {
    const m = mesh({
      virtualServices: [
        vs('reviews', {
          hosts: ['reviews'],
          http: [
            {
              match: [{ headers: { canary: {} } }],
              route: [{ destination: { host: 'reviews', subset: 'v2' } }],
            },
            { route: [{ destination: { host: 'reviews' } }] },
          ],
        }),
      ],
      destinationRules: [
        dr('reviews', {
          host: 'reviews',
          trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } },
          subsets: [
            {
              name: 'v2',
              labels: { version: 'v2' },
              trafficPolicy: { loadBalancer: { simple: 'RANDOM' }, tls: { mode: 'DISABLE' } },
            },
          ],
        }),
      ],
    });
    const canary = route(evaluateHttp(m, productpage, get('reviews', '/', { canary: '1' }), Math.random));
    expect(loadBalancerKind(canary.policy)).toBe('RANDOM');
    expect(canary.clientMtls).toBe(false);
    const plain = route(evaluateHttp(m, productpage, get('reviews'), Math.random));
    expect(loadBalancerKind(plain.policy)).toBe('ROUND_ROBIN');
    expect(plain.clientMtls).toBe(true);
    expect(plain.subsetLabels).toBeUndefined();
  });

  it('portLevelSettings through evaluateHttp use the destination port', () => {
    const m = mesh({
      destinationRules: [
        dr('reviews', {
          host: 'reviews',
          trafficPolicy: {
            tls: { mode: 'ISTIO_MUTUAL' },
            portLevelSettings: [{ port: { number: 9080 }, tls: { mode: 'DISABLE' } }],
          },
        }),
      ],
    });
    expect(route(evaluateHttp(m, productpage, get('reviews:9080'), Math.random)).clientMtls).toBe(false);
    expect(route(evaluateHttp(m, shop, get('reviews.bookinfo:9443'), Math.random)).clientMtls).toBe(true);
  });
});
