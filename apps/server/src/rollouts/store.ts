/**
 * Rollouts kept in the cluster: one ConfigMap per rollout in the console's namespace
 * (`meshlens-rollout-<id>`, label `meshlens.io/rollout`), the state as JSON in `data["rollout.json"]`.
 * Readable with `kubectl -n <ns> get cm -l meshlens.io/rollout -o yaml`; every write is conditional on the
 * ConfigMap's resourceVersion, so two writers never overwrite each other unseen.
 *
 * One start per service across every console replica: a service's rollouts take turns holding its slot, a
 * ConfigMap of its own (`meshlens-rollout-slot-<hash of namespace/service>`, naming the rollout in
 * `data.rollout`). A start claims it with a create, or with a replace at the resourceVersion it read when
 * the rollout it names is over (or was never stored): of two replicas starting at once, the cluster gives
 * one a 409. Slots stay after their rollouts end, one per service ever rolled out.
 */
import { createHash } from 'node:crypto';
import { RolloutSchema, type Rollout } from '@meshlens/contract';
import { KubeApiError, type IstioKubeClient, type KubeObject } from '../istio/kubeClient';
import { isActive } from './machine';

export const ROLLOUT_LABEL = 'meshlens.io/rollout';
const KEY = 'rollout.json';

export interface Stored {
  rollout: Rollout;
  /** The ConfigMap's resourceVersion the rollout was read at. */
  resourceVersion: string;
}

export const configMapName = (id: string) => `meshlens-rollout-${id}`;
/** The slot of a service's rollouts (a hash: a namespace and a service name together pass 63 characters). */
export const slotName = (namespace: string, service: string) =>
  `meshlens-rollout-slot-${createHash('sha256').update(`${namespace}/${service}`).digest('hex').slice(0, 24)}`;

export interface RolloutStore {
  readonly namespace: string;
  list(): Promise<Stored[]>;
  get(id: string): Promise<Stored | undefined>;
  create(r: Rollout): Promise<Stored>;
  /** Replace at `resourceVersion`; a KubeApiError 409 when someone wrote it since. */
  update(r: Rollout, resourceVersion: string): Promise<Stored>;
  /**
   * Takes the slot of `r`'s service for `r` (before `create`): false when an active rollout holds it, or
   * when another console took it meanwhile.
   */
  claim(r: Rollout): Promise<boolean>;
}

const isConflict = (err: unknown) => err instanceof KubeApiError && err.status === 409;

function parse(cm: KubeObject): Stored | undefined {
  const text = (cm.data as Record<string, string> | undefined)?.[KEY];
  if (!text) return undefined;
  try {
    const parsed = RolloutSchema.safeParse(JSON.parse(text));
    return parsed.success
      ? { rollout: parsed.data, resourceVersion: cm.metadata.resourceVersion ?? '' }
      : undefined;
  } catch {
    return undefined;
  }
}

/** The labels of a rollout's ConfigMap and of its service's slot: who made it, for which service. */
const serviceLabels = (r: Rollout) => ({
  'app.kubernetes.io/managed-by': 'meshlens',
  'meshlens.io/service': r.service,
  'meshlens.io/service-namespace': r.namespace,
});

function toConfigMap(namespace: string, r: Rollout, resourceVersion?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: configMapName(r.id),
      namespace,
      labels: { [ROLLOUT_LABEL]: 'true', ...serviceLabels(r) },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    data: { [KEY]: JSON.stringify(r, null, 1) },
  };
}

/** The store over `client` (the console's own credentials). */
export function rolloutStore(client: IstioKubeClient, namespace: string): RolloutStore {
  const key = (id: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: configMapName(id) });
  const get = async (id: string): Promise<Stored | undefined> => {
    const cm = await client.get(key(id));
    return cm ? parse(cm) : undefined;
  };
  return {
    namespace,
    async list() {
      let items: KubeObject[];
      try {
        items = await client.list('v1', 'ConfigMap', namespace);
      } catch (err) {
        if (err instanceof KubeApiError && err.status === 404) return [];
        throw err;
      }
      return items
        .filter((cm) => cm.metadata.labels?.[ROLLOUT_LABEL] === 'true')
        .map(parse)
        .filter((s): s is Stored => s !== undefined)
        .sort((a, b) => b.rollout.startedAt.localeCompare(a.rollout.startedAt));
    },
    get,
    async create(r) {
      const cm = await client.create(toConfigMap(namespace, r));
      return { rollout: r, resourceVersion: cm.metadata.resourceVersion ?? '' };
    },
    async update(r, resourceVersion) {
      const cm = await client.replace(toConfigMap(namespace, r, resourceVersion));
      return { rollout: r, resourceVersion: cm.metadata.resourceVersion ?? '' };
    },
    async claim(r) {
      const name = slotName(r.namespace, r.service);
      const current = await client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name });
      const held = (current?.data as Record<string, string> | undefined)?.rollout;
      if (held !== undefined && held !== r.id) {
        const holder = await get(held);
        if (holder && isActive(holder.rollout)) return false;
      }
      const slot: KubeObject = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name,
          namespace,
          labels: serviceLabels(r),
          ...(current ? { resourceVersion: current.metadata.resourceVersion } : {}),
        },
        data: { rollout: r.id },
      };
      try {
        await (current ? client.replace(slot) : client.create(slot));
        return true;
      } catch (err) {
        if (isConflict(err)) return false;
        throw err;
      }
    },
  };
}
