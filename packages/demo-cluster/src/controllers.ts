/**
 * The emulator's controllers: deployments → replicasets → pods (started at once, Running and Ready),
 * endpoints from ready pods, a default service account per namespace, and the Istio sidecar injector.
 */
import type { Cluster } from './cluster';
import { injectSidecar, wantsInjection } from './injection';
import { clone } from './patch';
import { matchesLabels, selectorFromLabelSelector, selectorFromMap } from './selectors';
import type { KObject, ResourceType } from './types';
import {
  deploymentStatus,
  endpointSliceFor,
  endpointsFor,
  isReady,
  NODE_NAME,
  runningPodStatus,
  templateHash,
} from './workloads';

export { NODE_NAME };

type Obj = Record<string, unknown>;

export class Controllers {
  private readonly queue = new Map<string, () => void>();
  private scheduled = false;
  private readonly idle: (() => void)[] = [];

  constructor(private readonly cluster: Cluster) {
    const t = (g: string, p: string): ResourceType => {
      const r = cluster.registry.byResource(g, p);
      if (!r) throw new Error(`missing built-in ${p}`);
      return r;
    };
    this.types = {
      ns: t('', 'namespaces'),
      pod: t('', 'pods'),
      svc: t('', 'services'),
      ep: t('', 'endpoints'),
      sa: t('', 'serviceaccounts'),
      deploy: t('apps', 'deployments'),
      rs: t('apps', 'replicasets'),
      slice: t('discovery.k8s.io', 'endpointslices'),
    };
    cluster.admission.push((rt, obj) => {
      if (rt.kind !== 'Pod') return;
      const ns = cluster.store.get('namespaces', '', obj.metadata.namespace ?? '');
      if (wantsInjection(obj, ns)) injectSidecar(obj);
    });
    cluster.store.onChange((key, type, obj, prev) => this.onChange(key, type, obj, prev));
  }

  private readonly types: Record<
    'ns' | 'pod' | 'svc' | 'ep' | 'sa' | 'deploy' | 'rs' | 'slice',
    ResourceType
  >;

  /** Resolves once every queued reconcile has run. */
  settled(): Promise<void> {
    if (this.queue.size === 0 && !this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private enqueue(id: string, fn: () => void): void {
    this.queue.set(id, fn);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  private drain(): void {
    let rounds = 0;
    while (this.queue.size > 0 && rounds++ < 50) {
      const batch = [...this.queue.values()];
      this.queue.clear();
      for (const fn of batch) {
        try {
          fn();
        } catch (e) {
          process.stderr.write(`demo-cluster controller error: ${(e as Error).stack ?? String(e)}\n`);
        }
      }
    }
    this.scheduled = false;
    if (this.queue.size > 0) {
      this.scheduled = true;
      setImmediate(() => this.drain());
      return;
    }
    for (const r of this.idle.splice(0)) r();
  }

  private onChange(key: string, type: string, obj: KObject, prev?: KObject): void {
    const ns = obj.metadata.namespace ?? '';
    const name = obj.metadata.name ?? '';
    switch (key) {
      case 'namespaces':
        if (type === 'ADDED') this.enqueue(`sa/${name}`, () => this.ensureServiceAccount(name));
        break;
      case 'deployments.apps':
        if (type !== 'DELETED')
          this.enqueue(`deploy/${ns}/${name}`, () => this.reconcileDeployment(ns, name));
        break;
      case 'replicasets.apps':
        if (type !== 'DELETED') this.enqueue(`rs/${ns}/${name}`, () => this.reconcileReplicaSet(ns, name));
        this.enqueueOwner(obj, 'Deployment');
        break;
      case 'pods':
        if (type === 'ADDED' && !(obj.status as Obj | undefined)?.phase) {
          this.enqueue(`kubelet/${ns}/${name}`, () => this.startPod(ns, name));
        }
        this.enqueueOwner(obj, 'ReplicaSet');
        for (const svc of this.cluster.store.list('services', ns)) {
          const sel = (svc.spec as Obj | undefined)?.selector as Record<string, string> | undefined;
          if (!sel || Object.keys(sel).length === 0) continue;
          const s = selectorFromMap(sel);
          if (matchesLabels(s, obj.metadata.labels) || (prev && matchesLabels(s, prev.metadata.labels))) {
            const svcName = svc.metadata.name ?? '';
            this.enqueue(`ep/${ns}/${svcName}`, () => this.reconcileEndpoints(ns, svcName));
          }
        }
        break;
      case 'services':
        this.enqueue(`ep/${ns}/${name}`, () => this.reconcileEndpoints(ns, name));
        break;
      default:
        break;
    }
  }

  private enqueueOwner(obj: KObject, kind: string): void {
    const owner = obj.metadata.ownerReferences?.find((r) => r.kind === kind && r.controller);
    if (!owner) return;
    const ns = obj.metadata.namespace ?? '';
    if (kind === 'Deployment')
      this.enqueue(`deploy/${ns}/${owner.name}`, () => this.reconcileDeployment(ns, owner.name));
    else this.enqueue(`rs/${ns}/${owner.name}`, () => this.reconcileReplicaSet(ns, owner.name));
  }

  private ensureServiceAccount(ns: string): void {
    if (!this.cluster.store.get('namespaces', '', ns)) return;
    if (this.cluster.store.get('serviceaccounts', ns, 'default')) return;
    this.cluster.systemPut(this.types.sa, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'default', namespace: ns },
    });
  }

  private owned(key: string, ns: string, owner: KObject): KObject[] {
    const uid = owner.metadata.uid;
    return this.cluster.store
      .list(key, ns)
      .filter((o) => o.metadata.ownerReferences?.some((r) => r.uid === uid));
  }

  private ownerRef(owner: KObject): NonNullable<KObject['metadata']['ownerReferences']>[number] {
    return {
      apiVersion: owner.apiVersion,
      kind: owner.kind,
      name: owner.metadata.name ?? '',
      uid: owner.metadata.uid ?? '',
      controller: true,
      blockOwnerDeletion: true,
    };
  }

  private reconcileDeployment(ns: string, name: string): void {
    const d = this.cluster.store.get('deployments.apps', ns, name);
    if (!d) return;
    const spec = (d.spec ?? {}) as Obj;
    const template = clone((spec.template ?? {}) as Obj);
    const hash = templateHash(template);
    const replicas = Number(spec.replicas ?? 1);
    const owned = this.owned('replicasets.apps', ns, d);
    let current = owned.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
    const revision = String(
      Math.max(
        0,
        ...owned.map((rs) => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0)),
      ) + (current ? 0 : 1),
    );
    const tmeta = (template.metadata ?? {}) as Obj;
    const labels = { ...(tmeta.labels as Record<string, string> | undefined), 'pod-template-hash': hash };
    const selector = clone((spec.selector ?? {}) as Obj);
    selector.matchLabels = { ...(selector.matchLabels as Obj | undefined), 'pod-template-hash': hash };
    if (!current || Number((current.spec as Obj).replicas) !== replicas) {
      const rs: KObject = current
        ? { ...clone(current), spec: { ...(current.spec as Obj), replicas } }
        : {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            metadata: {
              name: `${name}-${hash}`,
              namespace: ns,
              labels,
              annotations: {
                'deployment.kubernetes.io/desired-replicas': String(replicas),
                'deployment.kubernetes.io/max-replicas': String(replicas + Math.ceil(replicas / 4)),
                'deployment.kubernetes.io/revision': revision,
              },
              ownerReferences: [this.ownerRef(d)],
              generation: 1,
            },
            spec: { replicas, selector, template: { ...template, metadata: { ...tmeta, labels } } },
            status: { replicas: 0, observedGeneration: 0 },
          };
      if (current) {
        rs.metadata.generation = (current.metadata.generation ?? 1) + 1;
        rs.metadata.annotations = {
          ...rs.metadata.annotations,
          'deployment.kubernetes.io/desired-replicas': String(replicas),
        };
      }
      current = this.cluster.systemPut(this.types.rs, rs);
    }
    for (const old of owned) {
      if (old === current || old.metadata.uid === current.metadata.uid) continue;
      if (Number((old.spec as Obj).replicas) !== 0) {
        this.cluster.systemPut(this.types.rs, { ...clone(old), spec: { ...(old.spec as Obj), replicas: 0 } });
      }
    }
    this.updateDeploymentStatus(d, current);
  }

  private updateDeploymentStatus(d: KObject, current: KObject): void {
    const owned = this.owned('replicasets.apps', d.metadata.namespace ?? '', d);
    this.cluster.systemPut(this.types.deploy, { ...d, status: deploymentStatus(d, owned, current) });
  }

  private reconcileReplicaSet(ns: string, name: string): void {
    const rs = this.cluster.store.get('replicasets.apps', ns, name);
    if (!rs || !this.cluster.store.get('namespaces', '', ns)) return;
    const spec = (rs.spec ?? {}) as Obj;
    const desired = Number(spec.replicas ?? 1);
    const pods = this.owned('pods', ns, rs);
    const template = (spec.template ?? {}) as Obj;
    const tmeta = (template.metadata ?? {}) as Obj;
    for (let i = pods.length; i < desired; i++) {
      const pod: KObject = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          generateName: `${name}-`,
          namespace: ns,
          labels: { ...(tmeta.labels as Record<string, string> | undefined) },
          ...(tmeta.annotations ? { annotations: { ...(tmeta.annotations as Record<string, string>) } } : {}),
          ownerReferences: [this.ownerRef(rs)],
        },
        spec: { ...clone((template.spec ?? {}) as Obj), nodeName: NODE_NAME },
      };
      pods.push(this.cluster.create(this.types.pod, ns, pod).object);
    }
    if (pods.length > desired) {
      const excess = pods
        .sort((a, b) =>
          String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)),
        )
        .slice(0, pods.length - desired);
      for (const p of excess) this.cluster.remove(this.types.pod, p);
    }
    const live = this.owned('pods', ns, rs);
    const ready = live.filter(isReady).length;
    const status: Obj = {
      replicas: live.length,
      fullyLabeledReplicas: live.length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: rs.metadata.generation ?? 1,
    };
    if (!ready) {
      delete status.readyReplicas;
      delete status.availableReplicas;
    }
    if (!live.length) delete status.fullyLabeledReplicas;
    this.cluster.systemPut(this.types.rs, { ...rs, status });
  }

  /** The kubelet: a new pod gets an IP and runs at once, every container ready. */
  private startPod(ns: string, name: string): void {
    const pod = this.cluster.store.get('pods', ns, name);
    if (!pod || (pod.status as Obj | undefined)?.phase) return;
    const ip = this.cluster.ips.allocate('pod');
    const spec = (pod.spec ?? {}) as Obj;
    this.cluster.systemPut(this.types.pod, {
      ...pod,
      spec: { ...spec, nodeName: spec.nodeName ?? NODE_NAME },
      status: runningPodStatus(pod, ip),
    });
  }

  private reconcileEndpoints(ns: string, name: string): void {
    const svc = this.cluster.store.get('services', ns, name);
    const existing = this.cluster.store.get('endpoints', ns, name);
    const sel = (svc?.spec as Obj | undefined)?.selector as Record<string, string> | undefined;
    if (!svc) {
      if (existing) this.cluster.remove(this.types.ep, existing);
      return;
    }
    if (!sel || Object.keys(sel).length === 0) return;
    const s = selectorFromLabelSelector({ matchLabels: sel });
    const pods = this.cluster.store
      .list('pods', ns)
      .filter((p) => matchesLabels(s, p.metadata.labels) && (p.status as Obj | undefined)?.podIP);
    this.cluster.systemPut(this.types.ep, endpointsFor(svc, pods, existing));
    const slice = this.cluster.store
      .list('endpointslices.discovery.k8s.io', ns)
      .find((e) => e.metadata.ownerReferences?.some((r) => r.uid === svc.metadata.uid));
    this.cluster.systemPut(this.types.slice, endpointSliceFor(svc, pods, slice));
  }
}
