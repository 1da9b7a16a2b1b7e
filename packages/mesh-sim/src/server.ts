/**
 * The simulator's HTTP endpoints: /metrics (Prometheus text), /healthz, /debug/state, container logs as a
 * kubelet serves them, and Jaeger's query API under /jaeger (/jaeger/api/traces, …).
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { CONTENT_TYPE, renderBuffers, type DisabledMetrics } from './metrics/render';
import type { MetricsStore } from './metrics/store';
import { CONTAINER_LOGS_PREFIX, serveContainerLogs } from './logs/kubelet';
import type { LogStore } from './logs/store';
import { jaegerQuery } from './tracing/jaeger';
import type { SpanStore } from './tracing/store';

/** Where the Jaeger query API is served: a Jaeger with `--query.base-path=/jaeger`. */
export const JAEGER_BASE_PATH = '/jaeger';

export interface ServerDeps {
  store(): MetricsStore;
  /** Metrics switched off (Istio Telemetry API `disabled: true`), per reporter. */
  disabled?: DisabledMetrics;
  state(): unknown;
  log(msg: string): void;
  /** Container logs, served as a kubelet serves them (`/containerLogs/...`). */
  logs?: () => LogStore | undefined;
  /** Recorded spans, served over Jaeger's query API. */
  spans?: () => SpanStore | undefined;
}

async function streamMetrics(
  res: ServerResponse,
  store: MetricsStore,
  disabled?: DisabledMetrics,
): Promise<void> {
  res.writeHead(200, { 'content-type': CONTENT_TYPE });
  for (const chunk of renderBuffers(store, disabled)) {
    if (!res.write(chunk)) await once(res, 'drain');
    if (res.destroyed) return;
  }
  res.end();
}

export function createMetricsServer(deps: ServerDeps): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(405, { error: { name: 'MethodNotAllowed', message: `${req.method} is not supported; use GET` } });
      return;
    }
    if (path === '/metrics' || path === '/stats/prometheus') {
      streamMetrics(res, deps.store(), deps.disabled).catch((err: Error) => {
        deps.log(`scrape failed: ${err.message}`);
        res.destroy(err);
      });
    } else if (path?.startsWith(CONTAINER_LOGS_PREFIX) && deps.logs?.()) {
      serveContainerLogs(deps.logs()!, req, res).catch((err: Error) => {
        deps.log(`container logs failed: ${err.message}`);
        res.destroy(err);
      });
    } else if (path?.startsWith(`${JAEGER_BASE_PATH}/api/`) && deps.spans?.()) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const answer = jaegerQuery(
        deps.spans()!,
        path.slice(JAEGER_BASE_PATH.length),
        url.searchParams,
        Date.now() * 1000,
      );
      send(answer.status, answer.body);
    } else if (path === '/healthz') {
      send(200, { status: 'ok' });
    } else if (path === '/debug/state') {
      send(200, deps.state());
    } else {
      send(404, {
        error: {
          name: 'NotFound',
          message: `no route ${path}; try /metrics, /healthz, /debug/state or ${JAEGER_BASE_PATH}/api/services`,
        },
      });
    }
  });
}
