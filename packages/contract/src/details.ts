/**
 * Detail pages of one app, workload or service: `GET /api/namespaces/{ns}/{apps|workloads|services}/{name}`
 * (the facts), `…/graph` (the node-centred graph, a GraphResponse) and `…/metrics` (range series).
 */
import { z } from 'zod';
import { durationParam, RESPONSE_TIMES } from './graphQuery';
import { GraphWarningSchema, HealthStatusSchema } from './graph';
import { ObjectValidationSchema } from './istio/routes';
import { ENTITY_KINDS, type EntityKind } from './entities';

/** Route paths (Express syntax) and the path of one entity. */
export const DETAIL_ROUTES = {
  detail: '/api/namespaces/:namespace/:kind/:name',
  graph: '/api/namespaces/:namespace/:kind/:name/graph',
  metrics: '/api/namespaces/:namespace/:kind/:name/metrics',
} as const;

export function entityPath(namespace: string, kind: EntityKind, name: string, suffix = ''): string {
  const seg = (s: string) => encodeURIComponent(s);
  return `/api/namespaces/${seg(namespace)}/${kind}/${seg(name)}${suffix ? `/${suffix}` : ''}`;
}

const enumParam = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: () => `expected one of ${values.join('|')}` });

const listParam = <T extends string>(allowed: readonly T[], what: string) =>
  z.union([z.string(), z.array(z.string())]).transform((value, ctx): T[] => {
    const parts = (Array.isArray(value) ? value.join(',') : value)
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    const bad = parts.filter((p) => !(allowed as readonly string[]).includes(p));
    if (bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(bad[0]!.slice(0, 60))} is not ${what} (one of ${allowed.join(', ')})`,
      });
      return z.NEVER;
    }
    return [...new Set(parts)] as T[];
  });

// ---------------------------------------------------------------------------------------------------
// The detail

export const PortSchema = z.object({
  name: z.string().optional(),
  port: z.number(),
  protocol: z.string(),
  targetPort: z.union([z.number(), z.string()]).optional(),
  appProtocol: z.string().optional(),
});

export const ContainerSchema = z.object({
  name: z.string(),
  image: z.string().optional(),
  ready: z.boolean(),
  restarts: z.number(),
  /** `running`, `waiting: CrashLoopBackOff`, `terminated: Completed`, … */
  state: z.string().optional(),
});

export const PodSchema = z.object({
  name: z.string(),
  /** Pending, Running, Succeeded, Failed, Unknown. */
  phase: z.string(),
  ready: z.boolean(),
  containers: z.array(ContainerSchema),
  /** The sidecar's Istio version (from the istio-proxy image tag), when it has one. */
  proxyVersion: z.string().optional(),
  restarts: z.number(),
  createdAt: z.string().optional(),
  labels: z.record(z.string(), z.string()),
});
export type PodDetail = z.infer<typeof PodSchema>;

export const EntityRefSchema = z.object({
  kind: enumParam(ENTITY_KINDS),
  namespace: z.string(),
  name: z.string(),
  /** For workloads: Deployment, StatefulSet, Pod, … */
  type: z.string().optional(),
});
export type EntityRef = z.infer<typeof EntityRefSchema>;

export const IstioRefSchema = z.object({
  kind: z.string(),
  /** The plural the editor's URL uses (`virtualservices`). */
  plural: z.string(),
  namespace: z.string(),
  name: z.string(),
  validation: ObjectValidationSchema.optional(),
});
export type IstioRef = z.infer<typeof IstioRefSchema>;

export const DetailHealthSchema = z.object({
  status: HealthStatusSchema,
  /** Why, in words: each rule that decided, with its rate and threshold. */
  reasons: z.array(z.string()),
});
export type DetailHealth = z.infer<typeof DetailHealthSchema>;

export const DetailResponseSchema = z.object({
  kind: enumParam(ENTITY_KINDS),
  namespace: z.string(),
  name: z.string(),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  /** Services: spec.selector; workloads: the pod labels it selects; apps: `app=<name>`. */
  selector: z.record(z.string(), z.string()),
  ports: z.array(PortSchema),
  /** Workloads: Deployment, StatefulSet, …; services: ClusterIP, …; apps: undefined. */
  type: z.string().optional(),
  /** Versions (apps: every version's workloads; workloads: their own). */
  versions: z.array(z.string()),
  replicas: z.object({ desired: z.number().optional(), available: z.number().optional() }).optional(),
  /** Pods with the sidecar / all pods. */
  sidecar: z.object({ injected: z.number(), pods: z.number() }),
  pods: z.array(PodSchema),
  services: z.array(EntityRefSchema),
  workloads: z.array(EntityRefSchema),
  istio: z.array(IstioRefSchema),
  health: DetailHealthSchema,
  createdAt: z.string().optional(),
  warnings: z.array(GraphWarningSchema),
});
export type DetailResponse = z.infer<typeof DetailResponseSchema>;

// ---------------------------------------------------------------------------------------------------
// The node-centred graph (answer: GraphResponse)

export const NodeGraphQuerySchema = z.strictObject({
  duration: durationParam.default(300),
  responseTime: enumParam(RESPONSE_TIMES).default('p95'),
  debug: z.stringbool({ truthy: ['true', '1'], falsy: ['false', '0'] }).default(false),
});
export type NodeGraphQuery = z.output<typeof NodeGraphQuerySchema>;

// ---------------------------------------------------------------------------------------------------
// Metrics

export const METRIC_DIRECTIONS = ['inbound', 'outbound'] as const;
export const METRIC_REPORTERS = ['source', 'destination', 'both'] as const;
export const METRIC_QUANTILES = ['avg', '0.5', '0.95', '0.99'] as const;
export type MetricQuantile = (typeof METRIC_QUANTILES)[number];

/** Labels a chart may be grouped by (Istio's standard labels). */
export const METRIC_GROUP_LABELS = [
  'reporter',
  'source_workload',
  'source_workload_namespace',
  'source_canonical_service',
  'source_canonical_revision',
  'source_app',
  'source_version',
  'source_principal',
  'destination_workload',
  'destination_workload_namespace',
  'destination_canonical_service',
  'destination_canonical_revision',
  'destination_app',
  'destination_version',
  'destination_service',
  'destination_service_name',
  'destination_service_namespace',
  'destination_principal',
  'request_protocol',
  'response_code',
  'grpc_response_status',
  'response_flags',
  'connection_security_policy',
] as const;
export type MetricGroupLabel = (typeof METRIC_GROUP_LABELS)[number];

/** Every chart of the metrics tabs, in display order. */
export const METRIC_NAMES = [
  'request_count',
  'request_error_count',
  'request_duration_millis',
  'request_size',
  'response_size',
  'tcp_sent',
  'tcp_received',
  'tcp_opened',
  'tcp_closed',
  'grpc_status',
  'grpc_sent',
  'grpc_received',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** Smallest step (s) and most points per series the server chooses when `step` is absent. */
export const MIN_METRICS_STEP_SECONDS = 5;
export const MAX_METRICS_POINTS = 300;

const stepParam = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const n = typeof value === 'number' ? value : /^\d{1,6}$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 86_400) {
    ctx.addIssue({ code: 'custom', message: 'expected whole seconds between 1 and 86400' });
    return z.NEVER;
  }
  return n;
});

export const endParam = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const n = typeof value === 'number' ? value : /^\d{1,12}$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1_000_000_000 || n > 9_999_999_999) {
    ctx.addIssue({ code: 'custom', message: 'expected unix time in whole seconds (10 digits)' });
    return z.NEVER;
  }
  return n;
});

export const MetricsQuerySchema = z.strictObject({
  direction: enumParam(METRIC_DIRECTIONS).default('inbound'),
  /** Default: destination for inbound workloads and apps, source otherwise (see the server's metrics/). */
  reporter: enumParam(METRIC_REPORTERS).optional(),
  /** The range shown, ending at `end` (default now); output in seconds. */
  duration: durationParam.default(1800),
  /** Seconds between points; default: the smallest of 5 s, 10 s, 15 s, 30 s, 1 m, … giving ≤ 300 points. */
  step: stepParam.optional(),
  /** The rate() window (default: max(1m, 2 steps)). */
  rateInterval: durationParam.optional(),
  /** Unix seconds the range ends at (default now). */
  end: endParam.optional(),
  quantiles: listParam(METRIC_QUANTILES, 'a quantile').default(['avg', '0.5', '0.95', '0.99']),
  byLabels: listParam(METRIC_GROUP_LABELS, 'a groupable label').default([]),
  /** Charts wanted (default all); each family costs one range query. */
  metrics: listParam(METRIC_NAMES, 'a metric').default([...METRIC_NAMES]),
});
export type MetricsQueryInput = z.input<typeof MetricsQuerySchema>;
export type MetricsQuery = z.output<typeof MetricsQuerySchema>;

export const MetricSeriesSchema = z.object({
  /** The byLabels values of this series (plus `reporter` with reporter=both). */
  labels: z.record(z.string(), z.string()),
  /** For histograms: `avg`, `0.5`, …; for gRPC statuses: the status code. */
  stat: z.string().optional(),
  /** One value per timestamp of the answer; null where Prometheus had none. */
  values: z.array(z.number().nullable()),
});
export type MetricSeries = z.infer<typeof MetricSeriesSchema>;

export const MetricsResponseSchema = z.object({
  direction: enumParam(METRIC_DIRECTIONS),
  reporter: enumParam(METRIC_REPORTERS),
  duration: z.number(),
  step: z.number(),
  rateInterval: z.number(),
  /** Shared by every series: start, start + step, …, end (unix seconds). */
  timestamps: z.array(z.number()),
  byLabels: z.array(z.string()),
  quantiles: z.array(z.string()),
  metrics: z.partialRecord(z.enum(METRIC_NAMES), z.array(MetricSeriesSchema)),
  warnings: z.array(GraphWarningSchema),
});
export type MetricsResponse = z.infer<typeof MetricsResponseSchema>;

/** The URL query of `…/metrics` from typed options. */
export function metricsSearchParams(q: Partial<MetricsQuery>): URLSearchParams {
  const p = new URLSearchParams();
  if (q.direction) p.set('direction', q.direction);
  if (q.reporter) p.set('reporter', q.reporter);
  if (q.duration !== undefined) p.set('duration', String(q.duration));
  if (q.step !== undefined) p.set('step', String(q.step));
  if (q.rateInterval !== undefined) p.set('rateInterval', String(q.rateInterval));
  if (q.end !== undefined) p.set('end', String(q.end));
  if (q.quantiles) p.set('quantiles', q.quantiles.join(','));
  if (q.byLabels?.length) p.set('byLabels', q.byLabels.join(','));
  if (q.metrics) p.set('metrics', q.metrics.join(','));
  return p;
}
