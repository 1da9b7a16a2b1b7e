/**
 * What blocks a write, on the real app against the real demo cluster (Bookinfo in namespace bookinfo, only
 * v1 of details deployed): problems already in an object do not block an unrelated change (they come back
 * as warnings marked `existing`), problems the change introduces do; unknown fields are refused by the
 * console and by the cluster's strict field validation; the wizards' starting point lists only versions
 * that run; Delete routing says which objects it keeps only because they were written by hand.
 */
import {
  ErrorBodySchema,
  IstioObjectResponseSchema,
  RoutingFactsResponseSchema,
  RoutingResponseSchema,
} from '@meshlens/contract';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NS, SAME_ORIGIN, startIstioStack, yamlOf, type IstioStack } from '../../test/istioStack';
import { applyYaml, eventually } from '../../test/stackHelpers';
import { kubeToHttp } from './checks';
import { loadKubeConfig } from '../server';
import { istioKubeClient, KubeApiError, type KubeObject } from './kubeClient';

let stack: IstioStack;
beforeAll(async () => {
  stack = await startIstioStack();
  // Istio's own sample: subsets v1 and v2 of details, of which only v1 runs.
  await applyYaml(stack.kubeconfigPath, yamlOf('destination-rule-all.yaml'), NS);
});
afterAll(async () => {
  await stack?.close();
});

const routing = (service: string, qs = '') => `/api/namespaces/${NS}/services/${service}/routing${qs}`;
const object = (kind: string, name: string, qs = '') => `/api/namespaces/${NS}/istio/${kind}/${name}${qs}`;
type Check = { code: string; severity: string; path: string; existing?: boolean };

describe('problems already there do not block an unrelated change', () => {
  it('Circuit Breaker on details with destination-rule-all.yaml applied (details v2 has no workload)', async () => {
    // Unused, the subset with no workload is a warning (KIA0203, as in Kiali): the rule is valid.
    const read = await eventually(
      'the details DestinationRule in the inventory',
      async () => {
        const r = await request(stack.app).get(object('destinationrules', 'details'));
        return r.status === 200 && r.body.validations[0].checks.length > 0 ? r : undefined;
      },
      10_000,
      100,
    );
    expect(read.body.validations[0]).toMatchObject({
      valid: true,
      checks: [{ code: 'KIA0203', severity: 'warning', path: 'spec/subsets[1]/labels' }],
    });
    const res = await request(stack.app)
      .post(routing('details', '?dryRun=true'))
      .set(SAME_ORIGIN)
      .send({ circuitBreaker: { outlierDetection: { consecutive5xxErrors: 5 } } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const body = RoutingResponseSchema.parse(res.body);
    const dr = body.validations.find((v) => v.kind === 'DestinationRule' && v.name === 'details');
    expect(dr?.checks).toEqual([
      expect.objectContaining({ code: 'KIA0203', severity: 'warning', path: 'spec/subsets[1]/labels' }),
    ]);
  });

  it('an error already there (a VirtualService sends details to v2) is shown as a warning, not a cause', async () => {
    await applyYaml(stack.kubeconfigPath, yamlOf('virtual-service-details-v2.yaml'), NS);
    // Read (from the watched inventory, once it has the VirtualService), the rule is now in error.
    const listed = await eventually(
      'KIA0203 an error on the details DestinationRule',
      async () => {
        const r = await request(stack.app).get(object('destinationrules', 'details'));
        return (r.body.validations[0].checks as Check[]).some((c) => c.severity === 'error') ? r : undefined;
      },
      10_000,
      100,
    );
    expect(listed.body.validations[0].checks).toEqual([
      expect.objectContaining({ code: 'KIA0203', severity: 'error' }),
    ]);
    const res = await request(stack.app)
      .post(routing('details', '?dryRun=true'))
      .set(SAME_ORIGIN)
      .send({ circuitBreaker: { outlierDetection: { consecutive5xxErrors: 5 } } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const dr = RoutingResponseSchema.parse(res.body).validations.find((v) => v.kind === 'DestinationRule');
    expect(dr).toMatchObject({ valid: true });
    expect(dr?.checks).toEqual([
      expect.objectContaining({ code: 'KIA0203', severity: 'warning', existing: true }),
    ]);

    // The editor's dry run: an unrelated edit passes; one that adds a problem is refused for it alone.
    const current = IstioObjectResponseSchema.parse(listed.body).object as KubeObject & {
      spec: { host: string; trafficPolicy?: unknown };
    };
    const edited = {
      ...current,
      spec: { ...current.spec, trafficPolicy: { loadBalancer: { simple: 'RANDOM' } } },
    };
    const ok = await request(stack.app)
      .put(object('destinationrules', 'details', '?dryRun=true'))
      .set(SAME_ORIGIN)
      .send(edited);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect((ok.body.validations[0].checks as Check[]).map((c) => [c.code, c.severity, c.existing])).toEqual([
      ['KIA0203', 'warning', true],
    ]);
    const broken = { ...current, spec: { ...current.spec, host: 'detailz' } };
    const bad = await request(stack.app)
      .put(object('destinationrules', 'details', '?dryRun=true'))
      .set(SAME_ORIGIN)
      .send(broken);
    expect(bad.status).toBe(422);
    const causes = (ErrorBodySchema.parse(bad.body).error.details as { causes: Check[] }).causes;
    expect(causes.map((c) => `${c.code} ${c.path}`)).toEqual(['KIA0202 spec/host']);
  });
});

describe('unknown fields are refused, at their paths', () => {
  it('by the console before the cluster is asked (PUT, dry run)', async () => {
    const current = (await request(stack.app).get(object('destinationrules', 'details'))).body
      .object as KubeObject;
    const res = await request(stack.app)
      .put(object('destinationrules', 'details', '?dryRun=true'))
      .set(SAME_ORIGIN)
      .send({ ...current, spec: { ...(current.spec as object), subsetz: [] } });
    expect(res.status).toBe(422);
    const causes = (ErrorBodySchema.parse(res.body).error.details as { causes: Check[] }).causes;
    expect(causes).toEqual([expect.objectContaining({ code: 'ML0001', path: 'spec/subsetz' })]);
  });

  it('by the cluster: writes ask for strict field validation, and its 400 names the field', async () => {
    const client = istioKubeClient(loadKubeConfig(stack.kubeconfigPath));
    const vs: KubeObject = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'typo', namespace: NS },
      spec: { hosts: ['details'], htttp: [] },
    };
    const err = await client.create(vs, { dryRun: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).status).toBe(400);
    const mapped = kubeToHttp(err, 'create VirtualService bookinfo/typo') as {
      status: number;
      details: unknown;
    };
    expect(mapped.status).toBe(422);
    expect(mapped.details).toEqual({
      causes: [
        {
          path: 'spec/htttp',
          message: 'unknown field "htttp"',
          code: 'UnknownField',
          object: 'create VirtualService bookinfo/typo',
        },
      ],
    });
    expect(await stack.exists('VirtualService', 'typo')).toBe(false);
  });
});

it("the wizards' starting point: details runs v1 only, whatever destination-rule-all.yaml names", async () => {
  const res = await request(stack.app).get(routing('details'));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(RoutingFactsResponseSchema.parse(res.body)).toEqual({
    namespace: NS,
    service: 'details',
    versionLabel: 'version',
    versions: ['v1'],
  });
  expect((await request(stack.app).get(routing('reviews'))).body.versions).toEqual(['v1', 'v2', 'v3']);
  expect((await request(stack.app).get(routing('nope'))).status).toBe(404);
});

it('Delete routing flags what it keeps only because it was written by hand', async () => {
  // virtual-service-details-v2.yaml (kubectl), then a wizard edit: still the user's object.
  const edit = await request(stack.app)
    .post(routing('details'))
    .set(SAME_ORIGIN)
    .send({ timeoutsRetries: { timeout: '5s' } });
  expect(edit.status, JSON.stringify(edit.body)).toBe(200);
  const keep = RoutingResponseSchema.parse(
    (await request(stack.app).delete(routing('details', '?dryRun=true')).set(SAME_ORIGIN)).body,
  );
  expect(keep.deleted).toEqual([]);
  expect(keep.kept.map((k) => `${k.kind} ${k.name} ${k.handWritten}`).sort()).toEqual([
    'DestinationRule details true',
    'VirtualService details true',
  ]);
  const all = RoutingResponseSchema.parse(
    (
      await request(stack.app)
        .delete(routing('details', '?dryRun=true&includeHandWritten=true'))
        .set(SAME_ORIGIN)
    ).body,
  );
  expect(all.deleted.map((d) => `${d.kind} ${d.name}`)).toEqual([
    'VirtualService details',
    'DestinationRule details',
  ]);
  expect(all.kept).toEqual([]);
});
