/**
 * The emulator driven by @kubernetes/client-node's real clients over HTTP: bookinfo and the networking
 * samples, read-back, informers, conflicts, schema validation, selectors and the controllers.
 */
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
  type V1Pod,
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
let apps: AppsV1Api;
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
  apps = kc.makeApiClient(AppsV1Api);
  custom = kc.makeApiClient(CustomObjectsApi);
  objects = KubernetesObjectApi.makeApiClient(kc);
  await core.createNamespace({ body: { metadata: { name: NS, labels: { 'istio-injection': 'enabled' } } } });
  for (const o of readManifests('bookinfo.yaml')) await apply(o as KubernetesObject);
});

afterAll(async () => {
  await dc?.close();
});

describe('bookinfo through KubernetesObjectApi, CoreV1Api and AppsV1Api', () => {
  it('reads back every bookinfo object with server-filled metadata', async () => {
    for (const o of readManifests('bookinfo.yaml')) {
      const live = await objects.read({
        apiVersion: o.apiVersion,
        kind: o.kind,
        metadata: { name: o.metadata.name ?? '', namespace: NS },
      });
      expect(live.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(Number(live.metadata?.resourceVersion)).toBeGreaterThan(0);
      expect(live.metadata?.creationTimestamp).toBeTruthy();
      expect(live.metadata?.labels).toMatchObject(o.metadata.labels ?? {});
    }
    const svcs = await core.listNamespacedService({ namespace: NS });
    expect(svcs.items.map((s) => s.metadata?.name).sort()).toEqual([
      'details',
      'productpage',
      'ratings',
      'reviews',
    ]);
    expect(svcs.items.every((s) => /^10\.96\./.test(s.spec?.clusterIP ?? ''))).toBe(true);
  });

  it('runs each deployment as a replicaset and Running, Ready pods with an injected istio-proxy', async () => {
    const pods = await waitFor(async () => {
      const list = await core.listNamespacedPod({ namespace: NS });
      return list.items.length === 6 && list.items.every((p) => p.status?.phase === 'Running')
        ? list.items
        : undefined;
    }, 'six running pods');
    for (const p of pods) {
      expect(p.spec?.containers.map((c) => c.name)).toContain('istio-proxy');
      expect(p.status?.podIP).toMatch(/^10\.244\./);
      expect(p.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(p.metadata?.labels?.['pod-template-hash']).toBeTruthy();
      expect(p.metadata?.labels?.['security.istio.io/tlsMode']).toBe('istio');
      expect(p.metadata?.labels?.['service.istio.io/canonical-name']).toBe(p.metadata?.labels?.app);
      expect(p.metadata?.labels?.['service.istio.io/canonical-revision']).toBe(p.metadata?.labels?.version);
      expect(p.metadata?.ownerReferences?.[0]?.kind).toBe('ReplicaSet');
    }
    const rs = await apps.listNamespacedReplicaSet({
      namespace: NS,
      labelSelector: 'app=reviews,version=v2',
    });
    expect(rs.items).toHaveLength(1);
    expect(rs.items[0]?.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'Deployment',
      name: 'reviews-v2',
    });
    const d = await waitFor(async () => {
      const x = await apps.readNamespacedDeployment({ name: 'reviews-v2', namespace: NS });
      return x.status?.readyReplicas === 1 ? x : undefined;
    }, 'reviews-v2 ready');
    expect(d.status).toMatchObject({
      replicas: 1,
      updatedReplicas: 1,
      availableReplicas: 1,
      observedGeneration: 1,
    });
    expect(d.status?.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual([
      'Available=True',
      'Progressing=True',
    ]);
  });

  it('keeps Endpoints of each service to its ready pods, across scaling', async () => {
    const ips = async (name: string): Promise<string[]> => {
      const ep = await core.readNamespacedEndpoints({ name, namespace: NS });
      return (ep.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort();
    };
    await waitFor(async () => (await ips('reviews')).length === 3, 'three reviews endpoints');
    const ep = await core.readNamespacedEndpoints({ name: 'reviews', namespace: NS });
    expect(ep.subsets?.[0]?.ports).toEqual([{ name: 'http', port: 9080, protocol: 'TCP' }]);

    await apps.patchNamespacedDeploymentScale(
      { name: 'reviews-v3', namespace: NS, body: { spec: { replicas: 3 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await waitFor(async () => (await ips('reviews')).length === 5, 'five reviews endpoints after scale-up');
    const v3 = await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=reviews,version=v3' });
    expect(v3.items).toHaveLength(3);
    const scale = await apps.readNamespacedDeploymentScale({ name: 'reviews-v3', namespace: NS });
    expect(scale.spec?.replicas).toBe(3);
    expect(scale.status?.selector).toBe('app=reviews,version=v3');

    await apps.replaceNamespacedDeploymentScale({
      name: 'reviews-v3',
      namespace: NS,
      body: { ...scale, spec: { replicas: 1 } },
    });
    await waitFor(
      async () => (await ips('reviews')).length === 3,
      'three reviews endpoints after scale-down',
    );
    await waitFor(
      async () =>
        (await apps.readNamespacedDeployment({ name: 'reviews-v3', namespace: NS })).status?.replicas === 1,
      'status replicas 1',
    );
  });

  it('rolls a changed pod template out to a new replicaset and bumps generation', async () => {
    const before = await apps.readNamespacedDeployment({ name: 'ratings-v1', namespace: NS });
    await apps.patchNamespacedDeployment(
      {
        name: 'ratings-v1',
        namespace: NS,
        body: {
          spec: { template: { spec: { containers: [{ name: 'ratings', image: 'example/ratings:2' }] } } },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    const after = await apps.readNamespacedDeployment({ name: 'ratings-v1', namespace: NS });
    expect(after.metadata?.generation).toBe((before.metadata?.generation ?? 0) + 1);
    // strategic merge: the container is merged by name, its ports kept
    expect(after.spec?.template.spec?.containers).toHaveLength(1);
    expect(after.spec?.template.spec?.containers[0]).toMatchObject({
      name: 'ratings',
      image: 'example/ratings:2',
      ports: [{ containerPort: 9080 }],
    });
    const pods = await waitFor(async () => {
      const l = await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=ratings' });
      return l.items.length === 1 && l.items[0]?.spec?.containers[0]?.image === 'example/ratings:2'
        ? l.items
        : undefined;
    }, 'ratings pod with the new image');
    expect(pods[0]?.status?.phase).toBe('Running');
    const rs = await apps.listNamespacedReplicaSet({ namespace: NS, labelSelector: 'app=ratings' });
    expect(rs.items.map((r) => r.spec?.replicas).sort()).toEqual([0, 1]);
  });
});

describe('label and field selectors', () => {
  const names = async (labelSelector?: string, fieldSelector?: string): Promise<string[]> => {
    const l = await core.listNamespacedPod({
      namespace: NS,
      ...(labelSelector ? { labelSelector } : {}),
      ...(fieldSelector ? { fieldSelector } : {}),
    });
    return l.items
      .map((p: V1Pod) => `${p.metadata?.labels?.app ?? ''}-${p.metadata?.labels?.version ?? ''}`)
      .sort();
  };

  it('filters with =, ==, !=, in, notin, exists and !exists', async () => {
    await waitFor(async () => (await names()).length === 6, 'six pods');
    expect(await names('app=reviews')).toEqual(['reviews-v1', 'reviews-v2', 'reviews-v3']);
    expect(await names('app==reviews,version!=v1')).toEqual(['reviews-v2', 'reviews-v3']);
    expect(await names('app in (ratings, details)')).toEqual(['details-v1', 'ratings-v1']);
    expect(await names('app notin (reviews,ratings),version')).toEqual(['details-v1', 'productpage-v1']);
    expect(await names('!version')).toEqual([]);
    expect(await names('nosuchlabel')).toEqual([]);
  });

  it('filters on metadata.name and metadata.namespace, cluster-wide too', async () => {
    const svc = await core.listServiceForAllNamespaces({ fieldSelector: 'metadata.name=reviews' });
    expect(svc.items.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`)).toEqual([
      'bookinfo/reviews',
    ]);
    const all = await core.listPodForAllNamespaces({
      fieldSelector: `metadata.namespace=${NS}`,
      labelSelector: 'app=details',
    });
    expect(all.items).toHaveLength(1);
    const none = await core.listPodForAllNamespaces({ fieldSelector: 'metadata.namespace!=bookinfo' });
    expect(none.items).toHaveLength(0);
  });

  it('rejects a malformed selector with 400', async () => {
    const st = await expectStatus(core.listNamespacedPod({ namespace: NS, labelSelector: 'app in (a' }));
    expect(st.code).toBe(400);
    const st2 = await expectStatus(core.listNamespacedPod({ namespace: NS, fieldSelector: 'spec.foo=bar' }));
    expect(st2.code).toBe(400);
    expect(st2.message).toContain('field label not supported: spec.foo');
  });
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
