/** The REST semantics over plain HTTP: discovery, field validation, generation, built-in validation,
 *  deletecollection, paging, tables, namespaces, CRDs and saved state. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoCluster, type DemoCluster } from '../src/server';
import { waitFor } from './helpers';
import { cm, restClient, type Json } from './rest';

let dc: DemoCluster;
const { api } = restClient(
  () => dc.url,
  () => dc.adminToken,
);

beforeAll(async () => {
  dc = await startDemoCluster({ port: 0 });
  await api('POST', '/api/v1/namespaces', { metadata: { name: 'w' } });
});

afterAll(async () => {
  await dc?.close();
});

describe('discovery', () => {
  it('serves version, core and group discovery with Istio kinds and short names', async () => {
    expect((await api('GET', '/version')).body.gitVersion).toMatch(/^v1\.\d+/);
    expect((await api('GET', '/api')).body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = (await api('GET', '/apis')).body.groups as Json[];
    const net = groups.find((g) => g.name === 'networking.istio.io');
    expect(net?.versions.map((v: Json) => v.version)).toEqual(['v1', 'v1beta1', 'v1alpha3']);
    expect(net?.preferredVersion.version).toBe('v1');
    expect(groups.map((g) => g.name)).toEqual(
      expect.arrayContaining(['apps', 'apiextensions.k8s.io', 'security.istio.io']),
    );
    const v1 = (await api('GET', '/apis/networking.istio.io/v1')).body;
    const vs = (v1.resources as Json[]).find((r) => r.name === 'virtualservices');
    expect(vs).toMatchObject({ kind: 'VirtualService', namespaced: true, shortNames: ['vs'] });
    expect(vs?.verbs).toEqual(
      expect.arrayContaining([
        'get',
        'list',
        'watch',
        'create',
        'update',
        'patch',
        'delete',
        'deletecollection',
      ]),
    );
    const sec = (await api('GET', '/apis/security.istio.io/v1')).body.resources as Json[];
    expect(sec.find((r) => r.name === 'peerauthentications')?.shortNames).toEqual(['pa']);
    const core = (await api('GET', '/api/v1')).body.resources as Json[];
    expect(core.map((r) => r.name)).toEqual(
      expect.arrayContaining([
        'pods',
        'services',
        'endpoints',
        'namespaces',
        'serviceaccounts',
        'configmaps',
        'secrets',
        'pods/status',
      ]),
    );
    expect((await api('GET', '/apis/nosuch.example.com/v1')).status).toBe(404);
    const v3 = (await api('GET', '/openapi/v3')).body.paths as Json;
    expect(Object.keys(v3)).toEqual(
      expect.arrayContaining(['api/v1', 'apis/apps/v1', 'apis/networking.istio.io/v1']),
    );
    const netDoc = (await api('GET', '/openapi/v3/apis/networking.istio.io/v1')).body;
    const patch =
      netDoc.paths['/apis/networking.istio.io/v1/namespaces/{namespace}/virtualservices/{name}'].patch;
    expect(patch.parameters.map((p: Json) => p.name)).toContain('fieldValidation');
    expect(
      netDoc.components.schemas['io.istio.networking.v1.VirtualService']['x-kubernetes-group-version-kind'],
    ).toEqual([{ group: 'networking.istio.io', version: 'v1', kind: 'VirtualService' }]);
    // older kubectl (1.20) fetches /openapi/v2 as protobuf before apply
    const v2 = await fetch(`${dc.url}/openapi/v2`, {
      headers: {
        Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
        Authorization: `Bearer ${dc.adminToken}`,
      },
    });
    expect(v2.status).toBe(200);
    expect(v2.headers.get('content-type')).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    expect(
      Buffer.from(await v2.arrayBuffer())
        .subarray(0, 5)
        .toString('latin1'),
    ).toBe('\n\u00032.0');
  });
});

describe('writes', () => {
  const vs = (name: string, spec: Json): Json => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name },
    spec,
  });
  const VS_PATH = '/apis/networking.istio.io/v1/namespaces/w/virtualservices';

  it('rejects unknown fields with fieldValidation=Strict, warns and prunes with Warn', async () => {
    const strict = await api(
      'POST',
      `${VS_PATH}?fieldValidation=Strict`,
      vs('strict', { hosts: ['a'], foo: 1 }),
    );
    expect(strict.status).toBe(400);
    expect(strict.body.message).toContain('unknown field "spec.foo"');
    const warn = await api(
      'POST',
      `${VS_PATH}?fieldValidation=Warn`,
      vs('warn', { hosts: ['a'], http: [{ bar: true }] }),
    );
    expect(warn.status).toBe(201);
    expect(warn.headers.get('warning')).toContain('unknown field \\"spec.http[0].bar\\"');
    expect(warn.body.spec).toEqual({ hosts: ['a'], http: [{}] });
    const ignore = await api(
      'POST',
      `${VS_PATH}?fieldValidation=Ignore`,
      vs('ignore', { hosts: ['a'], foo: 1 }),
    );
    expect(ignore.status).toBe(201);
    expect(ignore.headers.get('warning')).toBeNull();
  });

  it('fieldValidation covers metadata too: an unknown metadata field is refused, reported or dropped', async () => {
    const withMeta = (name: string) => ({
      ...vs(name, { hosts: ['a'] }),
      metadata: { name, labelz: { app: 'x' } },
    });
    const strict = await api('POST', `${VS_PATH}?fieldValidation=Strict`, withMeta('meta-strict'));
    expect(strict.status).toBe(400);
    expect(strict.body.message).toContain('strict decoding error: unknown field "metadata.labelz"');
    const warn = await api('POST', VS_PATH, withMeta('meta-warn')); // no parameter: Warn, as the API server
    expect(warn.status).toBe(201);
    expect(warn.headers.get('warning')).toContain('unknown field \\"metadata.labelz\\"');
    expect(warn.body.metadata).not.toHaveProperty('labelz');
    const ignore = await api('POST', `${VS_PATH}?fieldValidation=Ignore`, withMeta('meta-ignore'));
    expect(ignore.status).toBe(201);
    expect(ignore.headers.get('warning')).toBeNull();
    expect(ignore.body.metadata).not.toHaveProperty('labelz');
  });

  it('fieldValidation values are exact, as the API server checks them (422 naming the parameter)', async () => {
    const lower = await api('POST', `${VS_PATH}?fieldValidation=strict`, vs('lower', { hosts: ['a'] }));
    expect(lower.status).toBe(422);
    expect(lower.body).toMatchObject({
      reason: 'Invalid',
      message:
        'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "strict": supported values: "", "Ignore", "Strict", "Warn"',
      details: { group: 'meta.k8s.io', kind: 'CreateOptions', causes: [{ field: 'fieldValidation' }] },
    });
    const put = await api('PUT', `${VS_PATH}/lower?fieldValidation=Bogus`, vs('lower', { hosts: ['a'] }));
    expect(put.status).toBe(422);
    expect(put.body.details.kind).toBe('UpdateOptions');
  });

  it('bumps generation only on spec changes, resourceVersion on every change, nothing on a no-op', async () => {
    const c = (await api('POST', VS_PATH, vs('gen', { hosts: ['g'] }))).body;
    expect(c.metadata.generation).toBe(1);
    const labelled = (
      await api(
        'PATCH',
        `${VS_PATH}/gen`,
        { metadata: { labels: { a: 'b' } } },
        { 'Content-Type': 'application/merge-patch+json' },
      )
    ).body;
    expect(labelled.metadata.generation).toBe(1);
    expect(Number(labelled.metadata.resourceVersion)).toBeGreaterThan(Number(c.metadata.resourceVersion));
    const same = (await api('PUT', `${VS_PATH}/gen`, labelled)).body;
    expect(same.metadata.resourceVersion).toBe(labelled.metadata.resourceVersion);
    const changed = (await api('PUT', `${VS_PATH}/gen`, { ...labelled, spec: { hosts: ['g2'] } })).body;
    expect(changed.metadata.generation).toBe(2);
    expect(changed.metadata.uid).toBe(c.metadata.uid);
  });

  it('validates built-in kinds: a missing name and a selector that does not match the template', async () => {
    const noName = await api('POST', '/api/v1/namespaces/w/configmaps', { metadata: {} });
    expect(noName.status).toBe(422);
    expect(noName.body.details.causes[0]).toMatchObject({
      field: 'metadata.name',
      reason: 'FieldValueRequired',
    });
    const mismatch = await api('POST', '/apis/apps/v1/namespaces/w/deployments', {
      metadata: { name: 'd' },
      spec: {
        selector: { matchLabels: { app: 'x' } },
        template: { metadata: { labels: { app: 'y' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
      },
    });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.details.causes[0].field).toBe('spec.template.metadata.labels');
    const badKind = await api('POST', '/api/v1/namespaces/w/configmaps', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'x' },
    });
    expect(badKind.status).toBe(400);
  });

  it('gives LoadBalancer services an external IP and node ports, kept across updates', async () => {
    const svc = {
      metadata: { name: 'lb' },
      spec: { type: 'LoadBalancer', selector: { app: 'lb' }, ports: [{ name: 'http', port: 80 }] },
    };
    const created = (await api('POST', '/api/v1/namespaces/w/services', svc)).body;
    const ip = created.status.loadBalancer.ingress[0].ip as string;
    expect(ip).toMatch(/^172\.18\./);
    const nodePort = created.spec.ports[0].nodePort as number;
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    const labelled = (
      await api(
        'PATCH',
        '/api/v1/namespaces/w/services/lb',
        { metadata: { labels: { x: 'y' } } },
        { 'Content-Type': 'application/merge-patch+json' },
      )
    ).body;
    expect(labelled.status.loadBalancer.ingress[0].ip).toBe(ip);
    expect(labelled.spec.ports[0].nodePort).toBe(nodePort);
    expect(labelled.spec.clusterIP).toBe(created.spec.clusterIP);
  });

  it('deletes a collection by label selector', async () => {
    for (const [n, team] of [
      ['d1', 'x'],
      ['d2', 'x'],
      ['d3', 'y'],
    ] as const)
      await api('POST', '/api/v1/namespaces/w/configmaps', cm(n, { team }));
    const del = await api('DELETE', '/api/v1/namespaces/w/configmaps?labelSelector=team%3Dx');
    expect(del.body.items.map((i: Json) => i.metadata.name)).toEqual(['d1', 'd2']);
    const left = await api('GET', '/api/v1/namespaces/w/configmaps?labelSelector=team');
    expect(left.body.items.map((i: Json) => i.metadata.name)).toEqual(['d3']);
    const all = await api('DELETE', '/api/v1/namespaces');
    expect(all.status).toBe(405);
    expect(all.body.reason).toBe('MethodNotAllowed');
  });

  it('pages lists with limit and continue', async () => {
    const first = await api('GET', '/api/v1/namespaces?limit=2');
    expect(first.body.items).toHaveLength(2);
    expect(first.body.metadata.continue).toBeTruthy();
    const rest = await api(
      'GET',
      `/api/v1/namespaces?continue=${encodeURIComponent(first.body.metadata.continue)}`,
    );
    const all = await api('GET', '/api/v1/namespaces');
    expect([...first.body.items, ...rest.body.items].map((i: Json) => i.metadata.name)).toEqual(
      all.body.items.map((i: Json) => i.metadata.name),
    );
  });

  it('returns a server-side Table when asked, as kubectl does', async () => {
    const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
    const t = await api('GET', '/api/v1/namespaces/w/configmaps', undefined, { Accept: accept });
    expect(t.body.kind).toBe('Table');
    expect(t.body.columnDefinitions.map((c: Json) => c.name)).toEqual(['Name', 'Data', 'Age']);
    expect(t.body.rows[0].object.kind).toBe('PartialObjectMetadata');
    const v = await api('GET', VS_PATH, undefined, { Accept: accept });
    expect(v.body.columnDefinitions.map((c: Json) => c.name)).toEqual(['Name', 'Gateways', 'Hosts', 'Age']);
  });
});

describe('namespaces, CRDs and state', () => {
  it('deletes the objects of a deleted namespace and refuses creates into a missing one', async () => {
    await api('POST', '/api/v1/namespaces', { metadata: { name: 'gone' } });
    await api('POST', '/api/v1/namespaces/gone/configmaps', cm('x'));
    await waitFor(
      async () => (await api('GET', '/api/v1/namespaces/gone/serviceaccounts/default')).status === 200,
      'default service account',
    );
    expect((await api('DELETE', '/api/v1/namespaces/gone')).status).toBe(200);
    expect((await api('GET', '/api/v1/namespaces/gone/configmaps/x')).status).toBe(404);
    expect((await api('GET', '/api/v1/namespaces/gone/serviceaccounts')).body.items).toEqual([]);
    const st = await api('POST', '/api/v1/namespaces/gone/configmaps', cm('y'));
    expect(st.status).toBe(404);
    expect(st.body).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      details: { name: 'gone', kind: 'namespaces' },
    });
  });

  it('serves a CRD created at run time, validates its objects, and forgets it when deleted', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'] },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    required: ['size'],
                    properties: { size: { type: 'integer', minimum: 1 } },
                  },
                },
              },
            },
          },
        ],
      },
    };
    expect((await api('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)).status).toBe(
      201,
    );
    const disc = await api('GET', '/apis/example.com/v1');
    expect(disc.body.resources[0]).toMatchObject({ name: 'widgets', kind: 'Widget', shortNames: ['wd'] });
    const ok = await api('POST', '/apis/example.com/v1/namespaces/w/widgets', {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'a' },
      spec: { size: 2 },
    });
    expect(ok.status).toBe(201);
    const bad = await api('POST', '/apis/example.com/v1/namespaces/w/widgets', {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'b' },
      spec: { size: 0 },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.details.causes[0].field).toBe('spec.size');
    expect(
      (await api('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com'))
        .status,
    ).toBe(200);
    expect((await api('GET', '/apis/example.com/v1/namespaces/w/widgets')).status).toBe(404);
  });

  it('saves state on close and restores it on start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'demo-cluster-state-'));
    const stateFile = join(dir, 'state.json');
    try {
      const a = await startDemoCluster({ port: 0, stateFile });
      const asAdmin = { Authorization: `Bearer ${a.adminToken}` };
      const created = (
        await api('POST', '/api/v1/namespaces/default/configmaps', cm('kept', {}, { x: '1' }), asAdmin, a.url)
      ).body;
      expect(created.metadata.uid).toEqual(expect.any(String));
      await a.close();
      const b = await startDemoCluster({ port: 0, stateFile });
      try {
        // The state keeps the admin token (and the CA), so a kubeconfig written before still works.
        expect(b.adminToken).toBe(a.adminToken);
        expect(b.caCert).toBe(a.caCert);
        const back = (
          await api('GET', '/api/v1/namespaces/default/configmaps/kept', undefined, asAdmin, b.url)
        ).body;
        expect(back.metadata.uid).toBe(created.metadata.uid);
        expect(back.data).toEqual({ x: '1' });
        const next = (await api('POST', '/api/v1/namespaces/default/configmaps', cm('new'), asAdmin, b.url))
          .body;
        expect(Number(next.metadata.resourceVersion)).toBeGreaterThan(
          Number(created.metadata.resourceVersion),
        );
        expect(
          (
            await api(
              'GET',
              '/apis/networking.istio.io/v1/namespaces/default/virtualservices',
              undefined,
              asAdmin,
              b.url,
            )
          ).status,
        ).toBe(200);
      } finally {
        await b.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
