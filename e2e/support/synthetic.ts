import type {
  GraphEdge,
  GraphNode,
  GraphResponse,
  NamespacesResponse,
  ServerConfigResponse,
} from '@meshlens/contract';
import { edgeId, graphNode, nodeId } from '@meshlens/contract';

/** Small seeded PRNG (mulberry32) so synthetic graphs are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticOptions {
  nodes: number;
  /** Edges per node (default 3). */
  edgesPerNode?: number;
  namespaces?: number;
  seed?: number;
  /**
   * Namespaces in contiguous blocks of nodes, calls mostly to the next few namespaces (as teams
   * call their neighbours), instead of nodes dealt round-robin with calls across the whole mesh.
   */
  local?: boolean;
}

/**
 * A workload graph answer with `nodes` nodes (one ingress gateway root) and about
 * `edgesPerNode × nodes` edges forming a DAG, some of it failing: for the browser benchmark,
 * which feeds it through Playwright's route interception to isolate the browser.
 */
export function syntheticGraph(options: SyntheticOptions): GraphResponse {
  const random = rng(options.seed ?? 7);
  const nsCount = options.namespaces ?? Math.max(1, Math.round(options.nodes / 10));
  const namespaces = Array.from({ length: nsCount }, (_, i) => `team-${String(i).padStart(3, '0')}`);
  const nodes: GraphNode[] = [];
  const gw = nodeId.workload('istio-system', 'istio-ingressgateway');
  nodes.push(
    graphNode({
      id: gw,
      type: 'workload',
      label: 'istio-ingressgateway',
      namespace: 'istio-system',
      workload: 'istio-ingressgateway',
      isRoot: true,
      isGateway: true,
      isOutside: true,
    }),
  );
  for (let i = 1; i < options.nodes; i++) {
    const ns = namespaces[
      options.local ? Math.floor(((i - 1) * nsCount) / (options.nodes - 1)) : i % nsCount
    ] as string;
    const name = `svc-${String(i).padStart(4, '0')}-v1`;
    nodes.push(
      graphNode({
        id: nodeId.workload(ns, name),
        type: 'workload',
        label: name,
        namespace: ns,
        workload: name,
        app: name.replace(/-v1$/, ''),
        version: 'v1',
      }),
    );
  }
  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  const wanted = Math.round(options.nodes * (options.edgesPerNode ?? 3));
  const addEdge = (s: number, t: number) => {
    const src = nodes[s] as GraphNode;
    const dst = nodes[t] as GraphNode;
    const id = edgeId(src.id, dst.id, 'http');
    if (seen.has(id) || s === t) return;
    seen.add(id);
    const rps = Math.round(random() * 5000) / 100 + 0.05;
    const failing = random() < 0.02;
    const errorPct = failing ? 15 + random() * 20 : 0;
    edges.push({
      id,
      source: src.id,
      target: dst.id,
      protocol: 'http',
      rps,
      rate2xx: rps * (1 - errorPct / 100),
      rate3xx: 0,
      rate4xx: 0,
      rate5xx: (rps * errorPct) / 100,
      rateNoResponse: 0,
      rateGrpcErr: 0,
      errorPct,
      percentOfSource: 0,
      responseTimeMs: Math.round(5 + random() * 400),
      throughputBps: null,
      mtlsPct: 100,
      responses: failing
        ? { '200': { '-': rps * (1 - errorPct / 100) }, '503': { UO: (rps * errorPct) / 100 } }
        : { '200': { '-': rps } },
      isIdle: false,
      healthStatus: failing ? 'Failure' : 'Healthy',
      healthReason: failing ? `5xx ${errorPct.toFixed(1)}% ≥ 10%` : '',
    });
    src.httpOut += rps;
    dst.httpIn += rps;
    if (failing) {
      dst.httpIn5xx += (rps * errorPct) / 100;
      dst.healthStatus = 'Failure';
    }
  };
  // gateway → the first few services, then each node calls later nodes (a DAG)
  for (let t = 1; t < Math.min(options.nodes, 1 + Math.max(3, Math.round(options.nodes / 50))); t++)
    addEdge(0, t);
  let guard = 0;
  while (edges.length < wanted && guard++ < wanted * 20) {
    const s = 1 + Math.floor(random() * (options.nodes - 2));
    const span = Math.max(2, Math.round(options.local ? (2 * options.nodes) / nsCount : options.nodes / 8));
    const t = Math.min(options.nodes - 1, s + 1 + Math.floor(random() * span));
    addEdge(s, t);
  }
  const outTotals = new Map<string, number>();
  for (const e of edges) outTotals.set(e.source, (outTotals.get(e.source) ?? 0) + e.rps);
  for (const e of edges) e.percentOfSource = (e.rps / (outTotals.get(e.source) ?? e.rps)) * 100;
  return {
    timestamp: Math.floor(Date.now() / 1000),
    duration: 300,
    graphType: 'workload',
    namespaces,
    responseTime: 'p95',
    nodes,
    edges,
    warnings: [],
  };
}

export function syntheticNamespaces(graph: GraphResponse): NamespacesResponse {
  return {
    namespaces: ['istio-system', ...graph.namespaces].map((name) => ({
      name,
      labels: {},
      injection: name !== 'istio-system',
    })),
    warnings: [],
  };
}

export const SYNTHETIC_CONFIG: ServerConfigResponse = {
  version: 'synthetic',
  tracing: { enabled: false },
  basePath: '',
  clusterName: 'Kubernetes',
  istioNamespace: 'istio-system',
  refreshIntervalMs: 0,
  refreshIntervalsMs: [0, 10_000, 15_000, 30_000, 60_000, 300_000],
  durationSeconds: 300,
  durationsSeconds: [60, 300, 600, 1800, 3600],
  defaultGraphType: 'workload',
  defaultNamespaces: [],
};
