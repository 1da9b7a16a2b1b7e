import { noConfigBadges } from '@meshlens/contract';
import type { HostConfig, InventorySnapshot } from './types';

export const CLUSTER_DOMAIN = 'cluster.local';

/** Istio's short-name resolution: `reviews` in namespace `bookinfo` → `reviews.bookinfo.svc.cluster.local`. */
export function resolveHost(host: string, namespace: string): string {
  const h = host.trim().toLowerCase();
  if (h === '' || h === '*' || h.includes('.') || h.includes(':')) return h;
  return `${h}.${namespace}.svc.${CLUSTER_DOMAIN}`;
}

/** Does `pattern` (exact, `*.suffix`, `*`) cover `host`? */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*' || pattern === host) return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return false;
}

export const NO_CONFIG: HostConfig = noConfigBadges();

export function mergeConfig(a: HostConfig, b: Partial<HostConfig>): HostConfig {
  const out = { ...a };
  for (const key of Object.keys(NO_CONFIG) as (keyof HostConfig)[]) out[key] = a[key] || Boolean(b[key]);
  return out;
}

/** The Istio config that applies to a service FQDN (exact hosts and wildcard patterns). */
export function configForHost(snapshot: Pick<InventorySnapshot, 'hostConfig'>, fqdn: string): HostConfig {
  let out = NO_CONFIG;
  for (const [pattern, config] of Object.entries(snapshot.hostConfig)) {
    if (pattern === fqdn || (pattern.includes('*') && hostMatches(pattern, fqdn)))
      out = mergeConfig(out, config);
  }
  return out;
}
