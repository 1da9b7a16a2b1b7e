/** Validations over every Bookinfo file in data/istio/bookinfo/, alone and with destination-rule-all.yaml. */
import { readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateMesh } from './mesh';
import type { CrdSchemas } from './schema';
import { BOOKINFO_DIR, loadBookinfo } from '../../test/fixtures';
import { input, loadSchemas, summary } from '../../test/validationFixtures';

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
  schemas = loadSchemas();
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

  it('a subset with no workload (KIA0203) is a warning, and an error once a VirtualService routes to it (as Kiali)', () => {
    const severities = (files: string[]) =>
      validateMesh(input(files), { schemas })
        .filter((r) => r.kind === 'DestinationRule' && r.name === 'details')
        .map((r) => ({ valid: r.valid, checks: r.checks.map((c) => `${c.code} ${c.severity} ${c.path}`) }));
    // Istio's own destination-rule-all.yaml: details v2 runs nowhere in bookinfo.yaml, and nothing uses it.
    expect(severities(['destination-rule-all.yaml'])).toEqual([
      { valid: true, checks: ['KIA0203 warning spec/subsets[1]/labels'] },
    ]);
    // virtual-service-details-v2.yaml sends every request to it: they would fail.
    expect(severities(['destination-rule-all.yaml', 'virtual-service-details-v2.yaml'])).toEqual([
      { valid: false, checks: ['KIA0203 error spec/subsets[1]/labels'] },
    ]);
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
