/**
 * Cuts a MeshConfig down to the objects that can matter for requests to one host, so the evaluator (which
 * scans its lists) stays cheap in a mesh of thousands of services. Keeps: VirtualServices whose hosts cover
 * the host (and delegates), the services, DestinationRules and ServiceEntries of every host those
 * VirtualServices can route or mirror to, all PeerAuthentications, and the workloads of those namespaces.
 */
import { resolveHost, type MeshConfig } from '@meshlens/istio';

type Spec = Record<string, unknown>;
const specOf = (o: unknown): Spec => ((o as { spec?: Spec }).spec ?? {}) as Spec;
const nsOf = (o: unknown): string =>
  (o as { metadata?: { namespace?: string } }).metadata?.namespace ?? 'default';

/** Wildcard-aware host intersection (`*`, `*.example.com`). */
export function hostsIntersect(a: string, b: string): boolean {
  if (a === b || a === '*' || b === '*') return true;
  if (a.startsWith('*.') && b.endsWith(a.slice(1))) return true;
  if (b.startsWith('*.') && a.endsWith(b.slice(1))) return true;
  if (a.startsWith('*.') && b.startsWith('*.')) return a.endsWith(b.slice(1)) || b.endsWith(a.slice(1));
  return false;
}

function destinationHosts(vsSpec: Spec): string[] {
  const out: string[] = [];
  const collect = (routes: unknown) => {
    for (const r of (routes as Spec[] | undefined) ?? []) {
      for (const d of (r.route as Spec[] | undefined) ?? []) {
        const host = (d.destination as Spec | undefined)?.host;
        if (typeof host === 'string') out.push(host);
      }
      const mirror = (r.mirror as Spec | undefined)?.host;
      if (typeof mirror === 'string') out.push(mirror);
      for (const m of (r.mirrors as Spec[] | undefined) ?? []) {
        const h = (m.destination as Spec | undefined)?.host;
        if (typeof h === 'string') out.push(h);
      }
    }
  };
  collect(vsSpec.http);
  collect(vsSpec.tcp);
  collect(vsSpec.tls);
  return out;
}

export function prunedConfig(config: MeshConfig, host: string, callerNamespace: string): MeshConfig {
  const requested = host.replace(/:\d+$/, '').toLowerCase();
  const fqdn = resolveHost(config, host, callerNamespace);
  const hosts = new Set([fqdn, requested]);
  const resolveIn = (h: string, ns: string) => (h.includes('*') ? h : resolveHost(config, h, ns));

  const virtualServices = config.virtualServices.filter((vs) => {
    const vsHosts = (specOf(vs).hosts as string[] | undefined) ?? [];
    if (vsHosts.length === 0) return true; // delegate
    return vsHosts.some((h) => {
      const r = resolveIn(h, nsOf(vs));
      for (const x of hosts) if (hostsIntersect(r, x) || hostsIntersect(h.toLowerCase(), x)) return true;
      return false;
    });
  });
  const targets = new Set(hosts);
  for (const vs of virtualServices)
    for (const h of destinationHosts(specOf(vs))) targets.add(resolveIn(h, nsOf(vs)));

  const covers = (h: string) => {
    for (const t of targets) if (hostsIntersect(h, t)) return true;
    return false;
  };
  const domain = config.clusterDomain ?? 'cluster.local';
  const services = config.services.filter((s) => targets.has(`${s.name}.${s.namespace}.svc.${domain}`));
  const namespaces = new Set(services.map((s) => s.namespace));
  return {
    ...config,
    virtualServices,
    services,
    destinationRules: config.destinationRules.filter((dr) => {
      const h = specOf(dr).host;
      return typeof h === 'string' && covers(resolveIn(h, nsOf(dr)));
    }),
    serviceEntries: config.serviceEntries.filter((se) =>
      ((specOf(se).hosts as string[] | undefined) ?? []).some((h) => covers(h.toLowerCase())),
    ),
    workloads: (config.workloads ?? []).filter((w) => namespaces.has(w.namespace)),
  };
}
