import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import express from 'express';
import type { Logger } from 'pino';
import { createApp, type AppDeps } from './app';
import { authSettings, clusterAccess, createAuth, loadSessionSecrets, sessionSealer } from './auth/index';
import { loadClientSecret } from './auth/openid';
import { parseConfig, type ServerConfig, type ServerConfigInput } from './config';
import { combineInventories } from './inventory/clusters';
import { clustersOfSecrets, listRemoteSecrets } from './inventory/remoteSecrets';
import { startInventory, type InventoryOptions } from './inventory/informers';
import { istioKubeClient } from './istio/index';
import { createHistory } from './history/index';
import { inCluster, podNamespace } from './http/hosts';
import { bindHost } from './http/hosts';
import { createLogger } from './logger';
import { createMetrics, type ServerMetrics } from './metrics';
import { createPrometheusClient } from './prometheus/client';
import { gzipAnswers } from './prometheus/compression';
import { createJaegerClient, type JaegerClient } from './tracing/jaegerClient';

/**
 * In-cluster configuration as client-node's loadFromCluster makes it (the API server from
 * KUBERNETES_SERVICE_HOST/PORT, the token re-read every minute), with the ServiceAccount's files read from
 * `dir` when given. A missing token or CA fails here, naming the file.
 */
export function loadInCluster(kc: KubeConfig, dir?: string): void {
  kc.loadFromCluster();
  if (!dir) return;
  const file = (name: string) => {
    const path = join(dir, name);
    if (!existsSync(path)) throw new Error(`kubernetes.serviceAccountDir: ${path} does not exist`);
    return path;
  };
  const caFile = file('ca.crt');
  const tokenFile = file('token');
  const nsFile = join(dir, 'namespace');
  const namespace = existsSync(nsFile) ? readFileSync(nsFile, 'utf8').trim() || undefined : undefined;
  kc.loadFromOptions({
    clusters: kc.clusters.map((c) => ({ ...c, caFile })),
    users: kc.users.map((u) => ({ ...u, authProvider: { name: 'tokenFile', config: { tokenFile } } })),
    contexts: kc.contexts.map((c) => ({ ...c, ...(namespace ? { namespace } : {}) })),
    currentContext: kc.currentContext,
  });
}

/**
 * kubeconfig file (and context), else the in-cluster ServiceAccount (its files in serviceAccountDir when
 * given), else the default kubeconfig.
 */
export function loadKubeConfig(
  kubeconfig?: string,
  context?: string,
  serviceAccountDir?: string,
): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfig) kc.loadFromFile(kubeconfig);
  else if (process.env.KUBERNETES_SERVICE_HOST) loadInCluster(kc, serviceAccountDir);
  else kc.loadFromDefault();
  if (context) {
    if (!kc.getContexts().some((c) => c.name === context))
      throw new Error(`kubeconfig has no context ${JSON.stringify(context)}`);
    kc.setCurrentContext(context);
  }
  return kc;
}

/**
 * The further clusters of `kubernetes.clusters`: each a kubeconfig context of `kc`'s file, read as its
 * own cluster and named after the context. The home context, if listed, is not read twice.
 */
export function remoteClusterConfigs(
  kc: KubeConfig,
  contexts: readonly string[],
): { name: string; kc: KubeConfig }[] {
  const home = kc.getCurrentContext();
  const names = kc.getContexts().map((c) => c.name);
  const out: { name: string; kc: KubeConfig }[] = [];
  for (const name of new Set(contexts)) {
    if (name === home) continue;
    if (!names.includes(name))
      throw new Error(
        `kubernetes.clusters: the kubeconfig has no context ${JSON.stringify(name)} (it has ${names.join(', ') || 'none'})`,
      );
    const one = new KubeConfig();
    one.loadFromString(kc.exportConfig());
    one.setCurrentContext(name);
    out.push({ name, kc: one });
  }
  return out;
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
  /** Guarded rollouts' hooks (the change history's onWrite, a fixed driver identity). */
  rollouts?: AppDeps['rollouts'];
  /** How long to wait for the inventory before serving (it keeps loading afterwards), ms. */
  syncTimeoutMs?: number;
}

export interface RunningServer {
  url: string;
  /** `http://host:port/metrics` when config.metricsPort is set (then /metrics is not on `url`). */
  metricsUrl?: string;
  config: ServerConfig;
  /** The Express app served on `url` (tests read its route table: http/routeTable.ts). */
  app: express.Express;
  close(): Promise<void>;
}

/** Listens on `port` of `host`; resolves with the bound address. */
async function listen(
  app: express.Express,
  port: number,
  host: string,
): Promise<{ server: Server; url: string }> {
  const server = app.listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
  return { server, url: `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${address.port}` };
}

/** The metrics-only app of config.metricsPort: GET /metrics, nothing else. */
function metricsApp(metrics: ServerMetrics): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('only /metrics is served on this port\n');
  });
  return app;
}

const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

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
  const kc = loadKubeConfig(
    config.kubernetes.kubeconfig,
    config.kubernetes.context,
    config.kubernetes.serviceAccountDir,
  );
  const p = config.prometheus;
  // Credential files are read once now, so a wrong path fails the start; the client re-reads them later.
  for (const [setting, file] of [
    ['prometheus.bearerTokenFile', p.bearerTokenFile],
    ['prometheus.passwordFile', p.passwordFile],
  ] as const)
    if (file)
      await readFile(file, 'utf8').catch((err: Error) =>
        Promise.reject(new Error(`${setting}: ${err.message}`)),
      );
  const ca = p.caFile
    ? await readFile(p.caFile, 'utf8').catch((err: Error) =>
        Promise.reject(new Error(`prometheus.caFile: ${err.message}`)),
      )
    : undefined;
  const tracing = await tracingClient(config.tracing);
  const remotes: { name: string; kc: KubeConfig }[] = remoteClusterConfigs(kc, config.kubernetes.clusters);
  if (config.kubernetes.remoteSecrets) {
    // Istio's remote secrets name further clusters (as Kiali reads them); none, or no right to list them,
    // is a single cluster as before.
    const secrets = await listRemoteSecrets(
      kc,
      config.kubernetes.istioNamespace,
      config.kubernetes.timeoutMs,
    ).catch((err: Error) => {
      logger.info(
        `remote cluster secrets in ${config.kubernetes.istioNamespace} not read (${err.message}); no cluster added from them`,
      );
      return [];
    });
    const { clusters, problems } = clustersOfSecrets(
      secrets,
      new Set([config.kubernetes.clusterName, ...remotes.map((r) => r.name)]),
    );
    for (const p of problems) logger.warn(p);
    for (const c of clusters) logger.info(`cluster ${c.name} from the remote secret ${c.source}`);
    remotes.push(...clusters);
  }
  const istioClient = istioKubeClient(kc, { timeoutMs: config.kubernetes.timeoutMs });
  // The change history: the console's own record, written with the console's own credentials.
  const history = createHistory({
    client: istioClient,
    namespace: historyNamespace(config),
    logger,
    limits: {
      perConfigMap: config.history.perConfigMap,
      maxConfigMaps: config.history.maxConfigMaps,
      maxBytesPerConfigMap: 512 * 1024,
    },
  });
  const historyLoaded = history.load();
  const inventoryOptions: InventoryOptions = {
    onRestart: (kind) => metrics.watchRestarts.inc({ kind }),
    timeoutMs: config.kubernetes.timeoutMs,
    watchTimeoutMs: config.kubernetes.watchTimeoutMs,
  };
  // One informer cache per cluster, each with its own watches and failures (see inventory/clusters.ts).
  // The home cluster's watch events feed the change history (changes made outside the console).
  const inventory = combineInventories(
    {
      name: config.kubernetes.clusterName,
      inventory: startInventory(kc, logger, {
        ...inventoryOptions,
        onEvent: (kind, phase, obj, previous) => history.onWatchEvent(kind, phase, obj, previous),
      }),
    },
    remotes.map((r) => ({
      name: r.name,
      inventory: startInventory(r.kc, logger.child({ cluster: r.name }), inventoryOptions),
    })),
  );
  const prometheus = createPrometheusClient({
    url: p.url,
    bearerToken: p.bearerToken,
    bearerTokenFile: p.bearerTokenFile,
    username: p.username,
    password: p.password,
    passwordFile: p.passwordFile,
    headers: p.headers,
    ca,
    insecureSkipVerify: p.insecureSkipVerify,
    timeoutMs: p.timeoutMs,
    gzip: gzipAnswers(p.url, p.compression, inCluster()),
    onQuery: (ms, outcome) => {
      metrics.promQueries.inc({ outcome });
      metrics.promQuerySeconds.observe(ms / 1000);
    },
  });
  const settings = authSettings(config);
  let auth;
  try {
    if (settings.openid) {
      const secret = await loadClientSecret(config.auth.openid);
      if (secret) settings.openid.clientSecret = secret;
    }
    auth = createAuth({
      settings,
      cluster: clusterAccess(kc, { timeoutMs: config.kubernetes.timeoutMs, consoleIstioClient: istioClient }),
      sealer: sessionSealer(await loadSessionSecrets(config.auth)),
      logger,
    });
  } catch (err) {
    await inventory.close();
    throw err;
  }
  const synced = await inventory.waitForSync(options.syncTimeoutMs ?? 5000);
  await historyLoaded;
  if (!synced) logger.warn('the Kubernetes inventory is not fully loaded yet; serving anyway');
  const app = createApp({
    kube: inventory,
    prometheus,
    config,
    logger,
    metrics,
    istio: { client: istioClient, inventory },
    auth,
    history,
    ...(tracing ? { tracing } : {}),
    ...(options.rollouts ? { rollouts: options.rollouts } : {}),
  });
  app.locals.rollouts?.start();
  const host = bindHost(config.host);
  const main = await listen(app, config.port, host);
  const server = main.server;
  server.keepAliveTimeout = 65_000;
  const url = `${main.url}${config.basePath}`;
  let metricsServer: Server | undefined;
  let metricsUrl: string | undefined;
  if (config.metricsPort !== undefined) {
    try {
      const m = await listen(metricsApp(metrics), config.metricsPort, host);
      metricsServer = m.server;
      metricsUrl = `${m.url}/metrics`;
    } catch (err) {
      await closeServer(server);
      await inventory.close();
      throw err;
    }
  }
  logger.info(
    {
      url,
      metricsUrl,
      prometheus: config.prometheus.url,
      kubernetes: kc.getCurrentCluster()?.server,
      ...(remotes.length ? { clusters: [config.kubernetes.clusterName, ...remotes.map((r) => r.name)] } : {}),
      auth: settings.strategy,
      viewOnly: settings.viewOnly,
    },
    'meshlens listening',
  );
  let closing: Promise<void> | undefined;
  return {
    url,
    ...(metricsUrl ? { metricsUrl } : {}),
    config,
    app,
    close: () =>
      (closing ??= (async () => {
        await app.locals.rollouts?.stop();
        await inventory.close();
        history.close();
        await history.idle();
        await Promise.all([closeServer(server), ...(metricsServer ? [closeServer(metricsServer)] : [])]);
        await prometheus.close?.();
        await tracing?.close();
      })()),
  };
}

/**
 * Where the change history lives: history.namespace, else the console's own namespace (in a cluster),
 * else the Istio namespace (kubernetes.istioNamespace, istio-system by default).
 */
export function historyNamespace(config: ServerConfig): string {
  if (config.history.namespace) return config.history.namespace;
  const dir = config.kubernetes.serviceAccountDir;
  const own = process.env.KUBERNETES_SERVICE_HOST
    ? dir
      ? podNamespace(process.env, join(dir, 'namespace'))
      : podNamespace()
    : undefined;
  return own || config.kubernetes.istioNamespace;
}

/** The tracing backend's client when a URL is configured; its credential and CA files are read now. */
async function tracingClient(t: ServerConfig['tracing']): Promise<JaegerClient | undefined> {
  if (!t.url) return undefined;
  for (const [setting, file] of [
    ['tracing.bearerTokenFile', t.bearerTokenFile],
    ['tracing.passwordFile', t.passwordFile],
  ] as const)
    if (file)
      await readFile(file, 'utf8').catch((err: Error) =>
        Promise.reject(new Error(`${setting}: ${err.message}`)),
      );
  const ca = t.caFile
    ? await readFile(t.caFile, 'utf8').catch((err: Error) =>
        Promise.reject(new Error(`tracing.caFile: ${err.message}`)),
      )
    : undefined;
  return createJaegerClient({
    url: t.url,
    ...(t.bearerToken ? { bearerToken: t.bearerToken } : {}),
    ...(t.bearerTokenFile ? { bearerTokenFile: t.bearerTokenFile } : {}),
    ...(t.username !== undefined ? { username: t.username } : {}),
    ...(t.password !== undefined ? { password: t.password } : {}),
    ...(t.passwordFile ? { passwordFile: t.passwordFile } : {}),
    headers: t.headers,
    ...(ca ? { ca } : {}),
    insecureSkipVerify: t.insecureSkipVerify,
    timeoutMs: t.timeoutMs,
    maxResponseBytes: Math.round(t.maxResponseMb * 2 ** 20),
  });
}
