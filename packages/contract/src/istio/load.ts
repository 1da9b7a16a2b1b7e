import { z } from 'zod';

/**
 * `GET /api/namespaces/:namespace/services/:service/load`: a service's live load, what the routing
 * wizards predict a change's effect from (the preview of the effect): requests/s per version now and at
 * its peak, the callers' requests/s, and each version's pods.
 */
export const SERVICE_LOAD_ROUTE = '/api/namespaces/:namespace/services/:service/load';

/** Rate window of "now", seconds, and the span the peak is looked for in. */
export const LOAD_RATE_WINDOW_SECONDS = 60;
export const LOAD_PEAK_SPAN_SECONDS = 3600;

export const VersionLoadSchema = z.object({
  version: z.string(),
  /** Requests/s it receives now (destination-reported, over the rate window). */
  rps: z.number(),
  /** Highest requests/s over the peak span (rates over the rate window, a step of one window). */
  peakRps: z.number(),
  /** Pods of its workloads, and those Ready; null when no workload of the service runs it. */
  pods: z.number().nullable(),
  podsReady: z.number().nullable(),
});
export type VersionLoad = z.infer<typeof VersionLoadSchema>;

/** One caller of the service with its requests/s now (`unknown` when not in the mesh). */
export const SourceLoadSchema = z.object({
  namespace: z.string(),
  workload: z.string(),
  app: z.string(),
  version: z.string(),
  rps: z.number(),
});
export type SourceLoad = z.infer<typeof SourceLoadSchema>;

export const ServiceLoadResponseSchema = z.object({
  namespace: z.string(),
  service: z.string(),
  /** Unix seconds the rates were read at. */
  timestamp: z.number(),
  rateWindowSeconds: z.number(),
  peakSpanSeconds: z.number(),
  /** Every version the service's workloads run, and any other one that received requests. */
  versions: z.array(VersionLoadSchema),
  sources: z.array(SourceLoadSchema),
  /** e.g. Prometheus unavailable: the load is then unknown (empty), the wizard still works. */
  warnings: z.array(z.object({ code: z.string(), message: z.string() })),
});
export type ServiceLoadResponse = z.infer<typeof ServiceLoadResponseSchema>;
