/**
 * The facts of one app, workload or service from the informer cache (pure: the snapshot and the raw
 * lists in, the detail out; no Kubernetes call): labels, selector, ports, pods, related entities.
 */
import type { DetailResponse, EntityKind, EntityRef, PodDetail } from '@meshlens/contract';
import { NotFoundError } from '../errors';
import type { RawObject } from '../inventory/derive';
import type { InventorySnapshot, ServiceInfo, WorkloadInfo } from '../inventory/types';

type Dict = Record<string, unknown>;
const asDict = (v: unknown): Dict => (v && typeof v === 'object' ? (v as Dict) : {});
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const iso = (t: unknown) => (t instanceof Date ? t.toISOString() : typeof t === 'string' ? t : undefined);

export type Facts = Omit<DetailResponse, 'istio' | 'health' | 'warnings'>;

/** Does `selector` (all of its pairs) match `labels`? An empty selector matches nothing. */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const pairs = Object.entries(selector);
  return pairs.length > 0 && pairs.every(([k, v]) => labels[k] === v);
}

const KIND_LABEL: Record<string, string> = { Deployment: 'ReplicaSet' };

/** The workload a pod belongs to (the pod's controller; a ReplicaSet's Deployment by its hash suffix). */
export function podWorkload(pod: RawObject, workloads: readonly WorkloadInfo[]): WorkloadInfo | undefined {
  const ns = pod.metadata?.namespace;
  const ref = pod.metadata?.ownerReferences?.find((r) => r.controller !== false);
  const name = pod.metadata?.name;
  const candidates = workloads.filter((w) => w.namespace === ns);
  if (!ref?.name) return candidates.find((w) => w.name === name);
  const exact = candidates.find((w) => w.name === ref.name);
  if (exact) return exact;
  // ReplicaSet `<deployment>-<hash>` → the Deployment.
  return candidates
    .filter((w) => KIND_LABEL[w.kind] === ref.kind && ref.name!.startsWith(`${w.name}-`))
    .sort((a, b) => b.name.length - a.name.length)[0];
}

/** Istio's version of the sidecar: the istio-proxy image's tag (`…/proxyv2:1.30.3` → `1.30.3`). */
export function proxyVersion(image: string | undefined): string | undefined {
  if (!image) return undefined;
  // Without the digest (`@sha256:…`), the tag follows the last ':' after the last '/' (not a registry port).
  const name = image.split('@')[0]!;
  return /:([^:/]+)$/.exec(name)?.[1];
}

function stateText(state: unknown): string | undefined {
  const s = asDict(state);
  for (const key of ['running', 'waiting', 'terminated']) {
    if (!(key in s)) continue;
    const reason = asDict(s[key]).reason;
    return typeof reason === 'string' && reason ? `${key}: ${reason}` : key;
  }
  return undefined;
}

export function podDetail(pod: RawObject): PodDetail {
  const spec = asDict(pod.spec);
  const status = asDict(pod.status);
  const statuses = new Map(
    asArray(status.containerStatuses).map((c) => [String(asDict(c).name), asDict(c)] as const),
  );
  const containers = asArray(spec.containers).map((raw) => {
    const c = asDict(raw);
    const name = String(c.name ?? '');
    const st = statuses.get(name) ?? {};
    const image = typeof c.image === 'string' ? c.image : typeof st.image === 'string' ? st.image : undefined;
    const state = stateText(st.state);
    return {
      name,
      ...(image ? { image } : {}),
      ready: st.ready === true,
      restarts: typeof st.restartCount === 'number' ? st.restartCount : 0,
      ...(state ? { state } : {}),
    };
  });
  const readyCondition = asArray(status.conditions)
    .map(asDict)
    .find((c) => c.type === 'Ready');
  const phase = typeof status.phase === 'string' ? status.phase : 'Unknown';
  const ready = readyCondition
    ? readyCondition.status === 'True'
    : phase === 'Running' && containers.every((c) => c.ready);
  const proxy = containers.find((c) => c.name === 'istio-proxy');
  const version = proxyVersion(proxy?.image);
  const createdAt = iso(pod.metadata?.creationTimestamp);
  return {
    name: pod.metadata?.name ?? '',
    phase,
    ready,
    containers,
    ...(version ? { proxyVersion: version } : {}),
    restarts: containers.reduce((n, c) => n + c.restarts, 0),
    ...(createdAt ? { createdAt } : {}),
    labels: pod.metadata?.labels ?? {},
  };
}

const wlRef = (w: WorkloadInfo): EntityRef => ({
  kind: 'workloads',
  namespace: w.namespace,
  name: w.name,
  type: w.kind,
});
const svcRef = (s: ServiceInfo): EntityRef => ({ kind: 'services', namespace: s.namespace, name: s.name });
const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);

function portsOf(service: RawObject | undefined): Facts['ports'] {
  return asArray(asDict(service?.spec).ports).map((raw) => {
    const p = asDict(raw);
    return {
      ...(typeof p.name === 'string' ? { name: p.name } : {}),
      port: Number(p.port),
      protocol: typeof p.protocol === 'string' ? p.protocol : 'TCP',
      ...(typeof p.targetPort === 'number' || typeof p.targetPort === 'string'
        ? { targetPort: p.targetPort }
        : {}),
      ...(typeof p.appProtocol === 'string' ? { appProtocol: p.appProtocol } : {}),
    };
  });
}

export interface RawLists {
  pods: readonly RawObject[];
  services: readonly RawObject[];
}

const findRaw = (list: readonly RawObject[], ns: string, name: string) =>
  list.find((o) => o.metadata?.namespace === ns && o.metadata?.name === name);

/** The facts of one entity, or a NotFoundError naming it. */
export function entityFacts(
  snap: InventorySnapshot,
  raw: RawLists,
  kind: EntityKind,
  namespace: string,
  name: string,
): Facts {
  const nsWorkloads = snap.workloads.filter((w) => w.namespace === namespace);
  const nsServices = snap.services.filter((s) => s.namespace === namespace);
  const podsOf = (ws: readonly WorkloadInfo[]) =>
    raw.pods
      .filter((p) => p.metadata?.namespace === namespace)
      .filter((p) => {
        const w = podWorkload(p, nsWorkloads);
        return w !== undefined && ws.includes(w);
      })
      .map(podDetail)
      .sort(byName);
  const servicesFor = (ws: readonly WorkloadInfo[]) =>
    nsServices.filter((s) => ws.some((w) => selects(s.selector, w.labels))).map(svcRef);
  const versions = (ws: readonly WorkloadInfo[]) =>
    [...new Set(ws.map((w) => w.version).filter((v): v is string => v !== undefined))].sort();
  const sidecar = (ws: readonly WorkloadInfo[]) => ({
    injected: ws.reduce((n, w) => n + w.podsWithSidecar, 0),
    pods: ws.reduce((n, w) => n + w.pods, 0),
  });

  if (kind === 'workloads') {
    const w = nsWorkloads.find((x) => x.name === name);
    if (!w) throw new NotFoundError(`no workload ${name} in namespace ${namespace}`);
    return {
      kind,
      namespace,
      name,
      labels: w.labels,
      annotations: w.annotations,
      selector: w.labels,
      ports: [],
      type: w.kind,
      versions: versions([w]),
      replicas: { desired: w.desired, available: w.available },
      sidecar: sidecar([w]),
      pods: podsOf([w]),
      services: servicesFor([w]),
      workloads: [],
    };
  }
  if (kind === 'apps') {
    const ws = nsWorkloads.filter((w) => w.app === name);
    if (ws.length === 0) throw new NotFoundError(`no app ${name} in namespace ${namespace}`);
    const labels: Record<string, string> = {};
    const first = ws[0]!;
    for (const [k, v] of Object.entries(first.labels)) if (ws.every((w) => w.labels[k] === v)) labels[k] = v;
    return {
      kind,
      namespace,
      name,
      labels,
      annotations: {},
      selector: { app: name },
      ports: [],
      versions: versions(ws),
      replicas: {
        desired: ws.reduce((n, w) => n + (w.desired ?? w.pods), 0),
        available: ws.reduce((n, w) => n + (w.available ?? w.pods), 0),
      },
      sidecar: sidecar(ws),
      pods: podsOf(ws),
      services: servicesFor(ws),
      workloads: ws.map(wlRef),
    };
  }
  const s = nsServices.find((x) => x.name === name);
  if (!s) throw new NotFoundError(`no service ${name} in namespace ${namespace}`);
  const rawService = findRaw(raw.services, namespace, name);
  const ws = nsWorkloads.filter((w) => selects(s.selector, w.labels));
  const type = asDict(rawService?.spec).type;
  const createdAt = iso(rawService?.metadata?.creationTimestamp);
  return {
    kind,
    namespace,
    name,
    labels: s.labels,
    annotations: s.annotations,
    selector: s.selector,
    ports: portsOf(rawService),
    type: typeof type === 'string' ? type : 'ClusterIP',
    versions: versions(ws),
    sidecar: sidecar(ws),
    pods: podsOf(ws),
    services: [],
    workloads: ws.map(wlRef),
    ...(createdAt ? { createdAt } : {}),
  };
}
