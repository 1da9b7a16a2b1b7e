import type { HealthStatus } from '@meshlens/contract';
import {
  codeMatches,
  regexMatches,
  tolerancesFor,
  type HealthRule,
  type Tolerance,
} from '../../health/tolerances';
import { requestHealthReason } from '../../health/reason';
import type { InventorySnapshot } from '../../inventory/types';
import type { CodeRates, TEdge, TNode, TrafficMap } from '../model';
import { add } from '../trafficMap';
import { indexWorkloads, workloadsOf } from './flags';

const RANK: Record<HealthStatus, number> = { Failure: 4, Degraded: 3, NotReady: 2, Healthy: 1, NoTraffic: 0 };

export interface Verdict {
  status: HealthStatus;
  reason: string;
}

export function worst(a: Verdict, b: Verdict): Verdict {
  return RANK[b.status] > RANK[a.status] ? b : a;
}

export type { CodeRates };

/** An edge's requests/s per code (cached on the edge: edges no longer change after building). */
export function edgeCodeRates(e: TEdge): CodeRates {
  if (e.codeRates) return e.codeRates;
  const http = new Map<string, number>();
  if (e.protocol === 'http') {
    for (const [code, flags] of e.responses) {
      let sum = 0;
      for (const v of flags.values()) sum += v;
      add(http, code === '0' ? '-' : code, sum);
    }
  }
  const out: CodeRates = { http, grpc: e.protocol === 'grpc' ? e.grpcStatuses : NO_CODES };
  e.codeRates = out;
  return out;
}

const NO_CODES: ReadonlyMap<string, number> = new Map();
const NO_RATES: CodeRates = { http: NO_CODES, grpc: NO_CODES };

export function codeRatesOf(edges: readonly TEdge[]): CodeRates {
  if (edges.length === 0) return NO_RATES;
  if (edges.length === 1) return edgeCodeRates(edges[0]!);
  const http = new Map<string, number>();
  const grpc = new Map<string, number>();
  for (const e of edges) {
    const r = edgeCodeRates(e);
    for (const [c, v] of r.http) add(http, c, v);
    for (const [c, v] of r.grpc) add(grpc, c, v);
  }
  return { http, grpc };
}

/**
 * A tolerance list compiled once: which of its tolerances apply per protocol and direction, and which
 * match each code. Health then costs a few array reads per (node or edge, code), no regex, no key strings.
 */
interface CompiledTolerances {
  applicable: Map<string, number[]>;
  /** code → matches[i] for tolerance i. */
  masks: Map<string, boolean[]>;
}
const compiledTolerances = new WeakMap<readonly Tolerance[], CompiledTolerances>();

function compile(list: readonly Tolerance[]): CompiledTolerances {
  let c = compiledTolerances.get(list);
  if (!c) compiledTolerances.set(list, (c = { applicable: new Map(), masks: new Map() }));
  return c;
}

function applicableOf(
  c: CompiledTolerances,
  list: readonly Tolerance[],
  protocol: string,
  direction: string,
) {
  const key = `${protocol} ${direction}`;
  let idx = c.applicable.get(key);
  if (!idx) {
    idx = [];
    for (let i = 0; i < list.length; i++)
      if (regexMatches(list[i]!.protocol, protocol) && regexMatches(list[i]!.direction, direction))
        idx.push(i);
    c.applicable.set(key, idx);
  }
  return idx;
}

function maskOf(c: CompiledTolerances, list: readonly Tolerance[], code: string): boolean[] {
  let mask = c.masks.get(code);
  if (!mask) {
    mask = list.map((t) => codeMatches(t.code, code));
    if (c.masks.size < 1000) c.masks.set(code, mask);
  }
  return mask;
}

const scratch: number[] = [];

/** Request health for one direction: the worst verdict over the tolerances that apply. */
export function evaluateRequests(
  rates: CodeRates,
  tolerances: readonly Tolerance[],
  direction: string,
): Verdict {
  const c = compile(tolerances);
  let status: HealthStatus = 'NoTraffic';
  let reason = '';
  for (const protocol of ['http', 'grpc'] as const) {
    const codes = rates[protocol];
    if (codes.size === 0) continue;
    let total = 0;
    for (const v of codes.values()) total += v;
    if (total <= 0) continue;
    if (RANK[status] < RANK.Healthy) status = 'Healthy';
    const idx = applicableOf(c, tolerances, protocol, direction);
    if (idx.length === 0) continue;
    for (let j = 0; j < idx.length; j++) scratch[j] = 0;
    for (const [code, v] of codes) {
      const mask = maskOf(c, tolerances, code);
      for (let j = 0; j < idx.length; j++) if (mask[idx[j]!]) scratch[j]! += v;
    }
    for (let j = 0; j < idx.length; j++) {
      const pct = (scratch[j]! / total) * 100;
      if (pct <= 0) continue;
      const t = tolerances[idx[j]!]!;
      const next: 'Failure' | 'Degraded' | undefined =
        pct >= t.failure ? 'Failure' : pct >= t.degraded ? 'Degraded' : undefined;
      if (!next || RANK[next] <= RANK[status]) continue;
      status = next;
      reason = requestHealthReason(t, protocol, direction, pct, next);
    }
  }
  return { status, reason };
}

/** Workload readiness (Kiali): none desired → NotReady; none available → Failure; fewer → Degraded. */
export function workloadVerdict(w: { name: string; desired?: number; available?: number }): Verdict {
  if (w.desired === 0) return { status: 'NotReady', reason: `${w.name}: scaled to 0` };
  if (w.desired === undefined || w.available === undefined) return { status: 'NoTraffic', reason: '' };
  if (w.available === 0) return { status: 'Failure', reason: `${w.name}: no pod available of ${w.desired}` };
  if (w.available < w.desired)
    return { status: 'Degraded', reason: `${w.name}: ${w.available} of ${w.desired} pods available` };
  return { status: 'NoTraffic', reason: '' };
}

const NO_EDGES: readonly TEdge[] = [];

/** Health of every node and edge, from the same rates, with tolerances per namespace/name/annotation. */
export function applyHealth(
  map: TrafficMap,
  inventory: Pick<InventorySnapshot, 'workloads' | 'services' | 'namespaces'>,
  rules: readonly HealthRule[],
): void {
  const inbound = new Map<string, TEdge[]>();
  const outbound = new Map<string, TEdge[]>();
  for (const e of map.edges.values()) {
    (inbound.get(e.target) ?? inbound.set(e.target, []).get(e.target)!).push(e);
    (outbound.get(e.source) ?? outbound.set(e.source, []).get(e.source)!).push(e);
  }
  const byNs = indexWorkloads(inventory.workloads);
  const nsAnnotations = new Map(inventory.namespaces.map((n) => [n.name, n.annotations]));
  const services = new Map(inventory.services.map((s) => [`${s.namespace}/${s.name}`, s]));
  const tolerancesCache = new Map<string, readonly Tolerance[]>();

  const tolerancesOf = (n: TNode): readonly Tolerance[] => {
    const cached = tolerancesCache.get(n.id);
    if (cached) return cached;
    const wls = workloadsOf(n, byNs);
    const kind =
      n.type === 'service' || n.type === 'serviceEntry'
        ? 'service'
        : n.type === 'workload'
          ? 'workload'
          : 'app';
    const name = (kind === 'service' ? n.service : kind === 'workload' ? n.workload : n.app) ?? n.label;
    const objectAnnotations =
      kind === 'service'
        ? services.get(`${n.namespace}/${n.service}`)?.annotations
        : wls.find((w) => w.annotations['meshlens.io/health-rate'])?.annotations;
    const t = tolerancesFor(
      {
        namespace: n.namespace,
        kind,
        name,
        objectAnnotations,
        namespaceAnnotations: nsAnnotations.get(n.namespace),
      },
      rules,
    );
    tolerancesCache.set(n.id, t);
    return t;
  };

  for (const n of map.nodes.values()) {
    if (n.isBox) continue;
    const tol = tolerancesOf(n);
    const ins = inbound.get(n.id) ?? NO_EDGES;
    const outs = outbound.get(n.id) ?? NO_EDGES;
    let v = evaluateRequests(codeRatesOf(ins), tol, 'inbound');
    if (ins.length === 0) v = evaluateRequests(codeRatesOf(outs), tol, 'outbound');
    const hasTcp = ins.some((e) => e.tcpBps > 0) || outs.some((e) => e.tcpBps > 0);
    if (v.status === 'NoTraffic' && hasTcp) v = { status: 'Healthy', reason: '' };
    for (const w of workloadsOf(n, byNs)) v = worst(v, workloadVerdict(w));
    n.healthStatus = v.status;
    n.healthReason = v.reason;
  }
  for (const e of map.edges.values()) {
    const target = map.nodes.get(e.target);
    const tol = target ? tolerancesOf(target) : [];
    let v = evaluateRequests(edgeCodeRates(e), tol, 'inbound');
    if (e.protocol === 'tcp' && e.tcpBps > 0) v = { status: 'Healthy', reason: '' };
    e.healthStatus = v.status;
    e.healthReason = v.reason;
  }
}
