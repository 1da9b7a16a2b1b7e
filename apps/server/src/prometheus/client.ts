/**
 * A small Prometheus HTTP API client: instant queries over POST, auth (bearer token, basic auth, extra
 * headers such as a tenant id), TLS with a CA of one's own, timeouts, typed errors.
 */
import { fetch, type Response } from 'undici';
import { authorization, upstreamDispatcher, type UpstreamAuth, type UpstreamTls } from '../http/upstream';

export type PrometheusAuth = UpstreamAuth;
export type PrometheusTls = UpstreamTls;
export { SECRET_FILE_TTL_MS } from '../http/upstream';

export interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface QueryResult {
  samples: VectorSample[];
  ms: number;
}

export interface MatrixSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

export interface RangeResult {
  series: MatrixSeries[];
  ms: number;
}

export class PrometheusError extends Error {
  override name = 'PrometheusError';
  constructor(
    message: string,
    /** `timeout`, `unreachable`, `http` (non-2xx) or `bad_data` (Prometheus rejected the query). */
    readonly kind: 'timeout' | 'unreachable' | 'http' | 'bad_data',
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface PrometheusClient {
  readonly url: string;
  /** Instant query at `time` (unix seconds) or now. */
  query(
    promql: string,
    options?: { time?: number; timeoutMs?: number; signal?: AbortSignal },
  ): Promise<QueryResult>;
  /** Range query from `start` to `end` (unix seconds) every `step` seconds. */
  queryRange(
    promql: string,
    range: { start: number; end: number; step: number },
    options?: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<RangeResult>;
  /** Reachability check for /readyz. */
  ping(timeoutMs?: number): Promise<void>;
  /** Closes pooled connections. */
  close?(): Promise<void>;
}

export interface PrometheusClientOptions extends PrometheusAuth, PrometheusTls {
  url: string;
  timeoutMs?: number;
  /**
   * Ask for gzipped answers (default true). Off, answers come plain (`accept-encoding: identity`): see
   * compression.ts for when that is faster. An `accept-encoding` among `headers` wins.
   */
  gzip?: boolean;
  onQuery?: (ms: number, outcome: 'ok' | PrometheusError['kind']) => void;
}

export function createPrometheusClient(options: PrometheusClientOptions): PrometheusClient {
  const base = options.url.replace(/\/+$/, '');
  const given = options.headers ?? {};
  const extraHeaders: Record<string, string> = {
    ...(Object.keys(given).some((h) => h.toLowerCase() === 'accept-encoding')
      ? {}
      : { 'accept-encoding': options.gzip === false ? 'identity' : 'gzip' }),
    ...given,
  };
  const auth = authorization(
    options,
    (message) => new PrometheusError(`cannot read the Prometheus credential file: ${message}`, 'unreachable'),
  );
  const defaultTimeout = options.timeoutMs ?? 10_000;
  const dispatcher = upstreamDispatcher(options);

  async function call(
    path: string,
    body: URLSearchParams | undefined,
    timeoutMs: number,
    signal?: AbortSignal,
  ) {
    const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
    const headers = { ...extraHeaders };
    const authHeader = await auth();
    if (authHeader) headers.authorization = authHeader;
    let response: Response | undefined;
    // A pooled keep-alive connection that Prometheus closed just as we reused it fails at once with
    // UND_ERR_SOCKET / ECONNRESET: queries are idempotent, so such a request is sent once more.
    for (let attempt = 1; response === undefined; attempt++) {
      try {
        response = await fetch(`${base}${path}`, {
          method: body ? 'POST' : 'GET',
          headers: body ? { ...headers, 'content-type': 'application/x-www-form-urlencoded' } : headers,
          body,
          signal: AbortSignal.any(signals),
          dispatcher,
        });
      } catch (err) {
        const e = err as Error;
        if (e.name === 'TimeoutError' || e.name === 'AbortError')
          throw new PrometheusError(`Prometheus did not answer within ${timeoutMs} ms`, 'timeout');
        const cause = (e as { cause?: { code?: string } }).cause?.code ?? e.message;
        if (attempt < 2 && (cause === 'UND_ERR_SOCKET' || cause === 'ECONNRESET')) continue;
        throw new PrometheusError(`Prometheus at ${base} is unreachable (${cause})`, 'unreachable');
      }
    }
    let json: {
      status?: string;
      error?: string;
      errorType?: string;
      data?: { resultType?: string; result?: unknown };
    };
    try {
      json = (await response.json()) as typeof json;
    } catch (err) {
      const e = err as Error;
      if (e.name === 'TimeoutError' || e.name === 'AbortError')
        throw new PrometheusError(`Prometheus did not answer within ${timeoutMs} ms`, 'timeout');
      throw new PrometheusError(
        `Prometheus answered HTTP ${response.status} without JSON`,
        'http',
        response.status,
      );
    }
    if (!response.ok || json.status !== 'success') {
      const kind = response.status === 400 || response.status === 422 ? 'bad_data' : 'http';
      throw new PrometheusError(
        `Prometheus answered HTTP ${response.status}: ${json.errorType ?? ''} ${json.error ?? ''}`.trim(),
        kind,
        response.status,
      );
    }
    return json.data;
  }

  return {
    url: base,
    async query(promql, opts = {}) {
      const started = performance.now();
      const body = new URLSearchParams({ query: promql });
      if (opts.time !== undefined) body.set('time', String(opts.time));
      try {
        const data = await call('/api/v1/query', body, opts.timeoutMs ?? defaultTimeout, opts.signal);
        if (data?.resultType !== 'vector' || !Array.isArray(data.result))
          throw new PrometheusError(`expected a vector, got ${data?.resultType}`, 'bad_data');
        const ms = performance.now() - started;
        options.onQuery?.(ms, 'ok');
        return { samples: data.result as VectorSample[], ms };
      } catch (err) {
        if (err instanceof PrometheusError) options.onQuery?.(performance.now() - started, err.kind);
        throw err;
      }
    },
    async queryRange(promql, range, opts = {}) {
      const started = performance.now();
      const body = new URLSearchParams({
        query: promql,
        start: String(range.start),
        end: String(range.end),
        step: String(range.step),
      });
      try {
        const data = await call('/api/v1/query_range', body, opts.timeoutMs ?? defaultTimeout, opts.signal);
        if (data?.resultType !== 'matrix' || !Array.isArray(data.result))
          throw new PrometheusError(`expected a matrix, got ${data?.resultType}`, 'bad_data');
        const ms = performance.now() - started;
        options.onQuery?.(ms, 'ok');
        return { series: data.result as MatrixSeries[], ms };
      } catch (err) {
        if (err instanceof PrometheusError) options.onQuery?.(performance.now() - started, err.kind);
        throw err;
      }
    },
    async ping(timeoutMs = 2000) {
      await call(`/api/v1/query?query=${encodeURIComponent('vector(1)')}`, undefined, timeoutMs);
    },
    async close() {
      await dispatcher.close();
    },
  };
}
