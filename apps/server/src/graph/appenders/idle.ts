import { nodeId, type GraphType } from '@meshlens/contract';
import type { InventorySnapshot, ServiceInfo, WorkloadInfo } from '../../inventory/types';
import { entitySeed, placed } from '../endpoints';
import { ensureEdge, ensureNode, type TrafficMap } from '../model';
import { CLUSTER_DOMAIN } from '../../inventory/hosts';

export function selects(service: ServiceInfo, workload: WorkloadInfo): boolean {
  const entries = Object.entries(service.selector);
  return (
    service.namespace === workload.namespace &&
    service.cluster === workload.cluster &&
    entries.length > 0 &&
    entries.every(([k, v]) => workload.labels[k] === v)
  );
}

/**
 * Idle nodes and edges from the inventory: every workload (as a node of the graph type) and, with service
 * nodes, every service of the selected namespaces, plus the service → workload edges the selectors imply.
 * Anything added here had no traffic in the window.
 */
export function addIdle(
  map: TrafficMap,
  inventory: Pick<InventorySnapshot, 'workloads' | 'services'>,
  namespaces: readonly string[],
  graphType: GraphType,
  injectServiceNodes: boolean,
  /** The graph spans several clusters: idle nodes are placed in their cluster (see placed()). */
  multiCluster = false,
): void {
  const selected = new Set(namespaces);
  const workloads = inventory.workloads.filter((w) => selected.has(w.namespace));
  const services = inventory.services.filter((s) => selected.has(s.namespace));
  const withServices = injectServiceNodes || graphType === 'service';
  const seedOf = (w: WorkloadInfo) => {
    const seed = entitySeed(graphType, w.namespace, w.name, w.app ?? 'unknown', w.version ?? 'unknown');
    return seed && w.cluster ? placed(seed, w.cluster, multiCluster) : seed;
  };
  if (graphType !== 'service') {
    for (const w of workloads) {
      const seed = seedOf(w);
      if (seed && !map.nodes.has(seed.id)) ensureNode(map, seed).isIdle = true;
    }
  }
  if (!withServices) return;
  const pairs = new Set([...map.edges.values()].map((e) => `${e.source}>${e.target}`));
  for (const s of services) {
    const plain = { id: nodeId.service(s.namespace, s.name), type: 'service' as const, label: s.name };
    const seed = s.cluster
      ? placed({ ...plain, namespace: s.namespace }, s.cluster, multiCluster)
      : undefined;
    const id = seed?.id ?? plain.id;
    if (!map.nodes.has(id)) {
      const node = ensureNode(map, {
        ...plain,
        id,
        namespace: s.namespace,
        service: s.name,
        ...(seed?.cluster ? { cluster: seed.cluster } : {}),
      });
      node.host = `${s.name}.${s.namespace}.svc.${CLUSTER_DOMAIN}`;
      node.isIdle = true;
    }
    if (graphType === 'service') continue;
    for (const w of workloads) {
      if (!selects(s, w)) continue;
      const seed = seedOf(w);
      if (!seed) continue;
      if (pairs.has(`${id}>${seed.id}`)) continue;
      ensureNode(map, seed);
      ensureEdge(map, id, seed.id, 'http');
      pairs.add(`${id}>${seed.id}`);
    }
  }
}
