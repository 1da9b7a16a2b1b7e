import { z } from 'zod';
import { HealthStatusSchema } from './graph';

/**
 * A health verdict (server's health module): the status and why, in words — which rule, which rate,
 * which threshold (e.g. `HTTP server errors (5xx): 2 % of inbound requests, degraded above 0 %, failure
 * at 10 %`, `reviews-v2: 1 of 2 pods available`). Empty reasons for a plain Healthy or NoTraffic.
 */
export const HealthVerdictSchema = z.object({
  status: HealthStatusSchema,
  reasons: z.array(z.string()),
});
export type HealthVerdict = z.infer<typeof HealthVerdictSchema>;

/** How many entities have each status. */
export const HealthCountsSchema = z.object({
  Failure: z.number().int(),
  Degraded: z.number().int(),
  NotReady: z.number().int(),
  Healthy: z.number().int(),
  NoTraffic: z.number().int(),
});
export type HealthCounts = z.infer<typeof HealthCountsSchema>;
