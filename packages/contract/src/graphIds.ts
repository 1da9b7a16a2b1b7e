/**
 * Stable Cytoscape ids. They depend only on the entity, never on the query, so a refresh keeps the
 * same elements and the web app can diff them.
 */
export const nodeId = {
  workload: (namespace: string, workload: string) => `wl:${namespace}/${workload}`,
  app: (namespace: string, app: string) => `app:${namespace}/${app}`,
  versionedApp: (namespace: string, app: string, version: string) => `vapp:${namespace}/${app}/${version}`,
  service: (namespace: string, service: string) => `svc:${namespace}/${service}`,
  serviceEntry: (host: string) => `se:${host}`,
  unknown: () => 'unknown',
  namespaceBox: (namespace: string) => `box:ns:${namespace}`,
  appBox: (namespace: string, app: string) => `box:app:${namespace}/${app}`,
  /** The compound box of one cluster (drawn around its namespace boxes when the graph spans several). */
  clusterBox: (cluster: string) => `box:cluster:${cluster}`,
  /**
   * A node's id in a graph that spans several clusters: its single-cluster id with `@<cluster>`, e.g.
   * `svc:bookinfo/reviews@west`, so the same service in two clusters is two nodes. A graph of one cluster
   * keeps the plain ids.
   */
  inCluster: (id: string, cluster: string) => `${id}@${cluster}`,
} as const;

/**
 * Whether `id` is the node `base` stands for: `base` itself, or `base` in one cluster of a graph that spans
 * several (`<base>@<cluster>`, see nodeId.inCluster), but not a longer id that only starts like it.
 */
export function isNodeOf(id: string, base: string): boolean {
  return id === base || (id.startsWith(base) && id.charAt(base.length) === '@');
}

/** Edge id: `<source>><target>:<protocol>`, e.g. `wl:bookinfo/productpage-v1>svc:bookinfo/reviews:http`. */
export function edgeId(source: string, target: string, protocol: string): string {
  return `${source}>${target}:${protocol}`;
}
