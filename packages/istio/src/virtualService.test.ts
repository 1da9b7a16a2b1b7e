/** Which VirtualService applies (§1): hosts, bindings, visibility, precedence, duplicates, delegates. */
import { describe, expect, it } from 'vitest';
import { evaluateHttp, resolveHost } from './evaluate';
import type { Caller, HttpOutcome, MeshConfig } from './evaluate.types';
import { dr, get, mesh, productpage, vs } from '../test/fixtures';

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

describe('resolveHost', () => {
  const m = mesh({});
  it('completes short names in the caller namespace and known name.namespace forms', () => {
    expect(resolveHost(m, 'reviews', 'bookinfo')).toBe(FQDN('reviews'));
    expect(resolveHost(m, 'reviews:9080', 'bookinfo')).toBe(FQDN('reviews'));
    expect(resolveHost(m, 'reviews', 'other')).toBe(FQDN('reviews', 'other'));
    expect(resolveHost(m, 'reviews.bookinfo', 'other')).toBe(FQDN('reviews'));
    expect(resolveHost(m, 'reviews.bookinfo.svc', 'other')).toBe(FQDN('reviews'));
    expect(resolveHost(m, 'Reviews.Bookinfo.svc.cluster.local.', 'x')).toBe(FQDN('reviews'));
    expect(resolveHost(m, 'www.example.com', 'bookinfo')).toBe('www.example.com');
    expect(resolveHost(m, '10.0.0.1:80', 'bookinfo')).toBe('10.0.0.1');
  });
});

describe('which VirtualService applies', () => {
  it('a VirtualService in another namespace names short hosts in its own namespace', () => {
    const m = mesh({
      virtualServices: [vs('r', { hosts: ['reviews'], http: [{ route: [to('v2')] }] }, 'other')],
      destinationRules: [subsets],
    });
    expect(route(evaluateHttp(m, productpage, get('reviews'), Math.random)).virtualService).toBeUndefined();
    const fq = mesh({
      virtualServices: [
        vs(
          'r',
          {
            hosts: [FQDN('reviews')],
            http: [{ route: [{ destination: { host: FQDN('reviews'), subset: 'v2' } }] }],
          },
          'other',
        ),
      ],
      destinationRules: [subsets],
    });
    expect(route(evaluateHttp(fq, productpage, get('reviews'), Math.random)).virtualService).toBe('other/r');
  });

  it('exact host beats a wildcard; a longer wildcard beats a shorter one', () => {
    const m = mesh({
      virtualServices: [
        vs('wide', { hosts: ['*.cluster.local'], http: [{ route: [to('v1')] }] }),
        vs('ns', { hosts: ['*.bookinfo.svc.cluster.local'], http: [{ route: [to('v2')] }] }),
        vs('exact', { hosts: ['reviews'], http: [{ route: [to('v3')] }] }),
      ],
      destinationRules: [subsets],
    });
    expect(subsetOf(m)).toBe('v3');
    m.virtualServices = m.virtualServices.filter((v) => v.metadata.name !== 'exact');
    expect(subsetOf(m)).toBe('v2');
    m.virtualServices = m.virtualServices.filter((v) => v.metadata.name !== 'ns');
    expect(subsetOf(m)).toBe('v1');
  });

  it('sidecars: of two VirtualServices for one host only the oldest applies', () => {
    const m = mesh({
      virtualServices: [
        vs(
          'newer',
          { hosts: ['reviews'], http: [{ route: [to('v2')] }] },
          'bookinfo',
          '2026-01-02T00:00:00Z',
        ),
        vs(
          'older',
          { hosts: ['reviews'], http: [{ match: [{ headers: { x: {} } }], route: [to('v1')] }] },
          'bookinfo',
          '2026-01-01T00:00:00Z',
        ),
      ],
      destinationRules: [subsets],
    });
    expect(evaluateHttp(m, productpage, get('reviews'), Math.random)).toMatchObject({
      kind: 'noRoute',
      virtualService: 'bookinfo/older',
    });
  });

  it('gateways: VirtualServices for one host merge, catch-all rules moved to the end', () => {
    const gw: Caller = {
      namespace: 'istio-system',
      labels: { istio: 'ingressgateway' },
      gateways: ['bookinfo/gw'],
    };
    const m = mesh({
      virtualServices: [
        vs(
          'a',
          { hosts: ['shop.example.com'], gateways: ['gw'], http: [{ route: [to('v1')] }] },
          'bookinfo',
          '2026-01-01T00:00:00Z',
        ),
        vs(
          'b',
          {
            hosts: ['shop.example.com'],
            gateways: ['bookinfo/gw'],
            http: [{ match: [{ uri: { prefix: '/new' } }], route: [to('v2')] }],
          },
          'bookinfo',
          '2026-01-02T00:00:00Z',
        ),
      ],
      destinationRules: [subsets],
    });
    expect(route(evaluateHttp(m, gw, get('shop.example.com', '/new/x'), Math.random))).toMatchObject({
      virtualService: 'bookinfo/b',
      destination: { subset: 'v2' },
    });
    expect(route(evaluateHttp(m, gw, get('shop.example.com', '/old'), Math.random))).toMatchObject({
      virtualService: 'bookinfo/a',
      destination: { subset: 'v1' },
    });
    // Gateway-bound only: the mesh does not see them; an unknown host at the gateway is 404 NR.
    expect(route(evaluateHttp(m, productpage, get('reviews'), Math.random)).virtualService).toBeUndefined();
    expect(evaluateHttp(m, gw, get('other.example.com'), Math.random)).toMatchObject({
      kind: 'noRoute',
      virtualService: '',
    });
  });

  it('gateways listing mesh apply to both sidecars and the gateway', () => {
    const m = mesh({
      virtualServices: [
        vs('r', { hosts: ['reviews'], gateways: ['gw', 'mesh'], http: [{ route: [to('v3')] }] }),
      ],
      destinationRules: [subsets],
    });
    expect(subsetOf(m)).toBe('v3');
  });

  it('exportTo: "." hides a VirtualService from other namespaces; explicit lists admit the named ones', () => {
    const fq = { destination: { host: FQDN('reviews'), subset: 'v2' } };
    const other: Caller = { namespace: 'shop', labels: { app: 'web' } };
    const m = mesh({
      virtualServices: [vs('r', { hosts: ['reviews'], exportTo: ['.'], http: [{ route: [fq] }] })],
      destinationRules: [subsets],
    });
    expect(route(evaluateHttp(m, productpage, get('reviews'), Math.random)).virtualService).toBe(
      'bookinfo/r',
    );
    expect(
      route(evaluateHttp(m, other, get('reviews.bookinfo'), Math.random)).virtualService,
    ).toBeUndefined();
    const listed = mesh({
      virtualServices: [vs('r', { hosts: ['reviews'], exportTo: ['shop'], http: [{ route: [fq] }] })],
      destinationRules: [subsets],
    });
    expect(route(evaluateHttp(listed, other, get('reviews.bookinfo'), Math.random)).virtualService).toBe(
      'bookinfo/r',
    );
    expect(
      route(evaluateHttp(listed, productpage, get('reviews'), Math.random)).virtualService,
    ).toBeUndefined();
  });

  it('a rule whose match blocks are all filtered out for this proxy is skipped, not a catch-all', () => {
    const m = mesh({
      virtualServices: [
        vs('r', {
          hosts: ['reviews'],
          http: [{ match: [{ sourceLabels: { app: 'ratings' } }], route: [to('v3')] }, { route: [to('v1')] }],
        }),
      ],
      destinationRules: [subsets],
    });
    expect(subsetOf(m)).toBe('v1');
    expect(subsetOf(m, { namespace: 'bookinfo', labels: { app: 'ratings', version: 'v1' } })).toBe('v3');
  });

  it('delegate: the delegate VirtualService rules decide', () => {
    const gw: Caller = { namespace: 'istio-system', labels: {}, gateways: ['bookinfo/gw'] };
    const m = mesh({
      virtualServices: [
        vs('root', {
          hosts: ['shop.example.com'],
          gateways: ['gw'],
          http: [{ match: [{ uri: { prefix: '/reviews' } }], delegate: { name: 'child' } }],
        }),
        vs('child', {
          http: [{ match: [{ uri: { prefix: '/reviews/v3' } }], route: [to('v3')] }, { route: [to('v1')] }],
        }),
      ],
      destinationRules: [subsets],
    });
    expect(route(evaluateHttp(m, gw, get('shop.example.com', '/reviews/v3/x'), Math.random))).toMatchObject({
      virtualService: 'bookinfo/child',
      destination: { subset: 'v3' },
    });
    expect(
      route(evaluateHttp(m, gw, get('shop.example.com', '/reviews'), Math.random)).destination.subset,
    ).toBe('v1');
    expect(evaluateHttp(m, gw, get('shop.example.com', '/other'), Math.random).kind).toBe('noRoute');
  });
});

describe('config snapshots', () => {
  it('a replaced or grown array is seen on the next request (lookup tables rebuilt)', () => {
    const m = mesh({ destinationRules: [subsets] });
    expect(route(evaluateHttp(m, productpage, get('reviews'), Math.random)).virtualService).toBeUndefined();
    m.virtualServices.push(vs('r', { hosts: ['reviews'], http: [{ route: [to('v2')] }] }));
    expect(subsetOf(m)).toBe('v2');
    m.virtualServices = [vs('r', { hosts: ['reviews'], http: [{ route: [to('v3')] }] })];
    expect(subsetOf(m)).toBe('v3');
  });
});

describe('a VirtualService that gives a proxy no route at all', () => {
  it('is skipped: the sidecar uses the default route rather than answering 404', () => {
    const m = mesh({
      virtualServices: [
        vs('r', {
          hosts: ['reviews'],
          http: [{ match: [{ sourceLabels: { app: 'ratings' } }], route: [to('v3')] }],
        }),
      ],
      destinationRules: [subsets],
    });
    const pp = route(evaluateHttp(m, productpage, get('reviews'), Math.random));
    expect(pp.virtualService).toBeUndefined();
    expect(pp.destination.subset).toBeUndefined();
    expect(pp.explanation?.join('\n')).toContain('gives this proxy no route on port 9080');
    const ratings: Caller = { namespace: 'bookinfo', labels: { app: 'ratings', version: 'v1' } };
    expect(subsetOf(m, ratings)).toBe('v3');
  });

  it('is skipped when every match block names another port; a runtime mismatch still gives 404', () => {
    const portOnly = mesh({
      virtualServices: [
        vs('r', { hosts: ['reviews'], http: [{ match: [{ port: 80 }], route: [to('v3')] }] }),
      ],
      destinationRules: [subsets],
    });
    expect(
      route(evaluateHttp(portOnly, productpage, get('reviews:9080'), Math.random)).virtualService,
    ).toBeUndefined();
    const header = mesh({
      virtualServices: [
        vs('r', {
          hosts: ['reviews'],
          http: [{ match: [{ headers: { x: { exact: '1' } } }], route: [to('v3')] }],
        }),
      ],
      destinationRules: [subsets],
    });
    expect(evaluateHttp(header, productpage, get('reviews'), Math.random).kind).toBe('noRoute');
  });
});
