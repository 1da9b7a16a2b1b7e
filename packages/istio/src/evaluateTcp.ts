/**
 * TCP routing at a client proxy: `tcp[]` rules of the VirtualService for the host, matched by destination
 * port and subnets (runtime) and by sourceLabels / sourceNamespace / gateways (config time); first match
 * wins; weights as for HTTP. With no VirtualService, or no rule matching, the sidecar's listener for the
 * service falls back to a plain TCP proxy to the whole service (istiod appends that default filter chain),
 * so TCP never answers "no route".
 */
import type { Caller, Destination, MeshConfig, TcpOutcome } from './evaluate.types';
import type { TCPRoute, TLSRoute } from './model';
import { hostMatches, isIpAddress, namespaceOf, objectKey, splitHostPort } from './hosts';
import { blockAppliesToProxy, l4MatchBlockMatches } from './match';
import { isKnownHost, pickWeighted, resolveCluster, resolveDestination } from './destination';
import {
  orderedTcpRules,
  orderedTlsRules,
  proxyOf,
  resolveGatewayRef,
  selectVirtualServices,
} from './virtualService';
import { resolveHost } from './resolveHost';

/** TLS blocks require an SNI covered by `sniHosts`; TCP blocks have none and always pass. */
function sniMatches(sniHosts: string[] | undefined, sni: string | undefined): boolean {
  if (sniHosts === undefined) return true;
  return sni !== undefined && sniHosts.some((h) => hostMatches(h, sni));
}

function tcpRuleMatches(
  rule: TCPRoute | TLSRoute,
  vsNamespace: string,
  proxy: ReturnType<typeof proxyOf>,
  dest: { ip?: string; port: number; sni?: string },
): boolean {
  const blocks = rule.match ?? [];
  if (blocks.length === 0) return true;
  return blocks.some(
    (b) =>
      sniMatches((b as { sniHosts?: string[] }).sniHosts, dest.sni) &&
      blockAppliesToProxy(b, proxy.labels, proxy.namespace, proxy.gateways, (g) =>
        resolveGatewayRef(g, vsNamespace),
      ) &&
      l4MatchBlockMatches(b, dest),
  );
}

/** Evaluates one TCP connection from the caller to host:port. */
export interface TcpOptions {
  /**
   * SNI of a TLS connection the app opened itself (HTTPS passthrough): the VirtualService's `tls[]` rules,
   * matched by `sniHosts`, are tried before its `tcp[]` rules, as Envoy's TLS inspector would.
   */
  sni?: string;
}

export function evaluateTcp(
  config: MeshConfig,
  caller: Caller,
  host: string,
  port: number,
  random: () => number,
  options: TcpOptions = {},
): TcpOutcome {
  const explanation: string[] = [];
  const proxy = proxyOf(caller);
  const raw = splitHostPort(host).host.toLowerCase();
  const fqdn = resolveHost(config, host, caller.namespace);
  const ip = isIpAddress(raw) ? raw : undefined;
  const matchHost = proxy.isGateway ? raw : fqdn;
  explanation.push(
    `tcp ${proxy.isGateway ? 'gateway' : `sidecar in ${caller.namespace}`} → ${matchHost}:${port}`,
  );
  const selection = selectVirtualServices(config, proxy, matchHost);
  let chosen: { destination: Destination; vs?: string; ruleIndex?: number; section?: string } | undefined;
  if (selection) {
    const vsKeys = selection.virtualServices.map(objectKey).join(',');
    explanation.push(`VirtualService ${vsKeys} (host ${selection.host})`);
    const sni = options.sni?.toLowerCase();
    const refs = [
      ...(sni !== undefined ? orderedTlsRules(selection).map((r) => ({ ...r, section: 'tls' })) : []),
      ...orderedTcpRules(selection).map((r) => ({ ...r, section: 'tcp' })),
    ];
    for (const ref of refs) {
      const vsNs = namespaceOf(ref.vs);
      if (!tcpRuleMatches(ref.rule, vsNs, proxy, { ...(ip ? { ip } : {}), port, ...(sni ? { sni } : {}) }))
        continue;
      const picked = pickWeighted(ref.rule.route ?? [], random);
      if (!picked) continue;
      const destination = resolveDestination(config, picked.route.destination, vsNs, port);
      explanation.push(
        `${ref.section}[${ref.index}] matched → ${destination.host}${destination.subset ? ` subset ${destination.subset}` : ''}`,
      );
      chosen = { destination, vs: objectKey(ref.vs), ruleIndex: ref.index, section: ref.section };
      break;
    }
    if (!chosen) explanation.push('no tcp rule matched: default TCP proxy to the service');
  } else {
    explanation.push('no VirtualService for the host: default TCP proxy to the service');
  }
  if (!chosen) chosen = { destination: { host: fqdn, port } };
  const cluster = resolveCluster(config, caller, chosen.destination);
  explanation.push(...cluster.notes);
  if (!cluster.ok) {
    return {
      kind: 'noCluster',
      ...(chosen.vs ? { virtualService: chosen.vs } : {}),
      destination: chosen.destination,
      explanation,
    };
  }
  return {
    kind: 'route',
    ...(chosen.vs ? { virtualService: chosen.vs } : {}),
    ...(chosen.ruleIndex !== undefined ? { ruleIndex: chosen.ruleIndex } : {}),
    ...(chosen.section === 'tls' ? { tlsRoute: true } : {}),
    destination: chosen.destination,
    ...(cluster.subsetLabels ? { subsetLabels: cluster.subsetLabels } : {}),
    ...(cluster.policy ? { policy: cluster.policy } : {}),
    ...(cluster.destinationRule ? { destinationRule: cluster.destinationRule } : {}),
    clientMtls: cluster.clientMtls,
    ...(isKnownHost(config, chosen.destination.host) ? {} : { passthrough: true }),
    explanation,
  };
}
