import { pino, type DestinationStream, type Logger } from 'pino';

/** Header and field paths whose values never reach the log (credentials, session cookies, tokens). */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'req.headers["x-forwarded-access-token"]',
  'req.headers["x-auth-request-access-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
  'token',
  '*.token',
  'bearerToken',
  '*.bearerToken',
  'password',
  '*.password',
  'idToken',
  '*.idToken',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
];

/** Query parameters whose values are hidden in logged URLs. */
const SECRET_PARAM = /^(access_token|id_token|token|code|password|secret|state)$/i;

/** A URL as logged: the values of token-like query parameters replaced. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      let name = key;
      try {
        name = decodeURIComponent(key);
      } catch {
        /* keep it */
      }
      return eq >= 0 && SECRET_PARAM.test(name) ? `${key}=[Redacted]` : pair;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

/**
 * Structured JSON logs on stderr (stdout carries only the READY line), with credentials redacted
 * (REDACTED_PATHS). `destination`: another stream (tests).
 */
export function createLogger(level = 'info', destination?: DestinationStream): Logger {
  return pino(
    { level, base: { name: 'meshlens' }, redact: { paths: REDACTED_PATHS, censor: '[Redacted]' } },
    destination ?? pino.destination(2),
  );
}

const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-csrf-token',
  'x-forwarded-access-token',
  'x-auth-request-access-token',
]);

/** Headers as logged: credentials replaced, whatever the logger's own redaction. */
export function redactHeaders(headers: unknown): unknown {
  if (typeof headers !== 'object' || headers === null) return headers;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(headers))
    out[k] = SECRET_HEADERS.has(k.toLowerCase()) ? '[Redacted]' : v;
  return out;
}

/** pino-http serializers: the standard ones, with credentials in headers and URLs redacted. */
export const httpLogSerializers = {
  req: (req: { url?: string; headers?: unknown; query?: unknown }) => ({
    ...req,
    ...(req.url !== undefined ? { url: redactUrl(req.url) } : {}),
    ...(typeof req.query === 'object' && req.query !== null
      ? {
          query: Object.fromEntries(
            Object.entries(req.query).map(([k, v]) => [k, SECRET_PARAM.test(k) ? '[Redacted]' : v]),
          ),
        }
      : {}),
    headers: redactHeaders(req.headers),
  }),
  res: (res: { headers?: unknown }) => ({ ...res, headers: redactHeaders(res.headers) }),
};
