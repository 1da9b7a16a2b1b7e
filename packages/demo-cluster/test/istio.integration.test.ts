/**
 * Istio's networking samples driven by @kubernetes/client-node's CustomObjectsApi, KubernetesObjectApi
 * and informers: read-back at every version, conflicts, 404s, schema validation, patches and watches.
 */
import {
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  makeInformer,
  Watch,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoCluster, type DemoCluster } from '../src/server';
import { expectStatus, kubeConfigFor, networkingSamples, readManifests, waitFor } from './helpers';

const NS = 'bookinfo';
const VS = { group: 'networking.istio.io', version: 'v1', namespace: NS, plural: 'virtualservices' };

const PLURALS: Record<string, string> = {
  VirtualService: 'virtualservices',
  DestinationRule: 'destinationrules',
  Gateway: 'gateways',
  ServiceEntry: 'serviceentries',
};

let dc: DemoCluster;
let core: CoreV1Api;
let custom: CustomObjectsApi;
let objects: KubernetesObjectApi;

/** kubectl-apply-like: create, or replace keeping the live resourceVersion. */
async function apply(obj: KubernetesObject): Promise<KubernetesObject> {
  const spec = { ...obj, metadata: { ...obj.metadata, namespace: obj.metadata?.namespace ?? NS } };
  try {
    const live = await objects.read(spec as never);
    return await objects.replace({
      ...spec,
      metadata: { ...spec.metadata, resourceVersion: live.metadata?.resourceVersion },
    });
  } catch (e) {
    if ((e as { code?: number }).code !== 404) throw e;
    return objects.create(spec);
  }
}

beforeAll(async () => {
  dc = await startDemoCluster({ port: 0 });
  const kc = kubeConfigFor(dc);
  core = kc.makeApiClient(CoreV1Api);
  custom = kc.makeApiClient(CustomObjectsApi);
  objects = KubernetesObjectApi.makeApiClient(kc);
  await core.createNamespace({ body: { metadata: { name: NS, labels: { 'istio-injection': 'enabled' } } } });
});

afterAll(async () => {
  await dc?.close();
});

describe('Istio networking samples through CustomObjectsApi', () => {
  it('applies every VirtualService, DestinationRule, Gateway and ServiceEntry sample and reads each back', async () => {
    const files = networkingSamples();
    expect(files.length).toBeGreaterThanOrEqual(18);
    for (const f of files) {
      for (const o of readManifests(f)) {
        const ns = o.metadata.namespace ?? NS;
        await apply({ ...o, metadata: { ...o.metadata, namespace: ns } } as KubernetesObject);
        const [group, version] = String(o.apiVersion).split('/') as [string, string];
        const plural = PLURALS[o.kind] ?? '';
        const live = (await custom.getNamespacedCustomObject({
          group,
          version,
          namespace: ns,
          plural,
          name: o.metadata.name ?? '',
        })) as { spec: unknown; apiVersion: string };
        expect(live.spec, `${f} ${o.kind}/${o.metadata.name}`).toEqual(o.spec);
        expect(live.apiVersion).toBe(o.apiVersion);
      }
    }
    const vs = (await custom.listNamespacedCustomObject(VS)) as { items: unknown[] };
    expect(vs.items.length).toBeGreaterThanOrEqual(5);
  });

  it('serves the same object at v1, v1beta1 and v1alpha3', async () => {
    for (const version of ['v1', 'v1beta1', 'v1alpha3']) {
      const o = (await custom.getNamespacedCustomObject({ ...VS, version, name: 'reviews' })) as {
        apiVersion: string;
        metadata: { uid: string };
      };
      expect(o.apiVersion).toBe(`networking.istio.io/${version}`);
    }
  });

  it('answers 409 Conflict to a write carrying a stale resourceVersion', async () => {
    const live = (await custom.getNamespacedCustomObject({ ...VS, name: 'reviews' })) as KubernetesObject & {
      spec: Record<string, unknown>;
    };
    await custom.replaceNamespacedCustomObject({
      ...VS,
      name: 'reviews',
      body: { ...live, spec: { ...live.spec, exportTo: ['.'] } },
    });
    const st = await expectStatus(
      custom.replaceNamespacedCustomObject({
        ...VS,
        name: 'reviews',
        body: { ...live, spec: { ...live.spec, exportTo: ['*'] } },
      }),
    );
    expect(st.code).toBe(409);
    expect(st.reason).toBe('Conflict');
    expect(st.message).toContain('the object has been modified');
  });

  it('answers 409 AlreadyExists and 404 NotFound as Status objects', async () => {
    const body = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews' },
      spec: { hosts: ['reviews'] },
    };
    const exists = await expectStatus(custom.createNamespacedCustomObject({ ...VS, body }));
    expect(exists).toMatchObject({ code: 409, reason: 'AlreadyExists', kind: 'Status', status: 'Failure' });
    const missing = await expectStatus(custom.getNamespacedCustomObject({ ...VS, name: 'nope' }));
    expect(missing).toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'virtualservices.networking.istio.io "nope" not found',
    });
    const kind = await expectStatus(custom.listNamespacedCustomObject({ ...VS, plural: 'frobnicators' }));
    expect(kind.code).toBe(404);
    // KubernetesObjectApi reads /apis/networking.istio.io/v1 and finds no such kind there.
    await expect(
      objects.create({
        apiVersion: 'networking.istio.io/v1',
        kind: 'Frobnicator',
        metadata: { name: 'x', namespace: NS },
      }),
    ).rejects.toThrow(/Frobnicator/);
    const group = await expectStatus(
      objects.create({
        apiVersion: 'nosuch.example.com/v1',
        kind: 'Thing',
        metadata: { name: 'x', namespace: NS },
      }),
    );
    expect(group.code).toBe(404);
    const ns = await expectStatus(
      custom.createNamespacedCustomObject({
        ...VS,
        namespace: 'no-such-ns',
        body: { ...body, metadata: { name: 'x' } },
      }),
    );
    expect(ns).toMatchObject({ code: 404, reason: 'NotFound', message: 'namespaces "no-such-ns" not found' });
  });

  it('rejects an invalid VirtualService with 422 naming the field', async () => {
    const bad = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'bad-weight' },
      spec: {
        hosts: ['reviews'],
        http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 'fifty' }] }],
      },
    };
    const st = await expectStatus(custom.createNamespacedCustomObject({ ...VS, body: bad }));
    expect(st.code).toBe(422);
    expect(st.reason).toBe('Invalid');
    expect(st.details?.causes).toContainEqual(
      expect.objectContaining({ field: 'spec.http[0].route[0].weight', reason: 'FieldValueTypeInvalid' }),
    );
    expect(st.message).toContain('spec.http[0].route[0].weight');

    const noDest = {
      ...bad,
      metadata: { name: 'no-destination' },
      spec: { hosts: ['reviews'], http: [{ route: [{ weight: 100 }] }] },
    };
    const st2 = await expectStatus(custom.createNamespacedCustomObject({ ...VS, body: noDest }));
    expect(st2.code).toBe(422);
    expect(st2.details?.causes).toEqual([
      { field: 'spec.http[0].route[0].destination', reason: 'FieldValueRequired', message: 'Required value' },
    ]);
    const gone = await expectStatus(custom.getNamespacedCustomObject({ ...VS, name: 'no-destination' }));
    expect(gone.code).toBe(404);
  });

  it('applies merge patch, JSON patch and server-side apply to custom resources', async () => {
    await custom.patchNamespacedCustomObject(
      { ...VS, name: 'ratings', body: { metadata: { labels: { team: 'a' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await custom.patchNamespacedCustomObject(
      { ...VS, name: 'ratings', body: [{ op: 'add', path: '/spec/http/0/timeout', value: '3s' }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    const live = (await custom.getNamespacedCustomObject({ ...VS, name: 'ratings' })) as {
      metadata: { labels: Record<string, string> };
      spec: { http: { timeout?: string }[] };
    };
    expect(live.metadata.labels.team).toBe('a');
    expect(live.spec.http[0]?.timeout).toBe('3s');
    const smp = await expectStatus(
      custom.patchNamespacedCustomObject(
        { ...VS, name: 'ratings', body: { spec: {} } },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      ),
    );
    expect(smp.code).toBe(415);

    const applied = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'ssa', namespace: NS },
      spec: { hosts: ['ssa'], gateways: ['mesh'] },
    };
    const created = (await objects.patch(
      applied as KubernetesObject,
      undefined,
      undefined,
      'test',
      true,
      PatchStrategy.ServerSideApply,
    )) as KubernetesObject;
    expect(created.metadata?.uid).toBeTruthy();
    const updated = (await objects.patch(
      { ...applied, spec: { hosts: ['ssa', 'ssa.example.com'] } },
      undefined,
      undefined,
      'test',
      true,
      PatchStrategy.ServerSideApply,
    )) as unknown as { spec: Record<string, unknown>; metadata: { generation: number } };
    expect(updated.spec).toEqual({ hosts: ['ssa', 'ssa.example.com'] });
    expect(updated.metadata.generation).toBe(2);
  });

  it('honours dryRun=All', async () => {
    const body = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'dry' },
      spec: { hosts: ['dry'] },
    };
    const r = (await custom.createNamespacedCustomObject({ ...VS, body, dryRun: 'All' })) as {
      metadata: { name: string };
    };
    expect(r.metadata.name).toBe('dry');
    expect((await expectStatus(custom.getNamespacedCustomObject({ ...VS, name: 'dry' }))).code).toBe(404);
  });

  it('lets an informer see add, change and delete', async () => {
    const kc = kubeConfigFor(dc);
    const path = `/apis/networking.istio.io/v1/namespaces/${NS}/destinationrules`;
    const informer = makeInformer(
      kc,
      path,
      () => custom.listNamespacedCustomObject({ ...VS, plural: 'destinationrules' }) as never,
    );
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add ${o.metadata?.name}`));
    informer.on('update', (o) => seen.push(`update ${o.metadata?.name}`));
    informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
    await informer.start();
    try {
      await waitFor(() => seen.includes('add reviews'), 'initial list');
      const dr = { group: 'networking.istio.io', version: 'v1', namespace: NS, plural: 'destinationrules' };
      await custom.createNamespacedCustomObject({
        ...dr,
        body: {
          apiVersion: 'networking.istio.io/v1',
          kind: 'DestinationRule',
          metadata: { name: 'watched' },
          spec: { host: 'watched' },
        },
      });
      await waitFor(() => seen.includes('add watched'), 'add event');
      await custom.patchNamespacedCustomObject(
        { ...dr, name: 'watched', body: { spec: { host: 'watched.bookinfo.svc.cluster.local' } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await waitFor(() => seen.includes('update watched'), 'update event');
      await custom.deleteNamespacedCustomObject({ ...dr, name: 'watched' });
      await waitFor(() => seen.includes('delete watched'), 'delete event');
    } finally {
      await informer.stop();
    }
  });
});

describe('client-node Watch', () => {
  it('streams events for a path, and reports 410 Expired as an ERROR event once history is gone', async () => {
    const kc = kubeConfigFor(dc);
    const seen: string[] = [];
    const path = `/apis/networking.istio.io/v1/namespaces/${NS}/gateways`;
    const list = (await custom.listNamespacedCustomObject({ ...VS, plural: 'gateways' })) as {
      metadata: { resourceVersion: string };
    };
    const req = await new Watch(kc).watch(
      path,
      { resourceVersion: list.metadata.resourceVersion },
      (type, obj: KubernetesObject) => seen.push(`${type} ${obj.metadata?.name ?? ''}`),
      () => undefined,
    );
    try {
      const gw = { group: 'networking.istio.io', version: 'v1', namespace: NS, plural: 'gateways' };
      const body = {
        apiVersion: 'networking.istio.io/v1',
        kind: 'Gateway',
        metadata: { name: 'watched-gw' },
        spec: {
          selector: { istio: 'ingressgateway' },
          servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
        },
      };
      await custom.createNamespacedCustomObject({ ...gw, body });
      await custom.deleteNamespacedCustomObject({ ...gw, name: 'watched-gw' });
      await waitFor(() => seen.includes('DELETED watched-gw'), 'gateway events');
      expect(seen).toEqual(['ADDED watched-gw', 'DELETED watched-gw']);
    } finally {
      req.abort();
    }

    const small = await startDemoCluster({ port: 0, istioCrds: false, historyLimit: 4 });
    try {
      const skc = kubeConfigFor(small);
      const score = skc.makeApiClient(CoreV1Api);
      for (let i = 0; i < 12; i++)
        await score.createNamespacedConfigMap({
          namespace: 'default',
          body: { metadata: { name: `c${i}` } },
        });
      const errors: { code?: number; reason?: string }[] = [];
      let finished = false;
      await new Watch(skc).watch(
        '/api/v1/namespaces/default/configmaps',
        { resourceVersion: '1' },
        (type, obj: { code?: number; reason?: string }) => {
          if (type === 'ERROR') errors.push(obj);
        },
        () => {
          finished = true;
        },
      );
      await waitFor(() => finished, 'the watch to end');
      expect(errors).toEqual([expect.objectContaining({ code: 410, reason: 'Expired' })]);
    } finally {
      await small.close();
    }
  });
});
