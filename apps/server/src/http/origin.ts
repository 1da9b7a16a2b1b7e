/**
 * Writes only from the console's own pages (against cross-site request forgery): every request whose
 * method is not GET, HEAD or OPTIONS must come with
 * - an `Origin` naming this very host (the request's `Host`, itself checked by ./hosts), or
 * - when the browser sent no Origin, `Sec-Fetch-Site: same-origin`, or
 * - neither header (a script, not a browser) and an `Authorization: Bearer …` header: a browser never
 *   adds one to a cross-site request by itself, so such a request is not forged by another page.
 * `Origin: null`, a foreign Origin, or any other `Sec-Fetch-Site` is refused (403). Writes made with a
 * session cookie must also carry the session's CSRF token: auth/ checks it once it knows the session
 * (auth/index.ts, after this check).
 */
import type { RequestHandler } from 'express';
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
  next();
};
