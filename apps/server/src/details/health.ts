/**
 * The detail's health, the one place the detail reads it: the verdict the graph pipeline gave the
 * entity's node (the health module's rules on the graph's rates and inventory), so the detail page and
 * the graph never show two colours for one entity. Without traffic the graph has no node for it: then the
 * health module's workload rules alone, on the entity's workloads.
 */
import type { DetailHealth, GraphResponse } from '@meshlens/contract';
import { combine, NO_TRAFFIC, workloadHealth, type WorkloadState } from '../health/index';
import { isCentre } from './nodeGraph';

export function entityHealth(
  graph: GraphResponse,
  centre: string,
  workloads: readonly WorkloadState[],
): DetailHealth {
  // one node, or one per cluster the entity runs in: the worst of them, each reason naming its cluster
  const nodes = graph.nodes.filter((n) => isCentre(n.id, centre));
  if (nodes.length === 0) {
    const v = combine(NO_TRAFFIC, ...workloads.map(workloadHealth));
    return { status: v.status, reasons: v.reasons.length ? v.reasons : ['no traffic in the last 5 minutes'] };
  }
  const v = combine(
    ...nodes.map((node) => ({
      status: node.healthStatus,
      reasons: node.healthReason
        .split(/;\s+/)
        .map((r) => r.trim())
        .filter((r) => r.length > 0)
        .map((r) => (nodes.length > 1 && node.cluster ? `${node.cluster}: ${r}` : r)),
    })),
  );
  return { status: v.status, reasons: v.reasons };
}
