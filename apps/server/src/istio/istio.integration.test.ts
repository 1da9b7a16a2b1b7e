/**
 * The Istio write routes on the real app against the real demo cluster (Bookinfo in namespace bookinfo):
 * intents round-trip, 422 with paths, 409 with the current object, dry runs write nothing, and a failed
 * second write leaves nothing half written.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { ErrorBodySchema, RoutingResponseSchema } from '@meshlens/contract';
import { startDemoCluster } from '@meshlens/demo-cluster';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app';
import { parseConfig } from '../config';
import { startInventory, type Inventory } from '../inventory/informers';
import { createPrometheusClient } from '../prometheus/client';
import { loadKubeConfig, startServer } from '../server';
import { applyYaml, dataFile, eventually } from '../../test/stackHelpers';
import { istioKubeClient, type IstioKubeClient, type KubeObject } from './kubeClient';

let dir: string;
let cluster: Awaited<ReturnType<typeof startDemoCluster>>;
let inventory: Inventory;
let kubeconfigPath: string;
let k8s: KubernetesObjectApi;
let app: ReturnType<typeof createApp>;
/** Runs after each real (not dry-run) write the app makes: lets a test act as "someone else". */
let afterWrite: ((obj: KubeObject) => Promise<void>) | undefined;

const NS = 'bookinfo';
const ref = (kind: string, name: string) => ({
  apiVersion: 'networking.istio.io/v1',
  kind,
  metadata: { name, namespace: NS },
});
const read = (kind: string, name: string) => k8s.read(ref(kind, name)) as Promise<KubeObject>;
const exists = (kind: string, name: string) =>
  read(kind, name).then(
    () => true,
    (e: { code?: number }) => (e.code === 404 ? false : Promise.reject(e as Error)),
  );
const yamlOf = (file: string) => readFileSync(dataFile(file), 'utf8');

function hooked(client: IstioKubeClient): IstioKubeClient {
  const after = async <T extends KubeObject>(o: T, dryRun?: boolean) => {
    if (!dryRun && afterWrite) await afterWrite(o);
    return o;
  };
  return {
    ...client,
    create: async (o, opts) => after(await client.create(o, opts), opts?.dryRun),
    replace: async (o, opts) => after(await client.replace(o, opts), opts?.dryRun),
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshlens-istio-it-'));
  kubeconfigPath = join(dir, 'kubeconfig');
  cluster = await startDemoCluster({ host: '127.0.0.1', port: 0 });
  await cluster.writeKubeconfig(kubeconfigPath);
  await applyYaml(kubeconfigPath, 'apiVersion: v1\nkind: Namespace\nmetadata: { name: bookinfo }\n', '');
  await applyYaml(kubeconfigPath, yamlOf('bookinfo.yaml'), NS);
  const kc = loadKubeConfig(kubeconfigPath);
  k8s = KubernetesObjectApi.makeApiClient(kc);
  const logger = pino({ level: 'silent' });
  inventory = startInventory(kc, logger);
  await inventory.waitForSync(10_000);
  await eventually(
    'bookinfo workloads in the inventory',
    async () =>
      inventory.snapshot().workloads.filter((w) => w.namespace === NS).length >= 6 ? true : undefined,
    10_000,
    100,
  );
  app = createApp({
    kube: inventory,
    prometheus: createPrometheusClient({ url: 'http://127.0.0.1:9', timeoutMs: 500 }),
    config: parseConfig({ webDir: dir }),
    logger,
    istio: { client: hooked(istioKubeClient(kc)), inventory },
  });
});

afterAll(async () => {
  await inventory?.close();
  await cluster?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const routing = (service: string, qs = '') => `/api/namespaces/${NS}/services/${service}/routing${qs}`;
const vsUrl = (name = '') => `/api/namespaces/${NS}/istio/virtualservices${name ? `/${name}` : ''}`;

describe('routing intents', () => {
  it('a failed second write is undone: the DestinationRule created first is deleted, 409 with the current VS', async () => {
    await applyYaml(kubeconfigPath, yamlOf('virtual-service-reviews-jason-v2-v3.yaml'), NS);
    // Someone edits the VirtualService right after meshlens created the DestinationRule.
    afterWrite = async (o) => {
      if (o.kind !== 'DestinationRule') return;
      afterWrite = undefined;
      const vs = await read('VirtualService', 'reviews');
      vs.metadata.labels = { ...vs.metadata.labels, 'edited-by': 'someone-else' };
      await k8s.replace(vs as KubernetesObject);
    };
    const res = await request(app)
      .post(routing('reviews'))
      .send({ trafficShifting: { v1: 80, v2: 20 } });
    afterWrite = undefined;
    expect(res.status).toBe(409);
    const body = ErrorBodySchema.parse(res.body);
    expect(body.error.name).toBe('ConflictError');
    expect(body.error.message).toMatch(/Nothing was left half written/);
    const details = body.error.details as { current: KubeObject; rolledBack: string[]; failedStep: object };
    expect(details.current.metadata.labels?.['edited-by']).toBe('someone-else');
    expect(details.failedStep).toEqual({ action: 'update', kind: 'VirtualService', name: 'reviews' });
    expect(details.rolledBack).toEqual(['DestinationRule bookinfo/reviews (created) deleted']);
    expect(await exists('DestinationRule', 'reviews')).toBe(false);
    const vs = await read('VirtualService', 'reviews');
    expect((vs.spec as { http: unknown[] }).http).toHaveLength(2);
    expect(vs.metadata.labels?.['meshlens.io/wizard']).toBeUndefined();
  });

  it('traffic shifting round trip: DestinationRule then VirtualService, read back from the cluster', async () => {
    const res = await request(app)
      .post(routing('reviews'))
      .send({ trafficShifting: { v1: 80, v2: 20 } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const body = RoutingResponseSchema.parse(res.body);
    expect(body.dryRun).toBe(false);
    expect(body.steps.map((s) => `${s.action} ${s.kind}`)).toEqual([
      'create DestinationRule',
      'update VirtualService',
    ]);
    expect(body.yaml).toContain('kind: VirtualService');
    const vs = await read('VirtualService', 'reviews');
    const http = (
      vs.spec as {
        http: { match?: unknown; route: { destination: { subset: string }; weight?: number }[] }[];
      }
    ).http;
    expect(http[0]?.match).toEqual([{ headers: { 'end-user': { exact: 'jason' } } }]);
    expect(http[1]?.route.map((r) => [r.destination.subset, r.weight])).toEqual([
      ['v1', 80],
      ['v2', 20],
    ]);
    const dr = await read('DestinationRule', 'reviews');
    expect(dr.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('meshlens');
    expect((dr.spec as { subsets: { name: string }[] }).subsets.map((s) => s.name)).toEqual([
      'v1',
      'v2',
      'v3',
    ]);
  });

  it('an updated DestinationRule is restored when the VirtualService write after it fails', async () => {
    const before = await read('DestinationRule', 'reviews');
    afterWrite = async (o) => {
      if (o.kind !== 'DestinationRule') return;
      afterWrite = undefined;
      const vs = await read('VirtualService', 'reviews');
      await k8s.replace({
        ...vs,
        metadata: { ...vs.metadata, annotations: { note: 'edited' } },
      } as KubernetesObject);
    };
    const res = await request(app)
      .post(routing('reviews'))
      .send({
        trafficShifting: { v1: 50, v3: 50 },
        circuitBreaker: { outlierDetection: { consecutive5xxErrors: 3 } },
      });
    afterWrite = undefined;
    expect(res.status).toBe(409);
    expect(res.body.error.details.rolledBack).toEqual(['DestinationRule bookinfo/reviews restored']);
    const after = await read('DestinationRule', 'reviews');
    expect(after.spec).toEqual(before.spec);
    expect(after.metadata.labels).toEqual(before.metadata.labels);
    expect(after.metadata.resourceVersion).not.toBe(before.metadata.resourceVersion);
  });

  it('dryRun answers the preview and writes nothing', async () => {
    const res = await request(app)
      .post(routing('ratings', '?dryRun=true'))
      .send({ faultInjection: { abort: { httpStatus: 500, percentage: 100 } } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const body = RoutingResponseSchema.parse(res.body);
    expect(body.dryRun).toBe(true);
    expect(body.objects.map((o) => o.kind)).toEqual(['VirtualService']);
    expect(body.yaml).toContain('httpStatus: 500');
    expect(await exists('VirtualService', 'ratings')).toBe(false);
  });

  it('422 with paths for an invalid intent, 404 for an unknown service, 409 for a stale preview', async () => {
    const bad = await request(app)
      .post(routing('reviews'))
      .send({ trafficShifting: { weights: { v1: 80, v2: '20' } } });
    expect(bad.status).toBe(422);
    expect(ErrorBodySchema.parse(bad.body).error.details).toMatchObject({
      causes: [expect.objectContaining({ path: 'trafficShifting/weights/v2' })],
    });
    const unknown = await request(app)
      .post(routing('reviews'))
      .send({ trafficShifting: { v1: 50, v9: 50 } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details.causes[0]).toMatchObject({
      path: 'trafficShifting/weights/v9',
      code: 'ML2004',
    });
    const missing = await request(app)
      .post(routing('nope'))
      .send({ trafficShifting: { v1: 100 } });
    expect(missing.status).toBe(404);
    const stale = await request(app)
      .post(routing('reviews'))
      .send({ trafficShifting: { v1: 100 }, basedOn: { virtualService: '1' } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.details.current.metadata.name).toBe('reviews');
  });

  it('delete routing keeps hand-written objects unless asked, and deletes the VirtualService first', async () => {
    const keep = await request(app).delete(routing('reviews'));
    expect(keep.status, JSON.stringify(keep.body)).toBe(200);
    // The VirtualService is hand-written; meshlens's DestinationRule is still used by it.
    expect(keep.body.deleted).toEqual([]);
    expect(keep.body.kept.map((k: { kind: string }) => k.kind).sort()).toEqual([
      'DestinationRule',
      'VirtualService',
    ]);
    const dry = await request(app).delete(routing('reviews', '?includeHandWritten=true&dryRun=true'));
    expect(dry.body.steps.map((s: { action: string; kind: string }) => `${s.action} ${s.kind}`)).toEqual([
      'delete VirtualService',
      'delete DestinationRule',
    ]);
    expect(await exists('VirtualService', 'reviews')).toBe(true);
    const all = await request(app).delete(routing('reviews', '?includeHandWritten=true'));
    expect(all.status).toBe(200);
    expect(await exists('VirtualService', 'reviews')).toBe(false);
    expect(await exists('DestinationRule', 'reviews')).toBe(false);
  });
});

describe('raw Istio objects', () => {
  const vs = (route: unknown[]) => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'details' },
    spec: { hosts: ['details'], http: [{ route }] },
  });

  it('422 with the path of a string weight and of a route without destination; nothing created', async () => {
    const weight = await request(app)
      .post(vsUrl())
      .send(vs([{ destination: { host: 'details' }, weight: '100' }]));
    expect(weight.status).toBe(422);
    const body = ErrorBodySchema.parse(weight.body);
    expect(body.error.name).toBe('ValidationError');
    expect((body.error.details as { causes: { path: string }[] }).causes.map((c) => c.path)).toContain(
      'spec/http[0]/route[0]/weight',
    );
    const noDest = await request(app)
      .post(vsUrl())
      .send(vs([{ weight: 100 }]));
    expect(noDest.status).toBe(422);
    expect(noDest.body.error.details.causes.map((c: { path: string }) => c.path)).toContain(
      'spec/http[0]/route[0]/destination',
    );
    expect(await exists('VirtualService', 'details')).toBe(false);
  });

  it('create, list, merge-patch, 409 on a stale replace with the current object, delete', async () => {
    const created = await request(app)
      .post(vsUrl())
      .send(vs([{ destination: { host: 'details' } }]));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const rv1 = created.body.object.metadata.resourceVersion as string;
    const list = await request(app).get(vsUrl());
    expect(list.status).toBe(200);
    expect(list.body.items.map((o: KubeObject) => o.metadata.name)).toContain('details');
    expect(list.body.validations.find((v: { name: string }) => v.name === 'details')).toMatchObject({
      valid: true,
    });

    const patched = await request(app)
      .patch(vsUrl('details'))
      .set('Content-Type', 'application/merge-patch+json')
      .send({
        metadata: { resourceVersion: rv1, labels: { team: 'a' } },
        spec: { http: [{ route: [{ destination: { host: 'details' } }], timeout: '3s' }] },
      });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const rv2 = patched.body.object.metadata.resourceVersion as string;
    expect(rv2).not.toBe(rv1);
    expect((await read('VirtualService', 'details')).metadata.labels).toEqual({ team: 'a' });

    const stale = await request(app)
      .put(vsUrl('details'))
      .send({
        ...vs([{ destination: { host: 'details' } }]),
        metadata: { name: 'details', resourceVersion: rv1 },
      });
    expect(stale.status).toBe(409);
    const conflict = ErrorBodySchema.parse(stale.body);
    expect(conflict.error.name).toBe('ConflictError');
    expect((conflict.error.details as { current: KubeObject }).current.metadata.resourceVersion).toBe(rv2);
    const stalePatch = await request(app)
      .patch(`${vsUrl('details')}?resourceVersion=${rv1}`)
      .send({ spec: {} });
    expect(stalePatch.status).toBe(409);

    const yamlPut = await request(app)
      .put(`${vsUrl('details')}?dryRun=true`)
      .set('Content-Type', 'application/yaml')
      .send(
        `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: details, resourceVersion: "${rv2}" }\nspec: { hosts: [details], http: [{ route: [{ destination: { host: details } }] }] }\n`,
      );
    expect(yamlPut.status, JSON.stringify(yamlPut.body)).toBe(200);
    expect((await read('VirtualService', 'details')).metadata.resourceVersion).toBe(rv2);

    expect((await request(app).delete(`${vsUrl('details')}?resourceVersion=${rv1}`)).status).toBe(409);
    expect((await request(app).delete(`${vsUrl('details')}?dryRun=true`)).status).toBe(200);
    expect(await exists('VirtualService', 'details')).toBe(true);
    expect((await request(app).delete(vsUrl('details'))).status).toBe(200);
    expect(await exists('VirtualService', 'details')).toBe(false);
    expect((await request(app).get(vsUrl('details'))).status).toBe(404);
    expect((await request(app).get(`/api/namespaces/${NS}/istio/widgets`)).status).toBe(404);
  });
});

it('startServer serves the routes (the CLI wiring), and answers a dry run from the cluster', async () => {
  const server = await startServer({
    kubeconfigPath,
    prometheusUrl: 'http://127.0.0.1:9',
    port: 0,
    logger: pino({ level: 'silent' }),
    config: { webDir: dir },
  });
  try {
    const res = await request(server.url)
      .post(routing('productpage', '?dryRun=true'))
      .send({ timeoutsRetries: { timeout: '10s', retries: { attempts: 2, retryOn: 'gateway-error' } } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.steps).toEqual([
      { action: 'create', kind: 'VirtualService', namespace: NS, name: 'productpage' },
    ]);
    // The cluster's own checks (CEL: durations > 1ms) run on the dry run too.
    const cel = await request(server.url)
      .post(routing('productpage', '?dryRun=true'))
      .send({ timeoutsRetries: { timeout: '0.5ms' } });
    expect(cel.status).toBe(422);
    expect(cel.body.error.details.causes[0]).toMatchObject({ path: 'spec/http[0]/timeout' });
    expect(await exists('VirtualService', 'productpage')).toBe(false);
  } finally {
    await server.close();
  }
});
