import { nodeId, type GraphType, type Protocol } from '@meshlens/contract';
import { hostMatches } from '../inventory/hosts';
import type { ServiceEntryInfo } from '../inventory/types';
import {
  edgeId,
  ensureEdge,
  ensureNode,
  type newNode,
  type TEdge,
  type TNode,
  type TrafficMap,
  type TrafficSample,
} from './model';

const U = 'unknown';

export interface EndpointOptions {
  graphType: GraphType;
  injectServiceNodes: boolean;
  serviceEntries: readonly ServiceEntryInfo[];
  /** The namespaces asked for (which reports count, see readByKiali). */
  selected: ReadonlySet<string>;
  /**
   * The samples span several clusters: node ids carry the cluster (nodeId.inCluster), so the same
   * service or workload in two clusters is two nodes. A single-cluster graph keeps the plain ids.
   */
  multiCluster?: boolean;
}

/** A seed placed in `cluster`: its id qualified when the graph spans clusters; `unknown` stays unplaced. */
export function placed(seed: Seed, cluster: string, multiCluster: boolean | undefined): Seed {
  if (cluster === U || cluster === '') return seed;
  return { ...seed, cluster, ...(multiCluster ? { id: nodeId.inCluster(seed.id, cluster) } : {}) };
}

type Seed = Parameters<typeof newNode>[0];

/** The workload-level node (per graph type) for a workload identity, or undefined when it is unknown. */
export function entitySeed(
  graphType: GraphType,
  ns: string,
  workload: string,
  app: string,
  version: string,
): Seed | undefined {
  if (workload === U || workload === '') return undefined;
  const hasApp = app !== U && app !== '';
  const appLabel = hasApp ? app : undefined;
  const ver = version !== U && version !== '' ? version : undefined;
  if (graphType === 'app' && hasApp)
    return { id: nodeId.app(ns, app), type: 'app', label: app, namespace: ns, app };
  if (graphType === 'versionedApp' && hasApp) {
    const v = ver ?? 'latest';
    return {
      id: nodeId.versionedApp(ns, app, v),
      type: 'versionedApp',
      label: `${app} ${v}`,
      namespace: ns,
      app,
      version: v,
    };
  }
  return {
    id: nodeId.workload(ns, workload),
    type: 'workload',
    label: workload,
    namespace: ns,
    workload,
    app: appLabel,
    version: ver,
  };
}

export const UNKNOWN_SEED: Seed = { id: nodeId.unknown(), type: 'unknown', label: 'unknown', namespace: U };

/** The service entry whose hosts cover `host`, if any (exact hosts win over wildcards). */
export function findServiceEntry(
  entries: readonly ServiceEntryInfo[],
  host: string,
): ServiceEntryInfo | undefined {
  return (
    entries.find((se) => se.hosts.includes(host)) ??
    entries.find((se) => se.hosts.some((h) => hostMatches(h, host)))
  );
}

/**
 * Where requests that found no destination go (no route matched: 404 NR, destination_service_name
 * `unknown`): a service node named `unknown`, so the broken route shows with its codes and flags.
 */
export const UNKNOWN_SERVICE_SEED: Seed = {
  id: nodeId.service(U, U),
  type: 'service',
  label: U,
  namespace: U,
  service: U,
};

/** Envoy's cluster for traffic to an address outside the registry, allowed by outboundTrafficPolicy. */
export const PASSTHROUGH = 'PassthroughCluster';

const KUBE_FQDN = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.|$)/;

export function serviceSeed(s: TrafficSample, entries: readonly ServiceEntryInfo[]): Seed | undefined {
  const host = s.dstSvc !== U ? s.dstSvc : s.dstSvcName;
  const se = host !== U ? findServiceEntry(entries, host) : undefined;
  if (se) {
    return {
      id: nodeId.serviceEntry(host),
      type: 'serviceEntry',
      label: host,
      namespace: se.namespace,
      host,
      service: host,
      isServiceEntry: true,
      serviceEntryLocation: se.location,
    };
  }
  // Local replies (FI, UO, NR, …) carry the service FQDN but an unknown service namespace: read it from
  // the FQDN, as Kiali does with its `destination_service=~"^.+\\.NS\\..+$"` query.
  const hasName = s.dstSvcName !== U && s.dstSvcName !== '';
  const fqdn = s.dstSvcNs !== U && hasName ? null : KUBE_FQDN.exec(s.dstSvc);
  const namespace = s.dstSvcNs !== U ? s.dstSvcNs : (fqdn?.[2] ?? U);
  const service = hasName ? s.dstSvcName : fqdn?.[1];
  if (!service) return undefined;
  return {
    id: nodeId.service(namespace, service),
    type: 'service',
    label: service,
    namespace,
    service,
    host: s.dstSvc !== U ? s.dstSvc : undefined,
  };
}

export interface Endpoints {
  source: Seed;
  service?: Seed;
  dest?: Seed;
  /** The edges this sample's traffic flows along: [sourceSeed, targetSeed]. */
  hops: [Seed, Seed][];
  /**
   * The hops' edges in `edgesMap` per protocol (slot PROTOCOL_SLOT[protocol]), resolved once per
   * endpoints and map (see edgesOf); slots 3–5 hold lookups (create = false), which may not see edges a
   * later creating call adds.
   */
  edges: (TEdge[] | undefined)[];
  edgesMap?: TrafficMap;
}

const PROTOCOL_SLOT: Record<Protocol, number> = { http: 0, grpc: 1, tcp: 2 };

const NO_EDGES: TEdge[] = [];

/**
 * The edges of `map` that `ep`'s hops make for `protocol`, resolved once: the many samples that share
 * endpoints (codes, flags, reporters, the other queries) reuse the objects instead of looking up ids.
 * With `create`, missing nodes and edges are added (and the target learns the service FQDN `dstSvc`);
 * without, only existing edges are returned (appenders that run after the traffic map is built).
 */
export function edgesOf(
  map: TrafficMap,
  ep: Endpoints,
  protocol: Protocol,
  create: boolean,
  dstSvc: string,
): TEdge[] {
  if (ep.edgesMap !== map) {
    ep.edgesMap = map;
    ep.edges = [];
  }
  const created = ep.edges[PROTOCOL_SLOT[protocol]];
  // Once created, every hop's edge is in the map (edges are never removed): a lookup finds the same.
  if (created) return created;
  const slot = PROTOCOL_SLOT[protocol] + (create ? 0 : 3);
  const cached = ep.edges[slot];
  if (cached) return cached;
  const out: TEdge[] = [];
  for (const [from, to] of ep.hops) {
    const id = edgeId(from.id, to.id, protocol);
    let edge = map.edges.get(id);
    if (create) {
      let target: TNode;
      if (edge) {
        // The edge's own id strings are hashed already; the seed's are new.
        target = map.nodes.get(edge.target)!;
      } else {
        ensureNode(map, from);
        target = ensureNode(map, to);
        edge = ensureEdge(map, from.id, to.id, protocol, id);
      }
      if (dstSvc !== U) target.destServices.add(dstSvc);
    }
    if (edge) out.push(edge);
  }
  // A lookup may miss edges a later creating call adds: cache only complete answers.
  if (create || out.length === ep.hops.length) ep.edges[slot] = out;
  return out.length ? out : NO_EDGES;
}

/** Samples with these labels equal (besides srcWl and dstSvc, the memo's keys) share endpoints. */
const sameEndpoints = (a: TrafficSample, b: TrafficSample) =>
  a.srcCluster === b.srcCluster &&
  a.dstCluster === b.dstCluster &&
  a.srcNs === b.srcNs &&
  a.srcApp === b.srcApp &&
  a.srcVer === b.srcVer &&
  a.dstSvcNs === b.dstSvcNs &&
  a.dstSvcName === b.dstSvcName &&
  a.dstNs === b.dstNs &&
  a.dstWl === b.dstWl &&
  a.dstApp === b.dstApp &&
  a.dstVer === b.dstVer;

interface Memo {
  labels: TrafficSample;
  ep: Endpoints | undefined;
}
const memo = new WeakMap<EndpointOptions, Map<string, Map<string, Memo[]>>>();

/**
 * Where one sample's traffic goes, memoized per build (keyed by the options object): the many samples of
 * one caller/service/workload triple (codes, flags, reporters, the other queries) share one answer. Looked
 * up by caller workload, then service FQDN, then the few label variants under them compared in place: no
 * key string is built per sample (Prometheus's label values arrive as shared strings, so most
 * comparisons are pointer checks).
 */
export function endpointsOf(s: TrafficSample, o: EndpointOptions): Endpoints | undefined {
  let bySource = memo.get(o);
  if (!bySource) memo.set(o, (bySource = new Map()));
  let byService = bySource.get(s.srcWl);
  if (!byService) bySource.set(s.srcWl, (byService = new Map()));
  let seen = byService.get(s.dstSvc);
  if (!seen) byService.set(s.dstSvc, (seen = []));
  for (let i = 0; i < seen.length; i++) if (sameEndpoints(seen[i]!.labels, s)) return seen[i]!.ep;
  const ep = computeEndpoints(s, o);
  seen.push({ labels: s, ep });
  return ep;
}

/** A seed and the labels that made it (see seedOf). */
interface MadeSeed {
  labels: readonly string[];
  seed: Seed | undefined;
}

/**
 * Seeds per build (keyed by the options object, as endpointsOf's memo): the many endpoints of one workload
 * or service share one seed object and its id. Looked up by `kind` and `name`, then the few label variants
 * under it compared in place: no key string is built per endpoint.
 */
const seedMemo = new WeakMap<EndpointOptions, Map<string, MadeSeed[]>[]>();

function seedOf(
  o: EndpointOptions,
  kind: 0 | 1,
  name: string,
  labels: readonly string[],
  make: () => Seed | undefined,
): Seed | undefined {
  let byKind = seedMemo.get(o);
  if (!byKind) seedMemo.set(o, (byKind = [new Map(), new Map()]));
  let made = byKind[kind]!.get(name);
  if (!made) byKind[kind]!.set(name, (made = []));
  for (const m of made) if (m.labels.every((l, i) => l === labels[i])) return m.seed;
  const seed = make();
  made.push({ labels, seed });
  return seed;
}

/** The node (per graph type, placed in its cluster) of a workload identity; undefined when it is unknown. */
function workloadSeed(
  o: EndpointOptions,
  cluster: string,
  ns: string,
  workload: string,
  app: string,
  version: string,
): Seed | undefined {
  if (workload === U || workload === '') return undefined;
  return seedOf(o, 0, workload, [cluster, ns, app, version], () => {
    const seed = entitySeed(o.graphType === 'service' ? 'workload' : o.graphType, ns, workload, app, version);
    return seed && placed(seed, cluster, o.multiCluster);
  });
}

/**
 * Where a sample's traffic goes in the graph. With service nodes (or when no workload served the
 * request, or the destination is a service entry) it flows caller → service → workload; otherwise
 * caller → workload.
 */
function computeEndpoints(s: TrafficSample, o: EndpointOptions): Endpoints | undefined {
  const inject = o.injectServiceNodes || o.graphType === 'service';
  const source = workloadSeed(o, s.srcCluster, s.srcNs, s.srcWl, s.srcApp, s.srcVer) ?? UNKNOWN_SEED;
  const dest = workloadSeed(o, s.dstCluster, s.dstNs, s.dstWl, s.dstApp, s.dstVer);
  const hops: [Seed, Seed][] = [];
  // Passthrough traffic goes straight to the workload it reached, with no service node in between (as
  // Kiali draws it); only when no workload is known does the PassthroughCluster node stand for it.
  const passthrough = s.dstSvcName === PASSTHROUGH || s.dstSvc === PASSTHROUGH;
  if (passthrough && dest) return { source, dest, hops: [[source, dest]], edges: [] };
  // A service is in the cluster that served it; a request no workload answered (a local reply, whose
  // destination_cluster is unknown) was resolved in the caller's cluster. Service entries are mesh-wide.
  const svcCluster = s.dstCluster !== U ? s.dstCluster : s.srcCluster;
  const svcSeed = seedOf(o, 1, s.dstSvc, [svcCluster, s.dstSvcName, s.dstSvcNs], () => {
    const seed = serviceSeed(s, o.serviceEntries);
    return seed && !seed.isServiceEntry ? placed(seed, svcCluster, o.multiCluster) : seed;
  });
  const service =
    s.dstSvcName === U && !dest
      ? UNKNOWN_SERVICE_SEED
      : (svcSeed ?? (dest ? undefined : UNKNOWN_SERVICE_SEED));
  if (service && (inject || !dest || service.isServiceEntry)) {
    hops.push([source, service]);
    if (dest) hops.push([service, dest]);
  } else if (dest) {
    hops.push([source, dest]);
  } else {
    return undefined;
  }
  return { source, service, dest, hops, edges: [] };
}

export const isServiceLike = (n: Pick<TNode, 'type'>) => n.type === 'service' || n.type === 'serviceEntry';
