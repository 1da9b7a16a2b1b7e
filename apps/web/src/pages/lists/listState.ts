/**
 * The lists' filters and sort, kept in the URL (`q`, `health`, `label`, `sidecar`, `type`, `sort`,
 * `dir`), and applied to the rows. Pure: the page and the tests share it.
 */
import type { EntityRow, HealthStatus } from '@meshlens/contract';
import { STATUS_ORDER, statusRank } from '../../health/words';

export const SORT_KEYS = ['health', 'name', 'namespace', 'type', 'rps', 'errors'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface ListFilters {
  /** Name contains (case-insensitive). */
  q: string;
  health: HealthStatus[];
  /** `key` or `key=value`. */
  label: string;
  /** Only rows with pods missing a sidecar. */
  missingSidecar: boolean;
  type: string;
  sort: SortKey;
  dir: 'asc' | 'desc';
}

export const DEFAULT_FILTERS: ListFilters = {
  q: '',
  health: [],
  label: '',
  missingSidecar: false,
  type: '',
  sort: 'name',
  dir: 'asc',
};

export function parseListFilters(search: string): ListFilters {
  const p = new URLSearchParams(search);
  const sort = p.get('sort') as SortKey | null;
  return {
    q: p.get('q') ?? '',
    health: (p.get('health') ?? '')
      .split(',')
      .filter((s): s is HealthStatus => (STATUS_ORDER as readonly string[]).includes(s)),
    label: p.get('label') ?? '',
    missingSidecar: p.get('sidecar') === 'missing',
    type: p.get('type') ?? '',
    sort: sort && (SORT_KEYS as readonly string[]).includes(sort) ? sort : 'name',
    dir: p.get('dir') === 'desc' ? 'desc' : 'asc',
  };
}

/** `search` with the filters of `patch` set (defaults removed), other parameters kept. */
export function withListFilters(search: string, patch: Partial<ListFilters>): string {
  const next = { ...parseListFilters(search), ...patch };
  const p = new URLSearchParams(search);
  const set = (k: string, v: string) => (v ? p.set(k, v) : p.delete(k));
  set('q', next.q);
  set('health', next.health.join(','));
  set('label', next.label);
  set('sidecar', next.missingSidecar ? 'missing' : '');
  set('type', next.type);
  set('sort', next.sort === 'name' ? '' : next.sort);
  set('dir', next.dir === 'asc' ? '' : next.dir);
  return p.toString();
}

function labelMatches(filter: string, labels: Record<string, string>): boolean {
  if (!filter) return true;
  const [k, ...rest] = filter.split('=');
  const key = (k ?? '').trim();
  if (rest.length === 0) return key in labels;
  return labels[key] === rest.join('=').trim();
}

/** `localeCompare`'s order, with one collator for a whole sort (10,000 rows: ~140,000 comparisons). */
const text = new Intl.Collator().compare;

const compare: Record<SortKey, (a: EntityRow, b: EntityRow) => number> = {
  health: (a, b) => statusRank(a.health.status) - statusRank(b.health.status),
  name: (a, b) => text(a.name, b.name),
  namespace: (a, b) => text(a.namespace, b.namespace),
  type: (a, b) => text(a.type, b.type),
  rps: (a, b) => a.inboundRps - b.inboundRps,
  errors: (a, b) => a.errorRate - b.errorRate,
};

/** The rows the filters keep, sorted (ties by namespace, then name). */
export function applyListFilters(rows: readonly EntityRow[], f: ListFilters): EntityRow[] {
  const q = f.q.trim().toLowerCase();
  const health = new Set(f.health);
  const out = rows.filter(
    (r) =>
      (!q || r.name.toLowerCase().includes(q)) &&
      (health.size === 0 || health.has(r.health.status)) &&
      labelMatches(f.label, r.labels) &&
      (!f.missingSidecar || r.sidecar === 'none' || r.sidecar === 'some') &&
      (!f.type || r.type === f.type),
  );
  const sign = f.dir === 'desc' ? -1 : 1;
  const by = compare[f.sort];
  return out.sort((a, b) => sign * by(a, b) || text(a.namespace, b.namespace) || text(a.name, b.name));
}

/** Rates for a cell: `12.3/s`, `0.05/s`, `—` for none. */
export function rateText(rps: number): string {
  if (!(rps > 0)) return '—';
  return rps >= 10 ? `${rps.toFixed(1)}/s` : `${rps.toPrecision(2)}/s`;
}

export function errorText(share: number, rps: number): string {
  if (!(rps > 0)) return '—';
  const pct = share * 100;
  return pct > 0 && pct < 0.1 ? '< 0.1 %' : `${Math.round(pct * 10) / 10} %`;
}
