/** Destinations and weights (§3), mirroring (§6), mesh defaults, explanations. */
import { describe, expect, it } from 'vitest';
import { evaluateHttp } from './evaluate';
import { evaluateTcp } from './evaluateTcp';
import { describeRoute } from './describe';
import { clusterName } from './destination';
import { mulberry32 } from './random';
import type { Caller, HttpOutcome, MeshConfig } from './evaluate.types';
import { dr, draws, get, mesh, productpage, vs } from '../test/fixtures';

const FQDN = (s: string, ns = 'bookinfo') => `${s}.${ns}.svc.cluster.local`;
const subsets = dr('reviews', {
  host: 'reviews',
  subsets: ['v1', 'v2', 'v3'].map((v) => ({ name: v, labels: { version: v } })),
});
const to = (subset: string, weight?: number) => ({
  destination: { host: 'reviews', subset },
  ...(weight !== undefined ? { weight } : {}),
});

function route(o: HttpOutcome) {
  if (o.kind !== 'route') throw new Error(`expected a route, got ${o.kind}`);
  return o;
}
function subsetOf(m: MeshConfig, caller: Caller = productpage, host = 'reviews', random = Math.random) {
  return route(evaluateHttp(m, caller, get(host), random)).destination.subset;
}

describe('destinations and weights', () => {
  it('one destination takes everything whatever its weight', () => {
    const m = mesh({
      virtualServices: [vs('r', { hosts: ['reviews'], http: [{ route: [to('v2', 30)] }] })],
      destinationRules: [subsets],
    });
    for (let i = 0; i < 50; i++) expect(subsetOf(m)).toBe('v2');
  });

  it('weights are relative; a missing weight gets nothing', () => {
    const m = mesh({
      virtualServices: [
        vs('r', { hosts: ['reviews'], http: [{ route: [to('v1', 1), to('v2', 3), to('v3')] }] }),
      ],
      destinationRules: [subsets],
    });
    expect(subsetOf(m, productpage, 'reviews', draws(0.24))).toBe('v1');
    expect(subsetOf(m, productpage, 'reviews', draws(0.26))).toBe('v2');
    expect(subsetOf(m, productpage, 'reviews', draws(0.999))).toBe('v2');
    const random = mulberry32(1);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 4000; i++) {
      const s = subsetOf(m, productpage, 'reviews', random) as string;
      counts[s] = (counts[s] ?? 0) + 1;
    }
    expect(counts.v3).toBeUndefined();
    expect(Math.abs((counts.v1 ?? 0) / 4000 - 0.25)).toBeLessThan(0.03);
  });

  it('destination port: as written, else the only service port', () => {
    const m = mesh({
      virtualServices: [
        vs('r', {
          hosts: ['reviews'],
          http: [{ route: [{ destination: { host: 'ratings', port: { number: 9999 } } }] }],
        }),
      ],
    });
    expect(route(evaluateHttp(m, productpage, get('reviews'), Math.random)).destination).toEqual({
      host: FQDN('ratings'),
      port: 9999,
    });
    m.virtualServices = [
      vs('r', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'ratings' } }] }] }),
    ];
    expect(route(evaluateHttp(m, productpage, get('reviews'), Math.random)).destination).toEqual({
      host: FQDN('ratings'),
      port: 9080,
    });
  });

  it('directResponse and redirect answer locally', () => {
    const m = mesh({
      virtualServices: [
        vs('r', {
          hosts: ['reviews'],
          http: [
            {
              match: [{ uri: { exact: '/gone' } }],
              directResponse: { status: 410, body: { string: 'gone' } },
            },
            { redirect: { uri: '/v2', redirectCode: 302 } },
          ],
        }),
      ],
    });
    expect(route(evaluateHttp(m, productpage, get('reviews', '/gone'), Math.random)).directResponse).toEqual({
      status: 410,
      body: 'gone',
    });
    expect(route(evaluateHttp(m, productpage, get('reviews', '/x'), Math.random)).redirect).toEqual({
      status: 302,
      location: `http://${FQDN('reviews')}/v2`,
    });
  });
});

describe('mirroring', () => {
  const withMirror = (extra: Record<string, unknown>) =>
    mesh({
      virtualServices: [vs('r', { hosts: ['reviews'], http: [{ route: [to('v1')], ...extra }] })],
      destinationRules: [subsets],
    });

  it('mirror defaults to 100%; mirrorPercentage rolls; 0 disables', () => {
    const all = route(
      evaluateHttp(
        withMirror({ mirror: { host: 'reviews', subset: 'v2' } }),
        productpage,
        get('reviews'),
        Math.random,
      ),
    );
    expect(all.mirror).toEqual({ host: FQDN('reviews'), subset: 'v2', port: 9080 });
    const half = withMirror({ mirror: { host: 'reviews', subset: 'v2' }, mirrorPercentage: { value: 50 } });
    expect(route(evaluateHttp(half, productpage, get('reviews'), draws(0.4))).mirror).toBeDefined();
    expect(route(evaluateHttp(half, productpage, get('reviews'), draws(0.6))).mirror).toBeUndefined();
    const zero = withMirror({ mirror: { host: 'reviews' }, mirrorPercentage: { value: 0 } });
    expect(route(evaluateHttp(zero, productpage, get('reviews'), Math.random)).mirror).toBeUndefined();
  });

  it('mirrors[] each with its own percentage (default 100)', () => {
    const m = withMirror({
      mirrors: [
        { destination: { host: 'reviews', subset: 'v2' } },
        { destination: { host: 'reviews', subset: 'v3' }, percentage: { value: 10 } },
      ],
    });
    const o = route(evaluateHttp(m, productpage, get('reviews'), draws(0.5)));
    expect(o.mirrors?.map((d) => d.subset)).toEqual(['v2']);
    expect(
      route(evaluateHttp(m, productpage, get('reviews'), draws(0.05))).mirrors?.map((d) => d.subset),
    ).toEqual(['v2', 'v3']);
  });
});

describe('describeRoute', () => {
  it('explains the chosen route step by step', () => {
    const m = mesh({
      virtualServices: [
        vs('reviews', {
          hosts: ['reviews'],
          http: [
            { match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [to('v2')] },
            { route: [to('v1')] },
          ],
        }),
      ],
      destinationRules: [subsets],
    });
    const text = describeRoute(
      evaluateHttp(m, productpage, get('reviews', '/', { 'end-user': 'jason' }), Math.random),
    );
    expect(text.split('\n')[0]).toBe(`→ ${FQDN('reviews')}:9080 (subset v2), retries 2, mTLS`);
    expect(text).toContain('VirtualService bookinfo/reviews');
    expect(text).toContain('http[0]: match[0] matched');
    expect(text).toContain('DestinationRule bookinfo/reviews');
    const nr = describeRoute(
      evaluateHttp(
        mesh({
          virtualServices: [
            vs('reviews', {
              hosts: ['reviews'],
              http: [{ match: [{ uri: { exact: '/x' } }], route: [to('v1')] }],
            }),
          ],
        }),
        productpage,
        get('reviews'),
        Math.random,
      ),
    );
    expect(nr.split('\n')[0]).toBe('404 NR: no route matched in bookinfo/reviews');
  });
});

describe('mesh defaults and unknown hosts', () => {
  it('MeshConfig defaultHttpRetryPolicy replaces the built-in default for routes without retries', () => {
    const m = mesh({ defaultHttpRetryPolicy: { attempts: 5, retryOn: '5xx' } });
    expect(route(evaluateHttp(m, productpage, get('reviews'), Math.random)).retries).toMatchObject({
      attempts: 5,
      retryOn: ['5xx'],
    });
    m.virtualServices = [
      vs('r', {
        hosts: ['reviews'],
        http: [{ retries: { attempts: 1 }, route: [{ destination: { host: 'reviews' } }] }],
      }),
    ];
    expect(route(evaluateHttp(m, productpage, get('reviews'), Math.random)).retries.attempts).toBe(1);
  });

  it('a host outside the registry is passthrough and plaintext; services and ServiceEntry hosts are not', () => {
    const m = mesh({});
    const ext = route(evaluateHttp(m, productpage, get('api.example.com'), Math.random));
    expect(ext).toMatchObject({
      passthrough: true,
      clientMtls: false,
      destination: { host: 'api.example.com', port: 80 },
    });
    expect(route(evaluateHttp(m, productpage, get('reviews'), Math.random)).passthrough).toBeUndefined();
    expect(evaluateTcp(m, productpage, '203.0.113.9', 5432, Math.random)).toMatchObject({
      passthrough: true,
      clientMtls: false,
    });
  });

  it('clusterName follows Envoy: outbound|port|subset|host', () => {
    expect(clusterName({ host: FQDN('reviews'), port: 9080, subset: 'v1' })).toBe(
      `outbound|9080|v1|${FQDN('reviews')}`,
    );
    expect(clusterName({ host: FQDN('reviews'), port: 9080 })).toBe(`outbound|9080||${FQDN('reviews')}`);
  });
});
