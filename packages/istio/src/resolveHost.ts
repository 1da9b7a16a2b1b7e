import type { MeshConfig } from './evaluate.types';
import { DEFAULT_CLUSTER_DOMAIN, isIpAddress, splitHostPort } from './hosts';

/**
 * The FQDN an application's host name reaches, as DNS in the caller's pod would resolve it: `reviews` →
 * `reviews.<callerNs>.svc.cluster.local`; `reviews.bookinfo` (a known service) and `reviews.bookinfo.svc`
 * are completed; FQDNs, ServiceEntry hosts, IPs and anything else are returned lowercased, port removed.
 */
export function resolveHost(config: MeshConfig, host: string, callerNamespace: string): string {
  const domain = config.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
  const h = splitHostPort(host).host.toLowerCase().replace(/\.$/, '');
  if (h === '' || h.includes('*') || isIpAddress(h)) return h;
  if (!h.includes('.')) return `${h}.${callerNamespace}.svc.${domain}`;
  const labels = h.split('.');
  if (labels.length === 2 && config.services.some((s) => s.name === labels[0] && s.namespace === labels[1])) {
    return `${h}.svc.${domain}`;
  }
  if (labels.length === 3 && labels[2] === 'svc') return `${h}.${domain}`;
  return h;
}
