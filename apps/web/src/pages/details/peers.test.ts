import { describe, expect, it } from 'vitest';
import { graphNode, type GraphEdge, type GraphResponse } from '@meshlens/contract';
import { peersOf } from './peers';

const edge = (source: string, target: string, fields: Partial<GraphEdge>): GraphEdge => ({
  id: `${source}>${target}:${fields.protocol ?? 'http'}`,
  source,
  target,
  protocol: 'http',
  rps: 0,
  rate2xx: 0,
  rate3xx: 0,
  rate4xx: 0,
  rate5xx: 0,
  rateNoResponse: 0,
  rateGrpcErr: 0,
  errorPct: 0,
  percentOfSource: 100,
  responseTimeMs: null,
  throughputBps: null,
  mtlsPct: null,
  responses: {},
  isIdle: false,
  healthStatus: 'Healthy',
  healthReason: '',
  ...fields,
});

const svc = 'svc:bookinfo/reviews';
const graph: GraphResponse = {
  timestamp: 1,
  duration: 60,
  graphType: 'workload',
  namespaces: ['bookinfo'],
  responseTime: 'p95',
  nodes: [
    graphNode({ id: svc, type: 'service', label: 'reviews', namespace: 'bookinfo', service: 'reviews' }),
    graphNode({
      id: 'wl:bookinfo/productpage-v1',
      type: 'workload',
      label: 'productpage-v1',
      namespace: 'bookinfo',
    }),
    graphNode({ id: 'wl:bookinfo/reviews-v1', type: 'workload', label: 'reviews-v1', namespace: 'bookinfo' }),
    graphNode({ id: 'wl:bookinfo/reviews-v2', type: 'workload', label: 'reviews-v2', namespace: 'bookinfo' }),
  ],
  edges: [
    edge('wl:bookinfo/productpage-v1', svc, { rps: 3, errorPct: 10, healthStatus: 'Failure', mtlsPct: 100 }),
    edge(svc, 'wl:bookinfo/reviews-v1', { rps: 1, responseTimeMs: 12 }),
    edge(svc, 'wl:bookinfo/reviews-v2', { rps: 2 }),
    edge('wl:bookinfo/reviews-v1', 'wl:bookinfo/reviews-v2', { protocol: 'tcp', throughputBps: 99 }),
  ],
  warnings: [],
};

describe('peersOf', () => {
  it('splits callers and callees, busiest first, with the edge facts', () => {
    const { inbound, outbound } = peersOf(graph, svc);
    expect(inbound.map((r) => [r.peer.label, r.rate, r.errorPct, r.health, r.mtlsPct])).toEqual([
      ['productpage-v1', 3, 10, 'Failure', 100],
    ]);
    expect(outbound.map((r) => [r.peer.label, r.rate, r.responseTimeMs])).toEqual([
      ['reviews-v2', 2, null],
      ['reviews-v1', 1, 12],
    ]);
  });

  it('reads TCP rates as bytes/s', () => {
    const { outbound } = peersOf(graph, 'wl:bookinfo/reviews-v1');
    expect(outbound).toMatchObject([{ protocol: 'tcp', rate: 99 }]);
  });
});

describe('peersOf over several clusters', () => {
  it("counts the entity's edges in each cluster, each row saying which cluster's entity it meets", () => {
    const two: GraphResponse = {
      ...graph,
      nodes: [
        graphNode({
          id: `${svc}@east`,
          type: 'service',
          label: 'reviews',
          namespace: 'bookinfo',
          service: 'reviews',
        }),
        graphNode({
          id: `${svc}@west`,
          type: 'service',
          label: 'reviews',
          namespace: 'bookinfo',
          service: 'reviews',
        }),
        graphNode({
          id: 'wl:bookinfo/pp@east',
          type: 'workload',
          label: 'pp',
          namespace: 'bookinfo',
          workload: 'pp',
        }),
        graphNode({
          id: `${svc}x@west`,
          type: 'service',
          label: 'reviewsx',
          namespace: 'bookinfo',
          service: 'reviewsx',
        }),
      ],
      edges: [
        edge('wl:bookinfo/pp@east', `${svc}@east`, { rps: 3 }),
        edge('wl:bookinfo/pp@east', `${svc}@west`, { rps: 1 }),
        edge('wl:bookinfo/pp@east', `${svc}x@west`, { rps: 9 }),
      ],
    };
    const { inbound, outbound } = peersOf(two, svc);
    expect(inbound.map((r) => [r.peer.label, r.rate, r.via])).toEqual([
      ['pp', 3, 'east'],
      ['pp', 1, 'west'],
    ]);
    expect(outbound).toEqual([]);
    // one cluster: no `via`
    expect(peersOf(graph, svc).inbound.every((r) => r.via === undefined)).toBe(true);
  });
});
