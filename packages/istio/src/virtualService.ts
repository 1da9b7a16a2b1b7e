/**
 * Which VirtualService a proxy uses for a host (TRAFFIC-SEMANTICS.md §1): visibility (`exportTo`), binding
 * (`gateways`, default `mesh`), the most specific host pattern, and what happens with several
 * VirtualServices for the same host — a gateway merges their rules (creation order, catch-all rules moved
 * to the end); a sidecar keeps only the oldest, the model Istio supports for sidecars.
 */
import type { Caller, MeshConfig } from './evaluate.types';
import type { HTTPRoute, TCPRoute, TLSRoute, VirtualService } from './model';
import { hostMatches, hostSpecificity, isExportedTo, namespaceOf } from './hosts';
import { meshIndex } from './meshIndex';
import { blockAppliesToProxy, isCatchAllRule } from './match';
import { sortByCreation } from './order';

export const MESH_GATEWAY = 'mesh';

export interface ProxyIdentity {
  namespace: string;
  labels: Record<string, string>;
  /** `mesh` for a sidecar; the gateway's `namespace/name` entries for a gateway. */
  gateways: ReadonlySet<string>;
  isGateway: boolean;
}

export function proxyOf(caller: Caller): ProxyIdentity {
  const gws = caller.gateways ?? [];
  const isGateway = gws.length > 0;
  return {
    namespace: caller.namespace,
    labels: caller.labels ?? {},
    gateways: new Set(isGateway ? gws.map((g) => resolveGatewayRef(g, caller.namespace)) : [MESH_GATEWAY]),
    isGateway,
  };
}

/** `mesh` stays; `name` means a Gateway in `namespace`; `ns/name` is taken as is. */
export function resolveGatewayRef(ref: string, namespace: string): string {
  const r = ref.trim();
  if (r === MESH_GATEWAY) return r;
  return r.includes('/') ? r : `${namespace}/${r}`;
}

/** The VirtualService's bindings, resolved; `gateways` absent or empty means `mesh`. */
export function virtualServiceGateways(vs: VirtualService): string[] {
  const gws = vs.spec?.gateways;
  if (!gws || gws.length === 0) return [MESH_GATEWAY];
  return gws.map((g) => resolveGatewayRef(g, namespaceOf(vs)));
}

export function virtualServiceAppliesToProxy(vs: VirtualService, proxy: ProxyIdentity): boolean {
  if (!isExportedTo(vs.spec?.exportTo, namespaceOf(vs), proxy.namespace)) return false;
  return virtualServiceGateways(vs).some((g) => proxy.gateways.has(g));
}

export interface VirtualServiceSelection {
  /** The host pattern that won (resolved). */
  host: string;
  /** Oldest first. A sidecar uses only the first; a gateway merges all. */
  virtualServices: VirtualService[];
}

/**
 * The VirtualServices that decide routing of `host` for this proxy, or undefined when none applies.
 * `usable` drops VirtualServices istiod would build no route from for this proxy and port (see
 * httpRoutesForProxy): such a VirtualService is skipped as if absent.
 */
export function selectVirtualServices(
  config: Partial<MeshConfig>,
  proxy: ProxyIdentity,
  host: string,
  usable: (vs: VirtualService) => boolean = () => true,
): VirtualServiceSelection | undefined {
  const idx = meshIndex(config);
  const candidates = new Set([...(idx.vsByExactHost.get(host) ?? []), ...idx.vsWildcard]);
  let best: { host: string; score: number; list: VirtualService[] } | undefined;
  for (const { vs, hosts } of candidates) {
    if (!virtualServiceAppliesToProxy(vs, proxy) || !usable(vs)) continue;
    let own: { host: string; score: number } | undefined;
    for (const pattern of hosts) {
      if (!hostMatches(pattern, host)) continue;
      const score = hostSpecificity(pattern);
      if (!own || score > own.score) own = { host: pattern, score };
    }
    if (!own) continue;
    if (!best || own.score > best.score) best = { ...own, list: [vs] };
    else if (own.score === best.score && own.host === best.host) best.list.push(vs);
  }
  if (!best) return undefined;
  const ordered = best.list.length > 1 ? sortByCreation(best.list) : best.list;
  return { host: best.host, virtualServices: proxy.isGateway ? ordered : ordered.slice(0, 1) };
}

/**
 * Does the VirtualService give this proxy at least one HTTP route on `port`? istiod drops match blocks
 * whose `port` differs from the listener port or whose sourceLabels/sourceNamespace/gateways exclude the
 * proxy; a VirtualService left with no route is not used at all (`BuildHTTPRoutesForVirtualService`
 * errors out), so a sidecar falls back to the default route instead of answering 404.
 */
export function httpRoutesForProxy(
  vs: VirtualService,
  proxy: ProxyIdentity,
  port: number | undefined,
): boolean {
  const ns = namespaceOf(vs);
  return (vs.spec?.http ?? []).some((rule) => {
    const blocks = rule.match ?? [];
    if (blocks.length === 0) return true;
    return blocks.some(
      (b) =>
        (!b.port || port === undefined || b.port === port) &&
        blockAppliesToProxy(b, proxy.labels, proxy.namespace, proxy.gateways, (g) =>
          resolveGatewayRef(g, ns),
        ),
    );
  });
}

export interface RuleRef<R> {
  vs: VirtualService;
  rule: R;
  /** Index of the rule in its VirtualService. */
  index: number;
}

/** HTTP rules in evaluation order: one VirtualService's order, or a gateway's merge of several. */
export function orderedHttpRules(selection: VirtualServiceSelection): RuleRef<HTTPRoute>[] {
  const refs = selection.virtualServices.flatMap((vs) =>
    (vs.spec?.http ?? []).map((rule, index) => ({ vs, rule, index })),
  );
  if (selection.virtualServices.length < 2) return refs;
  return [...refs.filter((r) => !isCatchAllRule(r.rule)), ...refs.filter((r) => isCatchAllRule(r.rule))];
}

export function orderedTcpRules(selection: VirtualServiceSelection): RuleRef<TCPRoute>[] {
  return selection.virtualServices.flatMap((vs) =>
    (vs.spec?.tcp ?? []).map((rule, index) => ({ vs, rule, index })),
  );
}

export function orderedTlsRules(selection: VirtualServiceSelection): RuleRef<TLSRoute>[] {
  return selection.virtualServices.flatMap((vs) =>
    (vs.spec?.tls ?? []).map((rule, index) => ({ vs, rule, index })),
  );
}
