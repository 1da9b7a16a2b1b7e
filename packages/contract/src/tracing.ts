/**
 * Distributed tracing: `GET /api/namespaces/{ns}/{apps|workloads|services}/{name}/traces` (the entity's
 * recent traces, from Jaeger or Tempo's Jaeger-compatible API), `…/spans` (span statistics per peer, to set
 * beside the metrics) and `GET /api/traces/{id}` (one trace, every span with its proxy's tags).
 */
import { z } from 'zod';
import { endParam } from './details';
import { durationParam } from './graphQuery';

export const TRACING_ROUTES = {
  traces: '/api/namespaces/:namespace/:kind/:name/traces',
  spanStats: '/api/namespaces/:namespace/:kind/:name/spans',
  trace: '/api/traces/:id',
} as const;

const BOOL = z.stringbool({ truthy: ['true', '1', 'yes', 'on'], falsy: ['false', '0', 'no', 'off'] });

/** `key:value`, as Jaeger's `tag` parameter. */
const tagParam = z
  .string()
  .max(200, 'at most 200 characters')
  .regex(/^[^:\s][^:]*:.+$/, 'expected key:value, e.g. http.status_code:503')
  .transform((t) => {
    const i = t.indexOf(':');
    return { key: t.slice(0, i), value: t.slice(i + 1) };
  });

const msParam = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const n = typeof value === 'number' ? value : /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < 0 || n > 86_400_000) {
    ctx.addIssue({ code: 'custom', message: 'expected milliseconds, 0 to 86400000' });
    return z.NEVER;
  }
  return n;
});

export const TracesQuerySchema = z.strictObject({
  /** The window, ending at `end` (default now). */
  duration: durationParam.default(600),
  end: endParam.optional(),
  /** Only traces where this entity's span took at least this long (ms). */
  minDurationMs: msParam.optional(),
  /** Only traces where this entity's span failed. */
  errorsOnly: BOOL.default(false),
  /** A tag on this entity's span, `key:value`. */
  tag: tagParam.optional(),
  /**
   * An edge's traces: only the entity's calls to this service, `<service>.<namespace>` (its client spans
   * whose operation is that service's host).
   */
  peer: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected <service>.<namespace>')
    .optional(),
  limit: z.coerce
    .number({ error: () => 'expected a whole number' })
    .int('expected a whole number')
    .min(1, 'at least 1')
    .max(1000, 'at most 1000')
    .default(100),
});
export type TracesQueryInput = z.input<typeof TracesQuerySchema>;
export type TracesQuery = z.output<typeof TracesQuerySchema>;

export const SpanSchema = z.object({
  spanId: z.string(),
  parentId: z.string().nullable(),
  /** The tracing service name (`<app>.<namespace>` with Istio). */
  service: z.string(),
  /** App and namespace the span's proxy belongs to, when its tags say so. */
  app: z.string().optional(),
  namespace: z.string().optional(),
  /** The pod (the process's hostname) that recorded it. */
  pod: z.string().optional(),
  kind: z.enum(['client', 'server', 'other']),
  operation: z.string(),
  /** Microseconds since the epoch, and the span's duration in microseconds. */
  startUs: z.number(),
  durationUs: z.number(),
  error: z.boolean(),
  statusCode: z.number().optional(),
  grpcStatus: z.string().optional(),
  /** Envoy's response flags (`-` none). */
  responseFlags: z.string().optional(),
  upstreamCluster: z.string().optional(),
  peerAddress: z.string().optional(),
  requestId: z.string().optional(),
  /**
   * The call's mTLS, on a call's client span and server span: what the callee's proxy reported for this
   * caller → callee in the metrics around the trace's time (`connection_security_policy`); `mixed` when
   * both were reported. Absent when unknown (no metrics, no access, Prometheus down).
   */
  mtls: z.enum(['mutual_tls', 'none', 'mixed']).optional(),
  /** Every tag, as strings. */
  tags: z.record(z.string(), z.string()),
});
export type Span = z.infer<typeof SpanSchema>;

export const TraceSchema = z.object({
  id: z.string(),
  startUs: z.number(),
  durationUs: z.number(),
  spans: z.array(SpanSchema),
});
export type Trace = z.infer<typeof TraceSchema>;

/** This entity's own span in a trace (its server span; for a service, the one into the service). */
export const EntitySpanSchema = z.object({
  spanId: z.string(),
  durationUs: z.number(),
  error: z.boolean(),
  statusCode: z.number().optional(),
  responseFlags: z.string().optional(),
  operation: z.string(),
});

export const TraceSummarySchema = z.object({
  id: z.string(),
  startUs: z.number(),
  durationUs: z.number(),
  spans: z.number(),
  errors: z.number(),
  rootService: z.string(),
  rootOperation: z.string(),
  services: z.array(z.string()),
  entity: EntitySpanSchema.nullable(),
});
export type TraceSummary = z.infer<typeof TraceSummarySchema>;

export const TracingInfoSchema = z.object({
  /** False when no tracing backend is configured; `message` then says how to enable it. */
  enabled: z.boolean(),
  message: z.string().optional(),
  /** The backend's own UI (Jaeger, Grafana): links to a trace are `${externalUrl}/trace/{id}`. */
  externalUrl: z.string().optional(),
});
export type TracingInfo = z.infer<typeof TracingInfoSchema>;

export const TracesResponseSchema = z.object({
  tracing: TracingInfoSchema,
  /** The Jaeger service name asked for, and the window (unix seconds). */
  service: z.string().optional(),
  start: z.number(),
  end: z.number(),
  traces: z.array(TraceSummarySchema),
  warnings: z.array(z.string()),
});
export type TracesResponse = z.infer<typeof TracesResponseSchema>;

export const TraceResponseSchema = z.object({
  tracing: TracingInfoSchema,
  trace: TraceSchema,
  /** What could not be added to the trace (e.g. its calls' mTLS when Prometheus is down). */
  warnings: z.array(z.string()).optional(),
});
export type TraceResponse = z.infer<typeof TraceResponseSchema>;

/** Spans of this entity per peer: how many, how many failed, p50/p95 duration (ms). */
export const SpanStatSchema = z.object({
  /** `inbound` (the entity's server spans, by caller) or `outbound` (its client spans, by callee operation). */
  direction: z.enum(['inbound', 'outbound']),
  peer: z.string(),
  count: z.number(),
  errorPercent: z.number(),
  p50Ms: z.number(),
  p95Ms: z.number(),
});
export type SpanStat = z.infer<typeof SpanStatSchema>;

export const SpanStatsResponseSchema = z.object({
  tracing: TracingInfoSchema,
  start: z.number(),
  end: z.number(),
  /** Traces the statistics were computed from (at most the query's limit). */
  traces: z.number(),
  stats: z.array(SpanStatSchema),
  warnings: z.array(z.string()),
});
export type SpanStatsResponse = z.infer<typeof SpanStatsResponseSchema>;
