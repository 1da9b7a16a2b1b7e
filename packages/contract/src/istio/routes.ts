/** The Istio write routes: queries, answers, error details, paths and labels. */
import { z } from 'zod';

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
      /**
       * In a write's answer: the object had this problem before the change. It does not block the write
       * (only problems the change introduces do); an error already there is answered as a warning.
       */
      existing: z.literal(true).optional(),
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
  kept: z.array(
    z.object({
      kind: z.string(),
      namespace: z.string(),
      name: z.string(),
      reason: z.string(),
      /** Kept only because it was written by hand: `includeHandWritten=true` deletes it too. */
      handWritten: z.literal(true).optional(),
    }),
  ),
  validations: z.array(ObjectValidationSchema),
  dryRun: z.boolean(),
  /** The objects as multi-document YAML (the preview). */
  yaml: z.string().optional(),
});
export type RoutingResponse = z.infer<typeof RoutingResponseSchema>;

/** Answer of `GET …/routing`: what the routing wizards start from. */
export const RoutingFactsResponseSchema = z.object({
  namespace: z.string(),
  service: z.string(),
  /** The pod label whose values name versions. */
  versionLabel: z.string(),
  /** Versions the service's workloads run, sorted: the versions an intent may name. */
  versions: z.array(z.string()),
});
export type RoutingFactsResponse = z.infer<typeof RoutingFactsResponseSchema>;

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
  /** Every listed kind in the selected namespaces, one request (see ./config). */
  config: '/api/istio/config',
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
