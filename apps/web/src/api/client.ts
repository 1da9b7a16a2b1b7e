import { ErrorBodySchema, joinPath, RUNTIME_CONFIG_GLOBAL } from '@meshlens/contract';
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

declare global {
  interface Window {
    [RUNTIME_CONFIG_GLOBAL]?: RuntimeConfig;
  }
}

/**
 * The path prefix the app is served under (`''` at the root, `/meshlens` behind a prefix): from the
 * server's injected runtime config, else from the document base that index.html sets.
 */
export function basePath(): string {
  const injected = typeof window !== 'undefined' ? window[RUNTIME_CONFIG_GLOBAL]?.basePath : undefined;
  if (typeof injected === 'string') return injected.replace(/\/+$/, '');
  if (typeof document === 'undefined') return '';
  return new URL(document.baseURI).pathname.replace(/\/+$/, '');
}

export function apiUrl(path: string, params?: URLSearchParams): string {
  const query = params && [...params.keys()].length > 0 ? `?${params.toString()}` : '';
  return `${joinPath(basePath(), path)}${query}`;
}

export async function fetchJson<T>(path: string, params?: URLSearchParams, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(apiUrl(path, params), { signal, headers: { accept: 'application/json' } });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(0, 'NetworkError', `The console server did not answer (${String(err)})`);
  }
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: reported below when the status is an error
  }
  if (!res.ok) {
    const parsed = ErrorBodySchema.safeParse(body);
    if (parsed.success) {
      const { name, message, details } = parsed.data.error;
      throw new ApiError(res.status, name, message, details);
    }
    throw new ApiError(
      res.status,
      'HttpError',
      `HTTP ${res.status} ${res.statusText}: ${text.slice(0, 200)}`,
    );
  }
  if (body === undefined) throw new ApiError(res.status, 'HttpError', `Empty or invalid JSON from ${path}`);
  return body as T;
}

/** react-query retry policy: never retry 4xx, retry the rest twice. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && error.isClientError) return false;
  return failureCount < 2;
}
