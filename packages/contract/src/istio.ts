/**
 * Routing intents (what a wizard asks for) and the Istio write routes. An intent names versions (the
 * values of the workloads' `version` label), never subsets or hosts: `@meshlens/istio`'s builders turn it
 * into VirtualService / DestinationRule / Gateway objects merged with what already exists for the service.
 */
import { z } from 'zod';

export const INTENT_KINDS = [
  'trafficShifting',
  'tcpTrafficShifting',
  'requestRouting',
  'faultInjection',
  'timeoutsRetries',
  'circuitBreaker',
  'gateway',
  'deleteRouting',
] as const;
export type IntentKind = (typeof INTENT_KINDS)[number];

/** A version label value: also the subset name. */
export const VersionNameSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, 'must be a Kubernetes label value');

/** A duration as Istio writes it: `100ms`, `1.5s`, `2m`, `1h30m`. */
export const IstioDurationSchema = z
  .string()
  .regex(/^(\d+(\.\d+)?(ms|s|m|h))+$/, 'must be a duration such as 100ms, 1.5s, 2m or 1h');

const Percentage = z.number().min(0).max(100);
const Weight = z.number().int('must be an integer').min(0).max(100);

function sumsTo100(weights: number[]): boolean {
  return weights.reduce((a, b) => a + b, 0) === 100;
}

/** `{ v1: 80, v2: 20 }`: integer weights per version, summing to 100. */
export const VersionWeightsSchema = z
  .record(VersionNameSchema, Weight)
  .refine((w) => Object.keys(w).length > 0, 'name at least one version')
  .refine((w) => sumsTo100(Object.values(w)), 'weights must sum to 100');

export const MirrorIntentSchema = z.strictObject({
  version: VersionNameSchema,
  /** Share of requests copied to the mirror, 0–100. */
  percentage: Percentage,
});

/** Shorthand `{ v1: 80, v2: 20 }` → `{ weights: { v1: 80, v2: 20 } }`, so errors keep precise paths. */
const weightsShorthand = (v: unknown) =>
  v && typeof v === 'object' && !Array.isArray(v) && !('weights' in v) && !('mirror' in v)
    ? { weights: v }
    : v;

export const TrafficShiftingSchema = z.preprocess(
  weightsShorthand,
  z.strictObject({ weights: VersionWeightsSchema, mirror: MirrorIntentSchema.optional() }),
);
export type TrafficShiftingIntent = z.output<typeof TrafficShiftingSchema>;

export const TcpTrafficShiftingSchema = z.preprocess(
  weightsShorthand,
  z.strictObject({ weights: VersionWeightsSchema }),
);
export type TcpTrafficShiftingIntent = z.output<typeof TcpTrafficShiftingSchema>;

/** One of exact / prefix / regex, or `{ present: true }` (the header or parameter is there at all). */
export const StringMatchIntentSchema = z
  .strictObject({
    exact: z.string().optional(),
    prefix: z.string().optional(),
    regex: z.string().min(1).optional(),
    present: z.literal(true).optional(),
  })
  .refine(
    (m) => [m.exact, m.prefix, m.regex, m.present].filter((v) => v !== undefined).length === 1,
    'set exactly one of exact, prefix, regex or present',
  );
export type StringMatchIntent = z.infer<typeof StringMatchIntentSchema>;

const HeaderName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be a header name');

/** One match block: every condition given must hold (AND). */
export const MatchIntentSchema = z
  .strictObject({
    headers: z.record(HeaderName, StringMatchIntentSchema).optional(),
    uri: StringMatchIntentSchema.optional(),
    method: StringMatchIntentSchema.optional(),
    queryParams: z.record(z.string().min(1), StringMatchIntentSchema).optional(),
  })
  .refine(
    (m) =>
      Object.keys(m.headers ?? {}).length > 0 ||
      m.uri !== undefined ||
      m.method !== undefined ||
      Object.keys(m.queryParams ?? {}).length > 0,
    'a match needs at least one condition (headers, uri, method or queryParams)',
  );
export type MatchIntent = z.infer<typeof MatchIntentSchema>;

/** Weighted destinations of a rule: `[{ version: 'v2', weight: 100 }]`, integer weights summing to 100. */
export const WeightedVersionsSchema = z
  .array(z.strictObject({ version: VersionNameSchema, weight: Weight }))
  .min(1)
  .refine((r) => sumsTo100(r.map((d) => d.weight)), 'weights must sum to 100')
  .refine((r) => new Set(r.map((d) => d.version)).size === r.length, 'a version may appear only once');

export const FaultInjectionSchema = z
  .strictObject({
    delay: z.strictObject({ fixedDelay: IstioDurationSchema, percentage: Percentage }).optional(),
    abort: z
      .strictObject({ httpStatus: z.number().int().min(200).max(599), percentage: Percentage })
      .optional(),
  })
  .refine((f) => f.delay !== undefined || f.abort !== undefined, 'set delay, abort or both');
export type FaultInjectionIntent = z.infer<typeof FaultInjectionSchema>;

export const RetriesIntentSchema = z.strictObject({
  /** Retries after the first attempt; 0 disables retries. */
  attempts: z.number().int().min(0).max(100),
  perTryTimeout: IstioDurationSchema.optional(),
  /** Envoy retry conditions, comma separated: `5xx,reset,connect-failure` or status codes like `503`. */
  retryOn: z
    .string()
    .regex(/^[a-z0-9-]+(,[a-z0-9-]+)*$/, 'must be comma-separated retry conditions such as 5xx,reset')
    .optional(),
});

export const TimeoutsRetriesSchema = z
  .strictObject({
    /** Whole-request timeout, retries included; `null` removes it. */
    timeout: IstioDurationSchema.nullable().optional(),
    /** `null` removes the retries block (Istio's default retry policy applies again). */
    retries: RetriesIntentSchema.nullable().optional(),
  })
  .refine((t) => t.timeout !== undefined || t.retries !== undefined, 'set timeout, retries or both');
export type TimeoutsRetriesIntent = z.infer<typeof TimeoutsRetriesSchema>;

export const RequestRoutingRuleSchema = z.strictObject({
  /** Optional label for the rule (kept in the VirtualService as `meshlens-<name>`). */
  name: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
    .max(40)
    .optional(),
  /** Match blocks; the rule applies when any of them matches (OR). */
  match: z.array(MatchIntentSchema).min(1),
  route: WeightedVersionsSchema,
  fault: FaultInjectionSchema.optional(),
  timeout: IstioDurationSchema.optional(),
  retries: RetriesIntentSchema.optional(),
});
export type RequestRoutingRule = z.infer<typeof RequestRoutingRuleSchema>;

export const RequestRoutingSchema = z.strictObject({
  /** Ordered: the first rule that matches wins. */
  rules: z.array(RequestRoutingRuleSchema).max(50),
  /** Where every other request goes; absent = the whole service, as without routing. */
  defaultRoute: WeightedVersionsSchema.optional(),
});
export type RequestRoutingIntent = z.infer<typeof RequestRoutingSchema>;

const Count = z
  .number()
  .int()
  .min(1)
  .max(2 ** 31 - 1);
/** Each section: absent = left as it is, `null` = removed, an object = these fields set (others kept). */
export const CircuitBreakerSchema = z
  .strictObject({
    connectionPool: z
      .strictObject({
        tcp: z.strictObject({ maxConnections: Count.optional() }).optional(),
        http: z
          .strictObject({
            http1MaxPendingRequests: Count.optional(),
            http2MaxRequests: Count.optional(),
            maxRequestsPerConnection: z.number().int().min(0).optional(),
            maxRetries: z.number().int().min(0).optional(),
          })
          .optional(),
      })
      .nullable()
      .optional(),
    outlierDetection: z
      .strictObject({
        consecutive5xxErrors: z.number().int().min(0).optional(),
        interval: IstioDurationSchema.optional(),
        baseEjectionTime: IstioDurationSchema.optional(),
        maxEjectionPercent: z.number().int().min(0).max(100).optional(),
      })
      .nullable()
      .optional(),
    loadBalancer: z
      .union([
        z.strictObject({
          simple: z.enum(['ROUND_ROBIN', 'LEAST_REQUEST', 'LEAST_CONN', 'RANDOM', 'PASSTHROUGH']),
        }),
        z.strictObject({
          consistentHash: z.union([
            z.strictObject({ httpHeaderName: z.string().min(1) }),
            z.strictObject({
              httpCookie: z.strictObject({
                name: z.string().min(1),
                ttl: IstioDurationSchema,
                path: z.string().optional(),
              }),
            }),
            z.strictObject({ useSourceIp: z.literal(true) }),
            z.strictObject({ httpQueryParameterName: z.string().min(1) }),
          ]),
        }),
      ])
      .nullable()
      .optional(),
    tls: z
      .strictObject({
        mode: z.enum(['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL']),
        clientCertificate: z.string().optional(),
        privateKey: z.string().optional(),
        caCertificates: z.string().optional(),
        credentialName: z.string().optional(),
        sni: z.string().optional(),
      })
      .nullable()
      .optional(),
  })
  .refine(
    (c) =>
      c.connectionPool !== undefined ||
      c.outlierDetection !== undefined ||
      c.loadBalancer !== undefined ||
      c.tls !== undefined,
    'set at least one of connectionPool, outlierDetection, loadBalancer or tls',
  );
export type CircuitBreakerIntent = z.infer<typeof CircuitBreakerSchema>;

const GatewayHost = z
  .string()
  .regex(
    /^(\*|(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/,
    'must be a host name',
  );

export const GatewayIntentSchema = z
  .strictObject({
    /** An existing Gateway to bind the VirtualService to. */
    attach: z.strictObject({ namespace: z.string().min(1), name: z.string().min(1) }).optional(),
    /** Or a new Gateway (`<service>-gateway`, selector istio=ingressgateway). */
    create: z
      .strictObject({
        name: z
          .string()
          .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
          .optional(),
        port: z.number().int().min(1).max(65535).default(80),
        protocol: z.enum(['HTTP', 'HTTPS', 'HTTP2', 'GRPC', 'TCP', 'TLS']).default('HTTP'),
        hosts: z.array(GatewayHost).min(1).default(['*']),
        selector: z.record(z.string(), z.string()).default({ istio: 'ingressgateway' }),
      })
      .optional(),
    /** Keep routing the mesh's own traffic too (adds `mesh` to `spec.gateways`). Default true. */
    includeMesh: z.boolean().default(true),
    /** Hosts the VirtualService answers at the gateway, besides the service (default: the gateway's). */
    hosts: z.array(GatewayHost).optional(),
  })
  .refine(
    (g) => (g.attach === undefined) !== (g.create === undefined),
    'set exactly one of attach or create',
  );
export type GatewayIntent = z.output<typeof GatewayIntentSchema>;

export const DeleteRoutingSchema = z.strictObject({
  /** Also delete VirtualServices/DestinationRules written by hand (default: only report them). */
  includeHandWritten: z.boolean().default(false),
});
export type DeleteRoutingIntent = z.output<typeof DeleteRoutingSchema>;

/**
 * The body of `POST …/routing`. Combine at most one way of routing (trafficShifting, tcpTrafficShifting
 * or requestRouting) with faultInjection, timeoutsRetries, circuitBreaker and gateway; deleteRouting
 * stands alone. `basedOn` carries the resourceVersions the preview was built on ('' = did not exist):
 * a different current version answers 409.
 */
export const RoutingIntentSchema = z
  .strictObject({
    trafficShifting: TrafficShiftingSchema.optional(),
    tcpTrafficShifting: TcpTrafficShiftingSchema.optional(),
    requestRouting: RequestRoutingSchema.optional(),
    faultInjection: FaultInjectionSchema.optional(),
    timeoutsRetries: TimeoutsRetriesSchema.optional(),
    circuitBreaker: CircuitBreakerSchema.optional(),
    gateway: GatewayIntentSchema.optional(),
    deleteRouting: DeleteRoutingSchema.optional(),
    basedOn: z
      .strictObject({
        virtualService: z.string().optional(),
        destinationRule: z.string().optional(),
        gateway: z.string().optional(),
      })
      .optional(),
  })
  .superRefine((i, ctx) => {
    const routing = (['trafficShifting', 'tcpTrafficShifting', 'requestRouting'] as const).filter(
      (k) => i[k] !== undefined,
    );
    if (routing.length > 1)
      ctx.addIssue({
        code: 'custom',
        path: [routing[1] as string],
        message: `use one of ${routing.join(', ')}`,
      });
    const kinds = INTENT_KINDS.filter((k) => i[k] !== undefined);
    if (kinds.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `name an intent: one of ${INTENT_KINDS.join(', ')}`,
      });
    if (i.deleteRouting !== undefined && kinds.length > 1)
      ctx.addIssue({ code: 'custom', path: ['deleteRouting'], message: 'deleteRouting cannot be combined' });
  });
export type RoutingIntentInput = z.input<typeof RoutingIntentSchema>;
export type RoutingIntent = z.output<typeof RoutingIntentSchema>;

/** `?dryRun=true` on every write route: validate (here and in the cluster) and answer, write nothing. */
export const DryRunQuerySchema = z.strictObject({
  dryRun: z
    .enum(['true', 'false', 'All', ''])
    .optional()
    .transform((v) => v === 'true' || v === 'All' || v === ''),
});

/** One reason an object was refused, at its path (`spec/http[0]/route[0]/weight`). */
export const ValidationCauseSchema = z.object({
  path: z.string(),
  message: z.string(),
  code: z.string(),
  /** The object it is about, `Kind namespace/name`, when the write has several. */
  object: z.string().optional(),
});
export type ValidationCause = z.infer<typeof ValidationCauseSchema>;

/** `details` of a 422 ValidationError. */
export const ValidationErrorDetailsSchema = z.object({ causes: z.array(ValidationCauseSchema) });

/** `details` of a 409 ConflictError: the object as it is now (absent when it was deleted). */
export const ConflictDetailsSchema = z.object({ current: z.record(z.string(), z.unknown()).nullable() });

export const ObjectValidationSchema = z.object({
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
  valid: z.boolean(),
  checks: z.array(
    z.object({
      code: z.string(),
      severity: z.enum(['error', 'warning', 'info']),
      message: z.string(),
      path: z.string(),
    }),
  ),
});
export type ObjectValidationResult = z.infer<typeof ObjectValidationSchema>;

const KubeObject = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z.looseObject({ name: z.string(), namespace: z.string().optional() }),
});

/** One planned or done write. */
export const WriteStepSchema = z.object({
  action: z.enum(['create', 'update', 'delete']),
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
});

/** Answer of `POST/DELETE …/routing`. */
export const RoutingResponseSchema = z.object({
  /** The objects as written (or as they would be, on a dry run). */
  objects: z.array(KubeObject),
  /** The writes, in the order made. */
  steps: z.array(WriteStepSchema),
  /** Objects deleted (or to be). */
  deleted: z.array(z.object({ kind: z.string(), namespace: z.string(), name: z.string() })),
  /** Objects left alone, with why (hand-written, still used by another VirtualService). */
  kept: z.array(z.object({ kind: z.string(), namespace: z.string(), name: z.string(), reason: z.string() })),
  validations: z.array(ObjectValidationSchema),
  dryRun: z.boolean(),
  /** The objects as multi-document YAML (the preview). */
  yaml: z.string().optional(),
});
export type RoutingResponse = z.infer<typeof RoutingResponseSchema>;

/** Answer of the raw object routes (GET one, POST, PUT, PATCH). */
export const IstioObjectResponseSchema = z.object({
  object: KubeObject,
  validations: z.array(ObjectValidationSchema),
  dryRun: z.boolean(),
});
export type IstioObjectResponse = z.infer<typeof IstioObjectResponseSchema>;

export const IstioListResponseSchema = z.object({
  kind: z.string(),
  items: z.array(KubeObject),
  validations: z.array(ObjectValidationSchema),
});
export type IstioListResponse = z.infer<typeof IstioListResponseSchema>;

/** Route paths of the Istio writes (Express syntax). */
export const ISTIO_ROUTES = {
  routing: '/api/namespaces/:namespace/services/:service/routing',
  objects: '/api/namespaces/:namespace/istio/:kind',
  object: '/api/namespaces/:namespace/istio/:kind/:name',
} as const;

/** Labels on what meshlens writes. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'meshlens';
export const WIZARD_LABEL = 'meshlens.io/wizard';
export const SERVICE_LABEL = 'meshlens.io/service';

/** Query of the raw object writes: `dryRun`, and the resourceVersion a PATCH or DELETE is based on. */
export const IstioObjectQuerySchema = DryRunQuerySchema.extend({
  resourceVersion: z.string().min(1).optional(),
});

/** Query of `DELETE …/routing`. */
export const DeleteRoutingQuerySchema = DryRunQuerySchema.extend({
  includeHandWritten: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
});
