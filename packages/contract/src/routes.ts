/**
 * Route paths, relative to the server's base path (e.g. basePath `/meshlens` serves the graph at
 * `/meshlens/api/graph`). The web app joins them with the base path it receives at runtime.
 */
export const ROUTES = {
  graph: '/api/graph',
  namespaces: '/api/namespaces',
  config: '/api/config',
  healthz: '/healthz',
  readyz: '/readyz',
  metrics: '/metrics',
} as const;
export type RouteName = keyof typeof ROUTES;

/** Joins a base path (`''`, `/`, `/meshlens`, `/meshlens/`) and a route path without doubling slashes. */
export function joinPath(basePath: string, path: string): string {
  const base = basePath.replace(/\/+$/, '');
  return `${base}${path.startsWith('/') ? path : `/${path}`}`;
}
