/**
 * 405 for a path the console serves, asked with a method it does not serve (`DELETE /api/graph`), with an
 * `Allow` header; a path it does not serve stays a 404. Which methods a path takes is read from the
 * routes the app registers (./routeTable.ts), the one declaration of them, so it cannot drift from them.
 * Wildcard routes (`/api/namespaces/:namespace/*rest`, the SPA's `/{*rest}`) are guards in front of other
 * routes or fallbacks, not answers: they do not make a path known. A route's pattern is known whatever its
 * handler makes of the values (`/api/namespaces/:namespace/:kind` with an unknown kind is a 404 for GET,
 * and a 405 for DELETE).
 *
 * On `/api` it runs right after the Host, Origin, sign-in and CSRF checks (app.ts): a request that fails
 * them gets their answer (401, 403, 421) and learns nothing of which paths exist; one that passes them is
 * refused before any route's own checks (a body's type and size, the namespace) spend work on it. Outside
 * `/api` (`/healthz`…) it runs where the 404 would be given.
 */
import type express from 'express';
import type { RequestHandler } from 'express';
import { match } from 'path-to-regexp';
import { MethodNotAllowedError } from '../errors';
import { routeTable } from './routeTable';

/** The methods `path` (a request path, percent-encoded as sent) is served with, or undefined when none. */
export type AllowedMethods = (path: string) => string[] | undefined;

/** What each non-wildcard route path of `app` takes (HEAD wherever GET is, as Express answers it). */
export function allowedMethods(app: express.Express): AllowedMethods {
  const byPath = new Map<string, Set<string>>();
  for (const r of routeTable(app)) {
    if (r.path.includes('*')) continue;
    const methods = byPath.get(r.path) ?? new Set<string>();
    methods.add(r.method);
    if (r.method === 'GET') methods.add('HEAD');
    byPath.set(r.path, methods);
  }
  // Express's defaults: case-insensitive, a trailing slash allowed; parameters are not decoded here.
  const matchers = [...byPath].map(([path, methods]) => ({
    matches: match(path, { decode: false }),
    methods,
  }));
  return (path) => {
    const methods = new Set<string>();
    for (const m of matchers) if (m.matches(path)) for (const x of m.methods) methods.add(x);
    return methods.size ? [...methods].sort() : undefined;
  };
}

/**
 * Passes on a request whose path is unknown (or whose method a route passed on); a known path asked with
 * another method is a MethodNotAllowedError, and OPTIONS there a 200 with Allow. The table is read at the
 * first request, once every route is registered.
 */
export function methodNotAllowed(app: express.Express): RequestHandler {
  let allowed: AllowedMethods | undefined;
  return (req, res, next) => {
    allowed ??= allowedMethods(app);
    const path = req.originalUrl.split('?')[0] ?? '';
    const methods = allowed(path);
    if (!methods || methods.includes(req.method)) return next();
    // OPTIONS is answered as Express answers it for the routes of the routers mounted before this one.
    if (req.method === 'OPTIONS') {
      res.set('Allow', methods.join(', ')).type('text/plain').send(methods.join(', '));
      return;
    }
    next(
      new MethodNotAllowedError(
        `${req.method} is not served on ${path.slice(0, 200)}; it takes ${methods.join(', ')}`,
        methods,
      ),
    );
  };
}
