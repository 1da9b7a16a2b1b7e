/** Validations over every Bookinfo file (data/istio/bookinfo/) and over hand-made broken objects. */
import { readdirSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateMesh, validateObject } from './mesh';
import { crdSchemas, type CrdSchemas } from './schema';
import type { ObjectValidation, ValidationInput } from './types';
import type { VirtualService } from '../model';
import { BOOKINFO_DIR, bookinfoMesh, dr, loadBookinfo, mesh, pa, vs } from '../../test/fixtures';

const ingressWorkload = {
  name: 'istio-ingressgateway',
  namespace: 'istio-system',
  labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
};

function input(files: string[]): ValidationInput {
  const m = bookinfoMesh(files);
  return { ...m, workloads: [...(m.workloads ?? []), ingressWorkload] };
}

/** `Kind ns/name CODE path` for every check, sorted, for readable comparisons. */
function summary(results: ObjectValidation[]): string[] {
  return results
    .flatMap((r) => r.checks.map((c) => `${r.kind} ${r.namespace}/${r.name} ${c.code} ${c.path}`))
    .sort();
}

/** Every subset a VirtualService file routes to, as the KIA1107 lines validating it alone must report. */
function subsetRefs(file: string): string[] {
  return loadBookinfo(file)
    .filter((o) => o.kind === 'VirtualService')
    .flatMap((o) =>
      ((o.spec.http ?? []) as { route?: { destination: { subset?: string } }[] }[]).flatMap((rule, i) =>
        (rule.route ?? []).flatMap((r, j) =>
          r.destination.subset
            ? [
                `VirtualService bookinfo/${o.metadata.name} KIA1107 spec/http[${i}]/route[${j}]/destination/subset`,
              ]
            : [],
        ),
      ),
    )
    .sort();
}

let schemas: CrdSchemas;
beforeAll(() => {
  const text = readFileSync(new URL('../../../../data/istio/crd-all.gen.yaml', import.meta.url), 'utf8');
  schemas = crdSchemas(parseAllDocuments(text).map((d) => d.toJS()));
});

// bookinfo.yaml deploys v1 of details and ratings only: subsets for the other versions select no workload.
const DR_ALL_UNMATCHED = [
  'DestinationRule bookinfo/details KIA0203 spec/subsets[1]/labels',
  'DestinationRule bookinfo/ratings KIA0203 spec/subsets[1]/labels',
  'DestinationRule bookinfo/ratings KIA0203 spec/subsets[2]/labels',
  'DestinationRule bookinfo/ratings KIA0203 spec/subsets[3]/labels',
];

describe('every Bookinfo file', () => {
  const files = readdirSync(BOOKINFO_DIR).filter((f) => f.endsWith('.yaml'));
  const vsFiles = files.filter((f) => f.startsWith('virtual-service-'));

  it('virtual-service-all-v1.yaml alone reports the four missing subsets; with destination-rule-all.yaml none', () => {
    const alone = validateMesh(input(['virtual-service-all-v1.yaml']), { schemas });
    expect(summary(alone)).toEqual([
      'VirtualService bookinfo/details KIA1107 spec/http[0]/route[0]/destination/subset',
      'VirtualService bookinfo/productpage KIA1107 spec/http[0]/route[0]/destination/subset',
      'VirtualService bookinfo/ratings KIA1107 spec/http[0]/route[0]/destination/subset',
      'VirtualService bookinfo/reviews KIA1107 spec/http[0]/route[0]/destination/subset',
    ]);
    expect(alone.every((r) => !r.valid)).toBe(true);
    const both = validateMesh(input(['virtual-service-all-v1.yaml', 'destination-rule-all.yaml']), {
      schemas,
    });
    expect(both.filter((r) => r.kind === 'VirtualService').flatMap((r) => r.checks)).toEqual([]);
  });

  for (const file of vsFiles) {
    it(`${file}: missing subsets alone, none with destination-rule-all.yaml`, () => {
      expect(summary(validateMesh(input([file]), { schemas }))).toEqual(subsetRefs(file));
      const both = validateMesh(input([file, 'destination-rule-all.yaml']), { schemas });
      expect(summary(both)).toEqual(DR_ALL_UNMATCHED);
    });
  }

  it('destination-rule-all.yaml and -all-mtls.yaml: only subsets with no workload', () => {
    for (const f of ['destination-rule-all.yaml', 'destination-rule-all-mtls.yaml']) {
      expect(summary(validateMesh(input([f]), { schemas }))).toEqual(DR_ALL_UNMATCHED);
    }
  });

  it('files that are valid on their own: no checks at all', () => {
    for (const f of [
      'bookinfo.yaml',
      'bookinfo-versions.yaml',
      'bookinfo-gateway.yaml',
      'destination-rule-reviews.yaml',
      'egress-rule-google-apis.yaml',
      'fault-injection-details-v1.yaml',
    ]) {
      expect(summary(validateMesh(input([f]), { schemas })), f).toEqual([]);
    }
  });

  it('certmanager-gateway.yaml: the resolver service does not exist in this inventory', () => {
    const res = validateMesh(input(['certmanager-gateway.yaml']), { schemas });
    expect(summary(res)).toEqual([
      'VirtualService istio-system/cert-manager KIA1101 spec/http[0]/route[0]/destination/host',
    ]);
    expect(res.find((r) => r.kind === 'Gateway')?.valid).toBe(true);
  });

  it('bookinfo-gateway.yaml: the VirtualService without its Gateway, the Gateway without its pods', () => {
    const m = input(['bookinfo-gateway.yaml']);
    const vsOnly = validateMesh({ ...m, gateways: [] }, { schemas });
    expect(summary(vsOnly)).toEqual(['VirtualService bookinfo/bookinfo KIA1102 spec/gateways[0]']);
    const noPods = validateMesh({
      ...m,
      workloads: m.workloads?.filter((w) => w.namespace !== 'istio-system'),
    });
    expect(summary(noPods)).toEqual(['Gateway bookinfo/bookinfo-gateway KIA0302 spec/selector']);
  });

  it('every file passes the CRD schema', () => {
    for (const f of files) {
      const res = validateMesh(input([f]), { schemas });
      expect(
        res.flatMap((r) => r.checks).filter((c) => c.code === 'ML0001'),
        f,
      ).toEqual([]);
    }
  });
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
