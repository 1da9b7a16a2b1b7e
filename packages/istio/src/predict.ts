/**
 * The effect of routing on a service's load, predicted from its callers' live rates: each caller's
 * requests/s split by the routing evaluator's shares (httpRouteDistribution), summed per version. A rule
 * that matches on what a request carries (headers, URI, method, query, authority, scheme) cannot be
 * weighed from metrics, which count requests per caller, not per header: the prediction assumes no
 * request matches it and gives, per version, what it would receive if every request did ("up to").
 * Matches on the caller (sourceLabels, sourceNamespace) are predicted exactly, per caller.
 */
import { httpRouteDistribution } from './distribution';
import { objectKey } from './hosts';
import type { Caller, MeshConfig } from './evaluate.types';
import type { HTTPMatchRequest, HTTPRoute, StringMatch, VirtualService } from './model';

/** One caller of the service and its requests/s. */
export interface LoadSource {
  namespace: string;
  /** Pod labels: at least `app` and `version` (Istio's canonical service and revision). */
  labels: Record<string, string>;
  rps: number;
}

/** A rule whose share of requests metrics cannot tell. */
export interface UncertainRule {
  virtualService: string;
  index: number;
  /** e.g. `header end-user exact "jason"`. */
  match: string;
  /** Requests/s per version if every request (of the callers it applies to) matched it. */
  ifAllMatched: Record<string, number>;
}

export interface LoadPrediction {
  /** Requests/s per version, assuming no request matches an uncertain rule. */
  rps: Record<string, number>;
  /** Per version, the most it could receive: the larger of `rps` and each uncertain rule's `ifAllMatched`. */
  upTo: Record<string, number>;
  /** Requests/s that reach no version: no route, a direct response, an undefined subset. */
  unrouted: number;
  uncertain: UncertainRule[];
}

export interface PredictOptions {
  /** The pod label whose values name versions (default `version`). */
  versionLabel?: string;
  /**
   * Ready pods per version: a route to the service without a subset spreads over them (Kubernetes'
   * round robin over endpoints). Without it, evenly over the versions named here or in `rps`.
   */
  podsReady?: Record<string, number>;
  clusterDomain?: string;
}

const REQUEST_ATTRIBUTES = [
  'uri',
  'scheme',
  'method',
  'authority',
  'headers',
  'withoutHeaders',
  'queryParams',
] as const;

/** Whether a match block tests the request itself (not only its caller, port or gateway). */
const testsRequest = (m: HTTPMatchRequest) => REQUEST_ATTRIBUTES.some((k) => m[k] !== undefined);

/** The match block without what the request carries: what is left tests only the caller. */
function callerPart(m: HTTPMatchRequest): HTTPMatchRequest {
  const out: HTTPMatchRequest = { ...m };
  for (const k of REQUEST_ATTRIBUTES) delete out[k];
  delete out.ignoreUriCase;
  return out;
}

function describeString(m: StringMatch | undefined): string {
  if (!m) return '';
  const [op, value] = Object.entries(m)[0] ?? ['', ''];
  return op === 'present' ? 'present' : `${op} ${JSON.stringify(value)}`;
}

/** A match block in words: `header end-user exact "jason"`, `uri prefix "/api"`. */
export function describeMatch(m: HTTPMatchRequest): string {
  const parts: string[] = [];
  for (const k of ['uri', 'scheme', 'method', 'authority'] as const)
    if (m[k]) parts.push(`${k} ${describeString(m[k])}`);
  for (const [k, v] of Object.entries(m.headers ?? {})) parts.push(`header ${k} ${describeString(v)}`);
  for (const [k, v] of Object.entries(m.withoutHeaders ?? {}))
    parts.push(`no header ${k} ${describeString(v)}`);
  for (const [k, v] of Object.entries(m.queryParams ?? {})) parts.push(`query ${k} ${describeString(v)}`);
  return parts.join(' and ');
}

function isUncertain(rule: HTTPRoute): boolean {
  return (rule.match ?? []).some(testsRequest);
}

/** The VirtualServices with each uncertain rule left out: no request matches it. */
function withoutUncertain(config: MeshConfig): MeshConfig {
  return {
    ...config,
    virtualServices: config.virtualServices.map((vs) =>
      vs.spec?.http?.some(isUncertain)
        ? { ...vs, spec: { ...vs.spec, http: vs.spec.http.filter((r) => !isUncertain(r)) } }
        : vs,
    ),
  };
}

/** The config in which `vs`'s rule `index` is its only rule and matches every request of its callers. */
function onlyRule(config: MeshConfig, vs: VirtualService, index: number): MeshConfig {
  const rule = vs.spec!.http![index]!;
  const match = (rule.match ?? []).map(callerPart);
  const only: HTTPRoute = { ...rule, match: match.some((m) => Object.keys(m).length === 0) ? [] : match };
  return {
    ...config,
    virtualServices: config.virtualServices.map((v) =>
      v === vs ? { ...vs, spec: { ...vs.spec, http: [only] } } : v,
    ),
  };
}

type Split = Map<string, number>;

/**
 * Requests/s per version of one caller's traffic to the host under `config`, or null when the config
 * routes it nowhere (`noRoute`: with onlyRule, the caller is not one the rule applies to).
 */
function splitOf(
  config: MeshConfig,
  caller: Caller,
  host: string,
  rps: number,
  versionLabel: string,
  spread: (rps: number, into: Split) => void,
  /** With onlyRule: the VirtualService whose only rule must be the one that routed. */
  only?: string,
): { split: Split; unrouted: number } | null {
  const d = httpRouteDistribution(config, caller, { host, path: '/', method: 'GET', headers: {} });
  const split: Split = new Map();
  if (d.kind === 'noRoute') return null;
  if (only !== undefined && (d.virtualService !== only || d.ruleIndex !== 0)) return null;
  if (d.kind === 'local') return { split, unrouted: rps };
  let unrouted = 0;
  for (const s of d.shares) {
    const part = rps * s.share;
    if (s.noCluster) {
      unrouted += part;
      continue;
    }
    const version = s.subsetLabels?.[versionLabel];
    if (version === undefined) spread(part, split);
    else split.set(version, (split.get(version) ?? 0) + part);
  }
  return { split, unrouted };
}

const addInto = (into: Record<string, number>, split: Split) => {
  for (const [v, r] of split) into[v] = (into[v] ?? 0) + r;
};

/**
 * Requests/s per version of `service` under `config` (the routing as it would be), from its callers'
 * live rates (`sources`). See the module comment for what cannot be predicted.
 */
export function predictLoad(
  config: MeshConfig,
  namespace: string,
  service: string,
  sources: readonly LoadSource[],
  options: PredictOptions = {},
): LoadPrediction {
  const versionLabel = options.versionLabel ?? 'version';
  const host = `${service}.${namespace}.svc.${options.clusterDomain ?? config.clusterDomain ?? 'cluster.local'}`;
  const pods = options.podsReady ?? {};
  const spread = (rps: number, into: Split) => {
    const ready = Object.entries(pods).filter(([, n]) => n > 0);
    const total = ready.reduce((a, [, n]) => a + n, 0);
    if (total <= 0) {
      into.set('', (into.get('') ?? 0) + rps);
      return;
    }
    for (const [v, n] of ready) into.set(v, (into.get(v) ?? 0) + (rps * n) / total);
  };
  const callerOf = (s: LoadSource): Caller => ({ namespace: s.namespace, labels: s.labels });
  const baselineConfig = withoutUncertain(config);
  const rps: Record<string, number> = {};
  let unrouted = 0;
  const baseline = sources.map((s) => {
    const r = splitOf(baselineConfig, callerOf(s), host, s.rps, versionLabel, spread) ?? {
      split: new Map<string, number>(),
      unrouted: s.rps,
    };
    addInto(rps, r.split);
    unrouted += r.unrouted;
    return r;
  });
  // traffic to the service without a version (no pods known): not a version's
  if (rps[''] !== undefined) {
    unrouted += rps[''];
    delete rps[''];
  }
  const upTo: Record<string, number> = { ...rps };
  const uncertain: UncertainRule[] = [];
  const names = new Set([host, `${service}.${namespace}`, `${service}.${namespace}.svc`]);
  const forService = (vs: VirtualService) =>
    (vs.spec?.hosts ?? []).some(
      (h) => names.has(h) || (h === service && (vs.metadata?.namespace ?? namespace) === namespace),
    );
  for (const vs of config.virtualServices) {
    if (!forService(vs)) continue;
    (vs.spec?.http ?? []).forEach((rule, index) => {
      if (!isUncertain(rule)) return;
      const scenarioConfig = onlyRule(config, vs, index);
      const ifAllMatched: Record<string, number> = {};
      let applies = false;
      sources.forEach((s, i) => {
        const r = splitOf(scenarioConfig, callerOf(s), host, s.rps, versionLabel, spread, objectKey(vs));
        if (r) applies = true;
        addInto(ifAllMatched, (r ?? baseline[i]!).split);
      });
      delete ifAllMatched[''];
      if (!applies) return;
      for (const [v, n] of Object.entries(ifAllMatched)) upTo[v] = Math.max(upTo[v] ?? 0, n);
      uncertain.push({
        virtualService: objectKey(vs),
        index,
        match: (rule.match ?? []).filter(testsRequest).map(describeMatch).join(', or '),
        ifAllMatched,
      });
    });
  }
  return { rps, upTo, unrouted, uncertain };
}
