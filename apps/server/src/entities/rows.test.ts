import { describe, expect, it } from 'vitest';
import type { VectorSample } from '../prometheus/client';
import type { WorkloadInfo } from '../inventory/types';
import type { IstioIndex } from './istioRefs';
import { listQueries, seriesQuery } from './queries';
import { splitRates } from './rates';
import { buildRows, countByNamespace, namespaceHealth } from './rows';

const sample = (metric: Record<string, string>, v: number): VectorSample => ({
  metric,
  value: [0, String(v)],
});
const wl = (name: string, over: Partial<WorkloadInfo> = {}): WorkloadInfo => ({
  namespace: 'shop',
  name,
  kind: 'Deployment',
  labels: { app: 'cart', version: name.split('-').pop()! },
  annotations: {},
  app: 'cart',
  version: name.split('-').pop(),
  desired: 1,
  available: 1,
  pods: 1,
  podsReady: 1,
  podsWithSidecar: 1,
  isGateway: false,
  ...over,
});
const index: IstioIndex = {
  byHost: new Map([
    ['cart.shop.svc.cluster.local', [{ kind: 'VirtualService', namespace: 'shop', name: 'cart' }]],
  ]),
  selecting: [],
  validation: new Map(),
  counts: new Map(),
  mtls: new Map(),
  serviceTypes: new Map(),
};
const snapshot = {
  namespaces: [{ name: 'shop', labels: {}, annotations: {} }],
  workloads: [wl('cart-v1'), wl('cart-v2', { available: 0, podsWithSidecar: 0 })],
  services: [{ namespace: 'shop', name: 'cart', labels: {}, annotations: {}, selector: { app: 'cart' } }],
};
const http = (code: string) => ({
  reporter: 'source',
  request_protocol: 'http',
  response_code: code,
  destination_service_namespace: 'shop',
  destination_service_name: 'cart',
  destination_service: 'cart.shop.svc.cluster.local',
  destination_workload_namespace: 'shop',
  destination_workload: 'cart-v1',
  destination_canonical_service: 'cart',
});

describe('entity rows from rates and inventory', () => {
  // 95 OK, 5 aborted by a fault at the caller: no workload, the namespace only in the FQDN
  const rates = splitRates(
    [
      sample(http('200'), 95),
      sample(
        {
          ...http('503'),
          destination_service_namespace: 'unknown',
          destination_service_name: 'unknown',
          destination_workload: 'unknown',
          destination_workload_namespace: 'unknown',
          destination_canonical_service: 'unknown',
        },
        5,
      ),
    ],
    [],
    [],
  );
  const input = { snapshot, rates, index, rules: [], namespaces: new Set(['shop']) };

  it('counts a local reply against the service named by its FQDN', () => {
    const [svc] = buildRows('services', input);
    expect(svc).toMatchObject({
      name: 'cart',
      inboundRps: 100,
      errorRate: 0.05,
      related: ['cart-v1', 'cart-v2'],
    });
    expect(svc!.health).toEqual({
      status: 'Degraded',
      reasons: ['HTTP server errors (5xx): 5 % of inbound requests, degraded above 0 %, failure at 10 %'],
    });
    expect(svc!.istioReferences).toEqual([
      { kind: 'VirtualService', namespace: 'shop', name: 'cart', valid: null, errors: 0, warnings: 0 },
    ]);
  });

  it('over several clusters: a row per cluster, naming it; a service selects only its own cluster', () => {
    const svc = { namespace: 'shop', name: 'cart', labels: {}, annotations: {}, selector: { app: 'cart' } };
    const multi = {
      ...input,
      snapshot: {
        ...snapshot,
        workloads: [wl('cart-v1', { cluster: 'east' }), wl('cart-v3', { cluster: 'west' })],
        services: [
          { ...svc, cluster: 'east' },
          { ...svc, cluster: 'west' },
        ],
      },
    };
    expect(buildRows('services', multi).map((r) => [r.cluster, r.name, r.related])).toEqual([
      ['east', 'cart', ['cart-v1']],
      ['west', 'cart', ['cart-v3']],
    ]);
    expect(buildRows('workloads', multi).map((r) => [r.cluster, r.name, r.related])).toEqual([
      ['east', 'cart-v1', ['cart']],
      ['west', 'cart-v3', ['cart']],
    ]);
    // One cluster: no cluster on the rows (the answer is unchanged).
    expect(buildRows('services', input).every((r) => r.cluster === undefined)).toBe(true);
  });

  it("over several clusters, each row's rates are its own cluster's; a local reply counts on the caller's", () => {
    const svc = { namespace: 'shop', name: 'cart', labels: {}, annotations: {}, selector: { app: 'cart' } };
    const into = (cluster: string, workload: string, code = '200') => ({
      ...http(code),
      destination_cluster: cluster,
      source_cluster: 'east',
      destination_workload: workload,
    });
    const rates = splitRates(
      [
        sample(into('east', 'cart-v1'), 30),
        sample(into('west', 'cart-v3'), 10),
        // aborted by a fault in the caller's proxy (east): no destination cluster
        sample({ ...into('unknown', 'unknown', '503'), destination_service_namespace: 'unknown' }, 2),
      ],
      [
        sample(
          {
            source_cluster: 'west',
            source_workload_namespace: 'shop',
            source_workload: 'cart-v3',
            request_protocol: 'http',
            response_code: '200',
          },
          4,
        ),
      ],
      [],
    );
    const multi = {
      ...input,
      rates,
      snapshot: {
        ...snapshot,
        workloads: [wl('cart-v1', { cluster: 'east' }), wl('cart-v3', { cluster: 'west' })],
        services: [
          { ...svc, cluster: 'east' },
          { ...svc, cluster: 'west' },
        ],
      },
    };
    expect(buildRows('services', multi).map((r) => [r.cluster, r.inboundRps, r.errorRate])).toEqual([
      ['east', 32, 2 / 32],
      ['west', 10, 0],
    ]);
    expect(buildRows('workloads', multi).map((r) => [r.cluster, r.name, r.inboundRps])).toEqual([
      ['east', 'cart-v1', 30],
      ['west', 'cart-v3', 10],
    ]);
    // the namespace's traffic counts each request once, not once per cluster's row
    expect(namespaceHealth(multi).traffic.get('shop')?.rps).toBe(42);
  });

  it('grades a workload by its pods, and says when its pods lack a sidecar', () => {
    const rows = buildRows('workloads', input);
    expect(rows.map((r) => [r.name, r.health.status, r.sidecar])).toEqual([
      ['cart-v1', 'Healthy', 'all'],
      ['cart-v2', 'Failure', 'none'],
    ]);
    expect(rows[1]!.health.reasons).toEqual([
      'cart-v2: no pod available of 1',
      'cart-v2: 1 of 1 pod without an istio-proxy sidecar (outside the mesh)',
    ]);
  });

  it('grades an app by the worst of its requests and all its workloads', () => {
    const [app] = buildRows('apps', input);
    expect(app).toMatchObject({
      name: 'cart',
      type: 'App',
      sidecar: 'some',
      replicas: { desired: 2, available: 1, pods: 2 },
    });
    expect(app!.health.status).toBe('Failure');
    expect(countByNamespace([app!]).get('shop')).toMatchObject({ Failure: 1, Healthy: 0 });
  });
});

describe("the overview's namespace health", () => {
  it("counts exactly what the rows grade, per kind and namespace, and sums the services' traffic", () => {
    // Two namespaces, one with an app whose second workload is down and a service with a local reply.
    const other = (w: WorkloadInfo): WorkloadInfo => ({ ...w, namespace: 'web' });
    const snap = {
      namespaces: [...snapshot.namespaces, { name: 'web', labels: {}, annotations: {} }],
      workloads: [...snapshot.workloads, other(wl('cart-v1')), other(wl('cart-v3', { available: 0 }))],
      services: [...snapshot.services, { ...snapshot.services[0]!, namespace: 'web' }],
    };
    const rates = splitRates(
      [
        sample(http('200'), 90),
        sample(http('500'), 10),
        sample(
          { ...http('200'), destination_service_namespace: 'web', destination_workload_namespace: 'web' },
          4,
        ),
      ],
      [
        sample(
          {
            source_workload_namespace: 'web',
            source_workload: 'cart-v1',
            source_canonical_service: 'cart',
            request_protocol: 'http',
            response_code: '503',
          },
          3,
        ),
      ],
      [],
    );
    const input = { snapshot: snap, rates, index, rules: [], namespaces: new Set(['shop', 'web']) };
    const h = namespaceHealth(input);
    for (const kind of ['apps', 'workloads', 'services'] as const)
      expect(h[kind]).toEqual(countByNamespace(buildRows(kind, input)));
    expect(h.workloads.get('web')).toMatchObject({ Failure: 1, Healthy: 1 });
    const rows = buildRows('services', input);
    for (const ns of ['shop', 'web']) {
      const mine = rows.filter((r) => r.namespace === ns);
      const rps = mine.reduce((a, r) => a + r.inboundRps, 0);
      expect(h.traffic.get(ns)!.rps).toBeCloseTo(rps, 9);
      expect(h.traffic.get(ns)!.errorRate).toBeCloseTo(
        mine.reduce((a, r) => a + r.inboundRps * r.errorRate, 0) / rps,
        9,
      );
    }
    expect(h.traffic.get('shop')).toEqual({ rps: 100, errorRate: 0.1 });
  });
});

describe('queries', () => {
  it('are 3 for the lists and 1 range query more, with one namespace matcher whatever their number', () => {
    const many = Array.from({ length: 800 }, (_, i) => `ns-${i}`);
    const q = listQueries(many, 300);
    expect(q.map((x) => x.name)).toEqual(['inbound', 'outbound', 'tcp']);
    expect(q[0]!.promql.match(/destination_service_namespace=~/g)).toHaveLength(2);
    expect(listQueries(undefined, 300)[0]!.promql).not.toContain('=~');
    expect(seriesQuery(many, 15).promql).toMatch(/^sum by \(destination_service_namespace\)/);
  });
});

describe('series query', () => {
  it('sums each selector per namespace before the `or`, never `or` on raw series', () => {
    for (const scope of [undefined, ['bookinfo', 'shop']]) {
      const promql = seriesQuery(scope, 15).promql;
      const rates = promql.match(/rate\(/g) ?? [];
      expect(rates).toHaveLength(2);
      const inner = promql.match(
        /sum by \(destination_service_namespace,reporter\) \(rate\(istio_requests_total\{[^}]*\}\[60s\]\)\)/g,
      );
      expect(inner).toHaveLength(2);
    }
  });
});
