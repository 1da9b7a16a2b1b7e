/**
 * What the informer cache keeps of each object: the fields the inventory reads, nothing else (no
 * managedFields, no last-applied annotation, no pod status blobs). Cuts the cache's memory several-fold
 * on large clusters. Istio objects keep their whole spec (routing badges and future detail views).
 */
type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj => (v && typeof v === 'object' ? (v as Obj) : {});

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function trimMeta(meta: unknown): Obj {
  const m = asObj(meta);
  let annotations = m.annotations as Record<string, string> | undefined;
  if (annotations && LAST_APPLIED in annotations) {
    annotations = { ...annotations };
    delete annotations[LAST_APPLIED];
  }
  const out: Obj = { name: m.name, namespace: m.namespace, resourceVersion: m.resourceVersion };
  if (m.labels) out.labels = m.labels;
  if (annotations && Object.keys(annotations).length) out.annotations = annotations;
  if (m.ownerReferences)
    out.ownerReferences = (m.ownerReferences as Obj[]).map((r) => ({
      kind: r.kind,
      name: r.name,
      controller: r.controller,
    }));
  if (m.creationTimestamp) out.creationTimestamp = m.creationTimestamp;
  return out;
}

const names = (list: unknown) =>
  Array.isArray(list) ? list.map((c) => ({ name: asObj(c).name })) : undefined;

/** Containers as a detail page shows them: name and image. */
const containers = (list: unknown) =>
  Array.isArray(list) ? list.map((c) => ({ name: asObj(c).name, image: asObj(c).image })) : undefined;

/** Container statuses without their timestamps and ids: ready, restarts, the state's name and reason. */
function containerStatuses(list: unknown) {
  if (!Array.isArray(list)) return undefined;
  return list.map((raw) => {
    const c = asObj(raw);
    const state: Obj = {};
    for (const [key, value] of Object.entries(asObj(c.state))) state[key] = { reason: asObj(value).reason };
    return { name: c.name, ready: c.ready, restartCount: c.restartCount, state };
  });
}

export function trimObject<T>(kind: string, obj: T): T {
  const o = asObj(obj);
  const spec = asObj(o.spec);
  const status = asObj(o.status);
  const base: Obj = { apiVersion: o.apiVersion, kind: o.kind, metadata: trimMeta(o.metadata) };
  switch (kind) {
    case 'pods':
      base.spec = { containers: containers(spec.containers), initContainers: names(spec.initContainers) };
      // Only the Ready condition: workload health counts pods not ready (health/workload.ts).
      base.status = {
        phase: status.phase,
        conditions: Array.isArray(status.conditions)
          ? (status.conditions as Obj[])
              .filter((c) => asObj(c).type === 'Ready')
              .map((c) => ({ type: c.type, status: c.status }))
          : undefined,
        // The detail page's pods: readiness, restarts and state per container.
        containerStatuses: containerStatuses(status.containerStatuses),
      };
      break;
    case 'deployments':
      base.spec = {
        replicas: spec.replicas,
        selector: spec.selector,
        template: { metadata: { labels: asObj(asObj(spec.template).metadata).labels } },
      };
      base.status = { replicas: status.replicas, availableReplicas: status.availableReplicas };
      break;
    case 'replicasets':
    case 'endpoints':
    case 'namespaces':
      break;
    case 'services':
      base.spec = { selector: spec.selector, ports: spec.ports, type: spec.type };
      break;
    default:
      base.spec = o.spec;
  }
  return base as T;
}
