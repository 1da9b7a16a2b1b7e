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

/**
 * A route of the contract with its `:name` segments filled in (each URI-encoded):
 * `routePath(ISTIO_ROUTES.object, { namespace: 'a', kind: 'virtualservices', name: 'b' })`.
 */
export function routePath(template: string, params: Record<string, string> = {}): string {
  return template.replace(/:([A-Za-z]+)/g, (_, key: string) => {
    const value = params[key];
    if (value === undefined) throw new Error(`routePath(${template}): no value for :${key}`);
    return encodeURIComponent(value);
  });
}

/** Query parameters: undefined and false are left out, arrays joined with commas. */
export type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

/** The query string of a Query (or the URLSearchParams given as is). */
export function searchParams(query: Query | URLSearchParams | undefined): URLSearchParams {
  if (query instanceof URLSearchParams) return query;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === false) continue;
    params.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  return params;
}

/** What checks an answer: a zod schema, or anything with the same safeParse. */
export interface AnswerSchema<T> {
  safeParse(v: unknown): { success: true; data: T } | { success: false; error: { message: string } };
}

export interface RequestOptions<T = unknown> {
  /** The query string: an object (see Query) or URLSearchParams. */
  query?: Query | URLSearchParams;
  /** JSON-encoded when given. */
  body?: unknown;
  signal?: AbortSignal;
  /** Checks the answer; without it the answer is trusted as typed by the contract (large answers). */
  schema?: AnswerSchema<T>;
  /** `accept` header (default JSON). */
  accept?: string;
  /**
   * The last answer's text and value: an answer with the same text returns that value (the same
   * object) without parsing it again, so whatever was derived from it need not be rebuilt.
   */
  reuse?: AnswerMemo;
}

/** See RequestOptions.reuse: filled by `request` with each answer it parses. */
export interface AnswerMemo {
  text?: string;
  value?: unknown;
  /** The worker request that gave `value` (requestInWorker: the worker keeps the text). */
  id?: number;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The ApiError of a failed answer: the server's error body when there is one. */
export function errorOf(status: number, statusText: string, text: string): ApiError {
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: reported as plain text below
  }
  const error = ErrorBodySchema.safeParse(parsed);
  return error.success
    ? new ApiError(status, error.data.error.name, error.data.error.message, error.data.error.details)
    : new ApiError(status, 'HttpError', `HTTP ${status} ${statusText}: ${text.slice(0, 200)}`);
}

/** Sends a request; a non-2xx answer is thrown as an ApiError (and a 401 reported to the shell). */
async function send(method: string, path: string, options: RequestOptions<unknown>): Promise<Response> {
  const { body, signal } = options;
  const headers: Record<string, string> = { accept: options.accept ?? 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (csrfToken && !SAFE_METHODS.has(method)) headers[CSRF_HEADER] = csrfToken;
  let res: Response;
  try {
    res = await fetch(apiUrl(path, searchParams(options.query)), {
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
  if (!res.ok) throw answerError(path, res.status, res.statusText, await res.text().catch(() => ''));
  return res;
}

/** The ApiError of a non-2xx answer to `path` (a 401 is reported to the shell: sign-in page). */
export function answerError(path: string, status: number, statusText: string, text: string): ApiError {
  const err = errorOf(status, statusText, text);
  if (status === 401 && !path.startsWith('/api/auth/')) for (const l of unauthorizedListeners) l(err);
  return err;
}

/**
 * The one request helper of the web app: JSON in and out, the session's CSRF token on writes, the
 * server's error body as an ApiError, a 401 reported to the shell (sign-in page, then back), and the
 * answer checked with `schema` when given.
 */
export async function request<T>(method: string, path: string, options: RequestOptions<T> = {}): Promise<T> {
  const res = await send(method, path, options as RequestOptions<unknown>);
  const text = await res.text();
  const memo = options.reuse;
  if (memo && memo.text === text && memo.value !== undefined) return memo.value as T;
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // reported below
  }
  if (parsed === undefined) throw new ApiError(res.status, 'HttpError', `Empty or invalid JSON from ${path}`);
  let value: T;
  if (!options.schema) value = parsed as T;
  else {
    const checked = options.schema.safeParse(parsed);
    if (!checked.success)
      throw new ApiError(
        res.status,
        'ContractError',
        `Unexpected answer from ${path}: ${checked.error.message}`,
      );
    value = checked.data;
  }
  if (memo) {
    memo.text = text;
    memo.value = value;
  }
  return value;
}

/**
 * The streaming variant of `request` (e.g. NDJSON logs): same URL, headers and errors (a 401 leads to
 * sign-in), the body's reader on success.
 */
export async function requestStream(
  path: string,
  options: Omit<RequestOptions, 'body' | 'schema'> = {},
): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const res = await send('GET', path, options);
  if (!res.body) throw new ApiError(res.status, 'HttpError', `No body from ${path}`);
  return res.body.getReader();
}

/** react-query retry policy: never retry 4xx, retry the rest twice. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && error.isClientError) return false;
  return failureCount < 2;
}
