/**
 * Bookinfo's workloads driven by @kubernetes/client-node's typed clients over HTTP: read-back, the
 * controllers (replicasets, pods, sidecar injection, endpoints, scaling, rollouts) and selectors.
 */
import {
  AppsV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
  type V1Pod,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoCluster, type DemoCluster } from '../src/server';
import { expectStatus, kubeConfigFor, readManifests, waitFor } from './helpers';

const NS = 'bookinfo';

let dc: DemoCluster;
let core: CoreV1Api;
let apps: AppsV1Api;
let objects: KubernetesObjectApi;
let discovery: DiscoveryV1Api;

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
  objects = KubernetesObjectApi.makeApiClient(kc);
  discovery = kc.makeApiClient(DiscoveryV1Api);
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

    const slices = await discovery.listNamespacedEndpointSlice({
      namespace: NS,
      labelSelector: 'kubernetes.io/service-name=reviews',
    });
    expect(slices.items).toHaveLength(1);
    expect(slices.items[0]?.endpoints.filter((e) => e.conditions?.ready)).toHaveLength(5);
    expect(slices.items[0]?.ports).toEqual([{ name: 'http', port: 9080, protocol: 'TCP' }]);

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
