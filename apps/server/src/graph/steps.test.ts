import { GRAPH_APPENDERS, GraphQuerySchema, type GraphQueryInput } from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import { deriveSnapshot, type RawInventory } from '../inventory/derive';
import type { VectorSample } from '../prometheus/client';
import { ensureEdge, ensureNode, type TrafficMap } from './model';
import { toSamples } from './samples';
import { GRAPH_STEPS, neededQueries, stepsOf, type Answers, type StepContext } from './steps';

const raw = (
  await import('./__golden__/fixtures/bookinfo-handcrafted/inventory.json', { with: { type: 'json' } })
).default as unknown as RawInventory;
const inventory = deriveSnapshot(raw, true);

const stepNamed = (name: string) => {
  const step = GRAPH_STEPS.find((s) => s.name === name);
  if (!step) throw new Error(`no step ${name}`);
  return step;
};

const ctxOf = (input: Partial<GraphQueryInput> = {}): StepContext => {
  const q = GraphQuerySchema.parse({ namespaces: 'bookinfo', ...input });
  return {
    q,
    inventory,
    healthRules: [],
    options: {
      graphType: q.graphType,
      injectServiceNodes: q.injectServiceNodes,
      serviceEntries: inventory.serviceEntries,
      selected: new Set(q.namespaces),
    },
  };
};

/** Runs one step on `map`; returns the map the next step would get. */
const run = (name: string, map: TrafficMap, ctx: StepContext, answers: Answers = {}) =>
  stepNamed(name).run(map, answers, ctx) ?? map;

const emptyMap = (): TrafficMap => ({ nodes: new Map(), edges: new Map() });

/** productpage-v1 → reviews-v1 (via the reviews service), as Istio's source proxy reports it. */
const sample = (value: number, extra: Record<string, string> = {}): VectorSample => ({
  metric: {
    reporter: 'source',
    source_workload_namespace: 'bookinfo',
    source_workload: 'productpage-v1',
    source_canonical_service: 'productpage',
    source_canonical_revision: 'v1',
    destination_service_namespace: 'bookinfo',
    destination_service_name: 'reviews',
    destination_service: 'reviews.bookinfo.svc.cluster.local',
    destination_workload_namespace: 'bookinfo',
    destination_workload: 'reviews-v1',
    destination_canonical_service: 'reviews',
    destination_canonical_revision: 'v1',
    request_protocol: 'http',
    ...extra,
  },
  value: [0, String(value)],
});

const PP = 'vapp:bookinfo/productpage/v1';
const REVIEWS = 'svc:bookinfo/reviews';
const REVIEWS_V1 = 'vapp:bookinfo/reviews/v1';
const requests = toSamples([sample(4, { response_code: '200', response_flags: '-' })]);

describe('GRAPH_STEPS', () => {
  it('lists the pipeline once, in order; its optional steps are the contract appenders', () => {
    expect(GRAPH_STEPS.map((s) => s.name)).toEqual([
      'trafficMap',
      'responseTime',
      'throughput',
      'serviceGraph',
      'idleNode',
      'outsider',
      'rootsGatewaysSidecars',
      'badges',
      'nodeTraffic',
      'health',
      'boxes',
    ]);
    expect(GRAPH_STEPS.filter((s) => s.optional).map((s) => s.name)).toEqual([...GRAPH_APPENDERS]);
  });

  it('selects the optional steps the request names, and only the queries those steps need', () => {
    const q = (appenders?: string) =>
      GraphQuerySchema.parse({ namespaces: 'a', ...(appenders === undefined ? {} : { appenders }) });
    expect(stepsOf(q('')).some((s) => s.optional)).toBe(false);
    expect(
      stepsOf(q('throughput'))
        .filter((s) => s.optional)
        .map((s) => s.name),
    ).toEqual(['throughput']);
    expect([...neededQueries(q(''))].sort()).toEqual(['grpcMessages', 'mtls', 'requests', 'tcp']);
    expect([...neededQueries(q('responseTime'))]).toContain('responseTime');
    expect([...neededQueries(q('responseTime'))]).not.toContain('throughput');
    expect([...neededQueries(q())].sort()).toEqual([
      'grpcMessages',
      'mtls',
      'requests',
      'responseTime',
      'tcp',
      'throughput',
    ]);
  });
});

describe('each step on a hand-built map', () => {
  it('trafficMap: nodes and an edge per hop from the request answer', () => {
    const map = run('trafficMap', emptyMap(), ctxOf(), { requests });
    expect(map.edges.get(`${PP}>${REVIEWS}:http`)?.rps).toBe(4);
    expect(map.edges.get(`${REVIEWS}>${REVIEWS_V1}:http`)?.rps).toBe(4);
  });

  it('responseTime: each edge gets the response time of its series', () => {
    const ctx = ctxOf();
    const map = run('trafficMap', emptyMap(), ctx, { requests });
    run('responseTime', map, ctx, { requests, responseTime: toSamples([sample(42)]) });
    const edge = map.edges.get(`${PP}>${REVIEWS}:http`)!;
    expect(edge.rtWeight + edge.rtPlain + edge.rtCount).toBeGreaterThan(0);
    // Without the answer the edge has none.
    const bare = run('trafficMap', emptyMap(), ctx, { requests });
    run('responseTime', bare, ctx, { requests });
    const b = bare.edges.get(`${PP}>${REVIEWS}:http`)!;
    expect(b.rtWeight + b.rtPlain + b.rtCount).toBe(0);
  });

  it('throughput: response bytes/s on the HTTP edges', () => {
    const ctx = ctxOf();
    const map = run('trafficMap', emptyMap(), ctx, { requests });
    run('throughput', map, ctx, { throughput: toSamples([sample(512)]) });
    expect(map.edges.get(`${PP}>${REVIEWS}:http`)?.throughput).toBe(512);
  });

  it('serviceGraph: reduces to services for graphType=service only', () => {
    const build = () => {
      const map = emptyMap();
      ensureNode(map, { id: 'wl:a/a-v1', type: 'workload', label: 'a-v1', namespace: 'a' });
      ensureNode(map, { id: 'svc:b/b', type: 'service', label: 'b', namespace: 'b' });
      ensureNode(map, { id: 'wl:b/b-v1', type: 'workload', label: 'b-v1', namespace: 'b' });
      ensureEdge(map, 'wl:a/a-v1', 'svc:b/b', 'http').rps = 1;
      ensureEdge(map, 'svc:b/b', 'wl:b/b-v1', 'http').rps = 1;
      return map;
    };
    expect(run('serviceGraph', build(), ctxOf({ graphType: 'workload' })).nodes.size).toBe(3);
    expect([...run('serviceGraph', build(), ctxOf({ graphType: 'service' })).nodes.keys()].sort()).toEqual([
      'svc:b/b',
      'wl:a/a-v1',
    ]);
  });

  it('idleNode: adds the inventory nodes without traffic only when asked', () => {
    const without = run('idleNode', emptyMap(), ctxOf({ graphType: 'workload' }));
    expect(without.nodes.size).toBe(0);
    const idle = run('idleNode', emptyMap(), ctxOf({ graphType: 'workload', includeIdle: 'true' }));
    expect(idle.nodes.has('wl:bookinfo/details-v1')).toBe(true);
    const forced = run('idleNode', emptyMap(), { ...ctxOf({ graphType: 'workload' }), forceInventory: true });
    expect(forced.nodes.has('wl:bookinfo/details-v1')).toBe(true);
  });

  it('outsider: nodes of namespaces not asked for are outside', () => {
    const map = emptyMap();
    const inside = ensureNode(map, {
      id: 'wl:bookinfo/x',
      type: 'workload',
      label: 'x',
      namespace: 'bookinfo',
    });
    const outside = ensureNode(map, { id: 'wl:other/y', type: 'workload', label: 'y', namespace: 'other' });
    run('outsider', map, ctxOf());
    expect([inside.isOutside, outside.isOutside]).toEqual([false, true]);
  });

  it('rootsGatewaysSidecars: a caller nothing calls is a root', () => {
    const map = emptyMap();
    const caller = ensureNode(map, {
      id: 'wl:bookinfo/a',
      type: 'workload',
      label: 'a',
      namespace: 'bookinfo',
    });
    const callee = ensureNode(map, {
      id: 'wl:bookinfo/b',
      type: 'workload',
      label: 'b',
      namespace: 'bookinfo',
    });
    ensureEdge(map, caller.id, callee.id, 'http').rps = 1;
    run('rootsGatewaysSidecars', map, ctxOf());
    expect([caller.isRoot, callee.isRoot]).toEqual([true, false]);
  });

  it('badges: a service node gets the VirtualService that routes its host', () => {
    const map = emptyMap();
    const reviews = ensureNode(map, {
      id: REVIEWS,
      type: 'service',
      label: 'reviews',
      namespace: 'bookinfo',
      host: 'reviews.bookinfo.svc.cluster.local',
    });
    const details = ensureNode(map, {
      id: 'svc:bookinfo/details',
      type: 'service',
      label: 'details',
      namespace: 'bookinfo',
      host: 'details.bookinfo.svc.cluster.local',
    });
    run('badges', map, ctxOf());
    expect([reviews.badges.hasVS, details.badges.hasVS]).toEqual([true, false]);
  });

  it('nodeTraffic: node rates from their edges; a node without any is idle', () => {
    const map = emptyMap();
    const a = ensureNode(map, { id: 'wl:bookinfo/a', type: 'workload', label: 'a', namespace: 'bookinfo' });
    const b = ensureNode(map, { id: 'wl:bookinfo/b', type: 'workload', label: 'b', namespace: 'bookinfo' });
    const lone = ensureNode(map, {
      id: 'wl:bookinfo/c',
      type: 'workload',
      label: 'c',
      namespace: 'bookinfo',
    });
    ensureEdge(map, a.id, b.id, 'http').rps = 3;
    run('nodeTraffic', map, ctxOf());
    expect([a.traffic.httpOut, b.traffic.httpIn]).toEqual([3, 3]);
    expect([a.isIdle, b.isIdle, lone.isIdle]).toEqual([false, false, true]);
  });

  it('health: an edge that answers only 5xx fails', () => {
    const map = emptyMap();
    const a = ensureNode(map, { id: 'wl:bookinfo/a', type: 'workload', label: 'a', namespace: 'bookinfo' });
    const b = ensureNode(map, { id: 'wl:bookinfo/b', type: 'workload', label: 'b', namespace: 'bookinfo' });
    const ok = ensureEdge(map, a.id, b.id, 'http');
    ok.rps = 2;
    ok.responses = new Map([['200', new Map([['-', 2]])]]);
    const bad = ensureEdge(map, b.id, a.id, 'http');
    bad.rps = 2;
    bad.responses = new Map([['503', new Map([['UO', 2]])]]);
    run('health', map, ctxOf());
    expect([ok.healthStatus, bad.healthStatus]).toEqual(['Healthy', 'Failure']);
  });

  it('boxes: one box per namespace with boxBy=namespace, none otherwise', () => {
    const build = () => {
      const map = emptyMap();
      ensureNode(map, { id: 'wl:bookinfo/a', type: 'workload', label: 'a', namespace: 'bookinfo' });
      ensureNode(map, { id: 'wl:other/b', type: 'workload', label: 'b', namespace: 'other' });
      return map;
    };
    const boxed = run('boxes', build(), ctxOf({ boxBy: 'namespace' }));
    expect(
      [...boxed.nodes.values()]
        .filter((n) => n.isBox)
        .map((n) => n.id)
        .sort(),
    ).toEqual(['box:ns:bookinfo', 'box:ns:other']);
    expect([...run('boxes', build(), ctxOf()).nodes.values()].some((n) => n.isBox)).toBe(false);
  });
});
