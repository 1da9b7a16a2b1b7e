/**
 * The routing evaluator: what a client proxy (sidecar or gateway) does with one HTTP request.
 * Contract: ./evaluate.types.ts; spec: TRAFFIC-SEMANTICS.md §1–§7. Pure; `random` is the only randomness.
 */
import type { Caller, Destination, HttpOutcome, HttpRequest, MeshConfig } from './evaluate.types';
import type { HTTPRoute } from './model';
import { namespaceOf, objectKey, splitHostPort } from './hosts';
import { parseDuration } from './duration';
import { blockAppliesToProxy, httpMatchBlockMatches, normalizeHeaders, type MatchRequest } from './match';
import { hostPorts, isKnownHost, pickWeighted, resolveCluster, resolveDestination } from './destination';
import { retryDecision } from './retry';
import {
  httpRoutesForProxy,
  orderedHttpRules,
  proxyOf,
  resolveGatewayRef,
  selectVirtualServices,
  type ProxyIdentity,
} from './virtualService';

import { rollFault, rollMirrors } from './fault';
import { resolveHost } from './resolveHost';

export { evaluateTcp } from './evaluateTcp';
export { rollFault, rollPercent } from './fault';
export { resolveHost } from './resolveHost';
export { peerAuthMode, connectionSecurityPolicy } from './peerAuth';

function ruleMatches(
  rule: HTTPRoute,
  vsNamespace: string,
  proxy: ProxyIdentity,
  req: MatchRequest,
): { matched: boolean; block?: number; note?: string } {
  const blocks = rule.match ?? [];
  if (blocks.length === 0) return { matched: true, note: 'no match conditions (catch-all)' };
  let applicable = 0;
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i];
    if (!b) continue;
    if (
      !blockAppliesToProxy(b, proxy.labels, proxy.namespace, proxy.gateways, (g) =>
        resolveGatewayRef(g, vsNamespace),
      )
    ) {
      continue;
    }
    applicable++;
    if (httpMatchBlockMatches(b, req)) return { matched: true, block: i };
  }
  return {
    matched: false,
    note:
      applicable === 0 ? 'not configured for this proxy (sourceLabels/sourceNamespace/gateways)' : undefined,
  };
}

/**
 * The port the app connected to: explicit, else the one in `host`, else the host's only port (a
 * convenience for callers that name services without ports), else the scheme's default.
 */
export function requestPort(config: MeshConfig, req: HttpRequest, fqdn: string): number {
  const explicit = req.port ?? splitHostPort(req.host).port;
  if (explicit !== undefined) return explicit;
  const ports = hostPorts(config, fqdn);
  if (ports.length === 1) return ports[0] as number;
  return req.scheme === 'https' ? 443 : 80;
}

/** Evaluates one HTTP request at the caller's proxy. */
export function evaluateHttp(
  config: MeshConfig,
  caller: Caller,
  req: HttpRequest,
  random: () => number,
): HttpOutcome {
  const explanation: string[] = [];
  const proxy = proxyOf(caller);
  const hp = splitHostPort(req.host);
  const fqdn = resolveHost(config, req.host, caller.namespace);
  const port = requestPort(config, req, fqdn);
  const matchHost = proxy.isGateway ? hp.host.toLowerCase() : fqdn;
  explanation.push(
    `${proxy.isGateway ? `gateway ${[...proxy.gateways].join(',')}` : `sidecar in ${caller.namespace}`}: ` +
      `${req.method} ${req.host}${req.path} → host ${matchHost}${port !== undefined ? ` port ${port}` : ''}`,
  );
  const selection = selectVirtualServices(config, proxy, matchHost, (vs) =>
    httpRoutesForProxy(vs, proxy, port),
  );
  if (!selection) {
    if (proxy.isGateway) {
      explanation.push('no VirtualService bound to this gateway covers the host: 404 NR');
      return { kind: 'noRoute', virtualService: '', explanation };
    }
    const unusable = selectVirtualServices(config, proxy, matchHost);
    explanation.push(
      unusable
        ? `VirtualService ${unusable.virtualServices.map(objectKey).join(',')} gives this proxy no route on port ${port}: ` +
            'default route to all endpoints, default retries, no timeout'
        : 'no VirtualService for the host: default route to all endpoints, default retries, no timeout',
    );
    const destination: Destination = { host: fqdn };
    if (port !== undefined) destination.port = port;
    const cluster = resolveCluster(config, caller, destination);
    explanation.push(...cluster.notes);
    if (!cluster.ok) return { kind: 'noCluster', destination, explanation };
    return {
      kind: 'route',
      destination,
      fault: {},
      retries: retryDecision(
        undefined,
        cluster.policy?.loadBalancer?.consistentHash !== undefined,
        config.defaultHttpRetryPolicy,
      ),
      ...(cluster.policy ? { policy: cluster.policy } : {}),
      ...(cluster.destinationRule ? { destinationRule: cluster.destinationRule } : {}),
      clientMtls: cluster.clientMtls,
      ...(isKnownHost(config, destination.host) ? {} : { passthrough: true }),
      explanation,
    };
  }
  const vsKeys = selection.virtualServices.map(objectKey).join(',');
  explanation.push(`VirtualService ${vsKeys} (host ${selection.host})`);
  const mreq: MatchRequest = {
    path: req.path,
    method: req.method.toUpperCase(),
    authority: req.host,
    scheme: req.scheme ?? 'http',
    port,
    headers: normalizeHeaders(req.headers ?? {}),
  };
  for (const ref of orderedHttpRules(selection)) {
    const vsNs = namespaceOf(ref.vs);
    const m = ruleMatches(ref.rule, vsNs, proxy, mreq);
    const label = `http[${ref.index}]${ref.rule.name ? ` "${ref.rule.name}"` : ''}`;
    if (!m.matched) {
      explanation.push(`${label}: ${m.note ?? 'no match block matched'}`);
      continue;
    }
    explanation.push(`${label}: ${m.note ?? `match[${m.block}] matched`}`);
    if (ref.rule.delegate) {
      const d = ref.rule.delegate;
      const child = (config.virtualServices ?? []).find(
        (v) => v.metadata.name === d.name && namespaceOf(v) === (d.namespace || vsNs),
      );
      if (!child) {
        explanation.push(`delegate ${d.namespace || vsNs}/${d.name} not found: 404 NR`);
        return { kind: 'noRoute', virtualService: objectKey(ref.vs), explanation };
      }
      explanation.push(`delegated to VirtualService ${objectKey(child)}`);
      const childRules = child.spec?.http ?? [];
      for (let i = 0; i < childRules.length; i++) {
        const rule = childRules[i] as HTTPRoute;
        const cm = ruleMatches(rule, namespaceOf(child), proxy, mreq);
        if (!cm.matched) continue;
        explanation.push(`${objectKey(child)} http[${i}] matched`);
        return routeFromRule(
          config,
          caller,
          rule,
          i,
          objectKey(child),
          namespaceOf(child),
          fqdn,
          port,
          random,
          explanation,
        );
      }
      explanation.push(`no rule of the delegate matched: 404 NR`);
      return { kind: 'noRoute', virtualService: objectKey(child), explanation };
    }
    return routeFromRule(
      config,
      caller,
      ref.rule,
      ref.index,
      objectKey(ref.vs),
      vsNs,
      fqdn,
      port,
      random,
      explanation,
    );
  }
  explanation.push('no rule matched: 404 NR');
  return { kind: 'noRoute', virtualService: vsKeys, explanation };
}

function routeFromRule(
  config: MeshConfig,
  caller: Caller,
  rule: HTTPRoute,
  ruleIndex: number,
  vsKey: string,
  vsNamespace: string,
  requestFqdn: string,
  port: number | undefined,
  random: () => number,
  explanation: string[],
): HttpOutcome {
  const base = {
    virtualService: vsKey,
    ruleIndex,
    ...(rule.name ? { ruleName: rule.name } : {}),
  };
  if (rule.directResponse || rule.redirect || !rule.route || rule.route.length === 0) {
    const destination: Destination = { host: requestFqdn, ...(port !== undefined ? { port } : {}) };
    const fault = rollFault(rule.fault, random);
    const local = rule.directResponse
      ? { directResponse: { status: rule.directResponse.status, ...bodyOf(rule.directResponse.body) } }
      : rule.redirect
        ? {
            redirect: {
              status: rule.redirect.redirectCode ?? 301,
              location: `${rule.redirect.scheme ?? 'http'}://${rule.redirect.authority ?? requestFqdn}${rule.redirect.uri ?? ''}`,
            },
          }
        : { directResponse: { status: 404 } };
    explanation.push(
      local.directResponse
        ? `answered locally with ${local.directResponse.status} (no upstream)`
        : `redirect ${local.redirect?.status} (no upstream)`,
    );
    return {
      kind: 'route',
      ...base,
      destination,
      fault,
      retries: { attempts: 0, retryOn: [], retriableStatusCodes: [] },
      clientMtls: false,
      ...local,
      explanation,
    };
  }
  const picked = pickWeighted(rule.route, random);
  if (!picked) throw new Error('unreachable: route has entries');
  const destination = resolveDestination(config, picked.route.destination, vsNamespace, port);
  explanation.push(
    `route[${picked.index}] → ${destination.host}${destination.subset ? ` subset ${destination.subset}` : ''}` +
      (rule.route.length > 1
        ? ` (weight ${picked.route.weight ?? 0} of ${rule.route.reduce((a, r) => a + (r.weight ?? 0), 0)})`
        : ''),
  );
  const cluster = resolveCluster(config, caller, destination);
  explanation.push(...cluster.notes);
  if (!cluster.ok) return { kind: 'noCluster', virtualService: vsKey, ruleIndex, destination, explanation };
  const fault = rollFault(rule.fault, random);
  if (fault.delayMs !== undefined) explanation.push(`fault: delayed ${fault.delayMs} ms`);
  if (fault.abortStatus !== undefined) explanation.push(`fault: aborted with ${fault.abortStatus}`);
  const timeout = parseDuration(rule.timeout);
  const retries = retryDecision(
    rule.retries,
    cluster.policy?.loadBalancer?.consistentHash !== undefined,
    config.defaultHttpRetryPolicy,
  );
  explanation.push(
    `timeout ${timeout ? `${timeout} ms` : 'none'}; retries ${retries.attempts}` +
      (retries.attempts > 0 ? ` on ${retries.retryOn.join(',')}` : ''),
  );
  const mirrors = rollMirrors(config, rule, vsNamespace, destination.port ?? port, random);
  if (mirrors.length > 0) explanation.push(`mirrored to ${mirrors.map((m) => m.host).join(', ')}`);
  return {
    kind: 'route',
    ...base,
    destination,
    ...(cluster.subsetLabels ? { subsetLabels: cluster.subsetLabels } : {}),
    fault,
    ...(timeout ? { timeoutMs: timeout } : {}),
    retries,
    ...(mirrors.length > 0 ? { mirror: mirrors[0], mirrors } : {}),
    ...(cluster.policy ? { policy: cluster.policy } : {}),
    ...(cluster.destinationRule ? { destinationRule: cluster.destinationRule } : {}),
    clientMtls: cluster.clientMtls,
    ...(isKnownHost(config, destination.host) ? {} : { passthrough: true }),
    explanation,
  };
}

function bodyOf(body: { string?: string; bytes?: string } | undefined): { body?: string } {
  if (body?.string !== undefined) return { body: body.string };
  if (body?.bytes !== undefined) return { body: body.bytes };
  return {};
}
