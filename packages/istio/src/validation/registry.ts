/** Is a host known to the mesh (Kubernetes services, ServiceEntry hosts)? Shared by the VS and DR checks. */
import type { ValidationInput, Severity } from './types';
import { hostMatches } from '../hosts';
import { meshIndex } from '../meshIndex';
import { isKnownHost } from '../destination';

export function hostInRegistry(input: ValidationInput, fqdn: string): boolean {
  const idx = meshIndex(input);
  if (isKnownHost(input, fqdn)) return true;
  // A wildcard host is fine when it covers at least one known host.
  if (fqdn.includes('*')) {
    for (const h of idx.serviceByFqdn.keys()) if (hostMatches(fqdn, h)) return true;
    return idx.seHosts.some((e) => hostMatches(fqdn, e.pattern));
  }
  return false;
}

/** Cluster-local names are always errors; other unknown hosts are warnings under ALLOW_ANY. */
export function unknownHostSeverity(
  input: ValidationInput,
  fqdn: string,
  outbound: 'ALLOW_ANY' | 'REGISTRY_ONLY',
): Severity {
  const local = fqdn.endsWith(`.svc.${meshIndex(input).domain}`);
  return local || outbound === 'REGISTRY_ONLY' ? 'error' : 'warning';
}
