import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The server's own metrics, on a registry per app (several apps can live in one test process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'meshlens_' });
  return {
    registry,
    promQueries: new Counter({
      name: 'meshlens_prometheus_queries_total',
      help: 'PromQL queries sent to Prometheus, by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    promQuerySeconds: new Histogram({
      name: 'meshlens_prometheus_query_duration_seconds',
      help: 'Time of each PromQL query as seen by the server',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    graphRequests: new Counter({
      name: 'meshlens_graph_requests_total',
      help: 'Graph requests by how they were answered: computed, shared (in flight), cached',
      labelNames: ['answer'] as const,
      registers: [registry],
    }),
    graphSeconds: new Histogram({
      name: 'meshlens_graph_compute_duration_seconds',
      help: 'Time to compute a graph (queries and build)',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    watchRestarts: new Counter({
      name: 'meshlens_inventory_watch_restarts_total',
      help: 'Broken Kubernetes watches restarted, by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    httpRequests: new Counter({
      name: 'meshlens_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    }),
  };
}
export type ServerMetrics = ReturnType<typeof createMetrics>;
