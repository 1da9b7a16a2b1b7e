/**
 * What the console's HTTP clients of other servers (Prometheus, Jaeger/Tempo) share: credentials from
 * settings or mounted files (bearer token or basic auth, extra headers) and a connection pool that trusts a
 * CA of one's own.
 */
import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { Agent } from 'undici';

export interface UpstreamAuth {
  bearerToken?: string;
  /** Read at the first request and again at most once a minute (a mounted Secret may rotate). */
  bearerTokenFile?: string;
  username?: string;
  password?: string;
  /** Like bearerTokenFile, for the basic-auth password. */
  passwordFile?: string;
  headers?: Record<string, string>;
}

export interface UpstreamTls {
  /** PEM CA certificate(s) trusted for an https URL, besides the system ones. */
  ca?: string;
  /** Accept any certificate (tests only). */
  insecureSkipVerify?: boolean;
}

/** How long a secret read from a file is reused before it is read again, ms. */
export const SECRET_FILE_TTL_MS = 60_000;

/**
 * The text of a secret file, trimmed, re-read at most every SECRET_FILE_TTL_MS; a file that was readable
 * stays in use while it is briefly missing (a Secret being updated). `fail` names the error to throw.
 */
export function fileSecret(path: string, fail: (message: string) => Error): () => Promise<string> {
  let cached: { value: string; at: number } | undefined;
  return async () => {
    if (cached && performance.now() - cached.at < SECRET_FILE_TTL_MS) return cached.value;
    try {
      cached = { value: (await readFile(path, 'utf8')).trim(), at: performance.now() };
    } catch (err) {
      if (cached) return cached.value;
      throw fail((err as Error).message);
    }
    return cached.value;
  };
}

/** The Authorization header from the settings: a bearer token wins over basic auth. */
export function authorization(
  options: UpstreamAuth,
  fail: (message: string) => Error,
): () => Promise<string | undefined> {
  const token = options.bearerTokenFile ? fileSecret(options.bearerTokenFile, fail) : undefined;
  const password = options.passwordFile ? fileSecret(options.passwordFile, fail) : undefined;
  return async () => {
    const bearer = options.bearerToken ?? (token ? await token() : undefined);
    if (bearer) return `Bearer ${bearer}`;
    if (options.username === undefined) return undefined;
    const pass = options.password ?? (password ? await password() : '');
    return `Basic ${Buffer.from(`${options.username}:${pass}`).toString('base64')}`;
  };
}

/** One pool of connections; for https, the system CAs plus the configured ones. */
export function upstreamDispatcher(tls: UpstreamTls): Agent {
  return new Agent({
    connect: {
      ...(tls.ca ? { ca: [...rootCertificates, tls.ca] } : {}),
      ...(tls.insecureSkipVerify ? { rejectUnauthorized: false } : {}),
    },
  });
}
