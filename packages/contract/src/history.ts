/**
 * The change history (`/api/changes`): every write made through the console, and every change made to
 * the Istio objects it watches by anyone else, each with the objects before and after; a revert writes
 * the before state back.
 */
import { z } from 'zod';
import { parseDuration } from './duration';
import { DNS_LABEL } from './graphQuery';
import { ValidationCauseSchema } from './istio/routes';

export const HISTORY_ROUTES = {
  changes: '/api/changes',
  change: '/api/changes/:id',
  revert: '/api/changes/:id/revert',
} as const;

/** A Kubernetes object as stored in a change (managedFields and status left out). */
export const ChangeObjectStateSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string().optional(),
    resourceVersion: z.string().optional(),
  }),
});
export type ChangeObjectState = z.infer<typeof ChangeObjectStateSchema>;

/** One object a change touched: `before` null = created by it, `after` null = deleted by it. */
export const ChangedObjectSchema = z.object({
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
  before: ChangeObjectStateSchema.nullable(),
  after: ChangeObjectStateSchema.nullable(),
});
export type ChangedObject = z.infer<typeof ChangedObjectSchema>;

export const CHANGE_SOURCES = ['console', 'external'] as const;

export const ChangeSchema = z.object({
  /** Unique; sortable by time within one console. */
  id: z.string(),
  /** ISO time the change was made (console) or seen (external). */
  at: z.string(),
  /** `console`: written through meshlens; `external`: seen on the watch, made by someone else. */
  source: z.enum(CHANGE_SOURCES),
  /**
   * Who: the signed-in user's name for console writes (`anonymous` without sign-in, `meshlens`
   * for the console's own controllers), the field manager for external ones (`kubectl-edit`, `helm`).
   */
  actor: z.string(),
  /** External changes: the field manager of the newest managedFields entry and its operation. */
  manager: z.string().optional(),
  operation: z.string().optional(),
  /** The routing intent as sent, or another component's description of its step. */
  intent: z.unknown().optional(),
  /** One line: `traffic shifting reviews: v1 80, v2 20`, `edit VirtualService bookinfo/reviews`. */
  summary: z.string(),
  /** The namespace the change was made in (its objects may name others). */
  namespace: z.string(),
  objects: z.array(ChangedObjectSchema),
  /** Set on a revert: the id of the change it reverted. */
  revertOf: z.string().optional(),
  /** Set when the objects were too large to keep whole (then before/after are null). */
  truncated: z.literal(true).optional(),
});
export type Change = z.infer<typeof ChangeSchema>;

/** A change as listed (objects without their bodies: `GET /api/changes/:id` has them). */
export const ChangeSummarySchema = ChangeSchema.omit({ objects: true }).extend({
  objects: z.array(
    z.object({
      kind: z.string(),
      namespace: z.string(),
      name: z.string(),
      action: z.enum(['create', 'update', 'delete']),
    }),
  ),
});
export type ChangeSummary = z.infer<typeof ChangeSummarySchema>;

const list = (what: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      const items = v.split(',').map((s) => s.trim());
      if (items.some((s) => s === '')) {
        ctx.addIssue({ code: 'custom', message: `${what}: empty item in the comma list` });
        return z.NEVER;
      }
      const bad = items.find((s) => !DNS_LABEL.test(s));
      if (bad !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `${what}: not a namespace name (a DNS-1123 label): ${JSON.stringify(bad.slice(0, 80))}`,
        });
        return z.NEVER;
      }
      return items;
    });

/** `since`: an ISO time, or a duration back from now (`1h`, `30m`, `7d`). */
const since = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') return undefined;
    const seconds = parseDuration(v);
    if (seconds !== null) return new Date(Date.now() - seconds * 1000).toISOString();
    const t = Date.parse(v);
    if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}/.test(v)) {
      ctx.addIssue({
        code: 'custom',
        message: `not an ISO time or a duration (1h, 30m): ${JSON.stringify(v)}`,
      });
      return z.NEVER;
    }
    return new Date(t).toISOString();
  });

export const ChangesQuerySchema = z.strictObject({
  /** Comma list of namespaces. */
  namespace: list('namespace'),
  /** Kind of an object the change touched (`VirtualService`, `virtualservices`, case-insensitive). */
  kind: z.string().min(1).max(100).optional(),
  /** Name of an object the change touched. */
  name: z.string().min(1).max(253).optional(),
  /** The actor (user or field manager), exact. */
  author: z.string().min(1).max(256).optional(),
  since,
  /** `console` or `external`. */
  source: z.enum(CHANGE_SOURCES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export type ChangesQuery = z.output<typeof ChangesQuerySchema>;

export const ChangesResponseSchema = z.object({
  /** Newest first. */
  changes: z.array(ChangeSummarySchema),
  /** More matched than `limit`. */
  truncated: z.boolean(),
  /** Where the history is kept, as the command that reads it: `kubectl -n <ns> get configmaps -l <selector>`. */
  storage: z.object({ command: z.string() }),
});
export type ChangesResponse = z.infer<typeof ChangesResponseSchema>;

export const RevertStepSchema = z.object({
  action: z.enum(['create', 'update', 'delete']),
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
});

export const RevertResponseSchema = z.object({
  /** The new change that records the revert (absent on a dry run). */
  change: ChangeSchema.optional(),
  steps: z.array(RevertStepSchema),
  /** The objects as written (or as they would be, on a dry run). */
  objects: z.array(ChangeObjectStateSchema),
  dryRun: z.boolean(),
});
export type RevertResponse = z.infer<typeof RevertResponseSchema>;

/**
 * `details` of the 409 of a revert: per object, what the change left (`expected`) and what is there
 * now (`current`, null when deleted since).
 */
export const RevertConflictDetailsSchema = z.object({
  current: ChangeObjectStateSchema.nullable(),
  conflicts: z.array(
    z.object({
      kind: z.string(),
      namespace: z.string(),
      name: z.string(),
      expected: ChangeObjectStateSchema.nullable(),
      current: ChangeObjectStateSchema.nullable(),
    }),
  ),
});
export type RevertConflictDetails = z.infer<typeof RevertConflictDetailsSchema>;

export const RevertQuerySchema = z.strictObject({
  dryRun: z
    .enum(['true', 'false', 'All', ''])
    .optional()
    .transform((v) => v === 'true' || v === 'All' || v === ''),
});

/** A change id as the routes take it. */
export const ChangeIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a change id: lowercase letters, digits and dashes');

export { ValidationCauseSchema as RevertCauseSchema };
