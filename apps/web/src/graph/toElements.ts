import type { GraphEdge, GraphNode, GraphResponse } from '@meshlens/contract';
import { graphNode, nodeId } from '@meshlens/contract';
import type {
  EdgeData,
  EdgeDetail,
  EdgeDetailLookup,
  GraphElements,
  NodeData,
  ResponseDetail,
} from './model';
import { compareVerdict, edgeCompareLabel, nodeCompareLine } from './compare';
import { formatBytesRate, formatMs, formatPct, formatRps } from './format';
import { runInSlices } from './slices';
import type { SliceOptions } from './slices';

export interface ElementOptions {
  /** Draw namespace boxes (only when the graph spans more than one namespace, as Kiali does). */
  boxNamespaces: boolean;
}

/** Badge glyphs, in the order shown under a node's label (the legend lists the same). */
export const BADGES = [
  { flag: 'hasMissingSidecar', glyph: '⚠', label: 'Missing sidecar' },
  { flag: 'hasVS', glyph: '⎇', label: 'VirtualService' },
  { flag: 'hasTrafficShifting', glyph: '⇉', label: 'Traffic shifting' },
  { flag: 'hasRequestRouting', glyph: '↱', label: 'Request routing' },
  { flag: 'hasFaultInjection', glyph: '⊘', label: 'Fault injection' },
  { flag: 'hasCircuitBreaker', glyph: '⚡', label: 'Circuit breaker' },
  { flag: 'hasTimeout', glyph: '◷', label: 'Timeout' },
  { flag: 'hasRetries', glyph: '↻', label: 'Retries' },
  { flag: 'hasMirroring', glyph: '⇄', label: 'Mirroring' },
] as const satisfies readonly { flag: keyof GraphNode; glyph: string; label: string }[];

/** Longest line of a wrapped host name (the graph wraps labels at spaces only, and hosts have none). */
export const HOST_LINE = 20;

/** A host name on lines of at most HOST_LINE characters, broken after dots (never inside a label). */
export function wrapHost(host: string): string {
  const lines: string[] = [];
  let line = '';
  for (const part of host.split(/(?<=\.)/)) {
    if (line && line.length + part.length > HOST_LINE) {
      lines.push(line);
      line = '';
    }
    line += part;
  }
  return [...lines, line].filter(Boolean).join('\n');
}

function nodeLabel(n: GraphNode): string {
  if (n.type === 'versionedApp' && n.app && n.version) return `${n.app}\n${n.version}`;
  if (n.type === 'serviceEntry') return wrapHost(n.host ?? n.label);
  return n.label;
}

function errPct(n: GraphNode): number {
  const total = n.httpIn + n.grpcIn;
  if (total <= 0) return NaN;
  const errors = n.httpIn4xx + n.httpIn5xx + n.httpInNoResponse + n.grpcInErr + n.grpcInNoResponse;
  return (errors / total) * 100;
}

export function toNodeData(n: GraphNode, parent: string | undefined): NodeData {
  const badges = BADGES.filter((b) => n[b.flag])
    .map((b) => b.glyph)
    .join(' ');
  const label = nodeLabel(n);
  const cmpLine = nodeCompareLine(n);
  const display = [label, badges, cmpLine].filter(Boolean).join('\n');
  const data: NodeData = {
    id: n.id,
    nodeType: n.type,
    label,
    cluster: n.cluster,
    namespace: n.namespace,
    app: n.app ?? '',
    version: n.version ?? '',
    workload: n.workload ?? '',
    service: n.service ?? n.host ?? '',
    health: n.healthStatus,
    healthReason: n.healthReason,
    isRoot: n.isRoot,
    isGateway: n.isGateway,
    isOutside: n.isOutside,
    isInaccessible: n.isInaccessible === true,
    isIdle: n.isIdle,
    isOutOfMesh: n.hasMissingSidecar,
    isServiceEntry: n.isServiceEntry || n.type === 'serviceEntry',
    hasVS: n.hasVS,
    hasDR: n.hasDR,
    hasTrafficShifting: n.hasTrafficShifting,
    hasRequestRouting: n.hasRequestRouting,
    hasFaultInjection: n.hasFaultInjection,
    hasTimeout: n.hasTimeout,
    hasRetries: n.hasRetries,
    hasCB: n.hasCircuitBreaker,
    hasMirroring: n.hasMirroring,
    badges,
    display,
    httpIn: n.httpIn,
    httpOut: n.httpOut,
    grpcIn: n.grpcIn,
    grpcOut: n.grpcOut,
    tcpIn: n.tcpIn,
    tcpOut: n.tcpOut,
    errPct: errPct(n),
    cmpVerdict: compareVerdict(n),
    cmpLine,
  };
  if (parent) data.parent = parent;
  return data;
}

/** Stroke width 1…6 px on a log scale of the rate (requests/s, or KiB/s for TCP). */
export function edgeWidth(protocol: GraphEdge['protocol'], rate: number): number {
  const units = protocol === 'tcp' ? rate / 1024 : rate;
  if (!(units > 0)) return 1;
  return Math.round(Math.min(6, 1 + Math.log10(1 + units) * 1.6) * 10) / 10;
}

export function toEdgeData(e: GraphEdge, stat = 'p95'): EdgeData {
  const rate = e.protocol === 'tcp' ? (e.throughputBps ?? 0) : e.rps;
  const idle = e.isIdle || !(rate > 0);
  const err = idle || e.protocol === 'tcp' ? NaN : e.errorPct;
  const mtls = e.mtlsPct ?? NaN;
  const rt = e.responseTimeMs ?? NaN;
  return {
    id: e.id,
    source: e.source,
    target: e.target,
    protocol: e.protocol,
    rate,
    errPct: err,
    pctReq: e.percentOfSource,
    rt,
    throughput: e.throughputBps ?? NaN,
    mtls,
    health: e.healthStatus,
    isIdle: idle,
    width: edgeWidth(e.protocol, rate),
    rateLabel: idle
      ? ''
      : e.protocol === 'tcp'
        ? formatBytesRate(rate)
        : err > 0
          ? `${formatRps(rate)}\n${formatPct(err)} err`
          : formatRps(rate),
    pctLabel: idle ? '' : formatPct(e.percentOfSource),
    rtLabel: Number.isFinite(rt) ? formatMs(rt) : '',
    lock: mtls >= 1 ? 'mTLS' : '',
    cmpVerdict: compareVerdict(e),
    cmpLabel: edgeCompareLabel(e, stat),
  };
}

export function toEdgeDetail(e: GraphEdge): EdgeDetail {
  const responses: ResponseDetail[] = Object.entries(e.responses)
    .map(([code, flags]) => {
      const rate = Object.values(flags).reduce((a, b) => a + b, 0);
      const pct: Record<string, number> = {};
      for (const [flag, r] of Object.entries(flags)) pct[flag] = rate > 0 ? (r / rate) * 100 : 0;
      return { code, rate, flags: pct };
    })
    .sort((a, b) => b.rate - a.rate);
  return { responses };
}

/** The clusters of an answer's nodes (not boxes, not `unknown`), sorted. */
export function clustersOf(answer: Pick<GraphResponse, 'nodes'>): string[] {
  const clusters = new Set<string>();
  for (const n of answer.nodes)
    if (n.type !== 'box' && n.type !== 'unknown' && n.cluster) clusters.add(n.cluster);
  return [...clusters].sort();
}

/**
 * The details of an answer's edges, each worked out the first time it is asked for (the side panel asks
 * for one edge; working out all of a 15,000-edge answer's on every refresh is wasted main-thread time).
 */
export class EdgeDetails implements EdgeDetailLookup {
  private readonly done = new Map<string, EdgeDetail>();
  constructor(private readonly edges: ReadonlyMap<string, GraphEdge>) {}
  get size(): number {
    return this.edges.size;
  }
  has(id: string): boolean {
    return this.edges.has(id);
  }
  get(id: string): EdgeDetail | undefined {
    let detail = this.done.get(id);
    if (!detail) {
      const edge = this.edges.get(id);
      if (!edge) return undefined;
      detail = toEdgeDetail(edge);
      this.done.set(id, detail);
    }
    return detail;
  }
  keys(): IterableIterator<string> {
    return this.edges.keys();
  }
  *[Symbol.iterator](): Iterator<[string, EdgeDetail]> {
    for (const id of this.edges.keys()) yield [id, this.get(id) as EdgeDetail];
  }
  /** The details of the edges in `ids` only (those this holds). */
  only(ids: Iterable<string>): EdgeDetails {
    const edges = new Map<string, GraphEdge>();
    for (const id of ids) {
      const edge = this.edges.get(id);
      if (edge) edges.set(id, edge);
    }
    return new EdgeDetails(edges);
  }
}

/**
 * The conversion of an answer, one node or edge per step (toElements runs all steps at once,
 * toElementsInSlices a few milliseconds' worth at a time).
 */
function elementSteps(answer: GraphResponse, options: ElementOptions) {
  const serverBoxes = answer.nodes.some((n) => n.type === 'box');
  const clusters = clustersOf(answer);
  const multi = clusters.length > 1;
  /** A node's namespace box key: `namespace`, or `namespace@cluster` over several clusters. */
  const keyOf = (n: GraphNode) => (multi ? `${n.namespace}@${n.cluster}` : n.namespace);
  const boxable = (n: GraphNode) =>
    n.type !== 'unknown' && n.type !== 'box' && n.namespace !== 'unknown' && (!multi || n.cluster !== '');
  const namespaces = new Map<string, GraphNode>();
  for (const n of answer.nodes) if (boxable(n) && !namespaces.has(keyOf(n))) namespaces.set(keyOf(n), n);
  const box = !serverBoxes && options.boxNamespaces && (namespaces.size > 1 || multi);
  const nodes: NodeData[] = [];
  const nodeIds = new Set<string>();
  const nsBoxId = (n: GraphNode) =>
    multi ? nodeId.inCluster(nodeId.namespaceBox(n.namespace), n.cluster) : nodeId.namespaceBox(n.namespace);
  if (box) {
    // Parents before children: cluster boxes, then namespace boxes.
    if (multi)
      for (const c of clusters) {
        const id = nodeId.clusterBox(c);
        nodes.push(boxData(id, `cluster ${c}`, undefined, c, 'cluster'));
        nodeIds.add(id);
      }
    for (const key of [...namespaces.keys()].sort()) {
      const n = namespaces.get(key)!;
      const id = nsBoxId(n);
      const parent = multi ? nodeId.clusterBox(n.cluster) : undefined;
      nodes.push(boxData(id, n.namespace, parent, multi ? n.cluster : '', 'namespace'));
      nodeIds.add(id);
    }
  }
  const edges: EdgeData[] = [];
  const drawn = new Map<string, GraphEdge>();
  const nodeCount = answer.nodes.length;
  return {
    count: nodeCount + answer.edges.length,
    step(i: number): void {
      if (i < nodeCount) {
        const n = answer.nodes[i] as GraphNode;
        nodes.push(toNodeData(n, box && boxable(n) ? nsBoxId(n) : n.parent));
        nodeIds.add(n.id);
        return;
      }
      // nodes come first: every node id is known by the time the edges are converted
      const e = answer.edges[i - nodeCount] as GraphEdge;
      // An edge to a node the answer does not hold would make Cytoscape throw: skip it.
      if (!nodeIds.has(e.source) || !nodeIds.has(e.target)) return;
      edges.push(toEdgeData(e, answer.responseTime));
      drawn.set(e.id, e);
    },
    result: (): GraphElements => ({ nodes, edges, details: new EdgeDetails(drawn) }),
  };
}

/**
 * Graph answer → flat Cytoscape element data, keyed by the server's stable ids. Namespace boxes are
 * added here (not by the server) so toggling them needs no new request; `unknown` is never boxed. When
 * the graph spans several clusters, each cluster is a box around its own namespace boxes (the same
 * namespace in two clusters is two boxes), as Kiali's cluster boxes.
 */
export function toElements(answer: GraphResponse, options: ElementOptions): GraphElements {
  const steps = elementSteps(answer, options);
  for (let i = 0; i < steps.count; i++) steps.step(i);
  return steps.result();
}

/**
 * toElements in time slices (see runInSlices), so converting a 20,000-element answer never blocks the
 * main thread for long. Resolves null when `isCurrent` turned false first.
 */
export async function toElementsInSlices(
  answer: GraphResponse,
  options: ElementOptions,
  slices: SliceOptions = {},
): Promise<GraphElements | null> {
  const steps = elementSteps(answer, options);
  return (await runInSlices(steps.count, steps.step, slices)) ? steps.result() : null;
}

/** A namespace box (inside its cluster's box, `parent`), or a cluster box (`namespace` = the cluster). */
function boxData(
  id: string,
  label: string,
  parent: string | undefined,
  cluster: string,
  boxType: 'namespace' | 'cluster',
): NodeData {
  return toNodeData(
    graphNode({
      id,
      type: 'box',
      label,
      cluster,
      namespace: boxType === 'namespace' ? label : '',
      isBox: true,
      boxType,
    }),
    parent,
  );
}
