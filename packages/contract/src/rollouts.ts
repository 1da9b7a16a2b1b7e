/**
 * Guarded rollouts: a target version's share of a service's traffic raised step by step (5 → 25 → 50 →
 * 100 %), each step held for a wait and checked against gates measured from Prometheus (the target's
 * error %, p95, request count) before the next; a failed gate puts the baseline weights back at once.
 */
import { z } from 'zod';
import { DNS_LABEL } from './graphQuery';
import { VersionNameSchema, VersionWeightsSchema } from './istio/intents';

export const ROLLOUT_ROUTES = {
  start: '/api/namespaces/:namespace/services/:service/rollouts',
  list: '/api/rollouts',
  one: '/api/namespaces/:namespace/rollouts/:id',
  command: '/api/namespaces/:namespace/rollouts/:id/:command',
} as const;

export const ROLLOUT_COMMANDS = ['pause', 'resume', 'abort', 'promote'] as const;
export type RolloutCommand = (typeof ROLLOUT_COMMANDS)[number];

export const ROLLOUT_LIMITS = {
  maxSteps: 20,
  minWaitSeconds: 5,
  maxWaitSeconds: 3600,
} as const;

export const rolloutPath = (namespace: string, id: string) =>
  `/api/namespaces/${encodeURIComponent(namespace)}/rollouts/${encodeURIComponent(id)}`;
export const startRolloutPath = (namespace: string, service: string) =>
  `/api/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(service)}/rollouts`;

/** The gates each step must pass. At least one of the latency bounds may be given; both apply when both are. */
export const RolloutGatesSchema = z
  .strictObject({
    /** The target's 5xx responses at most this % of its requests in the window. */
    maxErrorPercent: z.number().min(0).max(100),
    /** The target's p95 at most this many ms. */
    maxP95Ms: z.number().positive().max(600_000).optional(),
    /** The target's p95 at most this % above the baseline's p95 in the same window. */
    maxP95IncreasePercent: z.number().min(0).max(10_000).optional(),
    /** The target served at least this many requests in the window (fewer: the gate fails, nothing is known). */
    minRequests: z.number().int().min(0).max(1_000_000_000),
  })
  .strict();
export type RolloutGates = z.infer<typeof RolloutGatesSchema>;

/** Body of `POST /api/namespaces/:ns/services/:svc/rollouts`. */
export const StartRolloutSchema = z.strictObject({
  /** The version whose share grows. */
  target: VersionNameSchema,
  /**
   * The weights to start from and to roll back to; default: the weights the service's VirtualService
   * gives now.
   */
  baseline: VersionWeightsSchema.optional(),
  /** The target's % at each step, increasing, the last one 100. */
  steps: z
    .array(z.number().int('must be an integer').min(1).max(100))
    .min(1)
    .max(20)
    .refine((s) => s.every((v, i) => i === 0 || v > (s[i - 1] as number)), 'steps must increase')
    .refine((s) => s[s.length - 1] === 100, 'the last step must be 100'),
  /** How long each step holds before its gates are evaluated (the gates' window), seconds. */
  waitSeconds: z.number().int().min(5).max(3600),
  gates: RolloutGatesSchema,
});
export type StartRollout = z.infer<typeof StartRolloutSchema>;

export const ROLLOUT_PHASES = ['running', 'paused', 'promoted', 'rolledBack', 'aborted'] as const;
export type RolloutPhase = (typeof ROLLOUT_PHASES)[number];

export const GateResultSchema = z.object({
  gate: z.enum(['errorPercent', 'p95Ms', 'p95IncreasePercent', 'minRequests']),
  /** The bound (`≤` for all but minRequests, which is `≥`). */
  threshold: z.number(),
  /** What Prometheus measured for the target; null: no data. */
  measured: z.number().nullable(),
  /** The baseline's p95 (p95IncreasePercent). */
  baseline: z.number().nullable().optional(),
  pass: z.boolean(),
  message: z.string(),
});
export type GateResult = z.infer<typeof GateResultSchema>;

export const RolloutStepSchema = z.object({
  percent: z.number(),
  weights: z.record(z.string(), z.number()),
  /** When the step's weights were written (its wait starts then). */
  startedAt: z.string().optional(),
  /** The console instance that wrote it (the Lease holder). */
  writtenBy: z.string().optional(),
  evaluatedAt: z.string().optional(),
  /** Seconds of traffic the gates looked at. */
  windowSeconds: z.number().optional(),
  gates: z.array(GateResultSchema).optional(),
  outcome: z.enum(['passed', 'failed', 'skipped']).optional(),
});
export type RolloutStep = z.infer<typeof RolloutStepSchema>;

export const RolloutEventSchema = z.object({
  at: z.string(),
  message: z.string(),
  by: z.string().optional(),
});

export const RolloutSchema = z.object({
  id: z.string(),
  namespace: z.string(),
  service: z.string(),
  target: z.string(),
  baseline: z.record(z.string(), z.number()),
  waitSeconds: z.number(),
  gates: RolloutGatesSchema,
  steps: z.array(RolloutStepSchema),
  /** Index into `steps` of the step now held (steps.length once promoted). */
  current: z.number(),
  phase: z.enum(ROLLOUT_PHASES),
  /** Why it is paused, rolled back or aborted. */
  reason: z.string().optional(),
  /** The gates that failed (rolled back). */
  failedGates: z.array(GateResultSchema).optional(),
  /** A command asked for and not yet carried out by the driving console. */
  pending: z.object({ command: z.enum(ROLLOUT_COMMANDS), by: z.string(), at: z.string() }).optional(),
  startedBy: z.string(),
  startedAt: z.string(),
  updatedAt: z.string(),
  /** The VirtualService's resourceVersion after the rollout's last write. */
  writtenResourceVersion: z.string().optional(),
  /** The weights the VirtualService gives now (read live). */
  live: z.record(z.string(), z.number()).optional(),
  events: z.array(RolloutEventSchema),
});
export type Rollout = z.infer<typeof RolloutSchema>;

export const RolloutListResponseSchema = z.object({
  rollouts: z.array(RolloutSchema),
  /** Which console instance drives rollouts now (the Lease holder), if any. */
  driver: z.string().optional(),
});
export type RolloutListResponse = z.infer<typeof RolloutListResponseSchema>;

export const RolloutListQuerySchema = z.strictObject({
  /** Comma list of namespaces (each a DNS-1123 label); absent or empty: every readable one. */
  namespaces: z
    .string()
    .optional()
    .transform((s, ctx) => {
      const items = s ? s.split(',').filter(Boolean) : [];
      const bad = items.find((n) => !DNS_LABEL.test(n));
      if (bad !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `not a namespace name (a DNS-1123 label): ${JSON.stringify(bad.slice(0, 80))}`,
        });
        return z.NEVER;
      }
      return items.length ? items : undefined;
    }),
});
