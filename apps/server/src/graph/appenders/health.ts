import type { HealthStatus } from '@meshlens/contract';
import {
  codeMatches,
  regexMatches,
  tolerancesFor,
  type HealthRule,
  type Tolerance,
} from '../../health/tolerances';
import type { InventorySnapshot } from '../../inventory/types';
import type { TEdge, TNode, TrafficMap } from '../model';
import { indexWorkloads, workloadsOf } from './flags';

const RANK: Record<HealthStatus, number> = { Failure: 4, Degraded: 3, NotReady: 2, Healthy: 1, NoTraffic: 0 };

export interface Verdict {
  status: HealthStatus;
  reason: string;
}

export function worst(a: Verdict, b: Verdict): Verdict {
  return RANK[b.status] > RANK[a.status] ? b : a;
}

/** Requests/s per code, per protocol; `-` is "no response" (HTTP code 0). */
export interface CodeRates {
  http: Record<string, number>;
  grpc: Record<string, number>;
}

export function codeRatesOf(edges: readonly TEdge[]): CodeRates {
  const out: CodeRates = { http: {}, grpc: {} };
  for (const e of edges) {
    if (e.protocol === 'tcp') continue;
    if (e.protocol === 'grpc') {
      for (const s in e.grpcStatuses) out.grpc[s] = (out.grpc[s] ?? 0) + e.grpcStatuses[s]!;
      continue;
    }
    for (const code in e.responses) {
      const c = code === '0' ? '-' : code;
      const flags = e.responses[code]!;
      let sum = 0;
      for (const flag in flags) sum += flags[flag]!;
      out.http[c] = (out.http[c] ?? 0) + sum;
    }
  }
  return out;
}

/** codeMatches through nested maps: no key string built per (tolerance, code) pair in the hot loop. */
const codeMatchCache = new Map<string, Map<string, boolean>>();
function matchesCode(pattern: string, code: string): boolean {
  let byCode = codeMatchCache.get(pattern);
  if (!byCode) codeMatchCache.set(pattern, (byCode = new Map()));
  let hit = byCode.get(code);
  if (hit === undefined) {
    hit = codeMatches(pattern, code);
    if (byCode.size < 1000) byCode.set(code, hit);
  }
  return hit;
}

const regexMatchCache = new Map<string, Map<string, boolean>>();
function matchesRegex(pattern: string | undefined, value: string): boolean {
  if (pattern === undefined) return true;
  let byValue = regexMatchCache.get(pattern);
  if (!byValue) regexMatchCache.set(pattern, (byValue = new Map()));
  let hit = byValue.get(value);
  if (hit === undefined) {
    hit = regexMatches(pattern, value);
    if (byValue.size < 1000) byValue.set(value, hit);
  }
  return hit;
}

const fmt = (n: number) => (Math.round(n * 10) / 10).toString();

/** Request health for one direction: the worst verdict over the tolerances that apply. */
export function evaluateRequests(
  rates: CodeRates,
  tolerances: readonly Tolerance[],
  direction: string,
): Verdict {
  let verdict: Verdict = { status: 'NoTraffic', reason: '' };
  for (const protocol of ['http', 'grpc'] as const) {
    const codes = rates[protocol];
    let total = 0;
    for (const code in codes) total += codes[code]!;
    if (total <= 0) continue;
    verdict = worst(verdict, { status: 'Healthy', reason: '' });
    for (const t of tolerances) {
      if (!matchesRegex(t.protocol, protocol) || !matchesRegex(t.direction, direction)) continue;
      let matching = 0;
      for (const code in codes) if (matchesCode(t.code, code)) matching += codes[code]!;
      const pct = (matching / total) * 100;
      if (pct <= 0) continue;
      const label = t.code === '-' ? 'no response' : t.code;
      if (pct >= t.failure)
        verdict = worst(verdict, {
          status: 'Failure',
          reason: `${label} ${fmt(pct)}% of ${direction} ${protocol} ≥ ${t.failure}%`,
        });
      else if (pct >= t.degraded)
        verdict = worst(verdict, {
          status: 'Degraded',
          reason: `${label} ${fmt(pct)}% of ${direction} ${protocol}${t.degraded > 0 ? ` ≥ ${t.degraded}%` : ''}`,
        });
    }
  }
  return verdict;
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
    let v = evaluateRequests(codeRatesOf([e]), tol, 'inbound');
    if (e.protocol === 'tcp' && e.tcpBps > 0) v = { status: 'Healthy', reason: '' };
    e.healthStatus = v.status;
    e.healthReason = v.reason;
  }
}
