import type { GraphEdge, GraphResponse } from '@meshlens/contract';
import { edgeId, graphNode, nodeId } from '@meshlens/contract';

/** Builders for contract-shaped graph answers (unit tests and the synthetic bench graphs). */
export const gNode = graphNode;

export function gEdge(source: string, target: string, over: Partial<GraphEdge> = {}): GraphEdge {
  const protocol = over.protocol ?? 'http';
  return {
    id: edgeId(source, target, protocol),
    source,
    target,
    protocol,
    rps: 1,
    rate2xx: 1,
    rate3xx: 0,
    rate4xx: 0,
    rate5xx: 0,
    rateNoResponse: 0,
    rateGrpcErr: 0,
    errorPct: 0,
    percentOfSource: 100,
    responseTimeMs: 12,
    throughputBps: null,
    mtlsPct: 100,
    responses: { '200': { '-': 1 } },
    isIdle: false,
    healthStatus: 'Healthy',
    healthReason: '',
    ...over,
  };
}

const NS = 'bookinfo';
const gw = nodeId.workload('istio-system', 'istio-ingressgateway');
const pp = nodeId.versionedApp(NS, 'productpage', 'v1');
const reviewsSvc = nodeId.service(NS, 'reviews');
const r1 = nodeId.versionedApp(NS, 'reviews', 'v1');
const r2 = nodeId.versionedApp(NS, 'reviews', 'v2');

/** A small versioned-app Bookinfo answer with a failing reviews v2 → ratings edge. */
export const bookinfoAnswer: GraphResponse = {
  timestamp: 1_800_000_000,
  duration: 300,
  graphType: 'versionedApp',
  namespaces: ['bookinfo', 'istio-system'],
  responseTime: 'p95',
  warnings: [],
  nodes: [
    gNode({ id: gw, type: 'workload', label: 'istio-ingressgateway', namespace: 'istio-system', workload: 'istio-ingressgateway', isRoot: true, isGateway: true, httpOut: 10 }),
    gNode({ id: pp, type: 'versionedApp', label: 'productpage v1', namespace: NS, app: 'productpage', version: 'v1', workload: 'productpage-v1', httpIn: 10, httpOut: 20 }),
    gNode({ id: reviewsSvc, type: 'service', label: 'reviews', namespace: NS, service: 'reviews', hasVS: true, hasTrafficShifting: true, httpIn: 10 }),
    gNode({ id: r1, type: 'versionedApp', label: 'reviews v1', namespace: NS, app: 'reviews', version: 'v1', httpIn: 8 }),
    gNode({ id: r2, type: 'versionedApp', label: 'reviews v2', namespace: NS, app: 'reviews', version: 'v2', httpIn: 2, httpIn5xx: 1, healthStatus: 'Failure', healthReason: '5xx 50% of inbound ≥ 10%' }),
    gNode({ id: 'unknown', type: 'unknown', label: 'unknown', namespace: 'unknown', isRoot: true }),
  ],
  edges: [
    gEdge(gw, pp, { rps: 10, responseTimeMs: 40 }),
    gEdge(pp, reviewsSvc, { rps: 10, responseTimeMs: null }),
    gEdge(reviewsSvc, r1, { rps: 8, percentOfSource: 80 }),
    gEdge(reviewsSvc, r2, {
      rps: 2,
      rate2xx: 1,
      rate5xx: 1,
      errorPct: 50,
      percentOfSource: 20,
      responses: { '200': { '-': 1 }, '503': { UO: 0.75, '-': 0.25 } },
      healthStatus: 'Failure',
    }),
    gEdge('unknown', pp, { protocol: 'tcp', rps: 0, throughputBps: 4096, responseTimeMs: null, mtlsPct: null, responses: {} }),
    // references a node the answer lacks: must be dropped, not crash Cytoscape
    gEdge(pp, nodeId.service(NS, 'ghost')),
  ],
};
