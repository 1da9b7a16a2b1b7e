/** Which services an Istio object touches, and the graph link that focuses one. */
import { nodeId } from '@meshlens/contract';

export interface ServiceRef {
  namespace: string;
  service: string;
}

/** `reviews` (in `ns`), `reviews.bookinfo`, `reviews.bookinfo.svc.cluster.local` → the service; others → null. */
export function hostToService(host: string, ns: string): ServiceRef | null {
  if (!host || host.includes('*')) return null;
  const parts = host.split('.');
  if (parts.length === 1) return { namespace: ns, service: host };
  if (parts.length === 2 || (parts[2] === 'svc' && parts.length >= 3))
    return { namespace: parts[1] ?? ns, service: parts[0] ?? host };
  return null;
}

interface Route {
  destination?: { host?: string };
}
interface Spec {
  hosts?: string[];
  host?: string;
  http?: { route?: Route[]; mirror?: { host?: string } }[];
  tcp?: { route?: Route[] }[];
  tls?: { route?: Route[] }[];
}

/** Services named by a VirtualService (hosts and destinations) or a DestinationRule (host), de-duplicated. */
export function servicesOf(kind: string, ns: string, spec: unknown): ServiceRef[] {
  const s = (spec ?? {}) as Spec;
  const hosts: string[] = [];
  if (kind === 'VirtualService') {
    hosts.push(...(s.hosts ?? []));
    for (const r of [...(s.http ?? []), ...(s.tcp ?? []), ...(s.tls ?? [])])
      for (const d of r.route ?? []) if (d.destination?.host) hosts.push(d.destination.host);
  } else if (kind === 'DestinationRule' && s.host) hosts.push(s.host);
  const seen = new Map<string, ServiceRef>();
  for (const h of hosts) {
    const ref = hostToService(h, ns);
    if (ref) seen.set(`${ref.namespace}/${ref.service}`, ref);
  }
  return [...seen.values()];
}

/** The graph focused on a service. */
export function graphHref(ref: ServiceRef): string {
  const id = nodeId.service(ref.namespace, ref.service);
  return `/graph?namespaces=${encodeURIComponent(ref.namespace)}&focus=${encodeURIComponent(id)}&selected=${encodeURIComponent(id)}`;
}
