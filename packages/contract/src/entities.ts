/**
 * The overview and the entity lists:
 * - `GET /api/overview?namespaces=a,b&duration=5m` (namespaces absent = every namespace the user may read)
 * - `GET /api/namespaces/{ns}/{apps|workloads|services}?duration=5m`
 * - `GET /api/{apps|workloads|services}?namespaces=a,b&duration=5m`
 * Each costs a fixed number of PromQL queries whatever the number of namespaces (see `debug`).
 */
import { z } from 'zod';
import { DNS_LABEL, durationParam, namespacesParam } from './graphQuery';
import { GraphWarningSchema } from './graph';
import { HealthCountsSchema, HealthVerdictSchema } from './health';

export const ENTITY_KINDS = ['apps', 'workloads', 'services'] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

export const ENTITY_ROUTES = {
  overview: '/api/overview',
  /** `/api/{apps|workloads|services}` */
  list: (kind: EntityKind) => `/api/${kind}`,
  /** `/api/namespaces/{ns}/{apps|workloads|services}` */
  namespaceList: (namespace: string, kind: EntityKind) =>
    `/api/namespaces/${encodeURIComponent(namespace)}/${kind}`,
} as const;

const BOOL = z.stringbool({ truthy: ['true', '1', 'yes', 'on'], falsy: ['false', '0', 'no', 'off'] });

const common = {
  /** Rate window for health and traffic (default 5m, as Kiali's rateInterval). */
  duration: durationParam.default(300),
  /** Adds `debug` (the PromQL queries run and their cost) to the answer. */
  debug: BOOL.default(false),
};

/** Query of `GET /api/overview` and `GET /api/{kind}`; unknown parameters are refused. */
export const EntitiesQuerySchema = z.strictObject({
  namespaces: namespacesParam.optional(),
  ...common,
});
export type EntitiesQuery = z.output<typeof EntitiesQuerySchema>;

/** Query of `GET /api/namespaces/{ns}/{kind}` (the namespace is in the path). */
export const NamespaceEntitiesQuerySchema = z.strictObject(common);

export const NamespaceNameSchema = z.string().regex(DNS_LABEL, 'not a DNS label');

export const EntitiesDebugSchema = z.object({
  queries: z.array(
    z.object({
      name: z.string(),
      promql: z.string(),
      ms: z.number(),
      series: z.number(),
      error: z.string().optional(),
    }),
  ),
  /** Server time splitting the queries' samples per entity, ms. */
  splitMs: z.number().optional(),
  /** Server time building this answer from the split rates and the inventory, ms (0: built before). */
  buildMs: z.number().optional(),
});

/** An Istio object that applies to an entity, and what validation says of it. */
export const IstioReferenceSchema = z.object({
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
  /** false when a check says error; null when the object was not validated. */
  valid: z.boolean().nullable(),
  errors: z.number().int(),
  warnings: z.number().int(),
});
export type IstioReference = z.infer<typeof IstioReferenceSchema>;

export const EntityRowSchema = z.object({
  kind: z.enum(['app', 'workload', 'service']),
  name: z.string(),
  namespace: z.string(),
  /** The cluster of a workload or service when the console reads several (the same name may be in each). */
  cluster: z.string().optional(),
  health: HealthVerdictSchema,
  labels: z.record(z.string(), z.string()),
  /** Workloads: Deployment, StatefulSet, DaemonSet, Pod, …; services: ClusterIP, …; apps: `App`. */
  type: z.string(),
  /** Pods with an istio-proxy sidecar: `all`, `some`, `none`, or `n/a` (gateways, services without pods). */
  sidecar: z.enum(['all', 'some', 'none', 'n/a']),
  /** Summed over the entity's workloads; desired/available absent when no controller reports them. */
  replicas: z.object({
    desired: z.number().int().optional(),
    available: z.number().int().optional(),
    pods: z.number().int(),
    ready: z.number().int().optional(),
  }),
  /** Apps: their workloads; services: the workloads they select; workloads: the services selecting them. */
  related: z.array(z.string()),
  istioReferences: z.array(IstioReferenceSchema),
  /** Inbound requests/s and the share of them that failed (5xx, gRPC errors, no response), 0..1. */
  inboundRps: z.number(),
  errorRate: z.number(),
});
export type EntityRow = z.infer<typeof EntityRowSchema>;

export const EntityListResponseSchema = z.object({
  kind: z.enum(ENTITY_KINDS),
  namespaces: z.array(z.string()),
  /** Unix seconds the rates were evaluated at; rate window in seconds. */
  timestamp: z.number(),
  duration: z.number(),
  rows: z.array(EntityRowSchema),
  warnings: z.array(GraphWarningSchema),
  debug: EntitiesDebugSchema.optional(),
});
export type EntityListResponse = z.infer<typeof EntityListResponseSchema>;

export const MTLS_MODES = ['STRICT', 'PERMISSIVE', 'DISABLE'] as const;

export const NamespaceOverviewSchema = z.object({
  name: z.string(),
  labels: z.record(z.string(), z.string()),
  injection: z.object({
    enabled: z.boolean(),
    /** The label that decides it, e.g. `istio-injection=enabled` or `istio.io/rev=canary`. */
    label: z.string().optional(),
    revision: z.string().optional(),
  }),
  /** Effective mTLS mode of the namespace's PeerAuthentication, else the mesh-wide one, else Istio's default. */
  mtls: z.object({ mode: z.enum(MTLS_MODES), source: z.enum(['namespace', 'mesh', 'default']) }),
  health: z.object({ apps: HealthCountsSchema, workloads: HealthCountsSchema, services: HealthCountsSchema }),
  validations: z.object({
    objects: z.number().int(),
    valid: z.number().int(),
    warnings: z.number().int(),
    errors: z.number().int(),
  }),
  traffic: z.object({
    inboundRps: z.number(),
    /** Share of inbound requests that failed, 0..1. */
    errorRate: z.number(),
    /** [unix seconds, requests/s] over the duration, for a sparkline. */
    series: z.array(z.tuple([z.number(), z.number()])),
  }),
});
export type NamespaceOverview = z.infer<typeof NamespaceOverviewSchema>;

/**
 * A namespace's sidecar injection as its labels decide it: `istio-injection` wins over `istio.io/rev`
 * (Istio's own precedence). The overview's answer and the page's lines before it read it the same way.
 */
export function namespaceInjection(labels: Readonly<Record<string, string>>): NamespaceOverview['injection'] {
  const rev = labels['istio.io/rev'];
  const injectionLabel = labels['istio-injection'];
  return {
    enabled: injectionLabel === 'enabled' || (injectionLabel === undefined && rev !== undefined),
    ...(injectionLabel !== undefined
      ? { label: `istio-injection=${injectionLabel}` }
      : rev !== undefined
        ? { label: `istio.io/rev=${rev}` }
        : {}),
    ...(rev !== undefined ? { revision: rev } : {}),
  };
}

export const OverviewResponseSchema = z.object({
  timestamp: z.number(),
  duration: z.number(),
  namespaces: z.array(NamespaceOverviewSchema),
  warnings: z.array(GraphWarningSchema),
  debug: EntitiesDebugSchema.optional(),
});
export type OverviewResponse = z.infer<typeof OverviewResponseSchema>;
