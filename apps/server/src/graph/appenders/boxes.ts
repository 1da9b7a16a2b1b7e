import { nodeId, type BoxBy, type HealthStatus } from '@meshlens/contract';
import { newNode, type TNode, type TrafficMap } from '../model';

const RANK: Record<HealthStatus, number> = { Failure: 4, Degraded: 3, NotReady: 2, Healthy: 1, NoTraffic: 0 };

/**
 * Compound parents: one box per namespace, or per app (grouping an app's versions, workloads and its
 * service of the same name). `unknown` and service entries are never boxed. A box takes the worst health
 * of its children.
 */
export function applyBoxes(map: TrafficMap, boxBy: BoxBy): void {
  if (boxBy === 'none') return;
  const boxes = new Map<string, TNode>();
  // Over several clusters, each cluster's namespace (or app) gets its own box.
  const clusters = new Set<string>();
  for (const n of map.nodes.values()) if (n.cluster) clusters.add(n.cluster);
  const inCluster = (id: string, n: TNode) =>
    clusters.size > 1 && n.cluster ? nodeId.inCluster(id, n.cluster) : id;
  for (const n of [...map.nodes.values()]) {
    if (n.type === 'unknown' || n.isServiceEntry || n.isBox) continue;
    let id: string;
    let label: string;
    if (boxBy === 'namespace') {
      id = inCluster(nodeId.namespaceBox(n.namespace), n);
      label = n.namespace;
    } else {
      const app = n.type === 'service' ? n.service : n.app;
      if (!app || n.type === 'app') continue;
      id = inCluster(nodeId.appBox(n.namespace, app), n);
      label = app;
    }
    let box = boxes.get(id);
    if (!box) {
      box = newNode({
        id,
        type: 'box',
        label,
        namespace: n.namespace,
        ...(n.cluster ? { cluster: n.cluster } : {}),
      });
      box.isBox = true;
      box.boxType = boxBy;
      if (boxBy === 'app') box.app = label;
      box.isOutside = n.isOutside;
      box.isIdle = true;
      boxes.set(id, box);
    }
    n.parent = id;
    box.isIdle &&= n.isIdle;
    if (RANK[n.healthStatus] > RANK[box.healthStatus]) {
      box.healthStatus = n.healthStatus;
      box.healthReason = n.healthReason ? `${n.label}: ${n.healthReason}` : '';
    }
  }
  if (boxBy === 'app') {
    // An app box around a single node adds nothing: drop it.
    const count = new Map<string, number>();
    for (const n of map.nodes.values()) if (n.parent) count.set(n.parent, (count.get(n.parent) ?? 0) + 1);
    for (const [id, c] of count) {
      if (c > 1) continue;
      boxes.delete(id);
      for (const n of map.nodes.values()) if (n.parent === id) n.parent = undefined;
    }
  }
  for (const box of boxes.values()) map.nodes.set(box.id, box);
}
