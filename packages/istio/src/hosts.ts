/** Host names, namespaces, visibility and label selectors: the small rules every lookup shares. */

export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
/** Istio's root (config) namespace by default: mesh-wide PeerAuthentication and exported config. */
export const DEFAULT_ROOT_NAMESPACE = 'istio-system';

interface HasMetadata {
  metadata: { name: string; namespace?: string };
}

/** The object's namespace; a manifest without one lands in `default`, as `kubectl apply` would put it. */
export function namespaceOf(obj: HasMetadata): string {
  return obj.metadata.namespace || 'default';
}

/** `namespace/name`, the key used in outcomes and validations. */
export function objectKey(obj: HasMetadata): string {
  return `${namespaceOf(obj)}/${obj.metadata.name}`;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export function isIpAddress(host: string): boolean {
  return IPV4.test(host) || host.includes(':');
}

/**
 * Resolves a host written in Istio config (VirtualService hosts and destinations, DestinationRule host,
 * gateways' hosts) the way istiod does (`ResolveShortnameToFQDN`): a name without a dot is a Kubernetes
 * service in the object's own namespace; anything with a dot, `*` and IP addresses are taken literally.
 */
export function resolveConfigHost(host: string, namespace: string, domain = DEFAULT_CLUSTER_DOMAIN): string {
  const h = host.trim().toLowerCase();
  if (h === '' || h === '*' || isIpAddress(h) || h.includes('.')) return h;
  return `${h}.${namespace}.svc.${domain}`;
}

/** Does the host pattern (exact, `*.suffix` or `*`) cover `host`? `host` may itself be a wildcard. */
export function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (p === '*') return true;
  if (p === h) return true;
  if (p.startsWith('*.')) {
    const suffix = p.slice(1); // ".example.com"
    if (h.startsWith('*.')) return h.slice(1).endsWith(suffix);
    return h.endsWith(suffix) && h.length > suffix.length;
  }
  return false;
}

/** Do two host patterns overlap (one covers the other)? Used to find VirtualServices competing for hosts. */
export function hostsIntersect(a: string, b: string): boolean {
  return hostMatches(a, b) || hostMatches(b, a);
}

/**
 * Higher is more specific: an exact host beats any wildcard, and a longer wildcard suffix beats a shorter
 * one (`*.bookinfo.svc.cluster.local` beats `*.cluster.local` beats `*`). Envoy picks virtual hosts and
 * istiod picks DestinationRules this way.
 */
export function hostSpecificity(pattern: string): number {
  if (pattern === '*') return 0;
  if (pattern.startsWith('*')) return pattern.length;
  return 1_000_000 + pattern.length;
}

/**
 * Istio `exportTo` visibility: absent or empty = everywhere; `*` = everywhere; `~` = nowhere; `.` = the
 * object's own namespace; other entries name namespaces. The own namespace is included only through `.` or
 * its name (istiod's virtual-service and destination-rule indexes work this way).
 */
export function isExportedTo(
  exportTo: string[] | undefined,
  ownNamespace: string,
  targetNamespace: string,
): boolean {
  if (!exportTo || exportTo.length === 0) return true;
  if (exportTo.includes('*')) return true;
  if (exportTo.includes('~')) return false;
  if (targetNamespace === ownNamespace && exportTo.includes('.')) return true;
  return exportTo.includes(targetNamespace);
}

/** Label selector: every key/value of `selector` is present in `labels`. An empty selector selects all. */
export function labelsMatch(
  selector: Record<string, string> | undefined,
  labels: Record<string, string>,
): boolean {
  if (!selector) return true;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** `reviews:9080` → { host: 'reviews', port: 9080 }; `[::1]:80` → { host: '::1', port: 80 }. */
export function splitHostPort(authority: string): { host: string; port?: number } {
  const a = authority.trim();
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(a);
  if (v6) return v6[2] ? { host: v6[1] as string, port: Number(v6[2]) } : { host: v6[1] as string };
  const m = /^([^:]+):(\d+)$/.exec(a);
  if (m) return { host: m[1] as string, port: Number(m[2]) };
  return { host: a };
}

/** IPv4 CIDR (or bare address) containment; false for anything that is not IPv4. */
export function ipv4InCidr(ip: string, cidr: string): boolean {
  const [net, bitsText] = cidr.split('/');
  const a = ipv4ToInt(ip);
  const b = ipv4ToInt(net ?? '');
  if (a === undefined || b === undefined) return false;
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  if (bits === 0) return true;
  const mask = (~0 << (32 - bits)) >>> 0;
  return (a & mask) >>> 0 === (b & mask) >>> 0;
}

function ipv4ToInt(ip: string): number | undefined {
  if (!IPV4.test(ip)) return undefined;
  const parts = ip.split('.').map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return parts.reduce((acc, p) => ((acc << 8) | p) >>> 0, 0);
}
