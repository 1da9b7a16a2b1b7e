/** The resources the emulator serves: built-in kinds plus one per CustomResourceDefinition. */
import type { KObject, ResourceType } from './types';
import { ALL_VERBS, resourceKey } from './types';

type BuiltIn = Omit<
  ResourceType,
  'verbs' | 'singular' | 'listKind' | 'categories' | 'hasGeneration' | 'hasStatus'
> &
  Partial<Pick<ResourceType, 'categories' | 'hasGeneration' | 'hasStatus'>>;

const BUILT_INS: BuiltIn[] = [
  {
    group: '',
    versions: ['v1'],
    kind: 'Namespace',
    plural: 'namespaces',
    namespaced: false,
    shortNames: ['ns'],
    hasStatus: true,
  },
  {
    group: '',
    versions: ['v1'],
    kind: 'Node',
    plural: 'nodes',
    namespaced: false,
    shortNames: ['no'],
    hasStatus: true,
  },
  {
    group: '',
    versions: ['v1'],
    kind: 'Pod',
    plural: 'pods',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    hasStatus: true,
  },
  {
    group: '',
    versions: ['v1'],
    kind: 'Service',
    plural: 'services',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    hasStatus: true,
  },
  {
    group: '',
    versions: ['v1'],
    kind: 'Endpoints',
    plural: 'endpoints',
    namespaced: true,
    shortNames: ['ep'],
  },
  {
    group: '',
    versions: ['v1'],
    kind: 'ServiceAccount',
    plural: 'serviceaccounts',
    namespaced: true,
    shortNames: ['sa'],
  },
  {
    group: '',
    versions: ['v1'],
    kind: 'ConfigMap',
    plural: 'configmaps',
    namespaced: true,
    shortNames: ['cm'],
  },
  { group: '', versions: ['v1'], kind: 'Secret', plural: 'secrets', namespaced: true, shortNames: [] },
  { group: '', versions: ['v1'], kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'] },
  {
    group: 'discovery.k8s.io',
    versions: ['v1'],
    kind: 'EndpointSlice',
    plural: 'endpointslices',
    namespaced: true,
    shortNames: [],
  },
  {
    group: 'apps',
    versions: ['v1'],
    kind: 'Deployment',
    plural: 'deployments',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    hasGeneration: true,
    hasStatus: true,
  },
  {
    group: 'apps',
    versions: ['v1'],
    kind: 'ReplicaSet',
    plural: 'replicasets',
    namespaced: true,
    shortNames: ['rs'],
    categories: ['all'],
    hasGeneration: true,
    hasStatus: true,
  },
  {
    group: 'apps',
    versions: ['v1'],
    kind: 'StatefulSet',
    plural: 'statefulsets',
    namespaced: true,
    shortNames: ['sts'],
    categories: ['all'],
    hasGeneration: true,
    hasStatus: true,
  },
  {
    group: 'apps',
    versions: ['v1'],
    kind: 'DaemonSet',
    plural: 'daemonsets',
    namespaced: true,
    shortNames: ['ds'],
    categories: ['all'],
    hasGeneration: true,
    hasStatus: true,
  },
  // Leader election (client-go's leaselock, the console's rollout driver): stored and watched like any
  // built-in; spec validated as kube-apiserver does (ValidateLeaseSpec).
  {
    group: 'coordination.k8s.io',
    versions: ['v1'],
    kind: 'Lease',
    plural: 'leases',
    namespaced: true,
    shortNames: [],
  },
  // Stored only (no controller acts on them): what an in-cluster install ships besides its workload.
  {
    group: 'networking.k8s.io',
    versions: ['v1'],
    kind: 'NetworkPolicy',
    plural: 'networkpolicies',
    namespaced: true,
    shortNames: ['netpol'],
    hasGeneration: true,
  },
  {
    group: 'policy',
    versions: ['v1'],
    kind: 'PodDisruptionBudget',
    plural: 'poddisruptionbudgets',
    namespaced: true,
    shortNames: ['pdb'],
    hasGeneration: true,
    hasStatus: true,
  },
  {
    group: 'apiextensions.k8s.io',
    versions: ['v1'],
    kind: 'CustomResourceDefinition',
    plural: 'customresourcedefinitions',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    hasGeneration: true,
    hasStatus: true,
  },
];

/** Subresources served per resource (discovery lists them; handlers implement them). */
export const SUBRESOURCES: Record<
  string,
  { name: string; kind: string; group?: string; version?: string; verbs: string[] }[]
> = {
  pods: [
    { name: 'status', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
    { name: 'log', kind: 'Pod', verbs: ['get'] },
    // kubectl port-forward (portforward.ts): WebSocket GET or SPDY POST upgrades.
    { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
  ],
  services: [{ name: 'status', kind: 'Service', verbs: ['get', 'patch', 'update'] }],
  serviceaccounts: [
    { name: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] },
  ],
  namespaces: [{ name: 'status', kind: 'Namespace', verbs: ['get', 'patch', 'update'] }],
  nodes: [{ name: 'status', kind: 'Node', verbs: ['get', 'patch', 'update'] }],
  'deployments.apps': [
    { name: 'status', kind: 'Deployment', verbs: ['get', 'patch', 'update'] },
    { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] },
  ],
  'replicasets.apps': [
    { name: 'status', kind: 'ReplicaSet', verbs: ['get', 'patch', 'update'] },
    { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] },
  ],
  'statefulsets.apps': [{ name: 'status', kind: 'StatefulSet', verbs: ['get', 'patch', 'update'] }],
  'daemonsets.apps': [{ name: 'status', kind: 'DaemonSet', verbs: ['get', 'patch', 'update'] }],
  'poddisruptionbudgets.policy': [
    { name: 'status', kind: 'PodDisruptionBudget', verbs: ['get', 'patch', 'update'] },
  ],
  'customresourcedefinitions.apiextensions.k8s.io': [
    { name: 'status', kind: 'CustomResourceDefinition', verbs: ['get', 'patch', 'update'] },
  ],
};

/** Kubernetes version priority: v1 > v1beta1 > v1alpha1 > others. */
export function compareVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number, string] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [3, 0, 0, v];
    const stage = m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2;
    return [stage, -Number(m[1]), -Number(m[3] ?? 0), v];
  };
  const x = rank(a);
  const y = rank(b);
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x[3] < y[3] ? -1 : x[3] > y[3] ? 1 : 0;
}

export function crdToResourceType(crd: KObject): ResourceType {
  const spec = (crd.spec ?? {}) as {
    group: string;
    names: {
      kind: string;
      plural: string;
      singular?: string;
      listKind?: string;
      shortNames?: string[];
      categories?: string[];
    };
    scope: string;
    versions: { name: string; served?: boolean; subresources?: { status?: unknown } }[];
  };
  const served = spec.versions.filter((v) => v.served !== false);
  const versions = served.map((v) => v.name).sort(compareVersions);
  return {
    group: spec.group,
    versions,
    kind: spec.names.kind,
    listKind: spec.names.listKind ?? `${spec.names.kind}List`,
    plural: spec.names.plural,
    singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
    namespaced: spec.scope !== 'Cluster',
    shortNames: spec.names.shortNames ?? [],
    categories: spec.names.categories ?? [],
    verbs: ALL_VERBS,
    crd,
    hasGeneration: true,
    hasStatus: served.some((v) => v.subresources?.status !== undefined),
  };
}

export class Registry {
  private readonly byKey = new Map<string, ResourceType>();

  constructor() {
    for (const b of BUILT_INS) {
      this.add({
        ...b,
        singular: b.kind.toLowerCase(),
        listKind: `${b.kind}List`,
        categories: b.categories ?? [],
        // Namespaces cannot be deleted as a collection (as in kube-apiserver).
        verbs: b.kind === 'Namespace' ? ALL_VERBS.filter((v) => v !== 'deletecollection') : ALL_VERBS,
        hasGeneration: b.hasGeneration ?? false,
        hasStatus: b.hasStatus ?? false,
      });
    }
  }

  add(t: ResourceType): void {
    this.byKey.set(resourceKey(t.group, t.plural), t);
  }

  remove(group: string, plural: string): void {
    this.byKey.delete(resourceKey(group, plural));
  }

  byResource(group: string, plural: string): ResourceType | undefined {
    return this.byKey.get(resourceKey(group, plural));
  }

  /** The resource served at /apis/{group}/{version}/{plural}. */
  lookup(group: string, version: string, plural: string): ResourceType | undefined {
    const t = this.byKey.get(resourceKey(group, plural));
    return t && t.versions.includes(version) ? t : undefined;
  }

  byKind(group: string, kind: string): ResourceType | undefined {
    for (const t of this.byKey.values()) if (t.group === group && t.kind === kind) return t;
    return undefined;
  }

  all(): ResourceType[] {
    return [...this.byKey.values()];
  }

  /** Group names with their served versions, preferred first; core ('') included. */
  groups(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const t of this.byKey.values()) {
      const vs = out.get(t.group) ?? [];
      for (const v of t.versions) if (!vs.includes(v)) vs.push(v);
      out.set(t.group, vs);
    }
    for (const vs of out.values()) vs.sort(compareVersions);
    return out;
  }

  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.all().filter((t) => t.group === group && t.versions.includes(version));
  }
}
