/**
 * `GET /api/namespaces/{namespace}/pods/{pod}/logs`: one container's log, streamed as NDJSON (one
 * LogStreamEvent a line). Without `follow` the answer ends after the selected lines; with it the response
 * stays open and carries each new line until the client goes, or a bound ends it (then a last `end`
 * event says which).
 */
import { z } from 'zod';

export const POD_LOGS_ROUTE = '/api/namespaces/:namespace/pods/:name/logs';

export function podLogsPath(namespace: string, pod: string): string {
  return `/api/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/logs`;
}

export const LOG_LIMITS = {
  /** Lines read back from the end of the log (tailLines), at most; the default when absent. */
  maxTailLines: 5000,
  defaultTailLines: 500,
  /** How far back sinceSeconds reaches, at most (a day). */
  maxSinceSeconds: 86_400,
  /** Lines one response carries in all (the tail plus followed lines). */
  maxLinesPerResponse: 20_000,
  /** How long one followed response stays open, at most (the client may reconnect). */
  maxFollowSeconds: 600,
} as const;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const int = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .pipe(z.number().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`));

export const PodLogsQuerySchema = z
  .object({
    /** The container; the API server requires it when the pod has several. */
    container: z
      .string()
      .regex(
        DNS1123_LABEL,
        'container must be a container name (a DNS-1123 label: lowercase letters, digits and -)',
      )
      .optional(),
    sinceSeconds: int('sinceSeconds', 1, LOG_LIMITS.maxSinceSeconds).optional(),
    tailLines: int('tailLines', 0, LOG_LIMITS.maxTailLines).optional(),
    follow: z
      .enum(['true', 'false'], { message: 'follow must be true or false' })
      .transform((v) => v === 'true')
      .optional(),
  })
  .strict();
export type PodLogsQuery = z.infer<typeof PodLogsQuerySchema>;

export const LOG_END_REASONS = ['complete', 'closed', 'maxLines', 'maxDuration'] as const;

export const LogStreamEventSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('line'),
    /** When the container wrote it (RFC 3339 with up to nanoseconds, from the kubelet). */
    time: z.string(),
    text: z.string(),
  }),
  z.object({
    kind: z.literal('end'),
    /**
     * complete: every selected line was sent (no follow); closed: the cluster ended the stream;
     * maxLines / maxDuration: a bound of this console (LOG_LIMITS) ended it.
     */
    reason: z.enum(LOG_END_REASONS),
    message: z.string(),
  }),
]);
export type LogStreamEvent = z.infer<typeof LogStreamEventSchema>;

export const LOG_STREAM_CONTENT_TYPE = 'application/x-ndjson';

/**
 * `GET /api/namespaces/{namespace}/workloads/{name}/pods`: the pods of a workload and their containers,
 * what a logs view offers to read (read with the user's own credentials).
 */
export const WORKLOAD_PODS_ROUTE = '/api/namespaces/:namespace/workloads/:name/pods';

export function workloadPodsPath(namespace: string, workload: string): string {
  return `/api/namespaces/${encodeURIComponent(namespace)}/workloads/${encodeURIComponent(workload)}/pods`;
}

export const LogPodSchema = z.object({
  name: z.string(),
  phase: z.string(),
  /** Containers in the pod spec's order (the app's first); init containers are left out. */
  containers: z.array(z.string()),
});
export type LogPod = z.infer<typeof LogPodSchema>;

export const WorkloadPodsResponseSchema = z.object({ pods: z.array(LogPodSchema) });
export type WorkloadPodsResponse = z.infer<typeof WorkloadPodsResponseSchema>;
