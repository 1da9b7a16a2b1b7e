import { mergeConfig, NO_CONFIG, resolveHost } from './hosts';
import type {
  HostConfig,
  InventorySnapshot,
  NamespaceInfo,
  ServiceEntryInfo,
  ServiceInfo,
  WorkloadInfo,
} from './types';

/** Kubernetes objects as the informers hold them (typed client objects or plain JSON). */
export interface RawObject {
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string | Date;
    ownerReferences?: { kind?: string; name?: string; controller?: boolean }[];
  };
  spec?: unknown;
  status?: unknown;
}

export interface RawInventory {
  namespaces: RawObject[];
  services: RawObject[];
  deployments: RawObject[];
  replicasets: RawObject[];
  pods: RawObject[];
  serviceentries: RawObject[];
  virtualservices: RawObject[];
  destinationrules: RawObject[];
}

type Dict = Record<string, unknown>;
const asDict = (v: unknown): Dict => (v && typeof v === 'object' ? (v as Dict) : {});
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const meta = (o: RawObject) => ({
  name: o.metadata?.name ?? '',
  namespace: o.metadata?.namespace ?? '',
  labels: o.metadata?.labels ?? {},
  annotations: o.metadata?.annotations ?? {},
});
const iso = (t: string | Date | undefined) =>
  t === undefined ? undefined : t instanceof Date ? t.toISOString() : String(t);

export function appOf(labels: Record<string, string>): string | undefined {
  return labels['service.istio.io/canonical-name'] ?? labels['app.kubernetes.io/name'] ?? labels.app;
}
/** Istio's canonical revision: the version label, else `latest`. */
export function versionOf(labels: Record<string, string>): string {
  return (
    labels['service.istio.io/canonical-revision'] ??
    labels['app.kubernetes.io/version'] ??
    labels.version ??
    'latest'
  );
}
export function isGatewayLabels(labels: Record<string, string>): boolean {
  const istio = labels.istio ?? '';
  return (
    istio === 'ingressgateway' ||
    istio === 'egressgateway' ||
    labels['gateway.istio.io/managed'] !== undefined
  );
}

function hasSidecar(pod: RawObject): boolean {
  const spec = asDict(pod.spec);
  const names = [...asArray(spec.containers), ...asArray(spec.initContainers)].map((c) => asDict(c).name);
  return names.includes('istio-proxy');
}

function isPodReady(pod: RawObject): boolean {
  const conditions = asArray(asDict(pod.status).conditions);
  return conditions.some((c) => asDict(c).type === 'Ready' && asDict(c).status === 'True');
}

function podOwner(pod: RawObject, rsOwner: Map<string, string>): { kind: string; name: string } {
  const { name, namespace } = meta(pod);
  const ref = pod.metadata?.ownerReferences?.find((r) => r.controller !== false);
  if (!ref?.name) return { kind: 'Pod', name };
  if (ref.kind === 'ReplicaSet') {
    const deploy = rsOwner.get(`${namespace}/${ref.name}`);
    if (deploy) return { kind: 'Deployment', name: deploy };
    // Without the ReplicaSet object, strip the pod-template hash as Istio does.
    const m = /^(.*)-[a-z0-9]{5,10}$/.exec(ref.name);
    return { kind: 'Deployment', name: m?.[1] ?? ref.name };
  }
  return { kind: ref.kind ?? 'Pod', name: ref.name };
}

function deriveWorkloads(raw: RawInventory): WorkloadInfo[] {
  const rsOwner = new Map<string, string>();
  for (const rs of raw.replicasets) {
    const { name, namespace } = meta(rs);
    const ref = rs.metadata?.ownerReferences?.find((r) => r.kind === 'Deployment');
    if (ref?.name) rsOwner.set(`${namespace}/${name}`, ref.name);
  }
  const workloads = new Map<string, WorkloadInfo>();
  for (const d of raw.deployments) {
    const { name, namespace, annotations } = meta(d);
    const spec = asDict(d.spec);
    const status = asDict(d.status);
    const labels = (asDict(asDict(spec.template).metadata).labels ?? {}) as Record<string, string>;
    workloads.set(`${namespace}/${name}`, {
      namespace,
      name,
      kind: 'Deployment',
      labels,
      annotations,
      app: appOf(labels),
      version: versionOf(labels),
      desired: typeof spec.replicas === 'number' ? spec.replicas : 1,
      available: typeof status.availableReplicas === 'number' ? status.availableReplicas : undefined,
      pods: 0,
      podsReady: 0,
      podsWithSidecar: 0,
      isGateway: isGatewayLabels(labels),
    });
  }
  for (const pod of raw.pods) {
    const { namespace, labels, annotations } = meta(pod);
    const owner = podOwner(pod, rsOwner);
    const key = `${namespace}/${owner.name}`;
    let wl = workloads.get(key);
    if (!wl) {
      wl = {
        namespace,
        name: owner.name,
        kind: owner.kind,
        labels,
        annotations,
        app: appOf(labels),
        version: versionOf(labels),
        pods: 0,
        podsReady: 0,
        podsWithSidecar: 0,
        isGateway: isGatewayLabels(labels),
      };
      workloads.set(key, wl);
    }
    wl.pods += 1;
    if (isPodReady(pod)) wl.podsReady = (wl.podsReady ?? 0) + 1;
    if (hasSidecar(pod)) wl.podsWithSidecar += 1;
  }
  return [...workloads.values()].sort(
    (a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name),
  );
}

/** Badges one VirtualService gives each of its hosts. */
export function virtualServiceConfig(spec: unknown): Partial<HostConfig> {
  const s = asDict(spec);
  const out: Partial<HostConfig> = { hasVS: true };
  for (const r of asArray(s.http)) {
    const route = asDict(r);
    const dests = asArray(route.route);
    if (dests.length > 1) out.hasTrafficShifting = true;
    if (asArray(route.match).length > 0) out.hasRequestRouting = true;
    if (route.fault) out.hasFaultInjection = true;
    if (route.timeout) out.hasTimeout = true;
    if (route.retries && asDict(route.retries).attempts !== 0) out.hasRetries = true;
    if (route.mirror || asArray(route.mirrors).length > 0) out.hasMirroring = true;
  }
  for (const r of asArray(s.tcp)) {
    if (asArray(asDict(r).route).length > 1) out.hasTrafficShifting = true;
  }
  return out;
}

function policyHasCircuitBreaker(policy: unknown): boolean {
  const p = asDict(policy);
  if (p.connectionPool || p.outlierDetection) return true;
  return asArray(p.portLevelSettings).some((pl) => asDict(pl).connectionPool || asDict(pl).outlierDetection);
}

export function destinationRuleConfig(spec: unknown): Partial<HostConfig> {
  const s = asDict(spec);
  const cb =
    policyHasCircuitBreaker(s.trafficPolicy) ||
    asArray(s.subsets).some((sub) => policyHasCircuitBreaker(asDict(sub).trafficPolicy));
  return { hasDR: true, hasCircuitBreaker: cb };
}

function deriveHostConfig(raw: RawInventory): Record<string, HostConfig> {
  const out: Record<string, HostConfig> = {};
  const add = (host: string, config: Partial<HostConfig>) => {
    out[host] = mergeConfig(out[host] ?? NO_CONFIG, config);
  };
  for (const vs of raw.virtualservices) {
    const ns = meta(vs).namespace;
    const config = virtualServiceConfig(vs.spec);
    // A bare `*` (typical of gateway-bound VirtualServices) would badge every service: skip it.
    for (const h of asArray(asDict(vs.spec).hosts))
      if (String(h) !== '*') add(resolveHost(String(h), ns), config);
  }
  for (const dr of raw.destinationrules) {
    const ns = meta(dr).namespace;
    const host = asDict(dr.spec).host;
    if (typeof host === 'string') add(resolveHost(host, ns), destinationRuleConfig(dr.spec));
  }
  return out;
}

/** Raw informer contents → the snapshot the graph pipeline reads. Pure. */
export function deriveSnapshot(
  raw: RawInventory,
  synced: boolean,
  failing: string[] = [],
): InventorySnapshot {
  const namespaces: NamespaceInfo[] = raw.namespaces
    .map((n) => {
      const { name, labels, annotations } = meta(n);
      return { name, labels, annotations, createdAt: iso(n.metadata?.creationTimestamp) };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  const services: ServiceInfo[] = raw.services
    .map((s) => {
      const { name, namespace, labels, annotations } = meta(s);
      const selector = (asDict(s.spec).selector ?? {}) as Record<string, string>;
      return { name, namespace, labels, annotations, selector };
    })
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  const serviceEntries: ServiceEntryInfo[] = raw.serviceentries.map((se) => {
    const { name, namespace } = meta(se);
    const spec = asDict(se.spec);
    return {
      name,
      namespace,
      hosts: asArray(spec.hosts).map((h) => String(h).toLowerCase()),
      location: typeof spec.location === 'string' ? spec.location : 'MESH_EXTERNAL',
    };
  });
  return {
    synced,
    namespaces,
    workloads: deriveWorkloads(raw),
    services,
    serviceEntries,
    hostConfig: deriveHostConfig(raw),
    failing,
  };
}
