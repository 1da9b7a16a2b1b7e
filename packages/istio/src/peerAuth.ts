/**
 * Server-side mTLS: which PeerAuthentication governs a workload (and port), and what the resulting
 * `connection_security_policy` label is. Precedence: workload selector > namespace-wide > root namespace
 * (mesh-wide); a level whose mode is UNSET (or absent) inherits from the level above; the default with no
 * policy at all is PERMISSIVE. portLevelMtls (keyed by the workload's port) applies only to policies with a
 * selector, as istiod enforces.
 */
import type { PeerAuthMode, MeshConfig } from './evaluate.types';
import type { PeerAuthentication, PeerAuthenticationMtlsMode } from './model';
import { DEFAULT_ROOT_NAMESPACE, labelsMatch, namespaceOf } from './hosts';
import { meshIndex } from './meshIndex';

export { DEFAULT_ROOT_NAMESPACE };

export interface PeerAuthenticationChain {
  mesh?: PeerAuthentication;
  namespace?: PeerAuthentication;
  workload?: PeerAuthentication;
}

function hasSelector(pa: PeerAuthentication): boolean {
  return Object.keys(pa.spec?.selector?.matchLabels ?? {}).length > 0;
}

/** The policies in force at each level for a workload; the oldest wins where several compete. */
export function findPeerAuthentications(
  config: Pick<MeshConfig, 'peerAuthentications' | 'rootNamespace'>,
  namespace: string,
  workloadLabels: Record<string, string>,
): PeerAuthenticationChain {
  const root = config.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;
  const all = meshIndex(config).peerAuthentications;
  const out: PeerAuthenticationChain = {};
  out.mesh = all.find((pa) => namespaceOf(pa) === root && !hasSelector(pa));
  if (namespace !== root) out.namespace = all.find((pa) => namespaceOf(pa) === namespace && !hasSelector(pa));
  out.workload = all.find(
    (pa) =>
      namespaceOf(pa) === namespace &&
      hasSelector(pa) &&
      labelsMatch(pa.spec.selector?.matchLabels, workloadLabels),
  );
  return out;
}

function set(mode: PeerAuthenticationMtlsMode | undefined): mode is PeerAuthMode {
  return mode === 'STRICT' || mode === 'PERMISSIVE' || mode === 'DISABLE';
}

/** The mode a workload's sidecar enforces for inbound traffic on `port` (a workload port). */
export function peerAuthMode(
  config: Pick<MeshConfig, 'peerAuthentications' | 'rootNamespace'>,
  namespace: string,
  workloadLabels: Record<string, string>,
  port?: number,
): PeerAuthMode {
  const chain = findPeerAuthentications(config, namespace, workloadLabels);
  let mode: PeerAuthMode = 'PERMISSIVE';
  for (const pa of [chain.mesh, chain.namespace, chain.workload]) {
    const m = pa?.spec?.mtls?.mode;
    if (set(m)) mode = m;
  }
  if (port !== undefined && chain.workload) {
    const portMode = chain.workload.spec.portLevelMtls?.[String(port)]?.mode;
    if (set(portMode)) mode = portMode;
  }
  return mode;
}

/**
 * The mode istiod infers for a whole service when building the client's cluster (auto mTLS): namespace
 * and mesh policies only, workload selectors are not consulted (`BestEffortInferServiceMTLSMode`).
 */
export function serviceMtlsMode(
  config: Pick<MeshConfig, 'peerAuthentications' | 'rootNamespace'>,
  namespace: string,
): PeerAuthMode {
  const chain = findPeerAuthentications(config, namespace, {});
  let mode: PeerAuthMode = 'PERMISSIVE';
  for (const pa of [chain.mesh, chain.namespace]) {
    const m = pa?.spec?.mtls?.mode;
    if (set(m)) mode = m;
  }
  return mode;
}

/**
 * The `connection_security_policy` label a destination sample carries: `mutual_tls` when the client spoke
 * Istio mTLS and the server terminates it (STRICT or PERMISSIVE), otherwise `none`. (Source samples always
 * carry `unknown`, METRICS.md.)
 */
export function connectionSecurityPolicy(clientMtls: boolean, mode: PeerAuthMode): 'mutual_tls' | 'none' {
  return clientMtls && mode !== 'DISABLE' ? 'mutual_tls' : 'none';
}

/**
 * Whether the server sidecar accepts the connection at all: STRICT refuses plaintext; DISABLE does not
 * terminate mTLS, so an Istio-mTLS client fails its handshake. The client then sees a connection failure
 * (503 with `UF`/`UC` at the source), which the simulator models.
 */
export function serverAcceptsConnection(clientMtls: boolean, mode: PeerAuthMode): boolean {
  if (mode === 'STRICT') return clientMtls;
  if (mode === 'DISABLE') return !clientMtls;
  return true;
}
