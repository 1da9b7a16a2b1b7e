/**
 * Range series as one user may see them. Grouped by a caller's or a callee's labels (`source_*`,
 * `destination_*`), a series names a peer; a peer in a namespace the user may not read keeps its
 * traffic and loses its names: each of its side's labels becomes `no access` (as the graph's
 * `inaccessible` node), and series that become alike are one (rates summed; a response time or size,
 * the larger).
 */
import type { MetricGroupLabel, MetricSeries, MetricsResponse } from '@meshlens/contract';

export const NO_ACCESS = 'no access';

const SIDES = ['source', 'destination'] as const;
type Side = (typeof SIDES)[number];

/** The labels that say which namespace a side's peer is in. */
const NAMESPACE_LABELS: Record<Side, MetricGroupLabel[]> = {
  source: ['source_workload_namespace'],
  destination: ['destination_workload_namespace', 'destination_service_namespace'],
};

const sideOf = (label: string): Side | undefined => SIDES.find((side) => label.startsWith(`${side}_`));

/**
 * The grouping to ask Prometheus for: the one asked, plus the namespace labels of each side it groups
 * by (so that every series says where its peers are).
 */
export function withNamespaceLabels(byLabels: readonly MetricGroupLabel[]): MetricGroupLabel[] {
  const out = new Set(byLabels);
  for (const side of SIDES)
    if (byLabels.some((l) => sideOf(l) === side)) for (const l of NAMESPACE_LABELS[side]) out.add(l);
  return [...out];
}

/** The namespaces the series' peers are in (`unknown`: outside the mesh, no namespace). */
export function peerNamespaces(r: MetricsResponse): string[] {
  const out = new Set<string>();
  for (const series of Object.values(r.metrics))
    for (const s of series ?? [])
      for (const side of SIDES)
        for (const l of NAMESPACE_LABELS[side]) {
          const ns = s.labels[l];
          if (ns && ns !== 'unknown') out.add(ns);
        }
  return [...out];
}

/**
 * The answer for a user who may read `readable` only, grouped as `asked` (the labels withNamespaceLabels
 * added are left out again).
 */
export function hideUnreadablePeers(
  r: MetricsResponse,
  readable: 'all' | ReadonlySet<string>,
  asked: readonly string[],
): MetricsResponse {
  const keep = new Set<string>([...asked, ...(r.reporter === 'both' ? ['reporter'] : [])]);
  const hidden = (ns: string | undefined) =>
    readable !== 'all' && ns !== undefined && ns !== 'unknown' && !readable.has(ns);
  const metrics: MetricsResponse['metrics'] = {};
  for (const [chart, series] of Object.entries(r.metrics) as [
    keyof MetricsResponse['metrics'],
    MetricSeries[] | undefined,
  ][]) {
    if (!series) continue;
    const merged = new Map<string, MetricSeries>();
    for (const s of series) {
      const blind = SIDES.filter((side) => NAMESPACE_LABELS[side].some((l) => hidden(s.labels[l])));
      const labels: Record<string, string> = {};
      for (const [k, v] of Object.entries(s.labels)) {
        const side = sideOf(k);
        if (side && !keep.has(k)) continue;
        labels[k] = side && blind.includes(side) ? NO_ACCESS : v;
      }
      const key = `${s.stat ?? ''}\u0000${JSON.stringify(Object.entries(labels).sort())}`;
      const known = merged.get(key);
      if (!known) {
        merged.set(key, { ...s, labels });
        continue;
      }
      // A rate adds up; a response time or size (a histogram's statistic) does not: the larger.
      const histogram = s.stat !== undefined && chart !== 'grpc_status';
      known.values = known.values.map((a, i) => {
        const b = s.values[i] ?? null;
        if (a === null || b === null) return a ?? b;
        return histogram ? Math.max(a, b) : a + b;
      });
    }
    metrics[chart] = [...merged.values()];
  }
  return { ...r, byLabels: r.byLabels.filter((l) => keep.has(l) || !sideOf(l)), metrics };
}
