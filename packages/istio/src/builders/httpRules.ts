/**
 * VirtualService rules from intents, merged into the rules already there: meshlens owns the catch-all
 * rule (it replaces its route, keeping the rule's other fields) and the rules it named `meshlens-…`;
 * the user's own match rules stay where they are.
 */
import type {
  FaultInjectionIntent,
  MatchIntent,
  RequestRoutingIntent,
  StringMatchIntent,
  TimeoutsRetriesIntent,
} from '@meshlens/contract';
import type {
  HTTPFaultInjection,
  HTTPMatchRequest,
  HTTPRetry,
  HTTPRoute,
  HTTPRouteDestination,
  RouteDestination,
  StringMatch,
  TCPRoute,
  VirtualServiceSpec,
} from '../model';
import { isCatchAllRule } from '../match';
import { DEFAULT_RULE, RULE_PREFIX, intentError, type ServiceFacts } from './context';

/** Picks the subset name for a version; set up by the builder from the DestinationRule (see subsets.ts). */
export type SubsetOf = (version: string) => string;

export interface RouteTarget {
  facts: ServiceFacts;
  subsetOf: SubsetOf;
}

/** A destination port when the service has several (Istio requires one then). */
function portOf(facts: ServiceFacts, tcp: boolean): { port?: { number: number } } {
  if (facts.ports.length <= 1) return {};
  const pick =
    facts.ports.find((p) => {
      const n = `${p.name ?? ''}`.toLowerCase();
      return tcp ? n.startsWith('tcp') : n.startsWith('http') || n.startsWith('grpc');
    }) ?? facts.ports[0];
  return pick ? { port: { number: pick.port } } : {};
}

/** Weighted destinations: zero weights dropped, a single destination without weight (it takes 100%). */
export function weightedRoute(
  weights: { version: string; weight: number }[],
  t: RouteTarget,
  tcp = false,
): HTTPRouteDestination[] {
  const kept = weights.filter((w) => w.weight > 0);
  const single = kept.length === 1;
  return kept.map((w) => ({
    destination: { host: t.facts.name, subset: t.subsetOf(w.version), ...portOf(t.facts, tcp) },
    ...(single ? {} : { weight: w.weight }),
  }));
}

/** The whole service, no subset: where requests go without routing. */
const wholeService = (t: RouteTarget): HTTPRouteDestination[] => [
  { destination: { host: t.facts.name, ...portOf(t.facts, false) } },
];

export const isManagedRule = (r: HTTPRoute) => (r.name ?? '').startsWith(RULE_PREFIX);

/** Index of the first catch-all rule (rules after it never match), or -1. */
export const catchAllIndex = (http: HTTPRoute[]) => http.findIndex(isCatchAllRule);

/** Sets the catch-all rule's destinations (creating the rule when there is none). */
export function setDefaultRoute(
  spec: VirtualServiceSpec,
  route: HTTPRouteDestination[],
  mirror?: { destination: HTTPRouteDestination['destination']; percentage: number },
): void {
  const http = (spec.http ??= []);
  const i = catchAllIndex(http);
  const base: HTTPRoute = i >= 0 ? { ...(http[i] as HTTPRoute) } : { name: DEFAULT_RULE };
  delete base.redirect;
  delete base.directResponse;
  delete base.delegate;
  delete base.mirror;
  delete base.mirrorPercentage;
  delete base.mirrorPercent;
  delete base.mirrors;
  base.name ??= DEFAULT_RULE;
  base.route = route;
  if (mirror) {
    base.mirror = mirror.destination;
    base.mirrorPercentage = { value: mirror.percentage };
  }
  if (i >= 0) http[i] = base;
  else http.push(base);
}

/** The catch-all rule, created (to the whole service) when missing: fault and timeout intents apply to it. */
export function ensureDefaultRule(spec: VirtualServiceSpec, t: RouteTarget): void {
  const http = (spec.http ??= []);
  if (catchAllIndex(http) < 0) http.push({ name: DEFAULT_RULE, route: wholeService(t) });
}

export function trafficShifting(
  spec: VirtualServiceSpec,
  weights: Record<string, number>,
  mirror: { version: string; percentage: number } | undefined,
  t: RouteTarget,
): void {
  const list = Object.entries(weights).map(([version, weight]) => ({ version, weight }));
  setDefaultRoute(
    spec,
    weightedRoute(list, t),
    mirror
      ? {
          destination: { host: t.facts.name, subset: t.subsetOf(mirror.version), ...portOf(t.facts, false) },
          percentage: mirror.percentage,
        }
      : undefined,
  );
}

export function tcpTrafficShifting(
  spec: VirtualServiceSpec,
  weights: Record<string, number>,
  t: RouteTarget,
): void {
  const list = Object.entries(weights).map(([version, weight]) => ({ version, weight }));
  const route = weightedRoute(list, t, true) as RouteDestination[];
  const tcp = (spec.tcp ??= []);
  const i = tcp.findIndex((r: TCPRoute) => !r.match || r.match.length === 0);
  if (i >= 0) tcp[i] = { ...(tcp[i] as TCPRoute), route };
  else tcp.push({ route });
}

function stringMatch(m: StringMatchIntent): StringMatch {
  if (m.present) return {};
  if (m.exact !== undefined) return { exact: m.exact };
  if (m.prefix !== undefined) return { prefix: m.prefix };
  return { regex: m.regex ?? '' };
}

function matchBlock(m: MatchIntent): HTTPMatchRequest {
  const out: HTTPMatchRequest = {};
  if (m.uri) out.uri = stringMatch(m.uri);
  if (m.method) out.method = stringMatch(m.method);
  if (m.headers && Object.keys(m.headers).length > 0)
    out.headers = Object.fromEntries(
      Object.entries(m.headers).map(([k, v]) => [k.toLowerCase(), stringMatch(v)]),
    );
  if (m.queryParams && Object.keys(m.queryParams).length > 0)
    out.queryParams = Object.fromEntries(Object.entries(m.queryParams).map(([k, v]) => [k, stringMatch(v)]));
  return out;
}

export function faultOf(f: FaultInjectionIntent): HTTPFaultInjection {
  return {
    ...(f.delay
      ? { delay: { fixedDelay: f.delay.fixedDelay, percentage: { value: f.delay.percentage } } }
      : {}),
    ...(f.abort
      ? { abort: { httpStatus: f.abort.httpStatus, percentage: { value: f.abort.percentage } } }
      : {}),
  };
}

export function retriesOf(r: { attempts: number; perTryTimeout?: string; retryOn?: string }): HTTPRetry {
  return {
    attempts: r.attempts,
    ...(r.perTryTimeout ? { perTryTimeout: r.perTryTimeout } : {}),
    ...(r.retryOn ? { retryOn: r.retryOn } : {}),
  };
}

/**
 * Request routing: the rules meshlens named (`meshlens-…`, not the catch-all) are replaced by the
 * intent's, in place (before the catch-all when there were none); the user's match rules stay; the
 * catch-all gets the default route.
 */
export function requestRouting(spec: VirtualServiceSpec, intent: RequestRoutingIntent, t: RouteTarget): void {
  const http = spec.http ?? [];
  const names = new Set<string>();
  const rules: HTTPRoute[] = intent.rules.map((r, i) => {
    const name = `${RULE_PREFIX}${r.name ?? `rule-${i}`}`;
    if (names.has(name) || name === DEFAULT_RULE)
      throw intentError(`requestRouting/rules[${i}]/name`, `rule name ${r.name ?? ''} is used twice`);
    names.add(name);
    return {
      name,
      match: r.match.map(matchBlock),
      route: weightedRoute(r.route, t),
      ...(r.fault ? { fault: faultOf(r.fault) } : {}),
      ...(r.timeout ? { timeout: r.timeout } : {}),
      ...(r.retries ? { retries: retriesOf(r.retries) } : {}),
    };
  });
  const ca = catchAllIndex(http);
  const firstManaged = http.findIndex((r, i) => isManagedRule(r) && (ca < 0 || i < ca));
  const kept = http.filter((r, i) => !(isManagedRule(r) && !isCatchAllRule(r) && (ca < 0 || i < ca)));
  const keptCa = catchAllIndex(kept);
  // Where the managed block goes: where it was, else just before the catch-all, else at the end.
  let at = keptCa < 0 ? kept.length : keptCa;
  if (firstManaged >= 0) {
    const before = http.slice(0, firstManaged).filter((r) => kept.includes(r)).length;
    at = Math.min(before, at);
  }
  kept.splice(at, 0, ...rules);
  spec.http = kept;
  setDefaultRoute(spec, intent.defaultRoute ? weightedRoute(intent.defaultRoute, t) : wholeService(t));
}

/** The rules a fault or timeout intent applies to: the catch-all and meshlens's own rules. */
function ownRules(spec: VirtualServiceSpec, t: RouteTarget): HTTPRoute[] {
  ensureDefaultRule(spec, t);
  const http = spec.http ?? [];
  const ca = catchAllIndex(http);
  return http.filter((r, i) => i === ca || (isManagedRule(r) && (ca < 0 || i < ca)));
}

/** Fault injection on the catch-all and meshlens's rules; `null` removes it from them. */
export function faultInjection(
  spec: VirtualServiceSpec,
  intent: FaultInjectionIntent | null,
  t: RouteTarget,
): void {
  for (const rule of ownRules(spec, t)) {
    if (intent) rule.fault = faultOf(intent);
    else delete rule.fault;
  }
}

/** Timeout and retries on the catch-all and meshlens's rules; `null` fields remove the setting. */
export function timeoutsRetries(
  spec: VirtualServiceSpec,
  intent: TimeoutsRetriesIntent,
  t: RouteTarget,
): void {
  for (const rule of ownRules(spec, t)) {
    if (intent.timeout === null) delete rule.timeout;
    else if (intent.timeout !== undefined) rule.timeout = intent.timeout;
    if (intent.retries === null) delete rule.retries;
    else if (intent.retries !== undefined) rule.retries = retriesOf(intent.retries);
  }
}

/** Versions named by an intent's routes, with the intent path of each (for "unknown version" errors). */
export function versionsNamed(intent: {
  trafficShifting?: { weights: Record<string, number>; mirror?: { version: string } | undefined };
  tcpTrafficShifting?: { weights: Record<string, number> };
  requestRouting?: RequestRoutingIntent;
}): { version: string; path: string }[] {
  const out: { version: string; path: string }[] = [];
  const ts = intent.trafficShifting;
  if (ts) {
    for (const v of Object.keys(ts.weights)) out.push({ version: v, path: `trafficShifting/weights/${v}` });
    if (ts.mirror) out.push({ version: ts.mirror.version, path: 'trafficShifting/mirror/version' });
  }
  for (const v of Object.keys(intent.tcpTrafficShifting?.weights ?? {}))
    out.push({ version: v, path: `tcpTrafficShifting/weights/${v}` });
  intent.requestRouting?.rules.forEach((r, i) =>
    r.route.forEach((d, j) =>
      out.push({ version: d.version, path: `requestRouting/rules[${i}]/route[${j}]/version` }),
    ),
  );
  intent.requestRouting?.defaultRoute?.forEach((d, j) =>
    out.push({ version: d.version, path: `requestRouting/defaultRoute[${j}]/version` }),
  );
  return out;
}
