/**
 * What a builder knows about the service it routes: the service, its workloads' versions, and the
 * VirtualService / DestinationRule / Gateway that already exist for its host. Pure lookups over a
 * MeshConfig snapshot.
 */
import type { IntentKind } from '@meshlens/contract';
import type { MeshConfig } from '../evaluate.types';
import type { DestinationRule, Gateway, ObjectMeta, VirtualService } from '../model';
import { DEFAULT_CLUSTER_DOMAIN, labelsMatch, namespaceOf, resolveConfigHost } from '../hosts';
import { MESH_GATEWAY, virtualServiceGateways } from '../virtualService';
import { sortByCreation } from '../order';

export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MESHLENS = 'meshlens';
export const WIZARD = 'meshlens.io/wizard';
export const SERVICE = 'meshlens.io/service';
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** http[] rules meshlens manages are named with this prefix; the catch-all it writes is `meshlens-default`. */
export const RULE_PREFIX = 'meshlens-';
export const DEFAULT_RULE = 'meshlens-default';

export interface RoutingContext {
  /** The mesh as it stands: services, workloads, and every VirtualService, DestinationRule and Gateway. */
  mesh: MeshConfig;
  namespace: string;
  service: string;
  /** Pod label whose values name versions (and subsets). Default `version`. */
  versionLabel?: string;
}

/** One reason an intent cannot be built, at its path in the intent (`trafficShifting/weights/v9`). */
export interface IntentCause {
  path: string;
  message: string;
  code: string;
}

/** The intent does not fit the service (unknown version, missing gateway…). */
export class IntentError extends Error {
  constructor(readonly causes: IntentCause[]) {
    super(causes.map((c) => `${c.path ? `${c.path}: ` : ''}${c.message}`).join('; '));
    this.name = 'IntentError';
  }
}

export const intentError = (path: string, message: string, code = 'ML2001') =>
  new IntentError([{ path, message, code }]);

export interface ServiceFacts {
  namespace: string;
  name: string;
  fqdn: string;
  domain: string;
  versionLabel: string;
  ports: { port: number; name?: string; protocol?: string }[];
  /** Distinct version label values of the service's workloads, sorted; undefined without a workload inventory. */
  versions?: string[];
  /** The service's workloads (selected by its selector); undefined without a workload inventory. */
  workloads?: { name: string; labels: Record<string, string> }[];
  virtualService?: VirtualService;
  destinationRule?: DestinationRule;
}

export const isManaged = (meta: ObjectMeta | undefined) => meta?.labels?.[MANAGED_BY] === MESHLENS;

/** The service, its versions, and the VirtualService and DestinationRule meshlens would edit for it. */
export function serviceFacts(ctx: RoutingContext): ServiceFacts {
  const { mesh, namespace, service } = ctx;
  const domain = mesh.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
  const versionLabel = ctx.versionLabel ?? 'version';
  const svc = mesh.services.find((s) => s.name === service && s.namespace === namespace);
  if (!svc) throw intentError('', `no service ${namespace}/${service}`, 'ML2000');
  const fqdn = `${service}.${namespace}.svc.${domain}`;
  let versions: string[] | undefined;
  let workloads: ServiceFacts['workloads'];
  if (mesh.workloads) {
    const selector = svc.selector ?? {};
    const mine = mesh.workloads.filter(
      (w) => w.namespace === namespace && Object.keys(selector).length > 0 && labelsMatch(selector, w.labels),
    );
    workloads = mine.map((w) => ({ name: w.name, labels: w.labels }));
    versions = [...new Set(mine.map((w) => w.labels[versionLabel]).filter((v): v is string => !!v))].sort();
  }
  return {
    namespace,
    name: service,
    fqdn,
    domain,
    versionLabel,
    ports: svc.ports,
    versions,
    workloads,
    virtualService: pickFor(virtualServicesFor(mesh, namespace, fqdn, domain), service),
    destinationRule: pickFor(destinationRulesFor(mesh, namespace, fqdn, domain), service),
  };
}

/** VirtualServices of `namespace` naming the host: those bound to the mesh if any (or all, with anyBinding). */
export function virtualServicesFor(
  mesh: MeshConfig,
  namespace: string,
  fqdn: string,
  domain: string,
  anyBinding = false,
): VirtualService[] {
  const all = mesh.virtualServices.filter(
    (vs) =>
      namespaceOf(vs) === namespace &&
      (vs.spec?.hosts ?? []).some((h) => resolveConfigHost(h, namespace, domain) === fqdn),
  );
  if (anyBinding) return all;
  const meshBound = all.filter((vs) => virtualServiceGateways(vs).includes(MESH_GATEWAY));
  return meshBound.length > 0 ? meshBound : all;
}

/** DestinationRules of `namespace` for the host (not workload-scoped). */
export function destinationRulesFor(
  mesh: MeshConfig,
  namespace: string,
  fqdn: string,
  domain: string,
): DestinationRule[] {
  return mesh.destinationRules.filter(
    (dr) =>
      namespaceOf(dr) === namespace &&
      !!dr.spec?.host &&
      resolveConfigHost(dr.spec.host, namespace, domain) === fqdn &&
      Object.keys(dr.spec.workloadSelector?.matchLabels ?? {}).length === 0,
  );
}

/** Among candidates: meshlens's own for the service, else the one named after it, else the oldest. */
function pickFor<T extends VirtualService | DestinationRule | Gateway>(
  list: T[],
  service: string,
): T | undefined {
  const sorted = sortByCreation(list);
  return (
    sorted.find((o) => isManaged(o.metadata) && o.metadata.labels?.[SERVICE] === service) ??
    sorted.find((o) => o.metadata.name === service) ??
    sorted[0]
  );
}

/** Metadata of a written object: existing identity and resourceVersion kept, labels marked as meshlens's. */
export function writtenMeta(
  existing: ObjectMeta | undefined,
  name: string,
  namespace: string,
  kind: IntentKind,
  service: string,
): ObjectMeta {
  if (!existing) {
    return { name, namespace, labels: { [MANAGED_BY]: MESHLENS, [WIZARD]: kind, [SERVICE]: service } };
  }
  // A hand-written object stays the user's: it records the wizard used, not meshlens ownership.
  const labels = isManaged(existing)
    ? { ...existing.labels, [WIZARD]: kind, [SERVICE]: service }
    : { ...existing.labels, [WIZARD]: kind };
  const annotations = { ...existing.annotations };
  delete annotations[LAST_APPLIED];
  return {
    name: existing.name,
    namespace: existing.namespace ?? namespace,
    labels,
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    ...(existing.resourceVersion ? { resourceVersion: existing.resourceVersion } : {}),
  };
}

/** A valid subset name for a version (DNS-1123 label), as close to the version as it can be. */
export function subsetNameFor(version: string): string {
  const s = version
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
  return s || 'subset';
}

export const clone = <T>(v: T): T => structuredClone(v);

/** Structural equality of plain JSON values (key order ignored). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameJson(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}
