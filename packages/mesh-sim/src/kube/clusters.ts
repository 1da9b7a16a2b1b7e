/**
 * Several clusters as one mesh: one watch per cluster, their inventories merged with each pod tagged with
 * the cluster it was read from (its proxies report that cluster). A Service or Istio object present in
 * several clusters (multi-primary: the same config applied to each) counts once; Endpoints add up.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { emptyInventory, type Inventory } from '../engine/inventory';
import type { ClusterWatch } from './watch';

/** The kubeconfig of each cluster: its context of the same name, or (one cluster) the current one. */
export function clusterKubeConfigs(
  kc: KubeConfig,
  clusters: readonly string[],
  file: string,
): Map<string, KubeConfig> {
  if (clusters.length === 1) return new Map([[clusters[0]!, kc]]);
  const names = kc.getContexts().map((c) => c.name);
  const missing = clusters.filter((c) => !names.includes(c));
  if (missing.length)
    throw new Error(
      `kubeconfig ${file} has no context ${missing.map((m) => JSON.stringify(m)).join(', ')} (the scenario's clusters ${clusters.join(', ')} are read through contexts of their names; it has ${names.join(', ') || 'none'})`,
    );
  return new Map(
    clusters.map((c) => {
      const one = new KubeConfig();
      one.loadFromString(kc.exportConfig());
      one.setCurrentContext(c);
      return [c, one] as const;
    }),
  );
}

const objectKey = (o: { kind?: string; metadata: { namespace?: string; name: string } }) =>
  `${o.kind ?? ''}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** One inventory from each cluster's (the first wins for objects present in several). */
export function mergeInventories(parts: readonly { cluster: string; inventory: Inventory }[]): Inventory {
  if (parts.length === 1) return parts[0]!.inventory;
  const out = emptyInventory();
  const seen = new Set<string>();
  const once = <T extends { kind?: string; metadata: { namespace?: string; name: string } }>(
    into: T[],
    items: readonly T[],
  ) => {
    for (const o of items) {
      const k = objectKey(o);
      if (seen.has(k)) continue;
      seen.add(k);
      into.push(o);
    }
  };
  for (const { cluster, inventory: inv } of parts) {
    for (const [name, labels] of inv.namespaces)
      if (!out.namespaces.has(name)) out.namespaces.set(name, labels);
    // Each cluster's copy of a Service stays: the World unions the pods they select into one host.
    out.services.push(...inv.services);
    for (const p of inv.pods) out.pods.push({ ...p, cluster });
    for (const [k, names] of inv.endpoints) out.endpoints.set(k, [...(out.endpoints.get(k) ?? []), ...names]);
    once(out.virtualServices, inv.virtualServices);
    once(out.destinationRules, inv.destinationRules);
    once(out.peerAuthentications, inv.peerAuthentications);
    once(out.serviceEntries, inv.serviceEntries);
    once(out.gateways, inv.gateways);
    once(out.authorizationPolicies, inv.authorizationPolicies);
  }
  return out;
}

/** The watches of several clusters as one. */
export function mergedWatch(watches: readonly { cluster: string; watch: ClusterWatch }[]): ClusterWatch {
  return {
    inventory: () =>
      mergeInventories(watches.map((w) => ({ cluster: w.cluster, inventory: w.watch.inventory() }))),
    takeChanged: () => watches.map((w) => w.watch.takeChanged()).some(Boolean),
    stop: async () => {
      await Promise.all(watches.map((w) => w.watch.stop()));
    },
  };
}
