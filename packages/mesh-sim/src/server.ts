/** The simulator's HTTP endpoints: /metrics (Prometheus text), /healthz, /debug/state. */
import { createServer, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { CONTENT_TYPE, renderBuffers, type DisabledMetrics } from './metrics/render';
import type { MetricsStore } from './metrics/store';
import { CONTAINER_LOGS_PREFIX, serveContainerLogs } from './logs/kubelet';
import type { LogStore } from './logs/store';

export interface ServerDeps {
  store(): MetricsStore;
  /** Metrics switched off (Istio Telemetry API `disabled: true`), per reporter. */
  disabled?: DisabledMetrics;
  state(): unknown;
  log(msg: string): void;
  /** Container logs, served as a kubelet serves them (`/containerLogs/...`). */
  logs?: () => LogStore | undefined;
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
    } else if (path === '/healthz') {
      send(200, { status: 'ok' });
    } else if (path === '/debug/state') {
      send(200, deps.state());
    } else {
      send(404, {
        error: { name: 'NotFound', message: `no route ${path}; try /metrics, /healthz or /debug/state` },
      });
    }
  });
}
