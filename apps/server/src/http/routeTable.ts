/**
 * The routes an Express app really registers, read from its router (Express 5's `router` keeps each
 * layer's path as `rawPath`): method and full path pattern of every route, mounted routers included.
 * Tests derive what they must cover (the viewer's write sweep, the visibility checks) from this table,
 * so a route added later cannot be missed by a list kept by hand.
 */
import type express from 'express';

export interface RouteEntry {
  /** Upper case: GET, POST, PUT, PATCH, DELETE… */
  method: string;
  /** The full Express path pattern, e.g. `/api/namespaces/:namespace/istio/:kind`. */
  path: string;
}

interface LayerLike {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: LayerLike[] };
}

const join = (prefix: string, path: string) => {
  const p = `${prefix.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
};

const paths = (raw: unknown): string[] =>
  (Array.isArray(raw) ? (raw as unknown[]).flat(Infinity) : [raw]).filter(
    (p): p is string => typeof p === 'string',
  );

function walk(stack: readonly LayerLike[], prefix: string, out: RouteEntry[]) {
  for (const layer of stack) {
    if (layer.route) {
      for (const path of paths(layer.route.path))
        for (const [method, on] of Object.entries(layer.route.methods))
          if (on && method !== '_all') out.push({ method: method.toUpperCase(), path: join(prefix, path) });
    } else if (Array.isArray(layer.handle?.stack)) {
      for (const mount of paths(layer.rawPath ?? '/')) walk(layer.handle.stack, join(prefix, mount), out);
    }
  }
}

/** Every route of `app` (deduplicated, in registration order). HEAD of a GET route is not listed. */
export function routeTable(app: express.Express): RouteEntry[] {
  const out: RouteEntry[] = [];
  walk((app.router as unknown as { stack: LayerLike[] }).stack, '', out);
  const seen = new Set<string>();
  return out.filter((r) => {
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The routes of `app` that take a method other than GET, HEAD or OPTIONS. */
export const writeRoutes = (app: express.Express): RouteEntry[] =>
  routeTable(app).filter((r) => !SAFE.has(r.method));
