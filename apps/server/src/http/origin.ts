/**
 * Writes only from the console's own pages (against cross-site request forgery): every request whose
 * method is not GET, HEAD or OPTIONS must come with
 * - an `Origin` naming this very host (the request's `Host`, itself checked by ./hosts), or
 * - when the browser sent no Origin, `Sec-Fetch-Site: same-origin`, or
 * - neither header (a script, not a browser) and an `Authorization: Bearer …` header: a browser never
 *   adds one to a cross-site request by itself, so such a request is not forged by another page.
 * `Origin: null`, a foreign Origin, or any other `Sec-Fetch-Site` is refused (403). Then
 * `requireCsrfToken` runs: the hook for cookie sessions (see there).
 */
import type { Request, RequestHandler } from 'express';
import { NotAllowedError } from '../errors';
import { parseHost } from './hosts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

const defaultPort = (protocol: string) => (protocol === 'https:' ? 443 : 80);

/** `Origin` names the same host and port as `Host`. */
function sameHost(origin: string, host: string | undefined): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const h = host ? parseHost(host) : undefined;
  const o = parseHost(url.host);
  if (!h || !o) return false;
  const port = defaultPort(url.protocol);
  return h.name === o.name && (h.port ?? port) === (o.port ?? port);
}

/**
 * The CSRF token check of cookie sessions. A no-op while the console has no sessions (every strategy
 * today is anonymous or sends `Authorization`, which a forged request cannot carry).
 *
 * Contract for the sign-in work: when the request is authenticated by a session cookie, this must throw
 * NotAllowedError unless the request carries the session's CSRF token (e.g. `X-CSRF-Token`, compared in
 * constant time with a token bound to the session). Requests authenticated by `Authorization: Bearer`
 * need no token. It runs after the Origin check, on every write, in sameOriginWrites below.
 */
export function requireCsrfToken(_req: Request): void {
  // No cookie sessions yet.
}

/** 403 for a write that may come from another site; see the module comment. */
export const sameOriginWrites: RequestHandler = (req, _res, next) => {
  if (SAFE.has(req.method)) return next();
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  const what = `${req.method} ${req.originalUrl.split('?')[0]?.slice(0, 200)}`;
  if (origin !== undefined) {
    if (!sameHost(origin, req.headers.host))
      return next(
        new NotAllowedError(
          `${what}: Origin ${JSON.stringify(origin.slice(0, 200))} is not this console; writes are taken only from the console's own pages`,
        ),
      );
  }
  if (site !== undefined && site !== 'same-origin')
    return next(
      new NotAllowedError(
        `${what}: Sec-Fetch-Site ${JSON.stringify(site)}; writes are taken only from the console's own pages`,
      ),
    );
  if (origin === undefined && site === undefined && !/^Bearer\s+\S/i.test(req.headers.authorization ?? ''))
    return next(
      new NotAllowedError(
        `${what}: a write needs an Origin header of this console (browsers send it) or, from a script, an Authorization: Bearer header`,
      ),
    );
  try {
    requireCsrfToken(req);
  } catch (err) {
    return next(err);
  }
  next();
};
