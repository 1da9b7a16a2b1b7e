/** VirtualService selection (§1), destinations and weights (§3), mirroring (§6), TCP, explanations. */
import { describe, expect, it } from 'vitest';
import { evaluateHttp, resolveHost } from './evaluate';
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

describe('TCP', () => {
  const mysql = { name: 'mysqldb', namespace: 'bookinfo', ports: [{ port: 3306 }] };
  const base = (tcp: unknown[]) =>
    mesh({
      services: [...mesh({}).services, mysql],
      virtualServices: [vs('db', { hosts: ['mysqldb'], tcp: tcp as never })],
      destinationRules: [
        dr('db', {
          host: 'mysqldb',
          subsets: [
            { name: 'v1', labels: { version: 'v1' } },
            { name: 'v2', labels: { version: 'v2' } },
          ],
        }),
      ],
    });

  it('matches by port and source labels, weights the route', () => {
    const m = base([
      {
        match: [{ port: 3306, sourceLabels: { app: 'ratings' } }],
        route: [{ destination: { host: 'mysqldb', subset: 'v2' } }],
      },
      {
        route: [
          { destination: { host: 'mysqldb', subset: 'v1' }, weight: 50 },
          { destination: { host: 'mysqldb', subset: 'v2' }, weight: 50 },
        ],
      },
    ]);
    const ratings: Caller = { namespace: 'bookinfo', labels: { app: 'ratings', version: 'v2-mysql' } };
    expect(evaluateTcp(m, ratings, 'mysqldb', 3306, Math.random)).toMatchObject({
      kind: 'route',
      ruleIndex: 0,
      subsetLabels: { version: 'v2' },
    });
    expect(evaluateTcp(m, productpage, 'mysqldb', 3306, draws(0.1))).toMatchObject({
      ruleIndex: 1,
      destination: { subset: 'v1' },
    });
    expect(evaluateTcp(m, productpage, 'mysqldb', 3306, draws(0.9))).toMatchObject({
      ruleIndex: 1,
      destination: { subset: 'v2' },
    });
  });

  it('no matching tcp rule falls back to the service; an undefined subset is noCluster', () => {
    const m = base([
      { match: [{ port: 1234 }], route: [{ destination: { host: 'mysqldb', subset: 'v9' } }] },
    ]);
    expect(evaluateTcp(m, productpage, 'mysqldb', 3306, Math.random)).toMatchObject({
      kind: 'route',
      destination: { host: FQDN('mysqldb'), port: 3306 },
    });
    expect(evaluateTcp(m, productpage, 'mysqldb', 1234, Math.random)).toMatchObject({
      kind: 'noCluster',
      virtualService: 'bookinfo/db',
    });
  });

  it('destinationSubnets match IPv4 destinations', () => {
    const m = mesh({
      virtualServices: [
        vs('ip', {
          hosts: ['10.1.0.0'],
          tcp: [
            {
              match: [{ destinationSubnets: ['10.1.0.0/16'] }],
              route: [{ destination: { host: 'ratings' } }],
            },
          ],
        }),
      ],
    });
    expect(evaluateTcp(m, productpage, '10.1.0.0', 80, Math.random)).toMatchObject({
      destination: { host: FQDN('ratings') },
    });
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

describe('TLS passthrough routes', () => {
  it('tls[] rules match by SNI (wildcards too) before tcp[]; without SNI only tcp[] applies', () => {
    const m = mesh({
      serviceEntries: [
        {
          apiVersion: 'networking.istio.io/v1',
          kind: 'ServiceEntry',
          metadata: { name: 'ext', namespace: 'bookinfo' },
          spec: {
            hosts: ['*.example.com'],
            ports: [{ number: 443, name: 'tls', protocol: 'TLS' }],
            location: 'MESH_EXTERNAL',
          },
        },
      ],
      virtualServices: [
        vs('ext', {
          hosts: ['*.example.com'],
          tls: [
            {
              match: [{ port: 443, sniHosts: ['api.example.com'] }],
              route: [{ destination: { host: 'api.example.com' } }],
            },
          ],
          tcp: [{ route: [{ destination: { host: 'fallback.example.com' } }] }],
        }),
      ],
    });
    expect(
      evaluateTcp(m, productpage, 'api.example.com', 443, Math.random, { sni: 'api.example.com' }),
    ).toMatchObject({
      kind: 'route',
      tlsRoute: true,
      ruleIndex: 0,
      destination: { host: 'api.example.com', port: 443 },
      clientMtls: false,
    });
    expect(
      evaluateTcp(m, productpage, 'www.example.com', 443, Math.random, { sni: 'www.example.com' }),
    ).toMatchObject({
      destination: { host: 'fallback.example.com' },
    });
    expect(evaluateTcp(m, productpage, 'api.example.com', 443, Math.random)).toMatchObject({
      destination: { host: 'fallback.example.com' },
    });
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
