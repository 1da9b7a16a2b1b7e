/**
 * A graph answer as one user may see it. The nodes of namespaces the user may not read (callers or
 * callees outside the selection) become one node, `inaccessible`, marked as such (Kiali's
 * `isInaccessible`): it names none of those namespaces or their workloads, and carries their traffic to
 * and from the nodes the user may read, so an inbound rate still adds up. Traffic among unreadable nodes
 * goes. The shared answer is computed once for everyone; this runs per user only when the user cannot
 * read every namespace.
 */
import {
  graphNode,
  type GraphEdge,
  type GraphNode,
  type GraphResponse,
  type Protocol,
} from '@meshlens/contract';

export const INACCESSIBLE_ID = 'inaccessible';

const SUMMED = ['rps', 'rate2xx', 'rate3xx', 'rate4xx', 'rate5xx', 'rateNoResponse', 'rateGrpcErr'] as const;

/** Sums of two nullable figures: null only when both are. */
const plus = (a: number | null, b: number | null) => (a === null && b === null ? null : (a ?? 0) + (b ?? 0));

/** Rate-weighted average of two nullable figures (weights: the edges' traffic). */
function weighted(a: number | null, wa: number, b: number | null, wb: number): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return wa + wb > 0 ? (a * wa + b * wb) / (wa + wb) : Math.max(a, b);
}

const weightOf = (e: GraphEdge) => (e.protocol === 'tcp' ? (e.throughputBps ?? 0) : e.rps);

function addNested<T extends Record<string, Record<string, number>>>(into: T, from: T): T {
  const out: Record<string, Record<string, number>> = structuredClone(into);
  for (const [code, flags] of Object.entries(from))
    for (const [flag, v] of Object.entries(flags)) {
      const row = (out[code] ??= {});
      row[flag] = (row[flag] ?? 0) + v;
    }
  return out as T;
}

/**
 * Two compared edges' before/after figures as one (graph compare): rates summed, error % weighted by
 * each window's rates, the slower response time; new or vanished only if both are.
 */
function mergeCompared(a: GraphEdge, b: GraphEdge): Partial<GraphEdge> {
  const rate = (e: GraphEdge, w: 'Before' | 'After') => e[`cmpRate${w}`] ?? 0;
  const err = (w: 'Before' | 'After') =>
    weighted(a[`cmpErr${w}`] ?? null, rate(a, w), b[`cmpErr${w}`] ?? null, rate(b, w));
  const rt = (w: 'Before' | 'After') => {
    const [x, y] = [a[`cmpRt${w}`] ?? null, b[`cmpRt${w}`] ?? null];
    return x === null || y === null ? (x ?? y) : Math.max(x, y);
  };
  return {
    cmpStatus: a.cmpStatus === b.cmpStatus ? a.cmpStatus : 'both',
    cmpRateBefore: rate(a, 'Before') + rate(b, 'Before'),
    cmpRateAfter: rate(a, 'After') + rate(b, 'After'),
    cmpErrBefore: err('Before'),
    cmpErrAfter: err('After'),
    cmpRtBefore: rt('Before'),
    cmpRtAfter: rt('After'),
  };
}

/** Two edges between the same ends and of one protocol, as one. */
function mergeEdges(a: GraphEdge, b: GraphEdge): GraphEdge {
  const [wa, wb] = [weightOf(a), weightOf(b)];
  const out: GraphEdge = {
    ...a,
    errorPct: weighted(a.errorPct, wa, b.errorPct, wb) ?? 0,
    // The slower of the two: a latency figure cannot be averaged into a percentile.
    responseTimeMs:
      a.responseTimeMs === null || b.responseTimeMs === null
        ? (a.responseTimeMs ?? b.responseTimeMs)
        : Math.max(a.responseTimeMs, b.responseTimeMs),
    throughputBps: plus(a.throughputBps, b.throughputBps),
    mtlsPct: weighted(a.mtlsPct, wa, b.mtlsPct, wb),
    responses: addNested(a.responses, b.responses),
    isIdle: a.isIdle && b.isIdle,
    percentOfSource: a.percentOfSource + b.percentOfSource,
  };
  for (const k of SUMMED) out[k] = a[k] + b[k];
  if (a.responseHosts || b.responseHosts)
    out.responseHosts = addNested(a.responseHosts ?? {}, b.responseHosts ?? {});
  if (a.connections || b.connections) {
    const conns = { ...(a.connections ?? {}) };
    for (const [flag, v] of Object.entries(b.connections ?? {})) conns[flag] = (conns[flag] ?? 0) + v;
    out.connections = conns;
  }
  if (a.cmpStatus || b.cmpStatus) Object.assign(out, mergeCompared(a, b));
  // The worse health of the two.
  if (b.healthStatus === 'Failure' || (b.healthStatus === 'Degraded' && a.healthStatus !== 'Failure'))
    Object.assign(out, { healthStatus: b.healthStatus, healthReason: b.healthReason });
  return out;
}

const OUT: Record<Protocol, 'httpOut' | 'grpcOut' | 'tcpOut'> = {
  http: 'httpOut',
  grpc: 'grpcOut',
  tcp: 'tcpOut',
};
const IN: Record<Protocol, 'httpIn' | 'grpcIn' | 'tcpIn'> = { http: 'httpIn', grpc: 'grpcIn', tcp: 'tcpIn' };

/** `visible(ns)` says whether the user may read namespace `ns`; `unknown` (no namespace) is always kept. */
export function markUnreadable(
  answer: GraphResponse,
  visible: (namespace: string) => boolean,
): GraphResponse {
  const hidden = new Set<string>();
  for (const n of answer.nodes) if (n.namespace !== 'unknown' && !visible(n.namespace)) hidden.add(n.id);
  if (hidden.size === 0) return answer;
  const real = answer.nodes.filter((n) => hidden.has(n.id) && !n.isBox).length;
  const at = (id: string) => (hidden.has(id) ? INACCESSIBLE_ID : id);

  const edges = new Map<string, GraphEdge>();
  for (const e of answer.edges) {
    const [source, target] = [at(e.source), at(e.target)];
    if (source === INACCESSIBLE_ID && target === INACCESSIBLE_ID) continue;
    if (source === e.source && target === e.target) {
      edges.set(e.id, e);
      continue;
    }
    const id = `${source}>${target}:${e.protocol}`;
    const moved = { ...e, id, source, target };
    const there = edges.get(id);
    edges.set(id, there ? mergeEdges(there, moved) : moved);
  }
  const merged = [...edges.values()];

  const node = graphNode({
    id: INACCESSIBLE_ID,
    type: 'unknown',
    label: 'no access',
    namespace: 'unknown',
    cluster: answer.nodes.find((n) => hidden.has(n.id))?.cluster ?? 'Kubernetes',
    isInaccessible: true,
    healthStatus: 'NoTraffic',
    healthReason: 'Nodes in namespaces you may not read: their names and health are not shown.',
  });
  const fromNode = merged.filter((e) => e.source === INACCESSIBLE_ID);
  for (const e of fromNode) node[OUT[e.protocol]] += e.protocol === 'tcp' ? (e.throughputBps ?? 0) : e.rps;
  for (const e of merged.filter((x) => x.target === INACCESSIBLE_ID))
    node[IN[e.protocol]] += e.protocol === 'tcp' ? (e.throughputBps ?? 0) : e.rps;
  node.isRoot = merged.every((e) => e.target !== INACCESSIBLE_ID);
  // Its share of its own outbound traffic, per protocol (the shares of the merged sources meant nothing here).
  for (const e of fromNode) {
    const total = node[OUT[e.protocol]];
    e.percentOfSource =
      total > 0 ? ((e.protocol === 'tcp' ? (e.throughputBps ?? 0) : e.rps) / total) * 100 : 0;
  }

  const nodes: GraphNode[] = answer.nodes
    .filter((n) => !hidden.has(n.id))
    .map((n) => {
      if (!n.parent || !hidden.has(n.parent)) return n;
      const { parent: _p, ...rest } = n;
      return rest;
    });
  const touched = merged.some((e) => e.source === INACCESSIBLE_ID || e.target === INACCESSIBLE_ID);
  return {
    ...answer,
    nodes: touched ? [...nodes, node] : nodes,
    edges: merged,
    warnings: [
      ...answer.warnings,
      {
        code: 'NamespacesHidden',
        message: touched
          ? `${real} node${real === 1 ? '' : 's'} in namespaces you may not read ${real === 1 ? 'is' : 'are'} shown as one node, “no access”, with ${real === 1 ? 'its' : 'their'} traffic to and from the namespaces you may read`
          : `${real} node${real === 1 ? '' : 's'} in namespaces you may not read ${real === 1 ? 'is' : 'are'} left out: no traffic to or from the namespaces you may read`,
      },
    ],
  };
}
