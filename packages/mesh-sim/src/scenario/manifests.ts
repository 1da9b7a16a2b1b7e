/** The Kubernetes and Istio objects a scenario creates in the cluster. */
import { loadManifests, type KubeObject } from './load';
import { scenarioClusters, workloadCluster, type Scenario, type WorkloadSpec } from './schema';

const key = (o: KubeObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export function podLabels(w: WorkloadSpec): Record<string, string> {
  return { app: w.app, ...(w.version ? { version: w.version } : {}), ...w.labels };
}

function deployment(w: WorkloadSpec): KubeObject {
  const labels = podLabels(w);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: w.name, namespace: w.namespace, labels },
    spec: {
      replicas: w.replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels, ...(Object.keys(w.annotations).length ? { annotations: w.annotations } : {}) },
        spec: {
          serviceAccountName: w.serviceAccount ?? w.app,
          containers: [{ name: w.app, image: `docker.io/meshlens/sim-${w.role}:latest` }],
        },
      },
    },
  };
}

/** Every object the scenario needs, in an order a cluster accepts (namespaces first). */
export function scenarioObjects(s: Scenario): KubeObject[] {
  const manifests = loadManifests(s);
  const have = new Set(manifests.map(key));
  const out: KubeObject[] = s.namespaces.map((ns) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: ns.name,
      labels: ns.injection ? { 'istio-injection': 'enabled' } : ({} as Record<string, string>),
    },
  }));
  const add = (o: KubeObject) => {
    if (have.has(key(o))) return;
    have.add(key(o));
    out.push(o);
  };
  for (const svc of s.services)
    add({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: svc.name,
        namespace: svc.namespace,
        labels: { app: svc.app ?? svc.name, service: svc.name },
      },
      spec: {
        selector: { app: svc.app ?? svc.name },
        ports: svc.ports.map((p) => ({
          port: p.port,
          targetPort: p.targetPort ?? p.port,
          name: p.name ?? p.protocol,
          appProtocol: p.protocol,
          protocol: 'TCP',
        })),
      },
    });
  for (const w of s.workloads) {
    // Workloads whose Deployment comes from a manifest (Bookinfo) only add behaviour.
    if (have.has(`Deployment/${w.namespace}/${w.name}`)) continue;
    const sa = w.serviceAccount ?? w.app;
    add({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace: w.namespace } });
    add(deployment(w));
  }
  for (const e of s.externalServices)
    add({
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: e.name, namespace: e.namespace },
      spec: {
        hosts: [e.host],
        location: 'MESH_EXTERNAL',
        resolution: 'DNS',
        ports: [{ number: e.port, name: `${e.protocol}-ext`, protocol: e.protocol.toUpperCase() }],
      },
    });
  for (const o of s.istioObjects) add(o as KubeObject);
  // Manifest objects after the namespaces, in file order.
  return [...out.slice(0, s.namespaces.length), ...manifests, ...out.slice(s.namespaces.length)];
}

/**
 * The objects of each cluster of the scenario (a single-cluster scenario: one entry, every object). As in
 * a multi-primary mesh, namespaces, Services, ServiceAccounts and Istio objects exist in every cluster;
 * a Deployment only in the cluster of its workload.
 */
export function scenarioObjectsByCluster(s: Scenario): Map<string, KubeObject[]> {
  const all = scenarioObjects(s);
  const clusters = scenarioClusters(s);
  if (clusters.length === 1) return new Map([[clusters[0]!, all]]);
  const home = new Map(s.workloads.map((w) => [`${w.namespace}/${w.name}`, workloadCluster(s, w)]));
  return new Map(
    clusters.map((c) => [
      c,
      all.filter(
        (o) =>
          o.kind !== 'Deployment' ||
          (home.get(`${o.metadata.namespace}/${o.metadata.name}`) ?? s.cluster) === c,
      ),
    ]),
  );
}
