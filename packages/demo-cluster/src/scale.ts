/** The autoscaling/v1 Scale subresource of deployments and replicasets (what `kubectl scale` uses). */
import type { Cluster, WriteOptions } from './cluster';
import { badRequest } from './errors';
import { jsonPatch, mergePatch } from './patch';
import type { KObject, ResourceType } from './types';

type Obj = Record<string, unknown>;

export function getScale(obj: KObject): Obj {
  const spec = (obj.spec ?? {}) as Obj;
  const sel = ((spec.selector ?? {}) as Obj).matchLabels as Record<string, string> | undefined;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 1 },
    status: {
      replicas: ((obj.status ?? {}) as Obj).replicas ?? 0,
      selector: Object.entries(sel ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    },
  };
}

export function putScale(
  cluster: Cluster,
  t: ResourceType,
  ns: string,
  name: string,
  method: string,
  contentType: string,
  raw: string,
  opts: WriteOptions,
): Obj {
  const obj = cluster.get(t, ns, name);
  const current = getScale(obj);
  let next: Obj;
  try {
    const body = JSON.parse(raw) as unknown;
    const type = contentType.split(';')[0]?.trim();
    next =
      method === 'PUT'
        ? (body as Obj)
        : type === 'application/json-patch+json'
          ? (jsonPatch(current, body) as Obj)
          : (mergePatch(current, body) as Obj);
  } catch (e) {
    if (e instanceof SyntaxError) throw badRequest(`error decoding Scale: ${e.message}`);
    throw e;
  }
  const replicas = ((next.spec ?? {}) as Obj).replicas;
  if (!Number.isInteger(replicas) || (replicas as number) < 0) {
    throw badRequest(
      `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
    );
  }
  const rv = (next.metadata as Obj | undefined)?.resourceVersion as string | undefined;
  const updated = cluster.update(
    t,
    ns,
    name,
    {
      ...obj,
      metadata: { ...obj.metadata, resourceVersion: method === 'PUT' ? rv : obj.metadata.resourceVersion },
      spec: { ...(obj.spec as Obj), replicas },
    },
    opts,
  );
  return getScale(updated.object);
}
