/**
 * Where a kind of request goes, as shares rather than one draw: for previews and "why does traffic go
 * there" in the console (e.g. "80% → v1, 20% → v2; abort 500 on 10%"). Matching is deterministic; only
 * weights, faults and mirrors are probabilities, and this reports them instead of rolling them.
 */
import type { Caller, Destination, HttpRequest, MeshConfig, RetryDecision } from './evaluate.types';
import type { HTTPRoute } from './model';
import { evaluateHttp, requestPort } from './evaluate';
import { resolveHost } from './resolveHost';
import { namespaceOf, objectKey } from './hosts';
import { resolveCluster, resolveDestination } from './destination';
import { faultSpec, mirrorSpec, type FaultSpec } from './fault';
import { parseDuration } from './duration';
import { retryDecision } from './retry';

export interface RouteShare {
  destination: Destination;
  /** Share of the matching requests, 0..1. */
  share: number;
  subsetLabels?: Record<string, string>;
  /** The subset is not defined by any DestinationRule: these requests get 503 NC. */
  noCluster?: boolean;
  clientMtls?: boolean;
}

export interface HttpRouteDistribution {
  /** `local`: the rule answers itself (directResponse or redirect). */
  kind: 'route' | 'noRoute' | 'local';
  virtualService?: string;
  ruleIndex?: number;
  ruleName?: string;
  shares: RouteShare[];
  fault: FaultSpec;
  timeoutMs?: number;
  retries?: RetryDecision;
  mirrors: { destination: Destination; percent: number }[];
  explanation: string[];
}

function findRule(
  config: MeshConfig,
  vsKey: string,
  index: number,
): { rule: HTTPRoute; namespace: string } | undefined {
  const vs = (config.virtualServices ?? []).find((v) => objectKey(v) === vsKey);
  const rule = vs?.spec?.http?.[index];
  return vs && rule ? { rule, namespace: namespaceOf(vs) } : undefined;
}

/** The shares of destinations, faults and mirrors for requests like `req` from `caller`. */
export function httpRouteDistribution(
  config: MeshConfig,
  caller: Caller,
  req: HttpRequest,
): HttpRouteDistribution {
  const outcome = evaluateHttp(config, caller, req, () => 0);
  const explanation = outcome.explanation ?? [];
  const empty = { shares: [], fault: {}, mirrors: [], explanation };
  if (outcome.kind === 'noRoute')
    return { kind: 'noRoute', virtualService: outcome.virtualService, ...empty };
  if (outcome.kind === 'route' && outcome.virtualService === undefined) {
    return {
      kind: 'route',
      shares: [
        {
          destination: outcome.destination,
          share: 1,
          clientMtls: outcome.clientMtls,
          ...(outcome.subsetLabels ? { subsetLabels: outcome.subsetLabels } : {}),
        },
      ],
      fault: {},
      retries: outcome.retries,
      mirrors: [],
      explanation,
    };
  }
  const vsKey = outcome.virtualService as string;
  const index = outcome.ruleIndex as number;
  const located = findRule(config, vsKey, index);
  if (!located) return { kind: 'noRoute', virtualService: vsKey, ...empty };
  const { rule, namespace } = located;
  const head = { virtualService: vsKey, ruleIndex: index, ...(rule.name ? { ruleName: rule.name } : {}) };
  if (rule.directResponse || rule.redirect || !rule.route || rule.route.length === 0) {
    return { kind: 'local', ...head, shares: [], fault: faultSpec(rule.fault), mirrors: [], explanation };
  }
  const port = requestPort(config, req, resolveHost(config, req.host, caller.namespace));
  const weights = rule.route.map((r) => (rule.route?.length === 1 ? 1 : Math.max(0, r.weight ?? 0)));
  const total = weights.reduce((a, b) => a + b, 0);
  const shares: RouteShare[] = [];
  rule.route.forEach((r, i) => {
    const share = total > 0 ? (weights[i] as number) / total : i === 0 ? 1 : 0;
    if (share <= 0) return;
    const destination = resolveDestination(config, r.destination, namespace, port);
    const same = shares.find(
      (s) =>
        s.destination.host === destination.host &&
        s.destination.subset === destination.subset &&
        s.destination.port === destination.port,
    );
    if (same) {
      same.share += share;
      return;
    }
    const cluster = resolveCluster(config, caller, destination);
    shares.push(
      cluster.ok
        ? {
            destination,
            share,
            clientMtls: cluster.clientMtls,
            ...(cluster.subsetLabels ? { subsetLabels: cluster.subsetLabels } : {}),
          }
        : { destination, share, noCluster: true },
    );
  });
  const timeout = parseDuration(rule.timeout);
  return {
    kind: 'route',
    ...head,
    shares,
    fault: faultSpec(rule.fault),
    ...(timeout ? { timeoutMs: timeout } : {}),
    retries: retryDecision(rule.retries, false, config.defaultHttpRetryPolicy),
    mirrors: mirrorSpec(config, rule, namespace, port),
    explanation,
  };
}
