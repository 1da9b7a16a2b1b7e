/** Validations on hand-made objects: every check, its severity and its path; schema checks. */
import { beforeAll, describe, expect, it } from 'vitest';
import { validateMesh, validateObject } from './mesh';
import type { CrdSchemas } from './schema';
import type { ValidationInput } from './types';
import type { VirtualService } from '../model';
import { dr, mesh, pa, vs } from '../../test/fixtures';
import { loadSchemas, summary } from '../../test/validationFixtures';

let schemas: CrdSchemas;
beforeAll(() => {
  schemas = loadSchemas();
});

describe('VirtualService checks', () => {
  const reviewsDr = dr('reviews', {
    host: 'reviews',
    subsets: ['v1', 'v2', 'v3'].map((v) => ({ name: v, labels: { version: v } })),
  });
  const withVs = (spec: VirtualService['spec']) =>
    mesh({ virtualServices: [vs('reviews', spec)], destinationRules: [reviewsDr] });
  const to = (subset: string, weight?: number) => ({
    destination: { host: 'reviews', subset },
    ...(weight !== undefined ? { weight } : {}),
  });
  const codes = (m: ValidationInput) => summary(validateMesh(m)).map((s) => s.split(' ').slice(2).join(' '));

  it('weights: sum ≠ 100 (KIA1103), single below 100 (KIA1104), total 0 (ML1001), negative (ML1002)', () => {
    expect(codes(withVs({ hosts: ['reviews'], http: [{ route: [to('v1', 70), to('v2', 20)] }] }))).toEqual([
      'KIA1103 spec/http[0]/route',
    ]);
    expect(codes(withVs({ hosts: ['reviews'], http: [{ route: [to('v1', 80), to('v2', 20)] }] }))).toEqual(
      [],
    );
    expect(codes(withVs({ hosts: ['reviews'], http: [{ route: [to('v1', 50)] }] }))).toEqual([
      'KIA1104 spec/http[0]/route[0]/weight',
    ]);
    expect(codes(withVs({ hosts: ['reviews'], http: [{ route: [to('v1', 0), to('v2')] }] }))).toEqual([
      'ML1001 spec/http[0]/route',
    ]);
    expect(codes(withVs({ hosts: ['reviews'], http: [{ route: [to('v1', -10), to('v2', 110)] }] }))).toEqual([
      'KIA1103 spec/http[0]/route',
      'ML1002 spec/http[0]/route[0]/weight',
    ]);
  });

  it('the same host+subset twice in one route (KIA1105)', () => {
    expect(codes(withVs({ hosts: ['reviews'], http: [{ route: [to('v1', 50), to('v1', 50)] }] }))).toEqual([
      'KIA1105 spec/http[0]/route[1]/destination',
    ]);
  });

  it('unknown hosts (KIA1101): cluster-local names are errors, external names warnings under ALLOW_ANY', () => {
    const m = withVs({
      hosts: ['reviews'],
      http: [
        {
          route: [
            { destination: { host: 'reviewz' }, weight: 50 },
            { destination: { host: 'api.example.com' }, weight: 50 },
          ],
        },
      ],
    });
    const checks = validateMesh(m)[0]?.checks ?? [];
    expect(checks.map((c) => [c.code, c.severity, c.path])).toEqual([
      ['KIA1101', 'error', 'spec/http[0]/route[0]/destination/host'],
      ['KIA1101', 'warning', 'spec/http[0]/route[1]/destination/host'],
    ]);
    const strict = validateMesh(m, { outboundTrafficPolicy: 'REGISTRY_ONLY' })[0]?.checks ?? [];
    expect(strict.map((c) => c.severity)).toEqual(['error', 'error']);
  });

  it('mirror targets and tcp routes are checked too', () => {
    const m = withVs({
      hosts: ['reviews'],
      http: [{ route: [to('v1')], mirror: { host: 'reviews', subset: 'v9' } }],
      tcp: [{ route: [to('v4')] }],
    });
    expect(codes(m)).toEqual([
      'KIA1107 spec/http[0]/mirror/subset',
      'KIA1107 spec/tcp[0]/route[0]/destination/subset',
    ]);
  });

  it('more than one VirtualService for a host on a shared binding (KIA1106), wildcards included', () => {
    const m = mesh({
      virtualServices: [
        vs('a', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }] }] }),
        vs('b', {
          hosts: ['*.bookinfo.svc.cluster.local'],
          http: [{ route: [{ destination: { host: 'reviews' } }] }],
        }),
        vs('gw', {
          hosts: ['reviews'],
          gateways: ['istio-system/gw'],
          http: [{ route: [{ destination: { host: 'reviews' } }] }],
        }),
      ],
    });
    expect(summary(validateMesh(m))).toEqual([
      'VirtualService bookinfo/a KIA1106 spec/hosts[0]',
      'VirtualService bookinfo/b KIA1106 spec/hosts[0]',
    ]);
  });

  it('ignore drops codes; validateObject sees the candidate in place of the stored object', () => {
    const m = withVs({ hosts: ['reviews'], http: [{ route: [to('v1', 50)] }] });
    expect(validateMesh(m, { ignore: ['KIA1104'] })[0]?.checks).toEqual([]);
    const candidate = vs('reviews', { hosts: ['reviews'], http: [{ route: [to('v7')] }] });
    const v = validateObject(candidate, m);
    expect(v.valid).toBe(false);
    expect(v.checks.map((c) => c.code)).toEqual(['KIA1107']);
    // The stored object is replaced, so no KIA1106 against itself.
    expect(
      validateObject(vs('reviews', { hosts: ['reviews'], http: [{ route: [to('v1')] }] }), m).checks,
    ).toEqual([]);
  });
});

describe('DestinationRule checks', () => {
  it('host not found (KIA0202), subset without labels (KIA0209)', () => {
    const m = mesh({
      destinationRules: [
        dr('x', { host: 'nosuch', subsets: [{ name: 'v1' }] }),
        dr('y', { host: 'reviews', subsets: [{ name: 'all', labels: {} }] }),
      ],
    });
    expect(summary(validateMesh(m))).toEqual([
      'DestinationRule bookinfo/x KIA0202 spec/host',
      'DestinationRule bookinfo/x KIA0209 spec/subsets[0]',
      'DestinationRule bookinfo/y KIA0209 spec/subsets[0]',
    ]);
  });

  it('the same host+subset in two rules (KIA0201)', () => {
    const m = mesh({
      destinationRules: [
        dr('a', { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] }),
        dr('b', {
          host: 'reviews.bookinfo.svc.cluster.local',
          subsets: [
            { name: 'v2', labels: { version: 'v2' } },
            { name: 'v1', labels: { version: 'v1' } },
          ],
        }),
      ],
    });
    expect(summary(validateMesh(m))).toEqual([
      'DestinationRule bookinfo/a KIA0201 spec/subsets[0]/name',
      'DestinationRule bookinfo/b KIA0201 spec/subsets[1]/name',
    ]);
  });

  it('TLS DISABLE against a STRICT PeerAuthentication: namespace (KIA0207) or mesh-wide (KIA0208)', () => {
    const disable = dr('reviews', {
      host: 'reviews',
      trafficPolicy: { tls: { mode: 'DISABLE' } },
      subsets: [
        {
          name: 'v1',
          labels: { version: 'v1' },
          trafficPolicy: { portLevelSettings: [{ port: { number: 9080 }, tls: { mode: 'DISABLE' } }] },
        },
      ],
    });
    const nsStrict = mesh({
      destinationRules: [disable],
      peerAuthentications: [pa('default', { mtls: { mode: 'STRICT' } })],
    });
    expect(summary(validateMesh(nsStrict))).toEqual([
      'DestinationRule bookinfo/reviews KIA0207 spec/subsets[0]/trafficPolicy/portLevelSettings[0]/tls/mode',
      'DestinationRule bookinfo/reviews KIA0207 spec/trafficPolicy/tls/mode',
    ]);
    const meshStrict = mesh({
      destinationRules: [disable],
      peerAuthentications: [pa('default', { mtls: { mode: 'STRICT' } }, 'istio-system')],
    });
    expect(summary(validateMesh(meshStrict)).every((s) => s.includes('KIA0208'))).toBe(true);
    const overridden = mesh({
      destinationRules: [disable],
      peerAuthentications: [
        pa('default', { mtls: { mode: 'STRICT' } }, 'istio-system'),
        pa('default', { mtls: { mode: 'PERMISSIVE' } }),
      ],
    });
    expect(summary(validateMesh(overridden))).toEqual([]);
    const mutual = mesh({
      destinationRules: [
        dr('reviews', { host: 'reviews', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }),
      ],
      peerAuthentications: [pa('default', { mtls: { mode: 'STRICT' } })],
    });
    expect(summary(validateMesh(mutual))).toEqual([]);
  });
});

describe('schema checks (ML0001)', () => {
  it('reports type errors, unknown fields and missing required fields at their paths', () => {
    const bad = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'bad', namespace: 'bookinfo' },
      spec: {
        hosts: ['reviews'],
        http: [
          { route: [{ destination: { host: 'reviews' }, weight: 'eighty' }], retries: { attempts: 'x' } },
        ],
      },
    } as unknown as VirtualService;
    const checks = schemas.validate(bad);
    expect(checks.map((c) => c.path)).toEqual(
      expect.arrayContaining(['spec/http[0]/route[0]/weight', 'spec/http[0]/retries/attempts']),
    );
    expect(checks.every((c) => c.code === 'ML0001' && c.severity === 'error')).toBe(true);
    const missingHost = {
      ...bad,
      spec: { hosts: ['reviews'], http: [{ route: [{ destination: {} }] }] },
    } as unknown as VirtualService;
    expect(schemas.validate(missingHost).map((c) => c.path)).toContain(
      'spec/http[0]/route[0]/destination/host',
    );
    const unknownKind = { ...bad, apiVersion: 'networking.istio.io/v9' };
    expect(schemas.validate(unknownKind).map((c) => c.path)).toEqual(['apiVersion']);
  });

  it('refuses unknown fields at their paths, as kubectl (strict field validation) does', () => {
    const typo = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'details', namespace: 'bookinfo' },
      spec: {
        host: 'details',
        subsetz: [{ name: 'v1', labels: { version: 'v1' } }],
        trafficPolicy: { connectionPool: { tcp: { maxConections: 1 } } },
      },
    };
    const checks = schemas.validate(typo);
    expect(checks.map((c) => [c.path, c.severity])).toEqual([
      ['spec/subsetz', 'error'],
      ['spec/trafficPolicy/connectionPool/tcp/maxConections', 'error'],
    ]);
    expect(checks[0]?.message).toMatch(/unknown field "subsetz"/);
    // a field at the top level too; apiVersion, kind, metadata and status are the object's own
    const topLevel = { ...typo, spec: { host: 'details' }, specs: {}, status: { anything: 1 } };
    expect(schemas.validate(topLevel)).toMatchObject([{ path: 'specs' }]);
    // maps (labels) and fields the schema leaves open (x-kubernetes-preserve-unknown-fields) stay open
    const labels = {
      ...typo,
      spec: { host: 'details', subsets: [{ name: 'v1', labels: { anyLabel: 'x' } }] },
    };
    expect(schemas.validate(labels)).toEqual([]);
    const wasm = {
      apiVersion: 'extensions.istio.io/v1alpha1',
      kind: 'WasmPlugin',
      metadata: { name: 'w', namespace: 'bookinfo' },
      spec: { url: 'oci://x', pluginConfig: { whatever: { nested: true } } },
    };
    expect(schemas.validate(wasm)).toEqual([]);
  });

  it('flows into validateMesh results', () => {
    const bad = vs('r', {
      hosts: ['reviews'],
      http: [{ timeout: 5 as unknown as string, route: [{ destination: { host: 'reviews' } }] }],
    });
    const res = validateMesh(mesh({ virtualServices: [bad] }), { schemas });
    expect(res[0]?.valid).toBe(false);
    expect(res[0]?.checks.map((c) => c.path)).toEqual(['spec/http[0]/timeout']);
  });
});

describe('PeerAuthentication and selector checks', () => {
  it('a selector matching no workload (KIA0004); portLevelMtls without a selector (ML0401)', () => {
    const m = mesh({
      peerAuthentications: [
        pa('reviews', { selector: { matchLabels: { app: 'reviews' } }, mtls: { mode: 'STRICT' } }),
        pa('ghost', { selector: { matchLabels: { app: 'ghost' } }, mtls: { mode: 'STRICT' } }),
        pa('default', { mtls: { mode: 'STRICT' }, portLevelMtls: { '9080': { mode: 'DISABLE' } } }),
      ],
      destinationRules: [
        dr('pp-only', { host: 'reviews', workloadSelector: { matchLabels: { app: 'nobody' } } }),
      ],
    });
    expect(summary(validateMesh(m))).toEqual([
      'DestinationRule bookinfo/pp-only KIA0004 spec/workloadSelector',
      'PeerAuthentication bookinfo/default ML0401 spec/portLevelMtls',
      'PeerAuthentication bookinfo/ghost KIA0004 spec/selector',
    ]);
  });
});
