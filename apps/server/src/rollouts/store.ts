/**
 * Rollouts kept in the cluster: one ConfigMap per rollout in the console's namespace
 * (`meshlens-rollout-<id>`, label `meshlens.io/rollout`), the state as JSON in `data["rollout.json"]`.
 * Readable with `kubectl -n <ns> get cm -l meshlens.io/rollout -o yaml`; every write is conditional on the
 * ConfigMap's resourceVersion, so two writers never overwrite each other unseen.
 */
import { RolloutSchema, type Rollout } from '@meshlens/contract';
import { KubeApiError, type IstioKubeClient, type KubeObject } from '../istio/kubeClient';

export const ROLLOUT_LABEL = 'meshlens.io/rollout';
const KEY = 'rollout.json';

export interface Stored {
  rollout: Rollout;
  /** The ConfigMap's resourceVersion the rollout was read at. */
  resourceVersion: string;
}

export const configMapName = (id: string) => `meshlens-rollout-${id}`;

export interface RolloutStore {
  readonly namespace: string;
  list(): Promise<Stored[]>;
  get(id: string): Promise<Stored | undefined>;
  create(r: Rollout): Promise<Stored>;
  /** Replace at `resourceVersion`; a KubeApiError 409 when someone wrote it since. */
  update(r: Rollout, resourceVersion: string): Promise<Stored>;
}

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

function toConfigMap(namespace: string, r: Rollout, resourceVersion?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: configMapName(r.id),
      namespace,
      labels: {
        [ROLLOUT_LABEL]: 'true',
        'app.kubernetes.io/managed-by': 'meshlens',
        'meshlens.io/service': r.service,
        'meshlens.io/service-namespace': r.namespace,
      },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    data: { [KEY]: JSON.stringify(r, null, 1) },
  };
}

/** The store over `client` (the console's own credentials). */
export function rolloutStore(client: IstioKubeClient, namespace: string): RolloutStore {
  const key = (id: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: configMapName(id) });
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
    async get(id) {
      const cm = await client.get(key(id));
      return cm ? parse(cm) : undefined;
    },
    async create(r) {
      const cm = await client.create(toConfigMap(namespace, r));
      return { rollout: r, resourceVersion: cm.metadata.resourceVersion ?? '' };
    },
    async update(r, resourceVersion) {
      const cm = await client.replace(toConfigMap(namespace, r, resourceVersion));
      return { rollout: r, resourceVersion: cm.metadata.resourceVersion ?? '' };
    },
  };
}
