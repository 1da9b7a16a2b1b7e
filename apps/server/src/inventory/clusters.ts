/**
 * The inventory of a mesh over several clusters, as Kiali reads remote clusters: one informer cache per
 * cluster (each with its own watches, backoff and failures), read as one. Workloads and services carry
 * the cluster they run in; a namespace present in several clusters is listed once. The home cluster (the
 * console's own) decides `synced` and `failing` as before; every other cluster reports its own state in
 * `clusters`, so one cluster down is a warning naming it while the others are still served.
 */
import type { Inventory } from './informers';
import type { ClusterState, InventorySnapshot } from './types';

export interface NamedInventory {
  name: string;
  inventory: Inventory;
}

export function combineInventories(home: NamedInventory, others: readonly NamedInventory[]): Inventory {
  if (others.length === 0) return home.inventory;
  const all = [home, ...others];
  let cached: { parts: InventorySnapshot[]; snapshot: InventorySnapshot } | undefined;
  return {
    snapshot() {
      const parts = all.map((c) => c.inventory.snapshot());
      // Each cache returns the same snapshot object until something changed: so does this one.
      if (cached && cached.parts.every((p, i) => p === parts[i])) return cached.snapshot;
      const snapshot = mergeSnapshots(all.map((c, i) => ({ name: c.name, snapshot: parts[i]! })));
      cached = { parts, snapshot };
      return snapshot;
    },
    // Raw objects (detail routes, Istio config) stay the home cluster's.
    list: (kind) => home.inventory.list(kind),
    async waitForSync(timeoutMs) {
      const synced = await Promise.all(all.map((c) => c.inventory.waitForSync(timeoutMs)));
      return synced.every(Boolean);
    },
    ping: () => home.inventory.ping(),
    async close() {
      await Promise.all(all.map((c) => c.inventory.close()));
    },
  };
}

/** Several clusters' snapshots as one; the first is the home cluster's. */
export function mergeSnapshots(
  parts: readonly { name: string; snapshot: InventorySnapshot }[],
): InventorySnapshot {
  const [home] = parts;
  if (!home) throw new Error('mergeSnapshots: no cluster');
  const namespaces = new Map<string, InventorySnapshot['namespaces'][number]>();
  const serviceEntries = new Map<string, InventorySnapshot['serviceEntries'][number]>();
  const hostConfig: InventorySnapshot['hostConfig'] = {};
  const clusters: ClusterState[] = [];
  const out: InventorySnapshot = {
    synced: home.snapshot.synced,
    failing: home.snapshot.failing,
    namespaces: [],
    workloads: [],
    services: [],
    serviceEntries: [],
    hostConfig,
    clusters,
  };
  for (const { name, snapshot: s } of parts) {
    clusters.push({ name, synced: s.synced, failing: s.failing });
    for (const n of s.namespaces) if (!namespaces.has(n.name)) namespaces.set(n.name, n);
    for (const w of s.workloads) out.workloads.push({ ...w, cluster: name });
    for (const svc of s.services) out.services.push({ ...svc, cluster: name });
    for (const se of s.serviceEntries) {
      const key = `${se.namespace}/${se.name}`;
      if (!serviceEntries.has(key)) serviceEntries.set(key, se);
    }
    for (const [host, config] of Object.entries(s.hostConfig)) hostConfig[host] ??= config;
  }
  out.namespaces = [...namespaces.values()];
  out.serviceEntries = [...serviceEntries.values()];
  return out;
}

/** The warnings of clusters other than the home one that are not (fully) read: one per cluster, naming it. */
export function clusterWarnings(snapshot: InventorySnapshot): { code: string; message: string }[] {
  const out: { code: string; message: string }[] = [];
  for (const c of (snapshot.clusters ?? []).slice(1)) {
    if (c.failing.length)
      out.push({
        code: 'ClusterUnavailable',
        message: `cluster ${c.name}: watches of ${c.failing.join(', ')} are failing (reconnecting); its workloads and services may be missing or stale`,
      });
    else if (!c.synced)
      out.push({
        code: 'ClusterNotSynced',
        message: `cluster ${c.name}: the inventory is still loading; its idle nodes and badges may be missing`,
      });
  }
  return out;
}
