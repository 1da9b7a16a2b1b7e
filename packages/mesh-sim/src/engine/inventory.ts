/**
 * What the simulator knows about the cluster: namespaces, services, pods and the Istio objects in force.
 * Filled from informers at run time, or derived from a scenario's objects directly (unit tests, benchmark)
 * by doing what the cluster's controllers would do (Deployment -> Pods, sidecar injection).
 */
import type { KubeObject } from '../scenario/load';
import { HISTOGRAM_BUCKETS_ANNOTATION } from '../metrics/telemetry';

/**
 * The simulator's own knob on a pod: the share of requests its app answers with an error (0–1), over the
 * scenario's errorRate — how a demo makes a new version bad at run time (patch the Deployment's template).
 */
export const ERROR_RATE_ANNOTATION = 'mesh-sim.meshlens.io/error-rate';

/** The annotations the simulation reads (proxy and mesh-sim's own), or undefined when it has none. */
function proxyAnnotations(all: Record<string, string>): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const k of [HISTOGRAM_BUCKETS_ANNOTATION, ERROR_RATE_ANNOTATION])
    if (all[k] !== undefined) out[k] = all[k];
  return Object.keys(out).length ? out : undefined;
}

const withAnnotations = (all: Record<string, string>) => {
  const annotations = proxyAnnotations(all);
  return annotations ? { annotations } : {};
};

export interface PodView {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  ready: boolean;
  /** Has an istio-proxy sidecar. */
  sidecar: boolean;
  serviceAccount: string;
  /** Owning workload (Deployment) name. */
  workload: string;
  /** The cluster it was read from (multi-cluster scenarios); else the scenario's workload says. */
  cluster?: string;
  /** The pod's annotations that the simulated proxy reads (sidecar.istio.io/statsHistogramBuckets). */
  annotations?: Record<string, string>;
  /** Container names (the app's first, as in the pod spec) and the pod IP: for the access and app logs. */
  containers?: string[];
  ip?: string;
}

export interface ServicePortView {
  port: number;
  name?: string;
  appProtocol?: string;
}

export interface ServiceView {
  name: string;
  namespace: string;
  selector?: Record<string, string>;
  ports: ServicePortView[];
  clusterIP?: string;
}

export type IstioObject = KubeObject & { spec?: Record<string, unknown> };

export interface Inventory {
  namespaces: Map<string, Record<string, string>>;
  services: ServiceView[];
  pods: PodView[];
  virtualServices: IstioObject[];
  destinationRules: IstioObject[];
  peerAuthentications: IstioObject[];
  serviceEntries: IstioObject[];
  gateways: IstioObject[];
  authorizationPolicies: IstioObject[];
  /**
   * Ready pod names per service (`namespace/name`), from Endpoints objects when the cluster has them;
   * services without an entry fall back to their selector over ready pods.
   */
  endpoints: Map<string, string[]>;
}

export const emptyInventory = (): Inventory => ({
  namespaces: new Map(),
  services: [],
  pods: [],
  virtualServices: [],
  destinationRules: [],
  peerAuthentications: [],
  serviceEntries: [],
  gateways: [],
  authorizationPolicies: [],
  endpoints: new Map(),
});

type AnyObj = Record<string, unknown>;
const obj = (x: unknown): AnyObj => (x && typeof x === 'object' ? (x as AnyObj) : {});
const strMap = (x: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(x))) if (typeof v === 'string') out[k] = v;
  return out;
};

/** The Deployment a pod belongs to, from its owner ReplicaSet (name minus the template hash). */
export function workloadNameOf(pod: KubeObject): string {
  const labels = pod.metadata.labels ?? {};
  const owners = (pod.metadata.ownerReferences as { kind?: string; name?: string }[] | undefined) ?? [];
  const owner = owners[0];
  const hash = labels['pod-template-hash'];
  if (owner?.name) {
    if (owner.kind === 'ReplicaSet') {
      if (hash && owner.name.endsWith(`-${hash}`)) return owner.name.slice(0, -hash.length - 1);
      return owner.name.replace(/-[a-z0-9]+$/, '');
    }
    return owner.name;
  }
  if (hash) {
    const i = pod.metadata.name.indexOf(`-${hash}`);
    if (i > 0) return pod.metadata.name.slice(0, i);
  }
  return pod.metadata.name.replace(/-[a-z0-9]{5}$/, '');
}

export function podView(pod: KubeObject): PodView {
  const spec = obj(pod.spec);
  const status = obj(pod.status);
  const containers = (spec.containers as { name?: string }[] | undefined) ?? [];
  const annotations = strMap(pod.metadata.annotations);
  const conditions = (status.conditions as { type?: string; status?: string }[] | undefined) ?? [];
  const readyCond = conditions.find((c) => c.type === 'Ready');
  const ready = readyCond
    ? readyCond.status === 'True'
    : status.phase === 'Running' || status.phase === undefined;
  return {
    name: pod.metadata.name,
    namespace: pod.metadata.namespace ?? 'default',
    labels: { ...(pod.metadata.labels ?? {}) },
    ready,
    sidecar: containers.some((c) => c.name === 'istio-proxy') || 'sidecar.istio.io/status' in annotations,
    serviceAccount: (spec.serviceAccountName as string | undefined) ?? 'default',
    workload: workloadNameOf(pod),
    ...withAnnotations(annotations),
    containers: containers.flatMap((c) => (c.name ? [c.name] : [])),
    ...(typeof status.podIP === 'string' ? { ip: status.podIP } : {}),
  };
}

export function serviceView(svc: KubeObject): ServiceView {
  const spec = obj(svc.spec);
  const ports = ((spec.ports as AnyObj[] | undefined) ?? []).map((p) => ({
    port: Number(p.port),
    ...(typeof p.name === 'string' ? { name: p.name } : {}),
    ...(typeof p.appProtocol === 'string' ? { appProtocol: p.appProtocol } : {}),
  }));
  const selector = spec.selector ? strMap(spec.selector) : undefined;
  return {
    name: svc.metadata.name,
    namespace: svc.metadata.namespace ?? 'default',
    ...(selector ? { selector } : {}),
    ports,
    ...(typeof spec.clusterIP === 'string' && spec.clusterIP !== 'None' ? { clusterIP: spec.clusterIP } : {}),
  };
}

/** Adds one object to an inventory (used for both static and informer-fed inventories). */
export function addObject(inv: Inventory, o: KubeObject): void {
  switch (o.kind) {
    case 'Namespace':
      inv.namespaces.set(o.metadata.name, { ...(o.metadata.labels ?? {}) });
      break;
    case 'Service':
      inv.services.push(serviceView(o));
      break;
    case 'Pod':
      inv.pods.push(podView(o));
      break;
    case 'VirtualService':
      inv.virtualServices.push(o);
      break;
    case 'DestinationRule':
      inv.destinationRules.push(o);
      break;
    case 'PeerAuthentication':
      inv.peerAuthentications.push(o);
      break;
    case 'ServiceEntry':
      inv.serviceEntries.push(o);
      break;
    case 'Gateway':
      inv.gateways.push(o);
      break;
    case 'AuthorizationPolicy':
      inv.authorizationPolicies.push(o);
      break;
    case 'Endpoints': {
      const subsets =
        (o.subsets as { addresses?: { targetRef?: { kind?: string; name?: string } }[] }[]) ?? [];
      const names = subsets.flatMap((sub) =>
        (sub.addresses ?? []).flatMap((a) =>
          a.targetRef?.kind === 'Pod' && a.targetRef.name ? [a.targetRef.name] : [],
        ),
      );
      inv.endpoints.set(`${o.metadata.namespace ?? 'default'}/${o.metadata.name}`, names);
      break;
    }
  }
}

/**
 * An inventory from a list of objects, with each Deployment expanded into its ready Pods (labels from the
 * template, an istio-proxy container when the namespace has istio-injection=enabled), as a cluster would.
 */
export function inventoryFromObjects(objects: KubeObject[]): Inventory {
  const inv = emptyInventory();
  for (const o of objects) {
    if (o.kind === 'Namespace' && !o.metadata.namespace) addObject(inv, o);
  }
  for (const o of objects) {
    if (!o.metadata.namespace && o.kind !== 'Namespace') o.metadata.namespace = 'default';
    if (o.kind === 'Deployment') {
      const spec = obj(o.spec);
      const template = obj(spec.template);
      const labels = strMap(obj(template.metadata).labels);
      const podAnnotations = strMap(obj(template.metadata).annotations);
      const podSpec = obj(template.spec);
      const ns = o.metadata.namespace!;
      const injected = inv.namespaces.get(ns)?.['istio-injection'] === 'enabled';
      const optOut = labels['sidecar.istio.io/inject'] === 'false';
      const replicas = spec.replicas === undefined ? 1 : Number(spec.replicas);
      for (let i = 0; i < replicas; i++)
        inv.pods.push({
          name: `${o.metadata.name}-7d9f8c6b5-${String.fromCharCode(97 + (i % 26))}${i}x0z`,
          namespace: ns,
          labels: { ...labels },
          ready: true,
          sidecar: injected && !optOut,
          serviceAccount: (podSpec.serviceAccountName as string | undefined) ?? 'default',
          workload: o.metadata.name,
          ...withAnnotations(podAnnotations),
          containers: [
            ...((podSpec.containers as { name?: string }[] | undefined) ?? []).flatMap((c) =>
              c.name ? [c.name] : [],
            ),
            ...(injected && !optOut ? ['istio-proxy'] : []),
          ],
        });
    } else if (o.kind !== 'Namespace') addObject(inv, o);
  }
  return inv;
}
