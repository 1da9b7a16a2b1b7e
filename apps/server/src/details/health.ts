/**
 * The detail's health: the verdict the graph pipeline gave the entity's node (the health module's rules
 * on the graph's rates and inventory), so the detail page and the graph never show two colours for one
 * entity. The one place the detail reads health.
 */
import type { DetailHealth, GraphResponse } from '@meshlens/contract';

export function entityHealth(graph: GraphResponse, centre: string): DetailHealth {
  const node = graph.nodes.find((n) => n.id === centre);
  if (!node) return { status: 'NoTraffic', reasons: ['no traffic and no workload seen for it'] };
  const reasons = node.healthReason
    .split(/;\s+/)
    .map((r) => r.trim())
    .filter((r) => r.length > 0);
  return { status: node.healthStatus, reasons };
}
