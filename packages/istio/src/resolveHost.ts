import type { MeshConfig } from './evaluate.types';
import { isIpAddress, splitHostPort } from './hosts';
import { meshIndex } from './meshIndex';

/**
 * The FQDN an application's host name reaches, as DNS in the caller's pod would resolve it: `reviews` →
 * `reviews.<callerNs>.svc.cluster.local`; `reviews.bookinfo` (a known service) and `reviews.bookinfo.svc`
 * are completed; FQDNs, ServiceEntry hosts, IPs and anything else are returned lowercased, port removed.
 */
export function resolveHost(config: MeshConfig, host: string, callerNamespace: string): string {
  const idx = meshIndex(config);
  const domain = idx.domain;
  const h = splitHostPort(host).host.toLowerCase().replace(/\.$/, '');
  if (h === '' || h.includes('*') || isIpAddress(h)) return h;
  if (!h.includes('.')) return `${h}.${callerNamespace}.svc.${domain}`;
  const labels = h.split('.');
  if (labels.length === 2 && idx.serviceShortNames.has(h)) {
    return `${h}.svc.${domain}`;
  }
  if (labels.length === 3 && labels[2] === 'svc') return `${h}.${domain}`;
  return h;
}
