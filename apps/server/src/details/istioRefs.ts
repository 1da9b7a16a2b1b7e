/**
 * The Istio objects that apply to an entity, from the informer cache: VirtualServices routing to its
 * services (by host or destination), DestinationRules of those hosts, and policies (Sidecar,
 * PeerAuthentication, AuthorizationPolicy, Gateway) whose selector picks its pods.
 */
import type { IstioRef } from '@meshlens/contract';
import { resolveHost } from '../inventory/hosts';
import type { RawObject } from '../inventory/derive';
import { selects } from './facts';

type Dict = Record<string, unknown>;
const asDict = (v: unknown): Dict => (v && typeof v === 'object' ? (v as Dict) : {});
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export const REF_KINDS = [
  ['virtualservices', 'VirtualService'],
  ['destinationrules', 'DestinationRule'],
  ['gateways', 'Gateway'],
  ['sidecars', 'Sidecar'],
  ['peerauthentications', 'PeerAuthentication'],
  ['authorizationpolicies', 'AuthorizationPolicy'],
] as const;

export type RefLists = Partial<Record<(typeof REF_KINDS)[number][0], readonly RawObject[]>>;

export interface RefTarget {
  namespace: string;
  /** FQDNs of the entity's services (`reviews.bookinfo.svc.cluster.local`). */
  hosts: ReadonlySet<string>;
  /** Label sets of the entity's pods (workload templates). */
  podLabels: readonly Record<string, string>[];
}

/** Every host a VirtualService routes to, resolved in its namespace. */
function vsDestinations(spec: Dict, ns: string): string[] {
  const out: string[] = [];
  for (const section of ['http', 'tcp', 'tls'])
    for (const route of asArray(spec[section]).map(asDict)) {
      for (const d of asArray(route.route).map(asDict)) {
        const host = asDict(d.destination).host;
        if (typeof host === 'string') out.push(resolveHost(host, ns));
      }
      const mirror = asDict(route.mirror).host;
      if (typeof mirror === 'string') out.push(resolveHost(mirror, ns));
    }
  return out;
}

function applies(plural: string, o: RawObject, t: RefTarget): boolean {
  const ns = o.metadata?.namespace ?? '';
  const spec = asDict(o.spec);
  switch (plural) {
    case 'virtualservices': {
      const hosts = asArray(spec.hosts).map((h) => resolveHost(String(h), ns));
      return [...hosts, ...vsDestinations(spec, ns)].some((h) => t.hosts.has(h));
    }
    case 'destinationrules':
      return typeof spec.host === 'string' && t.hosts.has(resolveHost(spec.host, ns));
    case 'gateways': {
      const selector = (spec.selector ?? {}) as Record<string, string>;
      return t.podLabels.some((l) => selects(selector, l));
    }
    default: {
      if (ns !== t.namespace) return false;
      const selector = (asDict(spec.workloadSelector).labels ?? asDict(spec.selector).matchLabels) as
        Record<string, string> | undefined;
      // No selector: a namespace-wide policy, which applies to every workload of the namespace.
      if (!selector || Object.keys(selector).length === 0) return t.podLabels.length > 0;
      return t.podLabels.some((l) => selects(selector, l));
    }
  }
}

/** The objects of `lists` that apply to the target, sorted by kind then namespace then name. */
export function istioRefs(lists: RefLists, t: RefTarget): Omit<IstioRef, 'validation'>[] {
  const out: Omit<IstioRef, 'validation'>[] = [];
  for (const [plural, kind] of REF_KINDS)
    for (const o of lists[plural] ?? [])
      if (applies(plural, o, t))
        out.push({ kind, plural, namespace: o.metadata?.namespace ?? '', name: o.metadata?.name ?? '' });
  return out.sort(
    (a, b) =>
      a.kind.localeCompare(b.kind) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name),
  );
}
