/**
 * The DestinationRule side: subsets for the service's versions (added, kept; removed only from
 * meshlens's own rule when no workload and no VirtualService needs them) and the top-level traffic
 * policy of the circuit-breaker intent, merged field by field with what is there.
 */
import type { CircuitBreakerIntent } from '@meshlens/contract';
import type { MeshConfig } from '../evaluate.types';
import type { DestinationRule, DestinationRuleSpec, Subset, TrafficPolicy, VirtualService } from '../model';
import { labelsMatch, namespaceOf, resolveConfigHost } from '../hosts';
import { subsetNameFor, type ServiceFacts } from './context';
import type { SubsetOf } from './httpRules';

/** Version → subset name: an existing subset selecting exactly that version is reused. */
export function subsetResolver(facts: ServiceFacts, existing: Subset[]): SubsetOf {
  const key = facts.versionLabel;
  return (version) => {
    const same = existing.find(
      (s) => s.labels?.[key] === version && Object.keys(s.labels ?? {}).length === 1,
    );
    if (same) return same.name;
    const name = subsetNameFor(version);
    const taken = existing.find((s) => s.name === name);
    return taken && taken.labels?.[key] !== version ? `${name}-${key}` : name;
  };
}

/** Subset names a VirtualService's routes and mirrors use for `fqdn`. */
export function subsetsUsed(vs: VirtualService, fqdn: string, domain: string): Set<string> {
  const out = new Set<string>();
  const ns = namespaceOf(vs);
  const add = (d: { host: string; subset?: string } | undefined) => {
    if (d?.subset && resolveConfigHost(d.host, ns, domain) === fqdn) out.add(d.subset);
  };
  for (const r of vs.spec?.http ?? []) {
    for (const d of r.route ?? []) add(d.destination);
    add(r.mirror);
    for (const m of r.mirrors ?? []) add(m.destination);
  }
  for (const r of [...(vs.spec?.tcp ?? []), ...(vs.spec?.tls ?? [])])
    for (const d of r.route ?? []) add(d.destination);
  return out;
}

/** Every subset of `fqdn` used by the mesh's VirtualServices, with `replaced` standing for its old self. */
export function subsetsUsedInMesh(
  mesh: MeshConfig,
  fqdn: string,
  domain: string,
  replaced: { old?: VirtualService; next?: VirtualService },
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const list = mesh.virtualServices.filter((v) => v !== replaced.old);
  if (replaced.next) list.push(replaced.next);
  for (const vs of list) {
    for (const s of subsetsUsed(vs, fqdn, domain)) {
      const users = out.get(s) ?? [];
      users.push(`${namespaceOf(vs)}/${vs.metadata.name}`);
      out.set(s, users);
    }
  }
  return out;
}

/**
 * Subsets after the change: existing ones kept; one per version of the service added; a subset used by a
 * VirtualService that names a version added. With `prune` (meshlens's own rule), subsets that select no
 * workload and that no VirtualService uses are dropped.
 */
export function mergeSubsets(
  existing: Subset[],
  facts: ServiceFacts,
  subsetOf: SubsetOf,
  used: Map<string, string[]>,
  prune: boolean,
): Subset[] {
  const out = existing.map((s) => ({ ...s }));
  const have = new Set(out.map((s) => s.name));
  const versionBySubset = new Map<string, string>();
  for (const v of facts.versions ?? []) versionBySubset.set(subsetOf(v), v);
  for (const s of used.keys())
    if (!versionBySubset.has(s) && facts.versions?.includes(s)) versionBySubset.set(s, s);
  for (const [name, version] of versionBySubset) {
    if (have.has(name)) continue;
    out.push({ name, labels: { [facts.versionLabel]: version } });
    have.add(name);
  }
  const mine = facts.workloads;
  if (!prune || !mine) return out;
  return out.filter(
    (s) =>
      used.has(s.name) ||
      Object.keys(s.labels ?? {}).length === 0 ||
      mine.some((w) => labelsMatch(s.labels, w.labels) && w.labels[facts.versionLabel] !== undefined),
  );
}

type Section<T> = T | null | undefined;

function mergeSection<T extends object>(current: T | undefined, change: Section<Partial<T>>): T | undefined {
  if (change === undefined) return current;
  if (change === null) return undefined;
  return { ...(current ?? {}), ...change } as T;
}

/** The circuit-breaker intent over a traffic policy: each section set, removed or left, other fields kept. */
export function applyCircuitBreaker(
  policy: TrafficPolicy | undefined,
  cb: CircuitBreakerIntent,
): TrafficPolicy {
  const out: TrafficPolicy = { ...(policy ?? {}) };
  if (cb.connectionPool === null) delete out.connectionPool;
  else if (cb.connectionPool) {
    const tcp = mergeSection(out.connectionPool?.tcp, cb.connectionPool.tcp);
    const http = mergeSection(out.connectionPool?.http, cb.connectionPool.http);
    out.connectionPool = { ...out.connectionPool, ...(tcp ? { tcp } : {}), ...(http ? { http } : {}) };
  }
  const od = mergeSection(out.outlierDetection, cb.outlierDetection);
  if (od) out.outlierDetection = od;
  else delete out.outlierDetection;
  if (cb.loadBalancer === null) delete out.loadBalancer;
  else if (cb.loadBalancer) {
    // simple and consistentHash exclude each other: the intent's replaces the other; warmup/locality kept.
    const { simple: _s, consistentHash: _c, ...rest } = out.loadBalancer ?? {};
    out.loadBalancer = { ...rest, ...cb.loadBalancer } as TrafficPolicy['loadBalancer'];
  }
  if (cb.tls === null) delete out.tls;
  else if (cb.tls) {
    const certs = cb.tls.mode === 'SIMPLE' || cb.tls.mode === 'MUTUAL';
    const base = certs ? { ...out.tls } : {};
    out.tls = { ...base, ...cb.tls };
  }
  return out;
}

/** The DestinationRule spec after the change (a copy). */
export function buildDestinationRuleSpec(
  existing: DestinationRule | undefined,
  facts: ServiceFacts,
  subsets: Subset[],
  cb: CircuitBreakerIntent | undefined,
): DestinationRuleSpec {
  const spec: DestinationRuleSpec = existing ? structuredClone(existing.spec) : { host: facts.fqdn };
  if (subsets.length > 0) spec.subsets = subsets;
  else delete spec.subsets;
  if (cb) {
    const tp = applyCircuitBreaker(spec.trafficPolicy, cb);
    if (Object.keys(tp).length > 0) spec.trafficPolicy = tp;
    else delete spec.trafficPolicy;
  }
  return spec;
}
