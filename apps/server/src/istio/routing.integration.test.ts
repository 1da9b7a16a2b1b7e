/**
 * Routing intents on the real app against the real demo cluster (Bookinfo in namespace bookinfo): round
 * trip, dry runs write nothing, 422 with paths, 409 on a stale preview, delete routing, and a failed second
 * write (a real 409 from the cluster: someone else changed the VirtualService in between) leaves nothing
 * half written.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { ErrorBodySchema, RoutingResponseSchema } from '@meshlens/contract';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../server';
import { NS, startIstioStack, yamlOf, type IstioStack, SAME_ORIGIN } from '../../test/istioStack';
import { applyYaml } from '../../test/stackHelpers';
import type { KubeObject } from './kubeClient';

let stack: IstioStack;
beforeAll(async () => {
  stack = await startIstioStack();
});
afterAll(async () => {
  await stack?.close();
});

const routing = (service: string, qs = '') => `/api/namespaces/${NS}/services/${service}/routing${qs}`;

describe('routing intents', () => {
  it('a failed second write is undone: the DestinationRule created first is deleted, 409 with the current VS', async () => {
    await applyYaml(stack.kubeconfigPath, yamlOf('virtual-service-reviews-jason-v2-v3.yaml'), NS);
    // Someone edits the VirtualService right after meshlens created the DestinationRule.
    stack.hook.afterWrite = async (o) => {
      if (o.kind !== 'DestinationRule') return;
      stack.hook.afterWrite = undefined;
      const vs = await stack.read('VirtualService', 'reviews');
      vs.metadata.labels = { ...vs.metadata.labels, 'edited-by': 'someone-else' };
      await stack.k8s.replace(vs as KubernetesObject);
    };
    const res = await request(stack.app)
      .post(routing('reviews'))
      .set(SAME_ORIGIN)
      .send({ trafficShifting: { v1: 80, v2: 20 } });
    stack.hook.afterWrite = undefined;
    expect(res.status).toBe(409);
    const body = ErrorBodySchema.parse(res.body);
    expect(body.error.name).toBe('ConflictError');
    expect(body.error.message).toMatch(/Nothing was left half written/);
    const details = body.error.details as { current: KubeObject; rolledBack: string[]; failedStep: object };
    expect(details.current.metadata.labels?.['edited-by']).toBe('someone-else');
    expect(details.failedStep).toEqual({ action: 'update', kind: 'VirtualService', name: 'reviews' });
    expect(details.rolledBack).toEqual(['DestinationRule bookinfo/reviews (created) deleted']);
    expect(await stack.exists('DestinationRule', 'reviews')).toBe(false);
    const vs = await stack.read('VirtualService', 'reviews');
    expect((vs.spec as { http: unknown[] }).http).toHaveLength(2);
    expect(vs.metadata.labels?.['meshlens.io/wizard']).toBeUndefined();
  });

  it('traffic shifting round trip: DestinationRule then VirtualService, read back from the cluster', async () => {
    const res = await request(stack.app)
      .post(routing('reviews'))
      .set(SAME_ORIGIN)
      .send({ trafficShifting: { v1: 80, v2: 20 } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const body = RoutingResponseSchema.parse(res.body);
    expect(body.dryRun).toBe(false);
    expect(body.steps.map((s) => `${s.action} ${s.kind}`)).toEqual([
      'create DestinationRule',
      'update VirtualService',
    ]);
    expect(body.yaml).toContain('kind: VirtualService');
    const vs = await stack.read('VirtualService', 'reviews');
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
    const dr = await stack.read('DestinationRule', 'reviews');
    expect(dr.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('meshlens');
    expect((dr.spec as { subsets: { name: string }[] }).subsets.map((s) => s.name)).toEqual([
      'v1',
      'v2',
      'v3',
    ]);
  });

  it('an updated DestinationRule is restored when the VirtualService write after it fails', async () => {
    const before = await stack.read('DestinationRule', 'reviews');
    stack.hook.afterWrite = async (o) => {
      if (o.kind !== 'DestinationRule') return;
      stack.hook.afterWrite = undefined;
      const vs = await stack.read('VirtualService', 'reviews');
      await stack.k8s.replace({
        ...vs,
        metadata: { ...vs.metadata, annotations: { note: 'edited' } },
      } as KubernetesObject);
    };
    const res = await request(stack.app)
      .post(routing('reviews'))
      .set(SAME_ORIGIN)
      .send({
        trafficShifting: { v1: 50, v3: 50 },
        circuitBreaker: { outlierDetection: { consecutive5xxErrors: 3 } },
      });
    stack.hook.afterWrite = undefined;
    expect(res.status).toBe(409);
    expect(res.body.error.details.rolledBack).toEqual(['DestinationRule bookinfo/reviews restored']);
    const after = await stack.read('DestinationRule', 'reviews');
    expect(after.spec).toEqual(before.spec);
    expect(after.metadata.labels).toEqual(before.metadata.labels);
    expect(after.metadata.resourceVersion).not.toBe(before.metadata.resourceVersion);
  });

  it('dryRun answers the preview and writes nothing', async () => {
    const res = await request(stack.app)
      .post(routing('ratings', '?dryRun=true'))
      .set(SAME_ORIGIN)
      .send({ faultInjection: { abort: { httpStatus: 500, percentage: 100 } } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const body = RoutingResponseSchema.parse(res.body);
    expect(body.dryRun).toBe(true);
    expect(body.objects.map((o) => o.kind)).toEqual(['VirtualService']);
    expect(body.yaml).toContain('httpStatus: 500');
    expect(body.objects[0]?.metadata).not.toHaveProperty('uid');
    expect(await stack.exists('VirtualService', 'ratings')).toBe(false);
  });

  it('422 with paths for an invalid intent, 404 for an unknown service, 409 for a stale preview', async () => {
    const bad = await request(stack.app)
      .post(routing('reviews'))
      .set(SAME_ORIGIN)
      .send({ trafficShifting: { weights: { v1: 80, v2: '20' } } });
    expect(bad.status).toBe(422);
    expect(ErrorBodySchema.parse(bad.body).error.details).toMatchObject({
      causes: [
        {
          path: 'trafficShifting/weights/v2',
          message: expect.stringMatching(/expected number/),
          code: 'InvalidIntent',
        },
      ],
    });
    const missing0 = await request(stack.app)
      .post(routing('reviews'))
      .set(SAME_ORIGIN)
      .send({ faultInjection: { abort: { percentage: 5 } } });
    expect(missing0.body.error.details.causes).toEqual([
      { path: 'faultInjection/abort/httpStatus', message: 'required', code: 'InvalidIntent' },
    ]);
    const unknown = await request(stack.app)
      .post(routing('reviews'))
      .set(SAME_ORIGIN)
      .send({ trafficShifting: { v1: 50, v9: 50 } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details.causes[0]).toMatchObject({
      path: 'trafficShifting/weights/v9',
      code: 'ML2004',
    });
    const missing = await request(stack.app)
      .post(routing('nope'))
      .set(SAME_ORIGIN)
      .send({ trafficShifting: { v1: 100 } });
    expect(missing.status).toBe(404);
    const stale = await request(stack.app)
      .post(routing('reviews'))
      .set(SAME_ORIGIN)
      .send({ trafficShifting: { v1: 100 }, basedOn: { virtualService: '1' } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.details.current.metadata.name).toBe('reviews');
  });

  it('delete routing keeps hand-written objects unless asked, and deletes the VirtualService first', async () => {
    const keep = await request(stack.app).delete(routing('reviews')).set(SAME_ORIGIN);
    expect(keep.status, JSON.stringify(keep.body)).toBe(200);
    // The VirtualService is hand-written; meshlens's DestinationRule is still used by it.
    expect(keep.body.deleted).toEqual([]);
    expect(keep.body.kept.map((k: { kind: string }) => k.kind).sort()).toEqual([
      'DestinationRule',
      'VirtualService',
    ]);
    const dry = await request(stack.app)
      .delete(routing('reviews', '?includeHandWritten=true&dryRun=true'))
      .set(SAME_ORIGIN);
    expect(dry.body.steps.map((s: { action: string; kind: string }) => `${s.action} ${s.kind}`)).toEqual([
      'delete VirtualService',
      'delete DestinationRule',
    ]);
    expect(await stack.exists('VirtualService', 'reviews')).toBe(true);
    const all = await request(stack.app)
      .delete(routing('reviews', '?includeHandWritten=true'))
      .set(SAME_ORIGIN);
    expect(all.status).toBe(200);
    expect(await stack.exists('VirtualService', 'reviews')).toBe(false);
    expect(await stack.exists('DestinationRule', 'reviews')).toBe(false);
  });
});

it('startServer serves the routes (the CLI wiring), and answers a dry run from the cluster', async () => {
  const server = await startServer({
    kubeconfigPath: stack.kubeconfigPath,
    prometheusUrl: 'http://127.0.0.1:9',
    port: 0,
    logger: pino({ level: 'silent' }),
    config: { webDir: stack.dir },
  });
  try {
    const res = await request(server.url)
      .post(routing('productpage', '?dryRun=true'))
      .set(SAME_ORIGIN)
      .send({ timeoutsRetries: { timeout: '10s', retries: { attempts: 2, retryOn: 'gateway-error' } } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.steps).toEqual([
      { action: 'create', kind: 'VirtualService', namespace: NS, name: 'productpage' },
    ]);
    // The cluster's own checks (CEL: durations > 1ms) run on the dry run too.
    const cel = await request(server.url)
      .post(routing('productpage', '?dryRun=true'))
      .set(SAME_ORIGIN)
      .send({ timeoutsRetries: { timeout: '0.5ms' } });
    expect(cel.status).toBe(422);
    expect(cel.body.error.details.causes[0]).toMatchObject({ path: 'spec/http[0]/timeout' });
    expect(await stack.exists('VirtualService', 'productpage')).toBe(false);
  } finally {
    await server.close();
  }
});
