/** Circuit breaker, gateway and delete-routing intents, and the body of `POST …/routing` combining them. */
import { z } from 'zod';
import {
  FaultInjectionSchema,
  INTENT_KINDS,
  IstioDurationSchema,
  RequestRoutingSchema,
  TcpTrafficShiftingSchema,
  TimeoutsRetriesSchema,
  TrafficShiftingSchema,
} from './intents';

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
    /** `null` removes the fault from the rules meshlens manages. */
    faultInjection: FaultInjectionSchema.nullable().optional(),
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
