/** The graph side panel's short list of a node's recent slow and failing traces (pure). */
import type { EntityKind, GraphNode, TraceSummary } from '@meshlens/contract';

/** The entity whose traces a node stands for: its workload, service or app, by the node's type. */
export function nodeTraceEntity(n: GraphNode): { kind: EntityKind; namespace: string; name: string } | null {
  if (n.isInaccessible || n.namespace === 'unknown') return null;
  if (n.type === 'workload' && n.workload)
    return { kind: 'workloads', namespace: n.namespace, name: n.workload };
  if (n.type === 'service' && n.service) return { kind: 'services', namespace: n.namespace, name: n.service };
  if ((n.type === 'app' || n.type === 'versionedApp') && n.app)
    return { kind: 'apps', namespace: n.namespace, name: n.app };
  return null;
}

/**
 * An edge's traces are its caller's calls to the callee's service: `<service>.<namespace>` of the edge's
 * target (a service node's service; else the app's name, Istio's convention for its service). None for a
 * caller that records no client spans of its own (a service node) or a target outside any namespace.
 */
export function edgePeer(source: GraphNode, target: GraphNode): string | null {
  if (source.type === 'service' || target.isInaccessible || target.namespace === 'unknown') return null;
  const name = target.type === 'service' ? target.service : target.app;
  return name ? `${name}.${target.namespace}` : null;
}

/**
 * Failing traces first (newest first), then the slowest of the others, at most `max` in all.
 * `failing` come from an errors-only query, `recent` from an unfiltered one.
 */
export function slowAndFailing(
  failing: readonly TraceSummary[],
  recent: readonly TraceSummary[],
  max = 5,
): TraceSummary[] {
  const out = [...failing].sort((a, b) => b.startUs - a.startUs).slice(0, max);
  const seen = new Set(out.map((t) => t.id));
  const dur = (t: TraceSummary) => t.entity?.durationUs ?? t.durationUs;
  const slow = recent.filter((t) => !seen.has(t.id)).sort((a, b) => dur(b) - dur(a));
  return [...out, ...slow].slice(0, max);
}
