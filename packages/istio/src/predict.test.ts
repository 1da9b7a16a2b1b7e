import { describe, expect, it } from 'vitest';
import type { MeshConfig } from './evaluate.types';
import type { DestinationRule, HTTPRoute, VirtualService } from './model';
import { predictLoad, type LoadSource } from './predict';

const NS = 'bookinfo';
const dr: DestinationRule = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name: 'reviews', namespace: NS },
  spec: {
    host: 'reviews',
    subsets: ['v1', 'v2', 'v3'].map((v) => ({ name: v, labels: { version: v } })),
  },
};
const vs = (http: HTTPRoute[]): VirtualService => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'reviews', namespace: NS },
  spec: { hosts: ['reviews'], http },
});
const to = (subset: string, weight?: number) => ({
  destination: { host: 'reviews', subset },
  ...(weight === undefined ? {} : { weight }),
});
const config = (virtualServices: VirtualService[], destinationRules = [dr]): MeshConfig => ({
  virtualServices,
  destinationRules,
  peerAuthentications: [],
  serviceEntries: [],
  services: [{ name: 'reviews', namespace: NS, ports: [{ port: 9080, name: 'http' }] }],
});
const productpage: LoadSource = { namespace: NS, labels: { app: 'productpage', version: 'v1' }, rps: 10 };
const tester: LoadSource = { namespace: NS, labels: { app: 'tester', version: 'v1' }, rps: 2 };
const round = (r: Record<string, number>) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Math.round(v * 1000) / 1000]));

describe('predictLoad', () => {
  it('splits the callers’ requests by the weights', () => {
    const p = predictLoad(config([vs([{ route: [to('v1', 80), to('v3', 20)] }])]), NS, 'reviews', [
      productpage,
      tester,
    ]);
    expect(round(p.rps)).toEqual({ v1: 9.6, v3: 2.4 });
    expect(p.upTo).toEqual(p.rps);
    expect(p.uncertain).toEqual([]);
    expect(p.unrouted).toBe(0);
  });

  it('predicts matches on the caller exactly, per caller', () => {
    const rules: HTTPRoute[] = [
      { match: [{ sourceLabels: { app: 'tester' } }], route: [to('v3')] },
      { route: [to('v1')] },
    ];
    const p = predictLoad(config([vs(rules)]), NS, 'reviews', [productpage, tester]);
    expect(p.rps).toEqual({ v1: 10, v3: 2 });
    expect(p.uncertain).toEqual([]);
  });

  it('cannot weigh a header match: none assumed, and what the version would get if all matched', () => {
    const rules: HTTPRoute[] = [
      { match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [to('v2')] },
      { route: [to('v1')] },
    ];
    const p = predictLoad(config([vs(rules)]), NS, 'reviews', [productpage, tester]);
    expect(p.rps).toEqual({ v1: 12 });
    expect(p.upTo).toEqual({ v1: 12, v2: 12 });
    expect(p.uncertain).toEqual([
      {
        virtualService: 'bookinfo/reviews',
        index: 0,
        match: 'header end-user exact "jason"',
        ifAllMatched: { v2: 12 },
      },
    ]);
  });

  it('assumes no request matches such a rule even when a plain request would (uri prefix /, GET)', () => {
    for (const match of [{ uri: { prefix: '/' } }, { method: { exact: 'GET' } }]) {
      const rules: HTTPRoute[] = [{ match: [match], route: [to('v3')] }, { route: [to('v1')] }];
      const p = predictLoad(config([vs(rules)]), NS, 'reviews', [productpage]);
      expect(p.rps).toEqual({ v1: 10 });
      expect(p.upTo).toEqual({ v1: 10, v3: 10 });
    }
  });

  it('a request match limited to some callers bounds only their traffic', () => {
    const rules: HTTPRoute[] = [
      { match: [{ uri: { prefix: '/api' }, sourceLabels: { app: 'tester' } }], route: [to('v3')] },
      { route: [to('v1')] },
    ];
    const p = predictLoad(config([vs(rules)]), NS, 'reviews', [productpage, tester]);
    expect(p.rps).toEqual({ v1: 12 });
    expect(p.uncertain[0]).toMatchObject({ match: 'uri prefix "/api"', ifAllMatched: { v1: 10, v3: 2 } });
    expect(p.upTo).toEqual({ v1: 12, v3: 2 });
  });

  it('without routing spreads over the ready pods; an undefined subset or no route reaches no version', () => {
    const none = predictLoad(config([]), NS, 'reviews', [productpage], {
      podsReady: { v1: 1, v2: 3, v3: 0 },
    });
    expect(none.rps).toEqual({ v1: 2.5, v2: 7.5 });
    const noSubset = predictLoad(config([vs([{ route: [to('v1', 50), to('v9', 50)] }])]), NS, 'reviews', [
      productpage,
    ]);
    expect(noSubset.rps).toEqual({ v1: 5 });
    expect(noSubset.unrouted).toBe(5);
    const headerOnly = predictLoad(
      config([vs([{ match: [{ headers: { x: { exact: '1' } } }], route: [to('v2')] }])]),
      NS,
      'reviews',
      [productpage],
    );
    expect(headerOnly.rps).toEqual({});
    expect(headerOnly.unrouted).toBe(10);
    expect(headerOnly.upTo).toEqual({ v2: 10 });
  });

  it('ignores the rules of another service’s VirtualService', () => {
    const other: VirtualService = {
      ...vs([{ match: [{ headers: { a: { exact: 'b' } } }], route: [{ destination: { host: 'ratings' } }] }]),
      metadata: { name: 'ratings', namespace: NS },
      spec: {
        hosts: ['ratings'],
        http: [
          { match: [{ headers: { a: { exact: 'b' } } }], route: [{ destination: { host: 'ratings' } }] },
        ],
      },
    };
    const p = predictLoad(config([vs([{ route: [to('v2')] }]), other]), NS, 'reviews', [productpage]);
    expect(p.rps).toEqual({ v2: 10 });
    expect(p.uncertain).toEqual([]);
  });
});
