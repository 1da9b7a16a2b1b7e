/**
 * From a chosen route destination to what the client proxy does with it: the FQDN and port, the subset's
 * labels, the DestinationRule policy in force, and whether the client speaks Istio mTLS.
 */
import type { Caller, Destination, MeshConfig } from './evaluate.types';
import type { RouteDestinationRef, TrafficPolicy } from './model';
import { DEFAULT_CLUSTER_DOMAIN, hostMatches, labelsMatch, resolveConfigHost } from './hosts';
import { meshIndex } from './meshIndex';
import { effectiveTrafficPolicy, findDestinationRule, hostNamespace } from './destinationRule';
import { serviceMtlsMode } from './peerAuth';

/** Is the host a Kubernetes service or a ServiceEntry host? Unknown hosts go to PassthroughCluster. */
export function isKnownHost(config: Partial<MeshConfig>, fqdn: string): boolean {
  const idx = meshIndex(config);
  return idx.serviceByFqdn.has(fqdn) || idx.seHosts.some((e) => hostMatches(e.pattern, fqdn));
}

/** Envoy's cluster name for a destination: `outbound|9080|v1|reviews.bookinfo.svc.cluster.local`. */
export function clusterName(dest: Destination): string {
  return `outbound|${dest.port ?? ''}|${dest.subset ?? ''}|${dest.host}`;
}

/** Ports a host exposes: a Kubernetes service's ports, or a ServiceEntry's. */
export function hostPorts(config: Partial<MeshConfig>, fqdn: string): number[] {
  const idx = meshIndex(config);
  const svc = idx.serviceByFqdn.get(fqdn);
  if (svc) return svc.ports.map((p) => p.port);
  const se = idx.seHosts.find((e) => hostMatches(e.pattern, fqdn));
  return (se?.se.spec.ports ?? []).map((p) => p.number);
}

/**
 * Weighted pick (§3): one destination takes everything; with several, each gets weight / sum, a missing
 * weight counting as 0. A total of 0 is rejected by istiod's validation; should such config reach us, the
 * first destination is used. Draws from `random` only when there is a real choice.
 */
export function pickWeighted<T extends { weight?: number }>(
  routes: readonly T[],
  random: () => number,
): { route: T; index: number } | undefined {
  if (routes.length === 0) return undefined;
  if (routes.length === 1) return { route: routes[0] as T, index: 0 };
  const weights = routes.map((r) => Math.max(0, r.weight ?? 0));
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) return { route: routes[0] as T, index: 0 };
  const positive = weights.filter((w) => w > 0).length;
  if (positive === 1) {
    const index = weights.findIndex((w) => w > 0);
    return { route: routes[index] as T, index };
  }
  let draw = random() * total;
  for (let i = 0; i < routes.length; i++) {
    const w = weights[i] as number;
    if (w <= 0) continue;
    if (draw < w) return { route: routes[i] as T, index: i };
    draw -= w;
  }
  const last = weights.findLastIndex((w) => w > 0);
  return { route: routes[last] as T, index: last };
}

/**
 * The destination a route entry names: host resolved in the VirtualService's namespace; port as written,
 * else the host's only port, else the port the request arrived on.
 */
export function resolveDestination(
  config: MeshConfig,
  ref: RouteDestinationRef,
  vsNamespace: string,
  requestPort: number | undefined,
): Destination {
  const host = resolveConfigHost(ref.host, vsNamespace, config.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN);
  const ports = hostPorts(config, host);
  const port = ref.port?.number ?? (ports.length === 1 ? ports[0] : requestPort);
  const out: Destination = { host };
  if (ref.subset) out.subset = ref.subset;
  if (port !== undefined) out.port = port;
  return out;
}

export type ClusterResolution =
  | {
      ok: true;
      subsetLabels?: Record<string, string>;
      policy?: TrafficPolicy;
      destinationRule?: string;
      clientMtls: boolean;
      notes: string[];
    }
  | { ok: false; notes: string[] };

/** Does any pod behind the destination run a sidecar? Unknown inventory → assume yes. */
function destinationHasSidecar(
  config: MeshConfig,
  fqdn: string,
  subsetLabels: Record<string, string> | undefined,
): boolean {
  if (!config.workloads) return true;
  const idx = meshIndex(config);
  const svc = idx.serviceByFqdn.get(fqdn);
  if (!svc || !svc.selector) return true;
  const pods = (idx.workloadsByNamespace.get(svc.namespace) ?? []).filter(
    (w) => labelsMatch(svc.selector, w.labels) && labelsMatch(subsetLabels, w.labels),
  );
  if (pods.length === 0) return true;
  return pods.some((w) => w.sidecar !== false);
}

function isMeshExternal(config: MeshConfig, fqdn: string): boolean {
  return meshIndex(config).seHosts.some(
    (e) => (e.se.spec?.location ?? 'MESH_EXTERNAL') === 'MESH_EXTERNAL' && hostMatches(e.pattern, fqdn),
  );
}

/**
 * Client-side TLS (§7 `tls`): a DestinationRule `tls` block decides outright (mode defaults to DISABLE as
 * in the proto; only ISTIO_MUTUAL is Istio mTLS — SIMPLE/MUTUAL originate TLS the server side sees as
 * plaintext-to-mesh). Without one, auto mTLS: plaintext to mesh-external ServiceEntry hosts and to
 * services whose namespace or mesh PeerAuthentication is DISABLE; otherwise mTLS iff the destination
 * pods run a sidecar (from `config.workloads`; unknown = yes).
 */
export function decideClientMtls(
  config: MeshConfig,
  policy: TrafficPolicy | undefined,
  dest: Destination,
  subsetLabels: Record<string, string> | undefined,
): { mtls: boolean; note: string } {
  const tls = policy?.tls;
  if (tls) {
    const mode = tls.mode ?? 'DISABLE';
    return { mtls: mode === 'ISTIO_MUTUAL', note: `DestinationRule tls.mode ${mode}` };
  }
  if (config.autoMtls === false)
    return { mtls: false, note: 'auto mTLS disabled, no tls in DestinationRule' };
  if (!isKnownHost(config, dest.host)) {
    return { mtls: false, note: 'auto mTLS: host outside the registry (PassthroughCluster), plaintext' };
  }
  if (isMeshExternal(config, dest.host))
    return { mtls: false, note: 'auto mTLS: mesh-external host, plaintext' };
  const ns = hostNamespace(config, dest.host);
  if (ns !== undefined && serviceMtlsMode(config, ns) === 'DISABLE') {
    return { mtls: false, note: `auto mTLS: PeerAuthentication DISABLE in ${ns}, plaintext` };
  }
  const sidecar = destinationHasSidecar(config, dest.host, subsetLabels);
  return {
    mtls: sidecar,
    note: sidecar
      ? 'auto mTLS: destination has a sidecar'
      : 'auto mTLS: destination has no sidecar, plaintext',
  };
}

/**
 * Subset → DestinationRule subset (missing → NC), and the policy for (subset, port). Default routing
 * (no subset) uses the top-level policy only.
 */
export function resolveCluster(config: MeshConfig, caller: Caller, dest: Destination): ClusterResolution {
  const notes: string[] = [];
  const dr = findDestinationRule(config, caller.namespace, caller.labels ?? {}, dest.host);
  if (dr) notes.push(`DestinationRule ${dr.keys.join(' + ')} (host ${dr.host})`);
  else notes.push(`no DestinationRule for ${dest.host}`);
  let subsetLabels: Record<string, string> | undefined;
  let subsetPolicy: TrafficPolicy | undefined;
  if (dest.subset) {
    const subset = dr?.subsets.find((s) => s.name === dest.subset);
    if (!subset) {
      notes.push(`subset ${dest.subset} is not defined by any DestinationRule: no cluster (503 NC)`);
      return { ok: false, notes };
    }
    subsetLabels = { ...(subset.labels ?? {}) };
    subsetPolicy = subset.trafficPolicy;
    notes.push(
      `subset ${subset.name} selects ${Object.entries(subsetLabels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')}${subsetPolicy ? ' (subset trafficPolicy replaces top-level fields)' : ''}`,
    );
  }
  const policy = effectiveTrafficPolicy(dr?.trafficPolicy, subsetPolicy, dest.port);
  const mtls = decideClientMtls(config, policy, dest, subsetLabels);
  notes.push(mtls.note);
  const out: ClusterResolution = { ok: true, clientMtls: mtls.mtls, notes };
  if (subsetLabels) out.subsetLabels = subsetLabels;
  if (policy) out.policy = policy;
  if (dr) out.destinationRule = dr.keys[0];
  return out;
}
