import type { InventorySnapshot, WorkloadInfo } from '../../inventory/types';
import type { TNode, TrafficMap } from '../model';

/** Nodes whose namespace was not requested (and not `unknown`) are outside. */
export function markOutside(map: TrafficMap, namespaces: readonly string[]): void {
  const selected = new Set(namespaces);
  for (const n of map.nodes.values()) {
    n.isOutside = n.namespace !== 'unknown' && !n.isServiceEntry && !n.isBox && !selected.has(n.namespace);
  }
}

/** The inventory workloads a node stands for (one for a workload node, several for an app node). */
export function workloadsOf(node: TNode, byNs: Map<string, WorkloadInfo[]>): WorkloadInfo[] {
  const list = byNs.get(node.namespace) ?? [];
  switch (node.type) {
    case 'workload':
      return list.filter((w) => w.name === node.workload);
    case 'app':
      return list.filter((w) => w.app === node.app);
    case 'versionedApp':
      return list.filter((w) => w.app === node.app && (w.version ?? 'latest') === node.version);
    default:
      return [];
  }
}

export function workloadsByNamespace(workloads: readonly WorkloadInfo[]): Map<string, WorkloadInfo[]> {
  const out = new Map<string, WorkloadInfo[]>();
  for (const w of workloads) {
    const list = out.get(w.namespace) ?? [];
    list.push(w);
    out.set(w.namespace, list);
  }
  return out;
}

const GATEWAY_NAME = /(^|-)(ingress|egress)gateway(-|$)/;

/**
 * Roots are traffic sources: nodes with outbound traffic and no inbound edge (the ingress gateway, the
 * unknown caller). Gateways come from the inventory (label `istio=ingressgateway`), or by name when the
 * workload is not in the inventory. Missing sidecar: a workload with pods lacking istio-proxy.
 */
export function markRootsGatewaysSidecars(
  map: TrafficMap,
  inventory: Pick<InventorySnapshot, 'workloads'>,
): void {
  const hasIn = new Set<string>();
  const hasOut = new Set<string>();
  for (const e of map.edges.values()) {
    hasIn.add(e.target);
    hasOut.add(e.source);
  }
  const byNs = workloadsByNamespace(inventory.workloads);
  for (const n of map.nodes.values()) {
    const wls = workloadsOf(n, byNs);
    n.isGateway =
      wls.some((w) => w.isGateway) ||
      (wls.length === 0 && GATEWAY_NAME.test(n.workload ?? n.app ?? '') && n.type !== 'service');
    n.hasMissingSidecar = wls.some((w) => !w.isGateway && w.pods > 0 && w.podsWithSidecar < w.pods);
    n.isRoot = n.type === 'unknown' || (hasOut.has(n.id) && !hasIn.has(n.id));
  }
}
