/**
 * A client of Jaeger's query HTTP API — the API Jaeger serves and Grafana Tempo's Jaeger-compatible
 * endpoint too: services, trace search, one trace. Same auth and TLS settings as Prometheus; every answer
 * checked against Jaeger's shape before use, and read only up to `maxResponseBytes` (decoded): a larger one
 * is dropped as soon as it passes the bound, never buffered whole.
 */
import { z } from 'zod';
import { fetch, type Response } from 'undici';
import { authorization, upstreamDispatcher, type UpstreamAuth, type UpstreamTls } from '../http/upstream';

export class TracingError extends Error {
  override name = 'TracingError';
  constructor(
    message: string,
    readonly kind: 'timeout' | 'unreachable' | 'http' | 'bad_data' | 'too_large',
    readonly status?: number,
  ) {
    super(message);
  }
}

const TagSchema = z.object({ key: z.string(), type: z.string().optional(), value: z.unknown() });
export const JaegerSpanSchema = z.object({
  traceID: z.string(),
  spanID: z.string(),
  operationName: z.string(),
  references: z
    .array(z.object({ refType: z.string(), traceID: z.string(), spanID: z.string() }))
    .nullish()
    .transform((r) => r ?? []),
  /** Jaeger's older answers carry parentSpanID instead of a reference. */
  parentSpanID: z.string().optional(),
  startTime: z.number(),
  duration: z.number(),
  tags: z
    .array(TagSchema)
    .nullish()
    .transform((t) => t ?? []),
  processID: z.string(),
});
export const JaegerTraceSchema = z.object({
  traceID: z.string(),
  spans: z.array(JaegerSpanSchema),
  processes: z.record(
    z.string(),
    z.object({
      serviceName: z.string(),
      tags: z
        .array(TagSchema)
        .nullish()
        .transform((t) => t ?? []),
    }),
  ),
});
export type JaegerTrace = z.infer<typeof JaegerTraceSchema>;
export type JaegerSpan = z.infer<typeof JaegerSpanSchema>;

const envelope = <T extends z.ZodType>(data: T) =>
  z.object({
    data: data.nullable(),
    errors: z.array(z.object({ code: z.number().optional(), msg: z.string() })).nullish(),
  });

export interface JaegerSearch {
  service: string;
  operation?: string;
  tags?: Record<string, string>;
  startUs: number;
  endUs: number;
  minDurationUs?: number;
  limit: number;
}

export interface JaegerClient {
  readonly url: string;
  services(): Promise<string[]>;
  traces(q: JaegerSearch): Promise<JaegerTrace[]>;
  /** One trace; undefined when the backend has no such trace. */
  trace(id: string): Promise<JaegerTrace | undefined>;
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface JaegerClientOptions extends UpstreamAuth, UpstreamTls {
  /** Base URL, the part before `/api/...` (Jaeger's `--query.base-path` included). */
  url: string;
  timeoutMs?: number;
  /** Most bytes of one answer read (after decompression); default DEFAULT_MAX_RESPONSE_BYTES. */
  maxResponseBytes?: number;
}

/**
 * 32 MiB: the largest search the routes make (1,500 traces) of Bookinfo-sized traces (7 spans, ~12.5 KB of
 * JSON each in __fixtures__/bookinfo-traces.json) is ~19 MB.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 2 ** 20;

const mib = (bytes: number) => `${Number((bytes / 2 ** 20).toFixed(2))} MiB`;

/**
 * The answer's body as text, at most `max` bytes of it: a declared Content-Length above it is refused
 * before reading, and a body that grows past it (chunked, or decompressing to more) is cancelled there.
 */
async function boundedText(response: Response, max: number): Promise<string> {
  const tooLarge = () =>
    new TracingError(
      `the tracing backend's answer is larger than ${mib(max)}, the most the console reads ` +
        '(tracing.maxResponseMb): ask for fewer traces or a shorter time window',
      'too_large',
    );
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > max) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function createJaegerClient(options: JaegerClientOptions): JaegerClient {
  const base = options.url.replace(/\/+$/, '');
  const extraHeaders = { ...(options.headers ?? {}) };
  const auth = authorization(
    options,
    (message) => new TracingError(`cannot read the tracing credential file: ${message}`, 'unreachable'),
  );
  const dispatcher = upstreamDispatcher(options);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;

  async function get<T extends z.ZodType>(
    path: string,
    schema: T,
    wait = timeoutMs,
  ): Promise<{ status: number; data: z.output<T> | null }> {
    const headers: Record<string, string> = { ...extraHeaders, accept: 'application/json' };
    const authHeader = await auth();
    if (authHeader) headers.authorization = authHeader;
    let response;
    let text: string;
    try {
      response = await fetch(`${base}${path}`, { headers, signal: AbortSignal.timeout(wait), dispatcher });
      text = await boundedText(response, maxResponseBytes);
    } catch (err) {
      if (err instanceof TracingError) throw err;
      const e = err as Error;
      if (e.name === 'TimeoutError' || e.name === 'AbortError')
        throw new TracingError(`the tracing backend did not answer within ${wait} ms`, 'timeout');
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? e.message;
      throw new TracingError(`the tracing backend at ${base} is unreachable (${cause})`, 'unreachable');
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const parsed = envelope(schema).safeParse(body);
    if (response.status === 404 && parsed.success) return { status: 404, data: null };
    if (!response.ok) {
      const msg = parsed.success ? parsed.data.errors?.map((x) => x.msg).join('; ') : undefined;
      throw new TracingError(
        `the tracing backend answered HTTP ${response.status}${msg ? `: ${msg}` : ''}`,
        response.status === 400 ? 'bad_data' : 'http',
        response.status,
      );
    }
    if (!parsed.success)
      throw new TracingError(
        `the tracing backend's answer is not Jaeger's (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`,
        'bad_data',
      );
    const ok = parsed.data as { data: z.output<T> | null };
    return { status: response.status, data: ok.data };
  }

  return {
    url: base,
    async services() {
      return (await get('/api/services', z.array(z.string()))).data ?? [];
    },
    async traces(q) {
      const p = new URLSearchParams({
        service: q.service,
        start: String(Math.floor(q.startUs)),
        end: String(Math.ceil(q.endUs)),
        limit: String(q.limit),
      });
      if (q.operation) p.set('operation', q.operation);
      if (q.tags) p.set('tags', JSON.stringify(q.tags));
      if (q.minDurationUs !== undefined) p.set('minDuration', `${Math.round(q.minDurationUs)}us`);
      return (await get(`/api/traces?${p}`, z.array(JaegerTraceSchema))).data ?? [];
    },
    async trace(id) {
      const res = await get(`/api/traces/${encodeURIComponent(id)}`, z.array(JaegerTraceSchema));
      return res.status === 404 ? undefined : res.data?.[0];
    },
    async ping(wait = 2000) {
      await get('/api/services', z.array(z.string()), wait);
    },
    async close() {
      await dispatcher.close();
    },
  };
}
