/**
 * Lookup tables over a MeshConfig, built once per snapshot so that evaluating a request costs map lookups,
 * not scans of every object (mesh-sim evaluates thousands of requests a second over 1,000+ services).
 *
 * Cached per MeshConfig object and rebuilt when any of its arrays is replaced or changes length. Treat a
 * MeshConfig as an immutable snapshot: to change config, build a new object (or new arrays).
 */
import type { MeshConfig, WorkloadInfo } from './evaluate.types';
import type { DestinationRule, PeerAuthentication, ServiceEntry, VirtualService } from './model';
import { sortByCreation } from './order';
import {
  DEFAULT_CLUSTER_DOMAIN,
  DEFAULT_ROOT_NAMESPACE,
  hostSpecificity,
  namespaceOf,
  resolveConfigHost,
} from './hosts';

type Service = MeshConfig['services'][number];

export interface VsEntry {
  vs: VirtualService;
  namespace: string;
  /** Resolved host patterns. */
  hosts: string[];
}

export interface DrEntry {
  dr: DestinationRule;
  host: string;
  score: number;
  hasSelector: boolean;
}

export interface MeshIndex {
  domain: string;
  root: string;
  serviceByFqdn: Map<string, Service>;
  /** `name.namespace` of every service, for DNS-style completion. */
  serviceShortNames: Set<string>;
  vsByExactHost: Map<string, VsEntry[]>;
  vsWildcard: VsEntry[];
  drByNamespace: Map<string, DrEntry[]>;
  seHosts: { se: ServiceEntry; pattern: string }[];
  workloadsByNamespace: Map<string, WorkloadInfo[]>;
  /** PeerAuthentications oldest first. */
  peerAuthentications: PeerAuthentication[];
}

interface Cached {
  services: unknown;
  virtualServices: unknown;
  destinationRules: unknown;
  serviceEntries: unknown;
  workloads: unknown;
  peerAuthentications: unknown;
  lengths: string;
  clusterDomain: string | undefined;
  rootNamespace: string | undefined;
  index: MeshIndex;
}

const cache = new WeakMap<object, Cached>();

function lengths(config: Partial<MeshConfig>): string {
  return `${config.services?.length}/${config.virtualServices?.length}/${config.destinationRules?.length}/${config.serviceEntries?.length}/${config.workloads?.length}/${config.peerAuthentications?.length}`;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function meshIndex(config: Partial<MeshConfig>): MeshIndex {
  const hit = cache.get(config);
  if (
    hit &&
    hit.services === config.services &&
    hit.virtualServices === config.virtualServices &&
    hit.destinationRules === config.destinationRules &&
    hit.serviceEntries === config.serviceEntries &&
    hit.workloads === config.workloads &&
    hit.peerAuthentications === config.peerAuthentications &&
    hit.clusterDomain === config.clusterDomain &&
    hit.rootNamespace === config.rootNamespace &&
    hit.lengths === lengths(config)
  ) {
    return hit.index;
  }
  const index = build(config);
  cache.set(config, {
    services: config.services,
    virtualServices: config.virtualServices,
    destinationRules: config.destinationRules,
    serviceEntries: config.serviceEntries,
    workloads: config.workloads,
    peerAuthentications: config.peerAuthentications,
    lengths: lengths(config),
    clusterDomain: config.clusterDomain,
    rootNamespace: config.rootNamespace,
    index,
  });
  return index;
}

function build(config: Partial<MeshConfig>): MeshIndex {
  const domain = config.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
  const serviceByFqdn = new Map<string, Service>();
  const serviceShortNames = new Set<string>();
  for (const s of config.services ?? []) {
    serviceByFqdn.set(`${s.name}.${s.namespace}.svc.${domain}`, s);
    serviceShortNames.add(`${s.name}.${s.namespace}`);
  }
  const vsByExactHost = new Map<string, VsEntry[]>();
  const vsWildcard: VsEntry[] = [];
  for (const vs of config.virtualServices ?? []) {
    const namespace = namespaceOf(vs);
    const hosts = (vs.spec?.hosts ?? []).map((h) => resolveConfigHost(h, namespace, domain));
    const entry: VsEntry = { vs, namespace, hosts };
    if (hosts.some((h) => h.includes('*'))) vsWildcard.push(entry);
    for (const h of new Set(hosts)) if (!h.includes('*')) push(vsByExactHost, h, entry);
  }
  const drByNamespace = new Map<string, DrEntry[]>();
  for (const dr of config.destinationRules ?? []) {
    if (!dr.spec?.host) continue;
    const host = resolveConfigHost(dr.spec.host, namespaceOf(dr), domain);
    push(drByNamespace, namespaceOf(dr), {
      dr,
      host,
      score: hostSpecificity(host),
      hasSelector: Object.keys(dr.spec.workloadSelector?.matchLabels ?? {}).length > 0,
    });
  }
  const seHosts = (config.serviceEntries ?? []).flatMap((se) =>
    (se.spec?.hosts ?? []).map((h) => ({ se, pattern: resolveConfigHost(h, namespaceOf(se), domain) })),
  );
  const workloadsByNamespace = new Map<string, WorkloadInfo[]>();
  for (const w of config.workloads ?? []) push(workloadsByNamespace, w.namespace, w);
  return {
    domain,
    root: config.rootNamespace ?? DEFAULT_ROOT_NAMESPACE,
    serviceByFqdn,
    serviceShortNames,
    vsByExactHost,
    vsWildcard,
    drByNamespace,
    seHosts,
    workloadsByNamespace,
    peerAuthentications: sortByCreation(config.peerAuthentications ?? []),
  };
}
