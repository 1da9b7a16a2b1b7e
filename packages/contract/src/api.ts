import { z } from 'zod';
import { GRAPH_TYPES } from './graphQuery';
import { GraphWarningSchema } from './graph';

/** `GET /api/namespaces` */
export const NamespaceSchema = z.object({
  name: z.string(),
  labels: z.record(z.string(), z.string()),
  /** Sidecar injection enabled by label (`istio-injection=enabled` or `istio.io/rev`). */
  injection: z.boolean(),
  /** ISO time the namespace was created, when known. */
  createdAt: z.string().optional(),
});
export type Namespace = z.infer<typeof NamespaceSchema>;

export const NamespacesResponseSchema = z.object({
  namespaces: z.array(NamespaceSchema),
  warnings: z.array(GraphWarningSchema),
});
export type NamespacesResponse = z.infer<typeof NamespacesResponseSchema>;

/**
 * The refresh intervals (ms; 0 = paused) and time ranges (seconds) the console offers: the server's
 * `/api/config` answers these (plus its configured defaults), and the web app offers what it answers.
 */
export const REFRESH_CHOICES_MS: readonly number[] = [0, 10_000, 15_000, 30_000, 60_000, 300_000];
export const DURATION_CHOICES_SECONDS: readonly number[] = [
  30, 60, 300, 600, 1800, 3600, 10_800, 21_600, 43_200, 86_400,
];

/** `GET /api/config`: server settings the SPA needs. */
export const ServerConfigResponseSchema = z.object({
  version: z.string(),
  /** Prefix the app is served under, `''` at the root, otherwise `/something` (no trailing slash). */
  basePath: z.string(),
  clusterName: z.string(),
  istioNamespace: z.string(),
  /** Default graph polling interval, ms; 0 = paused. */
  refreshIntervalMs: z.number(),
  /** The intervals the UI offers, ascending; include refreshIntervalMs. */
  refreshIntervalsMs: z.array(z.number()),
  /** Default graph duration, seconds. */
  durationSeconds: z.number(),
  /** The time ranges the UI offers, ascending; include durationSeconds. */
  durationsSeconds: z.array(z.number()),
  defaultGraphType: z.enum(GRAPH_TYPES),
  /** Namespaces selected when the user has not chosen any. */
  defaultNamespaces: z.array(z.string()),
  /** Istio's Grafana dashboards, when a Grafana URL is configured (Kiali's external links). */
  grafana: z
    .object({ url: z.string(), serviceDashboard: z.string(), workloadDashboard: z.string() })
    .optional(),
  /** Whether a tracing backend is configured, and its own UI for links to a trace. */
  tracing: z.object({ enabled: z.boolean(), externalUrl: z.string().optional() }).default({ enabled: false }),
});
export type ServerConfigResponse = z.infer<typeof ServerConfigResponseSchema>;

/** `GET /readyz` (200 when ready, 503 otherwise; same body). */
export const ReadyResponseSchema = z.object({
  ready: z.boolean(),
  checks: z.object({
    kubernetes: z.object({ ok: z.boolean(), message: z.string(), ms: z.number() }),
    prometheus: z.object({ ok: z.boolean(), message: z.string(), ms: z.number() }),
  }),
});
export type ReadyResponse = z.infer<typeof ReadyResponseSchema>;

/**
 * Runtime settings the server puts into index.html (so the SPA works under a prefix before its first API
 * call), as a JSON data block `<script type="application/json" id="meshlens-config">`: a data block is
 * never executed, so the Content-Security-Policy needs no inline script.
 */
export const RuntimeConfigSchema = z.object({ basePath: z.string(), version: z.string() });
export type RuntimeConfig = z.infer<typeof RuntimeConfigSchema>;
export const RUNTIME_CONFIG_ELEMENT_ID = 'meshlens-config';
