import type { InventorySnapshot, WorkloadInfo } from '../../inventory/types';
import type { TNode, TrafficMap } from '../model';

/** Nodes whose namespace was not requested (and not `unknown`) are outside. */
export function markOutside(map: TrafficMap, namespaces: readonly string[]): void {
  const selected = new Set(namespaces);
  for (const n of map.nodes.values()) {
    n.isOutside = n.namespace !== 'unknown' && !n.isServiceEntry && !n.isBox && !selected.has(n.namespace);
  }
}

/** Workloads by namespace + name / app / app + version, in inventory order: node lookups without scans. */
export interface WorkloadIndex {
  byName: Map<string, WorkloadInfo[]>;
  byApp: Map<string, WorkloadInfo[]>;
  byAppVersion: Map<string, WorkloadInfo[]>;
}

const NO_WORKLOADS: WorkloadInfo[] = [];

/** The inventory workloads a node stands for (one for a workload node, several for an app node). */
export function workloadsOf(node: TNode, index: WorkloadIndex): readonly WorkloadInfo[] {
  switch (node.type) {
    case 'workload':
      return index.byName.get(`${node.namespace}\u0000${node.workload}`) ?? NO_WORKLOADS;
    case 'app':
      return index.byApp.get(`${node.namespace}\u0000${node.app}`) ?? NO_WORKLOADS;
    case 'versionedApp':
      return (
        index.byAppVersion.get(`${node.namespace}\u0000${node.app}\u0000${node.version}`) ?? NO_WORKLOADS
      );
    default:
      return NO_WORKLOADS;
  }
}

export function indexWorkloads(workloads: readonly WorkloadInfo[]): WorkloadIndex {
  const index: WorkloadIndex = { byName: new Map(), byApp: new Map(), byAppVersion: new Map() };
  const add = (m: Map<string, WorkloadInfo[]>, key: string, w: WorkloadInfo) => {
    const list = m.get(key);
    if (list) list.push(w);
    else m.set(key, [w]);
  };
  for (const w of workloads) {
    add(index.byName, `${w.namespace}\u0000${w.name}`, w);
    if (w.app === undefined) continue;
    add(index.byApp, `${w.namespace}\u0000${w.app}`, w);
    add(index.byAppVersion, `${w.namespace}\u0000${w.app}\u0000${w.version ?? 'latest'}`, w);
  }
  return index;
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
  const byNs = indexWorkloads(inventory.workloads);
  for (const n of map.nodes.values()) {
    const wls = workloadsOf(n, byNs);
    n.isGateway =
      wls.some((w) => w.isGateway) ||
      (wls.length === 0 && GATEWAY_NAME.test(n.workload ?? n.app ?? '') && n.type !== 'service');
    n.hasMissingSidecar = wls.some((w) => !w.isGateway && w.pods > 0 && w.podsWithSidecar < w.pods);
    n.isRoot = n.type === 'unknown' || (hasOut.has(n.id) && !hasIn.has(n.id));
  }
}
