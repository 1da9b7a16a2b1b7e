import type { EdgeData, EdgeDetail, GraphElements, Health, NodeData, Protocol } from './model';
import { EdgeDetails } from './toElements';
import { edgeWidth } from './toElements';
import { formatBytesRate, formatPct, formatRps } from './format';

/**
 * The aggregate view of a large graph: one node per namespace (per cluster and namespace when the
 * graph spans several clusters, so the same namespace in two clusters never collapses into one),
 * edges between groups summed per protocol, health the worst of the group's. Groups named in
 * `expanded` show their real nodes inside a compound box; the others stay collapsed. `unknown`
 * nodes (requests that found no destination, callers that do not report) belong to no namespace
 * and are never collapsed.
 */
export interface AggregateOptions {
  /** Group keys (see groupKey) shown with their real nodes. */
  expanded: ReadonlySet<string>;
}

/** Above this many nodes the graph opens on the aggregate view (the URL's `aggregateAbove` overrides). */
export const AGGREGATE_ABOVE = 300;

/** Node id of a collapsed group; the `agg:` prefix is no server id's. */
export const aggregateId = (group: string) => `agg:${group}`;
/** Node id of the compound box around an expanded group's nodes. */
export const groupBoxId = (group: string) => `box:agg:${group}`;

/** The group key of every node: `namespace`, or `cluster/namespace` when the graph spans several clusters. */
export function groupKeys(nodes: readonly NodeData[]): Map<string, string> {
  const clusters = new Set<string>();
  for (const n of nodes) if (n.nodeType !== 'box' && n.cluster) clusters.add(n.cluster);
  const byCluster = clusters.size > 1;
  const keys = new Map<string, string>();
  for (const n of nodes) {
    if (n.nodeType === 'box' || n.nodeType === 'unknown' || !n.namespace || n.namespace === 'unknown')
      continue;
    keys.set(n.id, byCluster && n.cluster ? `${n.cluster}/${n.namespace}` : n.namespace);
  }
  return keys;
}

/** The label of a group: `namespace`, or `namespace (cluster)`. */
export function groupLabel(group: string): string {
  const slash = group.indexOf('/');
  return slash < 0 ? group : `${group.slice(slash + 1)} (${group.slice(0, slash)})`;
}

/** Worst first, as the overview ranks health. */
const HEALTH_ORDER: readonly Health[] = ['Failure', 'Degraded', 'NotReady', 'Healthy', 'NoTraffic'];
const HEALTH_RANK = new Map(HEALTH_ORDER.map((h, i) => [h, i]));
/** Index in HEALTH_ORDER (an unknown value ranks as the worst, as indexOf's -1 did). */
const healthRank = (h: Health): number => HEALTH_RANK.get(h) ?? -1;
export function worstHealth(values: Iterable<Health>): Health {
  let best = HEALTH_ORDER.length - 1;
  for (const h of values) best = Math.min(best, healthRank(h));
  return HEALTH_ORDER[best] as Health;
}

interface EdgeSum {
  source: string;
  target: string;
  protocol: Protocol;
  rate: number;
  /** Σ rate × errPct (rate-weighted error %). */
  errWeighted: number;
  /** Σ rate × mtls over edges that know their mTLS share, and the rate they carry. */
  mtlsWeighted: number;
  mtlsRate: number;
  throughput: number;
  /** Index in HEALTH_ORDER of the worst health so far. */
  worst: number;
  idle: boolean;
  /** The first edge summed, and how many were. */
  first: EdgeData;
  count: number;
}

function aggregateNode(group: string, members: NodeData[]): NodeData {
  const label = groupLabel(group);
  const sum = (f: (n: NodeData) => number) => members.reduce((a, n) => a + f(n), 0);
  const inbound = sum((n) => n.httpIn + n.grpcIn);
  const errors = sum((n) => (Number.isFinite(n.errPct) ? (n.errPct / 100) * (n.httpIn + n.grpcIn) : 0));
  const health = worstHealth(members.map((n) => n.health));
  const failing = members.filter((n) => n.health === 'Failure' || n.health === 'Degraded').length;
  const first = members[0];
  const count = `${members.length} node${members.length === 1 ? '' : 's'}`;
  return {
    id: aggregateId(group),
    nodeType: 'aggregate',
    label,
    cluster: first?.cluster ?? '',
    namespace: first?.namespace ?? group,
    app: '',
    version: '',
    workload: '',
    service: '',
    health,
    healthReason:
      failing > 0 ? `${failing} of ${count} ${health === 'Failure' ? 'failing' : 'degraded'}` : '',
    isRoot: members.some((n) => n.isRoot),
    isGateway: false,
    isOutside: members.every((n) => n.isOutside),
    isIdle: members.every((n) => n.isIdle),
    isOutOfMesh: false,
    isServiceEntry: false,
    hasVS: false,
    hasDR: false,
    hasTrafficShifting: false,
    hasRequestRouting: false,
    hasFaultInjection: false,
    hasTimeout: false,
    hasRetries: false,
    hasCB: false,
    hasMirroring: false,
    badges: '',
    display: `${label}\n${count}`,
    httpIn: sum((n) => n.httpIn),
    httpOut: sum((n) => n.httpOut),
    grpcIn: sum((n) => n.grpcIn),
    grpcOut: sum((n) => n.grpcOut),
    tcpIn: sum((n) => n.tcpIn),
    tcpOut: sum((n) => n.tcpOut),
    errPct: inbound > 0 ? (errors / inbound) * 100 : NaN,
    group,
    members: members.length,
  };
}

function boxNode(group: string, first: NodeData | undefined): NodeData {
  const { members: _members, ...data } = aggregateNode(group, first ? [first] : []);
  const label = groupLabel(group);
  return {
    ...data,
    id: groupBoxId(group),
    nodeType: 'box',
    display: label,
    health: 'Healthy',
    healthReason: '',
  };
}

function summedEdge(s: EdgeSum, outRate: Map<string, number>): EdgeData {
  const single = s.count === 1 ? s.first : undefined;
  const original = single && single.source === s.source && single.target === s.target ? single : undefined;
  // An edge between two real nodes keeps its id and data (the side panel finds its details by id).
  if (original) return original;
  const rate = s.rate;
  const idle = s.idle || !(rate > 0);
  const err = idle || s.protocol === 'tcp' ? NaN : s.errWeighted / rate;
  const mtls = s.mtlsRate > 0 ? s.mtlsWeighted / s.mtlsRate : NaN;
  const total = outRate.get(`${s.source}|${s.protocol}`) ?? 0;
  const pct = total > 0 ? (rate / total) * 100 : 0;
  return {
    id: `agg-edge:${s.source}>${s.target}:${s.protocol}`,
    source: s.source,
    target: s.target,
    protocol: s.protocol,
    rate,
    errPct: err,
    pctReq: pct,
    // percentiles do not add up: a summed edge has no response time
    rt: NaN,
    throughput: s.throughput,
    mtls,
    health: HEALTH_ORDER[s.worst] as Health,
    isIdle: idle,
    width: edgeWidth(s.protocol, rate),
    rateLabel: idle
      ? ''
      : s.protocol === 'tcp'
        ? formatBytesRate(rate)
        : err > 0
          ? `${formatRps(rate)}\n${formatPct(err)} err`
          : formatRps(rate),
    pctLabel: idle ? '' : formatPct(pct),
    rtLabel: '',
    lock: mtls >= 1 ? 'mTLS' : '',
  };
}

/**
 * Graph elements (as toElements builds them, without namespace boxes) → the aggregate view. Pure:
 * the same input gives the same output, element ids are stable across refreshes (so the diff in
 * sync.ts patches rates in place).
 */
export function aggregateElements(elements: GraphElements, options: AggregateOptions): GraphElements {
  const keys = groupKeys(elements.nodes);
  const byGroup = new Map<string, NodeData[]>();
  for (const n of elements.nodes) {
    const g = keys.get(n.id);
    if (g === undefined) continue;
    const list = byGroup.get(g);
    if (list) list.push(n);
    else byGroup.set(g, [n]);
  }
  const nodes: NodeData[] = [];
  const members = new Map<string, NodeData[]>();
  /** Real node id → the id it is drawn as (itself, or its group's aggregate node). */
  const drawnAs = new Map<string, string>();
  const groups = [...byGroup.keys()].sort();
  for (const g of groups) {
    const list = byGroup.get(g) as NodeData[];
    if (options.expanded.has(g)) {
      nodes.push(boxNode(g, list[0]));
    } else {
      const agg = aggregateNode(g, list);
      nodes.push(agg);
      members.set(agg.id, list);
      for (const n of list) drawnAs.set(n.id, agg.id);
    }
  }
  for (const n of elements.nodes) {
    if (n.nodeType === 'box') continue;
    const g = keys.get(n.id);
    if (g === undefined) {
      const { parent: _parent, ...rest } = n;
      nodes.push(rest);
    } else if (options.expanded.has(g)) {
      nodes.push({ ...n, parent: groupBoxId(g) });
    }
  }

  const sums = new Map<string, EdgeSum>();
  const outRate = new Map<string, number>();
  for (const e of elements.edges) {
    const source = drawnAs.get(e.source) ?? e.source;
    const target = drawnAs.get(e.target) ?? e.target;
    // traffic inside a collapsed group is the group's own (its nodes' rates count it)
    if (source === target && source !== e.source) continue;
    const key = `${source}|${target}|${e.protocol}`;
    let s = sums.get(key);
    if (!s) {
      s = {
        source,
        target,
        protocol: e.protocol,
        rate: 0,
        errWeighted: 0,
        mtlsWeighted: 0,
        mtlsRate: 0,
        throughput: NaN,
        worst: HEALTH_ORDER.length - 1,
        idle: true,
        first: e,
        count: 0,
      };
      sums.set(key, s);
    }
    const rate = e.rate > 0 ? e.rate : 0;
    s.rate += rate;
    if (Number.isFinite(e.errPct)) s.errWeighted += rate * e.errPct;
    if (Number.isFinite(e.mtls)) {
      s.mtlsWeighted += rate * e.mtls;
      s.mtlsRate += rate;
    }
    if (Number.isFinite(e.throughput))
      s.throughput = (Number.isFinite(s.throughput) ? s.throughput : 0) + e.throughput;
    s.worst = Math.min(s.worst, healthRank(e.health));
    s.idle &&= e.isIdle;
    s.count++;
    const outKey = `${source}|${e.protocol}`;
    outRate.set(outKey, (outRate.get(outKey) ?? 0) + rate);
  }
  const edges: EdgeData[] = [];
  for (const s of sums.values()) edges.push(summedEdge(s, outRate));
  // an edge kept as it was keeps its detail (a summed edge has none)
  const source = elements.details;
  let details: GraphElements['details'];
  if (source instanceof EdgeDetails) details = source.only(edges.map((e) => e.id));
  else {
    const kept = new Map<string, EdgeDetail>();
    for (const e of edges) {
      const detail = source.get(e.id);
      if (detail) kept.set(e.id, detail);
    }
    details = kept;
  }
  return { nodes, edges, details, members };
}
