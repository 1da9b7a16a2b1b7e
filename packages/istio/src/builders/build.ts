/**
 * Intent → the VirtualService, DestinationRule and Gateway to write (or the objects to delete), merged with
 * what exists for the service. Pure: the caller passes the mesh snapshot and writes the result.
 */
import type { RoutingIntent } from '@meshlens/contract';
import { INTENT_KINDS, type IntentKind } from '@meshlens/contract/constants';
import type { DestinationRule, Gateway, VirtualService, VirtualServiceSpec } from '../model';
import {
  IntentError,
  clone,
  isManaged,
  sameJson,
  serviceFacts,
  writtenMeta,
  type IntentCause,
  type RoutingContext,
  type ServiceFacts,
} from './context';
import {
  ensureDefaultRule,
  faultInjection,
  requestRouting,
  tcpTrafficShifting,
  timeoutsRetries,
  trafficShifting,
  versionsNamed,
  type RouteTarget,
} from './httpRules';
import {
  buildDestinationRuleSpec,
  mergeSubsets,
  subsetResolver,
  subsetsUsed,
  subsetsUsedInMesh,
} from './destinationRule';
import { applyGateway } from './gateway';
import { planDeleteRouting, type KeptObject, type ObjectRef } from './deleteRouting';

/** What to write. An object is absent when the intent leaves it as it is. */
export interface RoutingPlan {
  virtualService?: VirtualService;
  destinationRule?: DestinationRule;
  gateway?: Gateway;
  /** Objects to delete, in order (deleteRouting). */
  deletes: ObjectRef[];
  /** Objects deliberately left alone, with why. */
  kept: KeptObject[];
  /** The objects these were built from (undefined = created), for ordering, rollback and 409 checks. */
  previous: { virtualService?: VirtualService; destinationRule?: DestinationRule; gateway?: Gateway };
  /** The intent kind written into the `meshlens.io/wizard` label. */
  kind: IntentKind;
}

/** The intent as parsed by the contract's RoutingIntentSchema (`faultInjection: null` removes a fault). */
export type BuildIntent = RoutingIntent;

function checkVersions(intent: BuildIntent, facts: ServiceFacts): void {
  if (!facts.versions) return;
  const causes: IntentCause[] = [];
  for (const { version, path } of versionsNamed(intent)) {
    if (!facts.versions.includes(version))
      causes.push({
        path,
        code: 'ML2004',
        message: `no workload of ${facts.name} has ${facts.versionLabel}=${version} (versions: ${facts.versions.join(', ') || 'none'})`,
      });
  }
  if (causes.length > 0) throw new IntentError(causes);
}

const stripStatus = <T extends { metadata: object }>(o: T): T => {
  const { status: _s, ...rest } = o as T & { status?: unknown };
  return rest as T;
};

/** Builds the objects for `intent` on the service named in `ctx`. Throws IntentError when it does not fit. */
export function buildRouting(intent: BuildIntent, ctx: RoutingContext): RoutingPlan {
  const facts = serviceFacts(ctx);
  // The wizard label names the first intent given, in the contract's INTENT_KINDS order.
  const kind = INTENT_KINDS.find((k) => intent[k] !== undefined) ?? 'trafficShifting';
  const prevVs = facts.virtualService;
  const prevDr = facts.destinationRule;
  const previous = { virtualService: prevVs, destinationRule: prevDr } as RoutingPlan['previous'];

  if (intent.deleteRouting) {
    const { deletes, kept } = planDeleteRouting(intent.deleteRouting, ctx, facts);
    return { deletes, kept, previous, kind };
  }
  checkVersions(intent, facts);

  const subsetOf = subsetResolver(facts, prevDr?.spec.subsets ?? []);
  const target: RouteTarget = { facts, subsetOf };
  const spec: VirtualServiceSpec = prevVs ? clone(prevVs.spec) : { hosts: [facts.name] };
  if (intent.trafficShifting)
    trafficShifting(spec, intent.trafficShifting.weights, intent.trafficShifting.mirror, target);
  if (intent.tcpTrafficShifting) tcpTrafficShifting(spec, intent.tcpTrafficShifting.weights, target);
  if (intent.requestRouting) requestRouting(spec, intent.requestRouting, target);
  if (intent.faultInjection !== undefined) faultInjection(spec, intent.faultInjection, target);
  if (intent.timeoutsRetries) timeoutsRetries(spec, intent.timeoutsRetries, target);
  // Exposing a service that has no routing yet: one rule to the whole service.
  if (intent.gateway && !spec.http?.length && !spec.tcp?.length) ensureDefaultRule(spec, target);
  const gw = intent.gateway ? applyGateway(spec, intent.gateway, facts, ctx.mesh) : {};
  if (gw.previous) previous.gateway = gw.previous;

  const vsChanged = prevVs
    ? !sameJson(spec, prevVs.spec)
    : (spec.http?.length ?? 0) + (spec.tcp?.length ?? 0) > 0;
  const virtualService: VirtualService | undefined = vsChanged
    ? {
        apiVersion: prevVs?.apiVersion ?? 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: writtenMeta(prevVs?.metadata, facts.name, facts.namespace, kind, facts.name),
        spec,
      }
    : undefined;

  // The DestinationRule: subsets for what the VirtualService (new or kept) uses, and the traffic policy.
  const nextVs = virtualService ?? prevVs;
  const needsSubsets = nextVs ? subsetsUsed(nextVs, facts.fqdn, facts.domain).size > 0 : false;
  let destinationRule: DestinationRule | undefined;
  if (needsSubsets || intent.circuitBreaker) {
    const used = subsetsUsedInMesh(ctx.mesh, facts.fqdn, facts.domain, { old: prevVs, next: nextVs });
    const existing = prevDr?.spec.subsets ?? [];
    const subsets = needsSubsets
      ? mergeSubsets(existing, facts, subsetOf, used, isManaged(prevDr?.metadata) || !prevDr)
      : existing;
    const drSpec = buildDestinationRuleSpec(prevDr, facts, subsets, intent.circuitBreaker);
    const changed = prevDr ? !sameJson(drSpec, prevDr.spec) : needsSubsets || !!intent.circuitBreaker;
    if (changed) {
      const drKind = intent.circuitBreaker && !needsSubsets ? 'circuitBreaker' : kind;
      destinationRule = {
        apiVersion: prevDr?.apiVersion ?? 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: writtenMeta(prevDr?.metadata, facts.name, facts.namespace, drKind, facts.name),
        spec: drSpec,
      };
    }
  }
  return {
    ...(virtualService ? { virtualService: stripStatus(virtualService) } : {}),
    ...(destinationRule ? { destinationRule: stripStatus(destinationRule) } : {}),
    ...(gw.gateway && !(gw.previous && sameJson(gw.gateway.spec, gw.previous.spec))
      ? { gateway: gw.gateway }
      : {}),
    deletes: [],
    kept: [],
    previous,
    kind,
  };
}

/** Subset names a DestinationRule defines. */
export const subsetNames = (dr: DestinationRule | undefined) =>
  new Set((dr?.spec.subsets ?? []).map((s) => s.name));

/**
 * Whether the DestinationRule change adds and/or removes subsets: writes that add go before the
 * VirtualService, writes that remove after it (so no VirtualService ever names a missing subset).
 */
export function subsetChange(
  before: DestinationRule | undefined,
  after: DestinationRule | undefined,
): { adds: boolean; removes: boolean } {
  const a = subsetNames(before);
  const b = subsetNames(after);
  return { adds: [...b].some((s) => !a.has(s)), removes: [...a].some((s) => !b.has(s)) };
}
