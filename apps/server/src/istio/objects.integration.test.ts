/**
 * Raw Istio objects on the real app against the real demo cluster: 422 with paths, create, list with
 * validations, merge-patch, YAML bodies, 409 with the current object, dry runs, delete preconditions.
 */
import { ErrorBodySchema } from '@meshlens/contract';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NS, startIstioStack, type IstioStack, SAME_ORIGIN } from '../../test/istioStack';
import type { KubeObject } from './kubeClient';

let stack: IstioStack;
beforeAll(async () => {
  stack = await startIstioStack();
});
afterAll(async () => {
  await stack?.close();
});

const vsUrl = (name = '') => `/api/namespaces/${NS}/istio/virtualservices${name ? `/${name}` : ''}`;

describe('raw Istio objects', () => {
  const vs = (route: unknown[]) => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'details' },
    spec: { hosts: ['details'], http: [{ route }] },
  });

  it('422 with the path of a string weight and of a route without destination; nothing created', async () => {
    const weight = await request(stack.app)
      .post(vsUrl())
      .set(SAME_ORIGIN)
      .send(vs([{ destination: { host: 'details' }, weight: '100' }]));
    expect(weight.status).toBe(422);
    const body = ErrorBodySchema.parse(weight.body);
    expect(body.error.name).toBe('ValidationError');
    expect((body.error.details as { causes: { path: string }[] }).causes.map((c) => c.path)).toContain(
      'spec/http[0]/route[0]/weight',
    );
    const noDest = await request(stack.app)
      .post(vsUrl())
      .set(SAME_ORIGIN)
      .send(vs([{ weight: 100 }]));
    expect(noDest.status).toBe(422);
    expect(noDest.body.error.details.causes.map((c: { path: string }) => c.path)).toContain(
      'spec/http[0]/route[0]/destination',
    );
    expect(await stack.exists('VirtualService', 'details')).toBe(false);
  });

  it('create, list, merge-patch, 409 on a stale replace with the current object, delete', async () => {
    const created = await request(stack.app)
      .post(vsUrl())
      .set(SAME_ORIGIN)
      .send(vs([{ destination: { host: 'details' } }]));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const rv1 = created.body.object.metadata.resourceVersion as string;
    const list = await request(stack.app).get(vsUrl());
    expect(list.status).toBe(200);
    expect(list.body.items.map((o: KubeObject) => o.metadata.name)).toContain('details');
    expect(list.body.validations.find((v: { name: string }) => v.name === 'details')).toMatchObject({
      valid: true,
    });

    const patched = await request(stack.app)
      .patch(vsUrl('details'))
      .set(SAME_ORIGIN)
      .set('Content-Type', 'application/merge-patch+json')
      .send({
        metadata: { resourceVersion: rv1, labels: { team: 'a' } },
        spec: { http: [{ route: [{ destination: { host: 'details' } }], timeout: '3s' }] },
      });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const rv2 = patched.body.object.metadata.resourceVersion as string;
    expect(rv2).not.toBe(rv1);
    expect((await stack.read('VirtualService', 'details')).metadata.labels).toEqual({ team: 'a' });

    const stale = await request(stack.app)
      .put(vsUrl('details'))
      .set(SAME_ORIGIN)
      .send({
        ...vs([{ destination: { host: 'details' } }]),
        metadata: { name: 'details', resourceVersion: rv1 },
      });
    expect(stale.status).toBe(409);
    const conflict = ErrorBodySchema.parse(stale.body);
    expect(conflict.error.name).toBe('ConflictError');
    expect((conflict.error.details as { current: KubeObject }).current.metadata.resourceVersion).toBe(rv2);
    const stalePatch = await request(stack.app)
      .patch(`${vsUrl('details')}?resourceVersion=${rv1}`)
      .set(SAME_ORIGIN)
      .send({ spec: {} });
    expect(stalePatch.status).toBe(409);

    const yamlPut = await request(stack.app)
      .put(`${vsUrl('details')}?dryRun=true`)
      .set(SAME_ORIGIN)
      .set('Content-Type', 'application/yaml')
      .send(
        `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: details, resourceVersion: "${rv2}" }\nspec: { hosts: [details], http: [{ route: [{ destination: { host: details } }] }] }\n`,
      );
    expect(yamlPut.status, JSON.stringify(yamlPut.body)).toBe(200);
    expect((await stack.read('VirtualService', 'details')).metadata.resourceVersion).toBe(rv2);

    expect(
      (
        await request(stack.app)
          .delete(`${vsUrl('details')}?resourceVersion=${rv1}`)
          .set(SAME_ORIGIN)
      ).status,
    ).toBe(409);
    expect(
      (
        await request(stack.app)
          .delete(`${vsUrl('details')}?dryRun=true`)
          .set(SAME_ORIGIN)
      ).status,
    ).toBe(200);
    expect(await stack.exists('VirtualService', 'details')).toBe(true);
    expect((await request(stack.app).delete(vsUrl('details')).set(SAME_ORIGIN)).status).toBe(200);
    expect(await stack.exists('VirtualService', 'details')).toBe(false);
    expect((await request(stack.app).get(vsUrl('details'))).status).toBe(404);
    expect((await request(stack.app).get(`/api/namespaces/${NS}/istio/widgets`)).status).toBe(404);
  });

  it('refuses a DestinationRule delete or replace that would leave a VirtualService without its subset', async () => {
    const drUrl = (name = '') => `/api/namespaces/${NS}/istio/destinationrules${name ? `/${name}` : ''}`;
    const dr = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'details' },
      spec: { host: 'details', subsets: [{ name: 'v1', labels: { version: 'v1' } }] },
    };
    const created = await request(stack.app).post(drUrl()).set(SAME_ORIGIN).send(dr);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(
      (
        await request(stack.app)
          .post(vsUrl())
          .set(SAME_ORIGIN)
          .send(vs([{ destination: { host: 'details', subset: 'v1' } }]))
      ).status,
    ).toBe(201);
    const del = await request(stack.app).delete(drUrl('details')).set(SAME_ORIGIN);
    expect(del.status).toBe(422);
    expect(del.body.error.details.causes).toEqual([
      expect.objectContaining({
        object: 'VirtualService bookinfo/details',
        path: 'spec/http[0]/route[0]/destination/subset',
        code: 'KIA1107',
      }),
    ]);
    const rv = created.body.object.metadata.resourceVersion as string;
    const narrowed = await request(stack.app)
      .put(drUrl('details'))
      .set(SAME_ORIGIN)
      .send({ ...dr, metadata: { name: 'details', resourceVersion: rv }, spec: { host: 'details' } });
    expect(narrowed.status).toBe(422);
    expect(await stack.exists('DestinationRule', 'details')).toBe(true);
    expect((await request(stack.app).delete(vsUrl('details')).set(SAME_ORIGIN)).status).toBe(200);
    expect((await request(stack.app).delete(drUrl('details')).set(SAME_ORIGIN)).status).toBe(200);
  });

  it('4xx for bodies it cannot read: broken YAML 400, oversized 413, text 415; 404 for an unknown kind', async () => {
    const broken = await request(stack.app)
      .post(vsUrl())
      .set(SAME_ORIGIN)
      .set('Content-Type', 'application/yaml')
      .send('kind: [oops');
    expect(broken.status).toBe(400);
    expect(broken.body.error.message).toMatch(/^body: not valid YAML/);
    const huge = await request(stack.app)
      .post(vsUrl())
      .set(SAME_ORIGIN)
      .send({ ...vs([]), pad: 'x'.repeat(1_100_000) });
    expect(huge.status).toBe(413);
    expect(huge.body.error.message).toBe('body: larger than the 1 MB limit');
    const none = await request(stack.app)
      .post(vsUrl())
      .set(SAME_ORIGIN)
      .set('Content-Type', 'text/plain')
      .send('hello');
    expect(none.status).toBe(415);
    const widgets = await request(stack.app).get(`/api/namespaces/${NS}/istio/widgets`);
    expect(widgets.status).toBe(404);
    expect(widgets.body.error.message).toContain('virtualservices');
  });
});
