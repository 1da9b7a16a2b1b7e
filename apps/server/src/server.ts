import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { createApp } from './app';
import { parseConfig, type ServerConfig, type ServerConfigInput } from './config';
import { startInventory } from './inventory/informers';
import { istioKubeClient } from './istio/index';
import { bindHost } from './http/hosts';
import { createLogger } from './logger';
import { createMetrics } from './metrics';
import { createPrometheusClient } from './prometheus/client';

/** kubeconfig file (and context), else in-cluster service account, else the default kubeconfig. */
export function loadKubeConfig(kubeconfig?: string, context?: string): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfig) kc.loadFromFile(kubeconfig);
  else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else kc.loadFromDefault();
  if (context) {
    if (!kc.getContexts().some((c) => c.name === context))
      throw new Error(`kubeconfig has no context ${JSON.stringify(context)}`);
    kc.setCurrentContext(context);
  }
  return kc;
}

export interface StartServerOptions {
  kubeconfigPath?: string;
  prometheusUrl?: string;
  port?: number;
  host?: string;
  basePath?: string;
  /** Anything else of the config (file shape); the named options above win. */
  config?: ServerConfigInput | ServerConfig;
  logger?: Logger;
  /** How long to wait for the inventory before serving (it keeps loading afterwards), ms. */
  syncTimeoutMs?: number;
}

export interface RunningServer {
  url: string;
  config: ServerConfig;
  close(): Promise<void>;
}

/** Starts the console: inventory watches, Prometheus client, HTTP server. */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const base = (options.config ?? {}) as Record<string, unknown>;
  const config = parseConfig({
    ...base,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.basePath !== undefined ? { basePath: options.basePath } : {}),
    kubernetes: {
      ...((base.kubernetes as object) ?? {}),
      ...(options.kubeconfigPath ? { kubeconfig: options.kubeconfigPath } : {}),
    },
    prometheus: {
      ...((base.prometheus as object) ?? {}),
      ...(options.prometheusUrl ? { url: options.prometheusUrl } : {}),
    },
  });
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics();
  const kc = loadKubeConfig(config.kubernetes.kubeconfig, config.kubernetes.context);
  const inventory = startInventory(kc, logger, { onRestart: (kind) => metrics.watchRestarts.inc({ kind }) });
  const token =
    config.prometheus.bearerToken ??
    (config.prometheus.bearerTokenFile
      ? (await readFile(config.prometheus.bearerTokenFile, 'utf8')).trim()
      : undefined);
  const prometheus = createPrometheusClient({
    url: config.prometheus.url,
    bearerToken: token,
    username: config.prometheus.username,
    password: config.prometheus.password,
    headers: config.prometheus.headers,
    timeoutMs: config.prometheus.timeoutMs,
    onQuery: (ms, outcome) => {
      metrics.promQueries.inc({ outcome });
      metrics.promQuerySeconds.observe(ms / 1000);
    },
  });
  const synced = await inventory.waitForSync(options.syncTimeoutMs ?? 5000);
  if (!synced) logger.warn('the Kubernetes inventory is not fully loaded yet; serving anyway');
  const app = createApp({
    kube: inventory,
    prometheus,
    config,
    logger,
    metrics,
    istio: { client: istioKubeClient(kc), inventory },
  });
  const host = bindHost(config.host);
  const server = app.listen(config.port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  server.keepAliveTimeout = 65_000;
  const address = server.address() as AddressInfo;
  const shownHost = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${address.port}${config.basePath}`;
  logger.info(
    { url, prometheus: config.prometheus.url, kubernetes: kc.getCurrentCluster()?.server },
    'meshlens listening',
  );
  let closing: Promise<void> | undefined;
  return {
    url,
    config,
    close: () =>
      (closing ??= (async () => {
        await inventory.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })()),
  };
}
