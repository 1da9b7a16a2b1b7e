/**
 * DestinationRule lookup and policy merging (TRAFFIC-SEMANTICS.md §1 and §7).
 *
 * Lookup for a client proxy: the client's own namespace first (a rule with a workloadSelector only for the
 * workloads it selects, ahead of namespace-wide ones), then the service's namespace (rules exported to the
 * client), then the root namespace. Within a namespace the most specific host wins; fragments for the very
 * same host are merged: subsets concatenate with the first definition of a name winning, and only the first
 * top-level trafficPolicy is kept.
 */
import type { MeshConfig } from './evaluate.types';
import type { DestinationRule, Subset, TrafficPolicy } from './model';
import { hostMatches, isExportedTo, labelsMatch, namespaceOf, objectKey } from './hosts';
import { compareByCreation } from './order';
import { meshIndex, type DrEntry } from './meshIndex';

export interface AppliedDestinationRule {
  /** namespace/name of each merged fragment, highest priority first. */
  keys: string[];
  rules: DestinationRule[];
  /** The host pattern (resolved) that matched. */
  host: string;
  trafficPolicy?: TrafficPolicy;
  subsets: Subset[];
}

function hasSelector(dr: DestinationRule): boolean {
  return Object.keys(dr.spec?.workloadSelector?.matchLabels ?? {}).length > 0;
}

function pickMostSpecific(
  candidates: DrEntry[],
  fqdn: string,
): { host: string; rules: DestinationRule[] } | undefined {
  let best: { host: string; score: number; rules: DestinationRule[] } | undefined;
  for (const { dr, host, score } of candidates) {
    if (!hostMatches(host, fqdn)) continue;
    if (!best || score > best.score) best = { host, score, rules: [dr] };
    else if (score === best.score && host === best.host) best.rules.push(dr);
  }
  if (!best) return undefined;
  // Workload-specific fragments first, then by creation time.
  const rules = [...best.rules].sort(
    (a, b) => Number(hasSelector(b)) - Number(hasSelector(a)) || compareByCreation(a, b),
  );
  return { host: best.host, rules };
}

/** Merges fragments: first trafficPolicy kept, subsets deduplicated by name (first wins). */
export function mergeDestinationRules(host: string, rules: DestinationRule[]): AppliedDestinationRule {
  const subsets: Subset[] = [];
  const seen = new Set<string>();
  let trafficPolicy: TrafficPolicy | undefined;
  for (const dr of rules) {
    if (!trafficPolicy && dr.spec.trafficPolicy) trafficPolicy = dr.spec.trafficPolicy;
    for (const s of dr.spec.subsets ?? []) {
      if (seen.has(s.name)) continue;
      seen.add(s.name);
      subsets.push(s);
    }
  }
  return { keys: rules.map(objectKey), rules, host, trafficPolicy, subsets };
}

/** The namespace owning a host: a Kubernetes service's namespace, or the ServiceEntry's. */
export function hostNamespace(config: Partial<MeshConfig>, fqdn: string): string | undefined {
  const idx = meshIndex(config);
  const svc = idx.serviceByFqdn.get(fqdn);
  if (svc) return svc.namespace;
  const suffix = `.svc.${idx.domain}`;
  if (fqdn.endsWith(suffix)) {
    const parts = fqdn.slice(0, -suffix.length).split('.');
    if (parts.length === 2) return parts[1];
  }
  const se = idx.seHosts.find((e) => hostMatches(e.pattern, fqdn));
  return se ? namespaceOf(se.se) : undefined;
}

/** The DestinationRule (merged fragments) a client in `clientNamespace` uses for `fqdn`, if any. */
export function findDestinationRule(
  config: Partial<MeshConfig>,
  clientNamespace: string,
  clientLabels: Record<string, string>,
  fqdn: string,
): AppliedDestinationRule | undefined {
  const idx = meshIndex(config);
  const root = idx.root;
  const inNs = (ns: string) => idx.drByNamespace.get(ns) ?? [];
  const selects = (e: DrEntry) =>
    !e.hasSelector || labelsMatch(e.dr.spec.workloadSelector?.matchLabels, clientLabels);
  const exported = (ns: string) => (e: DrEntry) =>
    !e.hasSelector && isExportedTo(e.dr.spec.exportTo, ns, clientNamespace);
  // istiod's PushContext.destinationRule: every rule of the client's own namespace (exportTo aside), then
  // rules the service's namespace exports to the client, then those the root namespace exports.
  const steps: (() => DrEntry[])[] = [() => inNs(clientNamespace).filter(selects)];
  const svcNs = hostNamespace(config, fqdn);
  if (svcNs !== undefined && svcNs !== clientNamespace) steps.push(() => inNs(svcNs).filter(exported(svcNs)));
  if (root !== clientNamespace && root !== svcNs) steps.push(() => inNs(root).filter(exported(root)));
  for (const step of steps) {
    const hit = pickMostSpecific(step(), fqdn);
    if (hit) return mergeDestinationRules(hit.host, hit.rules);
  }
  return undefined;
}

const REPLACED_FIELDS = ['connectionPool', 'loadBalancer', 'outlierDetection', 'tls'] as const;

/** Applies `portLevelSettings` for `port`: a matching entry replaces the four fields outright. */
function applyPortLevel(policy: TrafficPolicy, port: number | undefined): TrafficPolicy {
  const { portLevelSettings, ...rest } = policy;
  const out: TrafficPolicy = { ...rest };
  if (port === undefined) return out;
  const p = (portLevelSettings ?? []).find((s) => s.port?.number === port);
  if (!p) return out;
  for (const f of REPLACED_FIELDS) delete out[f];
  if (p.connectionPool) out.connectionPool = p.connectionPool;
  if (p.loadBalancer) out.loadBalancer = p.loadBalancer;
  if (p.outlierDetection) out.outlierDetection = p.outlierDetection;
  if (p.tls) out.tls = p.tls;
  return out;
}

/**
 * The policy in force for (subset, port), as istiod's `MergeTrafficPolicy` builds it: the top-level
 * policy with its port-level entry applied; then each top-level field the subset sets replaces the
 * parent's whole field (no deep merge); then the subset's own port-level entry replaces the four
 * port-level fields, unset ones falling back to defaults. The result carries no portLevelSettings.
 * Returns undefined when neither level sets anything.
 */
export function effectiveTrafficPolicy(
  topLevel: TrafficPolicy | undefined,
  subsetPolicy: TrafficPolicy | undefined,
  port: number | undefined,
): TrafficPolicy | undefined {
  if (!topLevel && !subsetPolicy) return undefined;
  let merged: TrafficPolicy = topLevel ? applyPortLevel(topLevel, port) : {};
  if (subsetPolicy) {
    const { portLevelSettings: _ignored, ...subsetTop } = subsetPolicy;
    merged = { ...merged };
    for (const [k, v] of Object.entries(subsetTop)) {
      if (v !== undefined && v !== null) (merged as Record<string, unknown>)[k] = v;
    }
    const p = (subsetPolicy.portLevelSettings ?? []).find(
      (s) => port !== undefined && s.port?.number === port,
    );
    if (p) {
      for (const f of REPLACED_FIELDS) delete merged[f];
      if (p.connectionPool) merged.connectionPool = p.connectionPool;
      if (p.loadBalancer) merged.loadBalancer = p.loadBalancer;
      if (p.outlierDetection) merged.outlierDetection = p.outlierDetection;
      if (p.tls) merged.tls = p.tls;
    }
  }
  return merged;
}
