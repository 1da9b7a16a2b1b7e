/**
 * Before/after graphs: a request with `compare` is answered by the pipeline run twice, once per window
 * (the same fixed query set, each an instant query at the window's end with the window as its range),
 * and the two answers merged here into one: the "after" graph, each element carrying both windows'
 * figures, plus the elements only the "before" graph had, marked vanished.
 */
import {
  DEFAULT_COMPARE_WINDOW_SECONDS,
  emptyNodeTraffic,
  type CompareFields,
  type GraphEdge,
  type GraphNode,
  type GraphResponse,
} from '@meshlens/contract';
import type { PipelineQuery } from './queries';

export interface CompareWindows {
  time: number;
  before: { start: number; end: number };
  after: { start: number; end: number };
}

/** The two windows of a compare request at `now` (unix s): the after window ends now at the latest. */
export function compareWindows(
  q: Pick<PipelineQuery, 'compare' | 'compareWindow'>,
  now: number,
): CompareWindows {
  if (q.compare === undefined) throw new Error('compareWindows: not a compare request');
  const w = q.compareWindow ?? DEFAULT_COMPARE_WINDOW_SECONDS;
  const t = q.compare;
  return {
    time: t,
    before: { start: t - w, end: t },
    after: { start: t, end: Math.min(t + w, Math.floor(now)) },
  };
}

/** The plain graph request of one window (no compare fields): its end as queryTime, its length as duration. */
export function windowQuery(q: PipelineQuery, window: { start: number; end: number }): PipelineQuery {
  const { compare: _c, compareWindow: _w, ...rest } = q;
  return { ...rest, queryTime: window.end, duration: window.end - window.start };
}

const r2 = (n: number) => Math.round(n * 100) / 100;
const r4 = (n: number) => Math.round(n * 10_000) / 10_000;

interface Figures {
  unit: 'rps' | 'Bps';
  rate: number;
  err: number | null;
  rt: number | null;
}

function edgeFigures(e: GraphEdge): Figures {
  if (e.protocol === 'tcp') return { unit: 'Bps', rate: e.throughputBps ?? 0, err: null, rt: null };
  return { unit: 'rps', rate: e.rps, err: e.rps > 0 ? e.errorPct : null, rt: e.responseTimeMs };
}

/** The slowest known response time of the node's inbound edges (a service node's: of its outbound ones). */
function nodeRt(n: GraphNode, edges: readonly GraphEdge[]): number | null {
  let worst: number | null = null;
  const consider = (e: GraphEdge) => {
    if (e.protocol !== 'tcp' && e.responseTimeMs !== null && e.rps > 0)
      worst = worst === null ? e.responseTimeMs : Math.max(worst, e.responseTimeMs);
  };
  for (const e of edges) if (e.target === n.id) consider(e);
  if (worst === null && n.type === 'service') for (const e of edges) if (e.source === n.id) consider(e);
  return worst;
}

/**
 * A node's figures: its inbound requests (a root's: outbound) and their error %, or TCP bytes when it has
 * no requests in either window (`tcp` decides the unit for both windows alike).
 */
function nodeFigures(n: GraphNode, edges: readonly GraphEdge[], tcp: boolean): Figures {
  if (tcp) return { unit: 'Bps', rate: n.tcpIn || n.tcpOut, err: null, rt: null };
  const inbound = n.httpIn + n.grpcIn;
  const errors = n.httpIn4xx + n.httpIn5xx + n.httpInNoResponse + n.grpcInErr + n.grpcInNoResponse;
  if (inbound > 0) return { unit: 'rps', rate: inbound, err: (errors / inbound) * 100, rt: nodeRt(n, edges) };
  return { unit: 'rps', rate: n.httpOut + n.grpcOut, err: null, rt: nodeRt(n, edges) };
}

const hasRequests = (n: GraphNode | undefined) =>
  n !== undefined && n.httpIn + n.grpcIn + n.httpOut + n.grpcOut > 0;

function fields(
  status: CompareFields['cmpStatus'],
  before: Figures | undefined,
  after: Figures | undefined,
): CompareFields {
  const unit = (after ?? before)!.unit;
  return {
    cmpStatus: status,
    cmpUnit: unit,
    cmpRateBefore: r4(before?.rate ?? 0),
    cmpRateAfter: r4(after?.rate ?? 0),
    cmpErrBefore: before?.err == null ? null : r2(before.err),
    cmpErrAfter: after?.err == null ? null : r2(after.err),
    cmpRtBefore: before?.rt ?? null,
    cmpRtAfter: after?.rt ?? null,
  };
}

/** An edge of the window before only: its figures there, none of its own. */
function vanishedEdge(e: GraphEdge): GraphEdge {
  const { connections: _c, ...rest } = e;
  return {
    ...rest,
    rps: 0,
    rate2xx: 0,
    rate3xx: 0,
    rate4xx: 0,
    rate5xx: 0,
    rateNoResponse: 0,
    rateGrpcErr: 0,
    errorPct: 0,
    percentOfSource: 0,
    responseTimeMs: null,
    throughputBps: e.protocol === 'tcp' ? 0 : null,
    mtlsPct: null,
    responses: {},
    responseHosts: {},
    isIdle: true,
    healthStatus: 'NoTraffic',
    healthReason: '',
  };
}

const vanishedNode = (n: GraphNode): GraphNode => ({
  ...n,
  ...emptyNodeTraffic(),
  isIdle: true,
  healthStatus: 'NoTraffic',
  healthReason: '',
});

/** Whether an element had traffic in a window (an idle node or edge, shown with includeIdle, had none). */
const active = (x: { isIdle: boolean } | undefined) => x !== undefined && !x.isIdle;

function statusOf(before: { isIdle: boolean } | undefined, after: { isIdle: boolean } | undefined) {
  if (active(after)) return active(before) ? 'both' : 'new';
  return active(before) ? 'vanished' : 'both';
}

/**
 * The two windows' answers → one answer: the after window's graph, each node and edge with both windows'
 * figures (`cmp*`); the nodes and edges that only had traffic before are added, marked vanished, with
 * zero figures of their own. Boxes carry no figures. Warnings of both windows, each once.
 */
export function mergeCompare(
  before: GraphResponse,
  after: GraphResponse,
  windows: CompareWindows,
): GraphResponse {
  const beforeNodes = new Map(before.nodes.map((n) => [n.id, n]));
  const beforeEdges = new Map(before.edges.map((e) => [e.id, e]));
  const afterNodes = new Map(after.nodes.map((n) => [n.id, n]));
  const afterEdges = new Set(after.edges.map((e) => e.id));

  const edges: GraphEdge[] = after.edges.map((e) => {
    const b = beforeEdges.get(e.id);
    const status = statusOf(b, e);
    return {
      ...e,
      ...fields(status, b && active(b) ? edgeFigures(b) : undefined, edgeFigures(e)),
    };
  });
  for (const b of before.edges) {
    if (afterEdges.has(b.id) || !active(b)) continue;
    edges.push({ ...vanishedEdge(b), ...fields('vanished', edgeFigures(b), undefined) });
  }

  const nodes: GraphNode[] = after.nodes.map((n) => {
    if (n.isBox) return n;
    const b = beforeNodes.get(n.id);
    const tcp = !hasRequests(n) && !hasRequests(b);
    const status = statusOf(b, n);
    return {
      ...n,
      ...fields(
        status,
        b && active(b) ? nodeFigures(b, before.edges, tcp) : undefined,
        nodeFigures(n, after.edges, tcp),
      ),
    };
  });
  const added = new Set<string>();
  const addVanished = (id: string) => {
    if (afterNodes.has(id) || added.has(id)) return;
    const b = beforeNodes.get(id);
    if (!b) return;
    added.add(id);
    if (b.parent) addVanished(b.parent);
    if (b.isBox) {
      nodes.push(b);
      return;
    }
    const tcp = !hasRequests(b);
    nodes.push({ ...vanishedNode(b), ...fields('vanished', nodeFigures(b, before.edges, tcp), undefined) });
  };
  for (const b of before.nodes) if (!b.isBox && active(b)) addVanished(b.id);
  // a vanished edge's ends are nodes of one graph or the other
  for (const e of edges) if (e.cmpStatus === 'vanished') [e.source, e.target].forEach(addVanished);
  nodes.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  edges.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const warnings = [...after.warnings];
  for (const w of before.warnings)
    if (!warnings.some((x) => x.code === w.code && x.message === w.message))
      warnings.push({ code: w.code, message: `window before: ${w.message}` });
  return { ...after, nodes, edges, warnings, compare: windows };
}
