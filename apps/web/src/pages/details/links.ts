/** Addresses of detail pages and their tabs (pure). */
import type { EntityKind, GraphNode } from '@meshlens/contract';

export const TABS = [
  { id: 'overview', text: 'Overview' },
  { id: 'traffic', text: 'Traffic' },
  { id: 'inbound', text: 'Inbound Metrics' },
  { id: 'outbound', text: 'Outbound Metrics' },
  { id: 'traces', text: 'Traces' },
  { id: 'logs', text: 'Logs' },
] as const;
export type TabId = (typeof TABS)[number]['id'];

/** Services have no outbound metrics (their workloads call out); only workloads have pods' logs. */
export function tabsOf(kind: EntityKind): (typeof TABS)[number][] {
  return TABS.filter(
    (t) => (t.id !== 'outbound' || kind !== 'services') && (t.id !== 'logs' || kind === 'workloads'),
  );
}

export function tabOf(kind: EntityKind, segment: string | undefined): TabId {
  return tabsOf(kind).find((t) => t.id === segment)?.id ?? 'overview';
}

export function detailHref(
  kind: EntityKind,
  namespace: string,
  name: string,
  tab: TabId = 'overview',
): string {
  const base = `/namespaces/${encodeURIComponent(namespace)}/${kind}/${encodeURIComponent(name)}`;
  return tab === 'overview' ? base : `${base}/${tab}`;
}

/** The detail pages a graph node stands for: its service, workload and app, as it has them. */
export function nodeDetailLinks(n: GraphNode): { kind: EntityKind; href: string; text: string }[] {
  if (n.type === 'unknown' || n.type === 'box' || n.type === 'serviceEntry' || n.namespace === 'unknown')
    return [];
  const out: { kind: EntityKind; href: string; text: string }[] = [];
  if (n.service)
    out.push({
      kind: 'services',
      href: detailHref('services', n.namespace, n.service),
      text: `Service ${n.service}`,
    });
  if (n.workload)
    out.push({
      kind: 'workloads',
      href: detailHref('workloads', n.namespace, n.workload),
      text: `Workload ${n.workload}`,
    });
  if (n.app) out.push({ kind: 'apps', href: detailHref('apps', n.namespace, n.app), text: `App ${n.app}` });
  return out;
}
