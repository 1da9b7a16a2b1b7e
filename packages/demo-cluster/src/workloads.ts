/** Pure builders of what the controllers write: deployment status, a running pod's status, Endpoints. */
import { createHash } from 'node:crypto';
import type { KObject } from './types';

type Obj = Record<string, unknown>;
export const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
export const NODE_NAME = 'demo-node';

export function templateHash(template: unknown): string {
  const h = createHash('sha256').update(JSON.stringify(template)).digest();
  const chars = 'bcdfghjklmnpqrstvwxz2456789';
  let out = '';
  for (let i = 0; i < 10; i++) out += chars[(h[i] ?? 0) % chars.length];
  return out;
}

/** Deployment status from its replicasets' (replicas, ready, available, conditions). */
export function deploymentStatus(d: KObject, owned: KObject[], current: KObject): Obj {
  const st = (rs: KObject, f: string): number => Number(((rs.status ?? {}) as Obj)[f] ?? 0);
  const replicas = owned.reduce((n, rs) => n + st(rs, 'replicas'), 0);
  const ready = owned.reduce((n, rs) => n + st(rs, 'readyReplicas'), 0);
  const available = owned.reduce((n, rs) => n + st(rs, 'availableReplicas'), 0);
  const updated = st(current, 'replicas');
  const desired = Number((d.spec as Obj).replicas ?? 1);
  const old = (d.status ?? {}) as Obj;
  const oldConds = (old.conditions ?? []) as Obj[];
  const cond = (type: string, status: string, reason: string, message: string): Obj => {
    const prev = oldConds.find((c) => c.type === type);
    const same = prev && prev.status === status && prev.reason === reason;
    const t = same ? prev.lastTransitionTime : now();
    return {
      type,
      status,
      lastUpdateTime: same ? prev.lastUpdateTime : t,
      lastTransitionTime: t,
      reason,
      message,
    };
  };
  const minAvailable = desired - Math.floor(desired / 4);
  const status: Obj = {
    observedGeneration: d.metadata.generation ?? 1,
    replicas,
    updatedReplicas: updated,
    readyReplicas: ready,
    availableReplicas: available,
    ...(replicas - available > 0 ? { unavailableReplicas: replicas - available } : {}),
    conditions: [
      available >= minAvailable
        ? cond('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
        : cond(
            'Available',
            'False',
            'MinimumReplicasUnavailable',
            'Deployment does not have minimum availability.',
          ),
      updated === desired && available === desired
        ? cond(
            'Progressing',
            'True',
            'NewReplicaSetAvailable',
            `ReplicaSet "${current.metadata.name ?? ''}" has successfully progressed.`,
          )
        : cond(
            'Progressing',
            'True',
            'ReplicaSetUpdated',
            `ReplicaSet "${current.metadata.name ?? ''}" is progressing.`,
          ),
    ],
  };
  if (status.readyReplicas === 0) delete status.readyReplicas;
  if (status.availableReplicas === 0) delete status.availableReplicas;
  return status;
}

/** The status of a pod the kubelet has just started: Running, every container ready. */
export function runningPodStatus(pod: KObject, ip: string): Obj {
  const ns = pod.metadata.namespace ?? '';
  const name = pod.metadata.name ?? '';
  const t = now();
  const spec = (pod.spec ?? {}) as Obj;
  const containers = (spec.containers ?? []) as Obj[];
  const initContainers = (spec.initContainers ?? []) as Obj[];
  const cstatus = (c: Obj, init: boolean): Obj => ({
    name: c.name,
    image: c.image,
    imageID: `${String(c.image)}@sha256:${createHash('sha256').update(String(c.image)).digest('hex')}`,
    containerID: `containerd://${createHash('sha256')
      .update(`${ns}/${name}/${String(c.name)}`)
      .digest('hex')}`,
    ready: !init,
    restartCount: 0,
    started: !init,
    state: init
      ? { terminated: { exitCode: 0, reason: 'Completed', startedAt: t, finishedAt: t, containerID: '' } }
      : { running: { startedAt: t } },
  });
  const conds = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(
    (type) => ({
      type,
      status: 'True',
      lastProbeTime: null,
      lastTransitionTime: t,
    }),
  );
  const status: Obj = {
    phase: 'Running',
    conditions: conds,
    hostIP: '10.0.0.10',
    hostIPs: [{ ip: '10.0.0.10' }],
    podIP: ip,
    podIPs: [{ ip }],
    startTime: t,
    containerStatuses: containers.map((c) => cstatus(c, false)),
    ...(initContainers.length ? { initContainerStatuses: initContainers.map((c) => cstatus(c, true)) } : {}),
    qosClass: 'BestEffort',
  };
  return status;
}

/** The Endpoints of a service: its ready pods as addresses, the others as notReadyAddresses. */
export function endpointsFor(svc: KObject, pods: KObject[], existing: KObject | undefined): KObject {
  const ns = svc.metadata.namespace ?? '';
  const name = svc.metadata.name ?? '';
  const ports = ((svc.spec as Obj).ports ?? []) as Obj[];
  const addresses = (list: KObject[]): Obj[] =>
    list.map((p) => ({
      ip: (p.status as Obj).podIP,
      nodeName: (p.spec as Obj).nodeName,
      targetRef: { kind: 'Pod', namespace: ns, name: p.metadata.name, uid: p.metadata.uid },
    }));
  const readyPods = pods.filter(isReady);
  const notReady = pods.filter((p) => !isReady(p));
  const epPorts = ports.map((p) => ({
    ...(p.name ? { name: p.name } : {}),
    port: resolveTargetPort(p, pods[0]),
    protocol: p.protocol ?? 'TCP',
  }));
  const subsets = pods.length
    ? [
        {
          ...(readyPods.length ? { addresses: addresses(readyPods) } : {}),
          ...(notReady.length ? { notReadyAddresses: addresses(notReady) } : {}),
          ports: epPorts,
        },
      ]
    : undefined;
  const ep: KObject = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: {
      name,
      namespace: ns,
      ...(svc.metadata.labels ? { labels: { ...svc.metadata.labels } } : {}),
      ...(existing
        ? { uid: existing.metadata.uid, creationTimestamp: existing.metadata.creationTimestamp }
        : {}),
    },
    ...(subsets ? { subsets } : {}),
  };
  return ep;
}

/** The service's EndpointSlice (one per service here), named and labelled as the slice controller does. */
export function endpointSliceFor(svc: KObject, pods: KObject[], existing: KObject | undefined): KObject {
  const ns = svc.metadata.namespace ?? '';
  const name = svc.metadata.name ?? '';
  const ports = ((svc.spec as Obj).ports ?? []) as Obj[];
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: existing?.metadata.name ?? `${name}-${templateHash(svc.metadata.uid).slice(0, 5)}`,
      namespace: ns,
      labels: {
        ...svc.metadata.labels,
        'kubernetes.io/service-name': name,
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
      },
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'Service',
          name,
          uid: svc.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      ...(existing
        ? { uid: existing.metadata.uid, creationTimestamp: existing.metadata.creationTimestamp }
        : {}),
    },
    addressType: 'IPv4',
    endpoints: pods.map((p) => {
      const ready = isReady(p);
      return {
        addresses: [(p.status as Obj).podIP],
        conditions: { ready, serving: ready, terminating: false },
        nodeName: (p.spec as Obj).nodeName,
        targetRef: { kind: 'Pod', namespace: ns, name: p.metadata.name, uid: p.metadata.uid },
      };
    }),
    ports: ports.map((p) => ({
      ...(p.name ? { name: p.name } : { name: '' }),
      port: resolveTargetPort(p, pods[0]),
      protocol: p.protocol ?? 'TCP',
    })),
  };
}

export function isReady(pod: KObject): boolean {
  const conds = ((pod.status as Obj | undefined)?.conditions ?? []) as Obj[];
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
}

function resolveTargetPort(port: Obj, pod: KObject | undefined): number {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  for (const c of ((pod?.spec as Obj | undefined)?.containers ?? []) as Obj[]) {
    for (const p of (c.ports ?? []) as Obj[]) if (p.name === target) return Number(p.containerPort);
  }
  return Number(port.port);
}
