/**
 * The overview's filter, sort and layout, kept in the URL (`q`, `sort`, `dir`, `layout`), applied to the
 * namespaces; and the sparkline's SVG path. Pure.
 */
import {
  namespaceInjection,
  type HealthCounts,
  type Namespace,
  type NamespaceOverview,
} from '@meshlens/contract';

/**
 * A namespace of the overview. `pending`: what `/api/namespaces` (the informer cache, answered at once)
 * says of it, before the overview's answer (its rates cost Prometheus queries) fills in health, mTLS,
 * validations and traffic: the page lists, filters and links the namespaces meanwhile.
 */
export type OverviewEntry = NamespaceOverview & { pending?: true };

const NO_COUNTS: HealthCounts = { Failure: 0, Degraded: 0, NotReady: 0, Healthy: 0, NoTraffic: 0 };

/** A namespace's entry before the overview's answer: its injection from its labels, no figures yet. */
export function pendingEntry(ns: Namespace): OverviewEntry {
  return {
    name: ns.name,
    labels: ns.labels,
    injection: namespaceInjection(ns.labels),
    mtls: { mode: 'PERMISSIVE', source: 'default' },
    health: { apps: NO_COUNTS, workloads: NO_COUNTS, services: NO_COUNTS },
    validations: { objects: 0, valid: 0, warnings: 0, errors: 0 },
    traffic: { inboundRps: 0, errorRate: 0, series: [] },
    pending: true,
  };
}

/**
 * The entries to show: the overview's answer once there is one; before it, the namespaces the user may
 * read (or the selected ones among them) as pending entries; undefined while neither has answered.
 */
export function overviewEntries(
  answer: readonly NamespaceOverview[] | undefined,
  namespaces: readonly Namespace[] | undefined,
  selected: readonly string[],
): OverviewEntry[] | undefined {
  if (answer) return answer as OverviewEntry[];
  if (!namespaces) return undefined;
  const only = new Set(selected);
  return namespaces.filter((n) => only.size === 0 || only.has(n.name)).map(pendingEntry);
}

export const OVERVIEW_SORTS = ['name', 'health', 'rps', 'errors'] as const;
export type OverviewSort = (typeof OVERVIEW_SORTS)[number];

export interface OverviewFilters {
  q: string;
  sort: OverviewSort;
  dir: 'asc' | 'desc';
  layout: 'cards' | 'list';
}

export function parseOverviewFilters(search: string): OverviewFilters {
  const p = new URLSearchParams(search);
  const sort = p.get('sort') as OverviewSort | null;
  return {
    q: p.get('q') ?? '',
    sort: sort && (OVERVIEW_SORTS as readonly string[]).includes(sort) ? sort : 'name',
    dir: p.get('dir') === 'desc' ? 'desc' : 'asc',
    layout: p.get('layout') === 'list' ? 'list' : 'cards',
  };
}

export function withOverviewFilters(search: string, patch: Partial<OverviewFilters>): string {
  const next = { ...parseOverviewFilters(search), ...patch };
  const p = new URLSearchParams(search);
  const set = (k: string, v: string) => (v ? p.set(k, v) : p.delete(k));
  set('q', next.q);
  set('sort', next.sort === 'name' ? '' : next.sort);
  set('dir', next.dir === 'asc' ? '' : next.dir);
  set('layout', next.layout === 'cards' ? '' : next.layout);
  return p.toString();
}

/** Sum of the three kinds' counts. */
export function totalCounts(n: NamespaceOverview): HealthCounts {
  const out: HealthCounts = { Failure: 0, Degraded: 0, NotReady: 0, Healthy: 0, NoTraffic: 0 };
  for (const c of [n.health.apps, n.health.workloads, n.health.services])
    for (const k of Object.keys(out) as (keyof HealthCounts)[]) out[k] += c[k];
  return out;
}

/** Worse namespaces score higher: failures first, then degraded, then not ready. */
export function badness(n: NamespaceOverview): number {
  const c = totalCounts(n);
  return c.Failure * 1e6 + c.Degraded * 1e3 + c.NotReady;
}

export function applyOverviewFilters<T extends NamespaceOverview>(
  list: readonly T[],
  f: OverviewFilters,
): T[] {
  const q = f.q.trim().toLowerCase();
  const out = list.filter((n) => !q || n.name.includes(q));
  const by: Record<OverviewSort, (a: NamespaceOverview, b: NamespaceOverview) => number> = {
    name: (a, b) => a.name.localeCompare(b.name),
    // "worst first" reads as the ascending order of health
    health: (a, b) => badness(b) - badness(a),
    rps: (a, b) => a.traffic.inboundRps - b.traffic.inboundRps,
    errors: (a, b) => a.traffic.errorRate - b.traffic.errorRate,
  };
  const sign = f.dir === 'desc' ? -1 : 1;
  return out.sort((a, b) => sign * by[f.sort](a, b) || a.name.localeCompare(b.name));
}

/** An SVG polyline path of `series` in a width × height box (y grows down; 0 at the bottom). */
export function sparklinePath(series: readonly [number, number][], width: number, height: number): string {
  if (series.length < 2) return '';
  const t0 = series[0]![0];
  const t1 = series[series.length - 1]![0];
  const max = Math.max(...series.map(([, v]) => v));
  const x = (t: number) => (t1 === t0 ? 0 : ((t - t0) / (t1 - t0)) * width);
  const y = (v: number) => (max > 0 ? height - (v / max) * (height - 2) - 1 : height - 1);
  return series.map(([t, v], i) => `${i ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
}
