import { CSRF_HEADER, ErrorBodySchema, joinPath, RUNTIME_CONFIG_ELEMENT_ID } from '@meshlens/contract';
import type { RuntimeConfig } from '@meshlens/contract';

/** The one error type of the web app: an HTTP failure with the server's error body, or a network failure. */
export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when the request never got an answer. */
    readonly status: number,
    /** Error name from the body (`InputError`, …) or `NetworkError`. */
    readonly errorName: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get isClientError(): boolean {
    return this.status >= 400 && this.status < 500;
  }
}

/**
 * The server's runtime config: the JSON data block `<script type="application/json"
 * id="meshlens-config">` of index.html (a data block is not executed, so the page needs no inline
 * script under the server's Content-Security-Policy); undefined without the server (dev, tests).
 */
export function runtimeConfig(): RuntimeConfig | undefined {
  if (typeof document === 'undefined') return undefined;
  const text = document.getElementById(RUNTIME_CONFIG_ELEMENT_ID)?.textContent;
  if (!text) return undefined;
  // Checked by hand, not with zod: this runs while modules load, before api/noEval turns zod's JIT off.
  try {
    const value = JSON.parse(text) as Partial<RuntimeConfig> | null;
    return typeof value?.basePath === 'string' && typeof value.version === 'string'
      ? { basePath: value.basePath, version: value.version }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The path prefix the app is served under (`''` at the root, `/meshlens` behind a prefix): from the
 * server's runtime config, else from the document base that index.html sets.
 */
export function basePath(): string {
  const configured = runtimeConfig()?.basePath;
  if (typeof configured === 'string') return configured.replace(/\/+$/, '');
  if (typeof document === 'undefined') return '';
  return new URL(document.baseURI).pathname.replace(/\/+$/, '');
}

export function apiUrl(path: string, params?: URLSearchParams): string {
  const query = params && [...params.keys()].length > 0 ? `?${params.toString()}` : '';
  return `${joinPath(basePath(), path)}${query}`;
}

/** Sent on every write made with a cookie session (the shell sets it from /api/auth/info). */
let csrfToken: string | undefined;
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

type UnauthorizedListener = (error: ApiError) => void;
const unauthorizedListeners = new Set<UnauthorizedListener>();
/** Called on every 401 of a route other than /api/auth/* (the shell then goes to its sign-in page). */
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export interface RequestOptions {
  params?: URLSearchParams;
  /** JSON-encoded when given. */
  body?: unknown;
  signal?: AbortSignal;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The one request helper of the web app: JSON in and out, the session's CSRF token on writes, the
 * server's error body as an ApiError, and a 401 reported to the shell (sign-in page, then back).
 */
export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const { params, body, signal } = options;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (csrfToken && !SAFE_METHODS.has(method)) headers[CSRF_HEADER] = csrfToken;
  let res: Response;
  try {
    res = await fetch(apiUrl(path, params), {
      method,
      signal,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(0, 'NetworkError', `The console server did not answer (${String(err)})`);
  }
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: reported below when the status is an error
  }
  if (!res.ok) {
    const error = ErrorBodySchema.safeParse(parsed);
    const err = error.success
      ? new ApiError(res.status, error.data.error.name, error.data.error.message, error.data.error.details)
      : new ApiError(res.status, 'HttpError', `HTTP ${res.status} ${res.statusText}: ${text.slice(0, 200)}`);
    if (res.status === 401 && !path.startsWith('/api/auth/')) for (const l of unauthorizedListeners) l(err);
    throw err;
  }
  if (parsed === undefined) throw new ApiError(res.status, 'HttpError', `Empty or invalid JSON from ${path}`);
  return parsed as T;
}

export function fetchJson<T>(path: string, params?: URLSearchParams, signal?: AbortSignal): Promise<T> {
  return request<T>('GET', path, { params, signal });
}

/** react-query retry policy: never retry 4xx, retry the rest twice. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && error.isClientError) return false;
  return failureCount < 2;
}
