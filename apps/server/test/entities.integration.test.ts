/**
 * The overview and the lists against the real stack: demo cluster, mesh-sim's Bookinfo, a real
 * Prometheus, the server started with startServer. Query counts are read from the server's own /metrics.
 */
import {
  EntityListResponseSchema,
  OverviewResponseSchema,
  type EntityKind,
  type EntityListResponse,
} from '@meshlens/contract';
import express from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotAllowedError } from '../src/errors';
import { KubeConfig } from '@kubernetes/client-node';
import { entitiesRouter } from '../src/entities/router';
import { createEntitiesService } from '../src/entities/service';
import { startInventory } from '../src/inventory/informers';
import { createPrometheusClient } from '../src/prometheus/client';
import { errorHandler } from '../src/http/errors';
import { startLiveStack, type LiveStack } from './liveStack';
import { applyFile, eventually } from './stackHelpers';

let live: LiveStack;
let server: LiveStack['server'];
let prometheus: LiveStack['prometheus'];
let kubeconfigPath: string;

beforeAll(async () => {
  live = await startLiveStack({
    name: 'entities',
    // No answer reuse: each request below costs its own queries.
    config: { graph: { cacheTtlMs: 0, maxDurationSeconds: 3600 }, prometheus: { timeoutMs: 5000 } },
  });
  ({ server, prometheus, kubeconfigPath } = live);
});

afterAll(async () => {
  await live?.close();
});

const queriesSent = () => live.queriesSent();

const get = async (path: string) => {
  const res = await fetch(`${server.url}${path}`);
  return { status: res.status, body: (await res.json()) as unknown };
};

const list = async (path: string): Promise<EntityListResponse> => {
  const r = await get(path);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return EntityListResponseSchema.parse(r.body);
};

const names = (l: EntityListResponse) => l.rows.map((r) => `${r.namespace}/${r.name}`);

describe('overview', () => {
  it(
    "shows bookinfo's counts, injection, mTLS, validations and traffic at 4 queries",
    { timeout: 40_000 },
    async () => {
      const o = await eventually(
        'bookinfo traffic in the overview',
        async () => {
          const r = await get('/api/overview?namespaces=bookinfo&duration=1m&debug=true');
          const o = OverviewResponseSchema.parse(r.body);
          const ns = o.namespaces[0];
          return ns &&
            ns.traffic.inboundRps > 0 &&
            ns.traffic.series.length > 1 &&
            ns.health.services.Healthy > 0
            ? o
            : undefined;
        },
        30_000,
        500,
      );
      expect(o.namespaces.map((n) => n.name)).toEqual(['bookinfo']);
      const ns = o.namespaces[0]!;
      const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
      expect([total(ns.health.apps), total(ns.health.workloads), total(ns.health.services)]).toEqual([
        4, 6, 4,
      ]);
      expect(ns.injection).toMatchObject({ enabled: true, label: 'istio-injection=enabled' });
      expect(ns.mtls.mode).toMatch(/STRICT|PERMISSIVE|DISABLE/);
      expect(o.debug?.queries.map((q) => q.name).sort()).toEqual(['inbound', 'outbound', 'series', 'tcp']);
      expect(o.debug?.queries.every((q) => !q.error)).toBe(true);
    },
  );

  it('costs the same 4 queries for one namespace and for all of them', async () => {
    let before = await queriesSent();
    const one = OverviewResponseSchema.parse((await get('/api/overview?namespaces=bookinfo')).body);
    expect((await queriesSent()) - before).toBe(4);
    expect(one.debug).toBeUndefined();
    before = await queriesSent();
    const all = OverviewResponseSchema.parse((await get('/api/overview')).body);
    expect((await queriesSent()) - before).toBe(4);
    expect(all.namespaces.map((n) => n.name)).toEqual(expect.arrayContaining(['bookinfo', 'istio-system']));
    expect(all.namespaces.length).toBeGreaterThan(2);
  });
});

describe('lists', () => {
  it.each<[EntityKind, string[]]>([
    ['apps', ['bookinfo/details', 'bookinfo/productpage', 'bookinfo/ratings', 'bookinfo/reviews']],
    [
      'workloads',
      [
        'bookinfo/details-v1',
        'bookinfo/productpage-v1',
        'bookinfo/ratings-v1',
        'bookinfo/reviews-v1',
        'bookinfo/reviews-v2',
        'bookinfo/reviews-v3',
      ],
    ],
    ['services', ['bookinfo/details', 'bookinfo/productpage', 'bookinfo/ratings', 'bookinfo/reviews']],
  ])('%s of bookinfo at 3 queries, the same rows by path and by query', async (kind, expected) => {
    const before = await queriesSent();
    const byPath = await list(`/api/namespaces/bookinfo/${kind}?duration=1m`);
    expect((await queriesSent()) - before).toBe(3);
    expect(names(byPath)).toEqual(expected);
    const byQuery = await list(`/api/${kind}?namespaces=bookinfo&duration=1m`);
    expect(names(byQuery)).toEqual(expected);
  });

  it('workload rows carry type, replicas, sidecar, services, and health with reasons', async () => {
    const wl = await list('/api/namespaces/bookinfo/workloads?duration=1m');
    const reviews = wl.rows.find((r) => r.name === 'reviews-v2')!;
    expect(reviews).toMatchObject({
      type: 'Deployment',
      sidecar: 'all',
      related: ['reviews'],
      replicas: { desired: 1, available: 1, pods: 1, ready: 1 },
    });
    expect(reviews.labels).toMatchObject({ app: 'reviews', version: 'v2' });
    const all = await list('/api/workloads?namespaces=bookinfo,istio-system&duration=1m');
    const gw = all.rows.find((r) => r.name === 'istio-ingressgateway')!;
    expect(gw.sidecar).toBe('n/a');
  });

  it(
    'a fault on details turns its service row Failure with the reason in words, and shows the VirtualService',
    { timeout: 60_000 },
    async () => {
      await applyFile(kubeconfigPath, 'fault-injection-details-v1.yaml');
      const row = await eventually(
        'details failing',
        async () => {
          const l = await list('/api/namespaces/bookinfo/services?duration=10s');
          const r = l.rows.find((x) => x.name === 'details');
          // Every request aborted: once the 10 s window holds mostly faults.
          return r?.health.status === 'Failure' && r.errorRate > 0.5 ? r : undefined;
        },
        45_000,
        500,
      );
      expect(row.health.reasons[0]).toMatch(
        /^HTTP server errors \(5xx\): [\d.]+ % of inbound requests, failure at 10 %$/,
      );
      expect(row.istioReferences.map((r) => `${r.kind}/${r.name}`)).toEqual([
        'DestinationRule/details',
        'VirtualService/details',
      ]);
      expect(row.istioReferences.every((r) => r.valid === true)).toBe(true);
    },
  );
});

describe('bad input and visibility', () => {
  it.each([
    ['/api/overview?namespaces=Not_A_Name', /namespaces: not a DNS label/],
    ['/api/apps?duration=soon', /duration: expected a whole number/],
    ['/api/workloads?verbose=1', /verbose: unknown query parameter/],
    ['/api/namespaces/bookinfo/services?duration=2h', /duration: at most/],
  ])('%s → 400 naming the parameter', async (path, message) => {
    const r = await get(path);
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toMatch(message);
  });

  it('a namespace that does not exist: 404 by path', async () => {
    expect((await get('/api/namespaces/nowhere/apps')).status).toBe(404);
  });

  it('lists only readable namespaces; one asked explicitly and not readable is 403', async () => {
    // The route with a user who may read bookinfo only (the access review's answer, as auth/ gives it).
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    const inventory = startInventory(kc, pino({ level: 'silent' }));
    expect(await inventory.waitForSync(10_000)).toBe(true);
    const service = createEntitiesService({
      prometheus: createPrometheusClient({ url: prometheus.url }),
      inventory: () => inventory.snapshot(),
      healthRules: [],
      istioNamespace: 'istio-system',
      cacheTtlMs: 0,
    });
    const app = express();
    const readable = new Set(['bookinfo']);
    app.use(
      entitiesRouter({
        service,
        inventory: () => inventory.snapshot(),
        maxDurationSeconds: 86_400,
        auth: {
          readable: async () => readable,
          requireReadable: async (_req, namespaces) => {
            const hidden = namespaces.filter((n) => !readable.has(n));
            if (hidden.length) throw new NotAllowedError(`You may not read namespace ${hidden.join(', ')}`);
          },
        },
      }),
    );
    app.use(errorHandler(pino({ level: 'silent' })));
    const all = await request(app).get('/api/overview');
    expect(all.status).toBe(200);
    expect(OverviewResponseSchema.parse(all.body).namespaces.map((n) => n.name)).toEqual(['bookinfo']);
    const services = await request(app).get('/api/services');
    expect(new Set(EntityListResponseSchema.parse(services.body).rows.map((r) => r.namespace))).toEqual(
      readable,
    );
    const refused = await request(app).get('/api/workloads?namespaces=bookinfo,istio-system');
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/istio-system/);
    await inventory.close();
  });
});
