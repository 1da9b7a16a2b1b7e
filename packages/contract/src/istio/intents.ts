/**
 * Routing intents (what a wizard asks for) and the Istio write routes. An intent names versions (the
 * values of the workloads' `version` label), never subsets or hosts: `@meshlens/istio`'s builders turn it
 * into VirtualService / DestinationRule / Gateway objects merged with what already exists for the service.
 */
import { z } from 'zod';

export { INTENT_KINDS, type IntentKind } from '../constants';

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
