/**
 * DestinationRule checks: host in the registry (KIA0202), subsets without labels (KIA0209) or whose labels
 * select no workload of the host (KIA0203: a warning, an error when a VirtualService routes to the subset,
 * as in Kiali's NoDestinationChecker), and TLS DISABLE against a STRICT PeerAuthentication on the
 * host's namespace (KIA0207) or mesh-wide (KIA0208). KIA0201 (same host+subset in two rules) needs all
 * rules: see ./mesh.
 */
import type { DestinationRule, RouteDestinationRef, TrafficPolicy } from '../model';
import type { ValidationCheck, ValidationInput, ValidationOptions } from './types';
import { makeCheck } from './types';
import { labelsMatch, namespaceOf, resolveConfigHost } from '../hosts';
import { hostNamespace } from '../destinationRule';
import { findPeerAuthentications } from '../peerAuth';
import { meshIndex } from '../meshIndex';
import { hostInRegistry, unknownHostSeverity } from './registry';
import { selectorChecks } from './peerAuthentication';

function tlsLocations(policy: TrafficPolicy | undefined, path: string): { mode?: string; path: string }[] {
  if (!policy) return [];
  const out = policy.tls ? [{ mode: policy.tls.mode, path: `${path}/tls/mode` }] : [];
  (policy.portLevelSettings ?? []).forEach((p, k) => {
    if (p.tls) out.push({ mode: p.tls.mode, path: `${path}/portLevelSettings[${k}]/tls/mode` });
  });
  return out;
}

/** Subsets of `fqdn` that some VirtualService's http, tcp or tls routes send requests to. */
function routedSubsets(input: ValidationInput, fqdn: string, domain: string): Set<string> {
  const out = new Set<string>();
  for (const vs of input.virtualServices ?? []) {
    const ns = namespaceOf(vs);
    const rules = [...(vs.spec?.http ?? []), ...(vs.spec?.tcp ?? []), ...(vs.spec?.tls ?? [])] as {
      route?: { destination?: RouteDestinationRef }[];
    }[];
    for (const rule of rules)
      for (const r of rule.route ?? []) {
        const d = r.destination;
        if (d?.subset && d.host && resolveConfigHost(d.host, ns, domain) === fqdn) out.add(d.subset);
      }
  }
  return out;
}

function strictness(input: ValidationInput, ns: string | undefined): 'namespace' | 'mesh' | undefined {
  if (ns === undefined) return undefined;
  const chain = findPeerAuthentications(input, ns, {});
  const nsMode = chain.namespace?.spec?.mtls?.mode;
  if (nsMode === 'STRICT') return 'namespace';
  if (nsMode === 'PERMISSIVE' || nsMode === 'DISABLE') return undefined;
  return chain.mesh?.spec?.mtls?.mode === 'STRICT' ? 'mesh' : undefined;
}

export function validateDestinationRule(
  dr: DestinationRule,
  input: ValidationInput,
  options: ValidationOptions = {},
): ValidationCheck[] {
  const out: ValidationCheck[] = [];
  const idx = meshIndex(input);
  const ns = namespaceOf(dr);
  out.push(...selectorChecks(dr.spec?.workloadSelector?.matchLabels, ns, 'spec/workloadSelector', input));
  if (!dr.spec?.host) return out;
  const host = resolveConfigHost(dr.spec.host, ns, idx.domain);
  if (!hostInRegistry(input, host)) {
    out.push(
      makeCheck(
        'KIA0202',
        'spec/host',
        host,
        unknownHostSeverity(input, host, options.outboundTrafficPolicy ?? 'ALLOW_ANY'),
      ),
    );
  }
  const svc = idx.serviceByFqdn.get(host);
  let routed: Set<string> | undefined;
  (dr.spec.subsets ?? []).forEach((s, i) => {
    const labels = s.labels ?? {};
    if (Object.keys(labels).length === 0) {
      out.push(makeCheck('KIA0209', `spec/subsets[${i}]`, s.name));
      return;
    }
    if (!input.workloads || !svc) return; // no inventory, or not a Kubernetes service: nothing to compare with
    const pods = (idx.workloadsByNamespace.get(svc.namespace) ?? []).filter(
      (w) => (!svc.selector || labelsMatch(svc.selector, w.labels)) && labelsMatch(labels, w.labels),
    );
    if (pods.length > 0) return;
    routed ??= routedSubsets(input, host, idx.domain);
    const severity = routed.has(s.name) ? 'error' : 'warning';
    out.push(makeCheck('KIA0203', `spec/subsets[${i}]/labels`, s.name, severity));
  });
  const strict = strictness(input, hostNamespace(input, host));
  if (strict) {
    const locations = [
      ...tlsLocations(dr.spec.trafficPolicy, 'spec/trafficPolicy'),
      ...(dr.spec.subsets ?? []).flatMap((s, i) =>
        tlsLocations(s.trafficPolicy, `spec/subsets[${i}]/trafficPolicy`),
      ),
    ];
    for (const loc of locations) {
      if ((loc.mode ?? 'DISABLE') === 'DISABLE')
        out.push(makeCheck(strict === 'namespace' ? 'KIA0207' : 'KIA0208', loc.path));
    }
  }
  return out;
}
