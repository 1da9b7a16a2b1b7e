import type { Span } from '@meshlens/contract';

/** One proxy a trace passed through: its app and namespace, and its version when the span names it. */
export interface PathStop {
  namespace: string;
  app: string;
  version?: string;
}

/** A call of the trace: the caller's proxy (client span) to the callee's (server span). */
export interface PathHop {
  from: PathStop;
  to: PathStop;
}

export interface TracePath {
  stops: PathStop[];
  hops: PathHop[];
}

const stopOf = (s: Span): PathStop | null => {
  if (!s.app || !s.namespace) return null;
  const version = s.tags['istio.canonical_revision'];
  return {
    namespace: s.namespace,
    app: s.app,
    ...(version && version !== 'latest' && version !== 'unknown' ? { version } : {}),
  };
};

const stopKey = (p: PathStop) => `${p.namespace}/${p.app}/${p.version ?? ''}`;

/**
 * The path a trace took through the mesh: every proxy with an app and namespace (spans the user may not
 * read have neither and are left out), and each call from a client span to the server span under it.
 */
export function tracePath(spans: readonly Span[]): TracePath {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const stops = new Map<string, PathStop>();
  const hops = new Map<string, PathHop>();
  for (const s of spans) {
    const stop = stopOf(s);
    if (stop) stops.set(stopKey(stop), stop);
    if (s.kind !== 'server' || !stop || !s.parentId) continue;
    const parent = byId.get(s.parentId);
    const from = parent ? stopOf(parent) : null;
    if (!from || parent?.kind !== 'client') continue;
    // a proxy's server span and its own client spans are the same stop: no hop to itself
    const hop = { from, to: stop };
    hops.set(`${stopKey(from)}>${stopKey(stop)}`, hop);
  }
  return { stops: [...stops.values()], hops: [...hops.values()] };
}

/** What a graph node shows, as far as a trace's path is concerned. */
export interface PathNode {
  nodeType: string;
  namespace: string;
  app: string;
  version: string;
  service: string;
  workload?: string;
}

/** True when the node stands for this stop: its app (a service node: the service of that name). */
export function nodeAtStop(n: PathNode, p: PathStop): boolean {
  if (n.namespace !== p.namespace) return false;
  if (n.nodeType === 'service') return n.service === p.app;
  // a workload without an app label (a gateway) by its name
  if ((n.app || n.workload) !== p.app) return false;
  return !p.version || !n.version || n.version === p.version;
}

/** Tests graph nodes and edges against a trace's path. */
export interface PathMatcher {
  node: (n: PathNode) => boolean;
  edge: (source: PathNode, target: PathNode) => boolean;
}

export function pathMatcher(path: TracePath): PathMatcher {
  return {
    node: (n) => path.stops.some((p) => nodeAtStop(n, p)),
    edge: (source, target) =>
      path.hops.some(
        (h) =>
          (nodeAtStop(source, h.from) && nodeAtStop(target, h.to)) ||
          // the service node a call went through, to the version that served it
          (source.nodeType === 'service' &&
            target.nodeType !== 'service' &&
            nodeAtStop(source, h.to) &&
            nodeAtStop(target, h.to)),
      ),
  };
}
