import {
  GraphQuerySchema,
  ROUTES,
  type NamespacesResponse,
  type ReadyResponse,
  type ServerConfigResponse,
} from '@meshlens/contract';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { VERSION, type ServerConfig } from './config';
import { createGraphService, type GraphService } from './graph/graphService';
import { errorHandler, inputErrorFrom, notFoundHandler, withoutAddresses } from './http/errors';
import { noStore, securityHeaders } from './http/headers';
import { bindHost, hostCheck, hostPolicy, inCluster, podNamespace } from './http/hosts';
import { sameOriginWrites } from './http/origin';
import { spaRouter } from './http/static';
import { httpLogSerializers } from './logger';
import type { Inventory } from './inventory/informers';
import { istioRouter, type IstioRouterDeps } from './istio/index';
import { createHeapTrimmer } from './heap';
import { createMetrics, type ServerMetrics } from './metrics';
import type { PrometheusClient } from './prometheus/client';

/** What the app needs from Kubernetes: the informer cache and a liveness ping. */
export type KubeAccess = Pick<Inventory, 'snapshot' | 'ping'>;

export interface AppDeps {
  kube: KubeAccess;
  prometheus: PrometheusClient;
  config: ServerConfig;
  logger: Logger;
  /** Created here when absent; startServer passes its own so the Prometheus client can count queries. */
  metrics?: ServerMetrics;
  /** Istio write routes (routing intents, raw objects); not served when absent. */
  istio?: Omit<IstioRouterDeps, 'logger'>;
}

export interface MeshlensApp extends Express {
  locals: Express['locals'] & { graph: GraphService; metrics: ServerMetrics };
}

const REFRESH_CHOICES = [0, 10_000, 15_000, 30_000, 60_000, 300_000];
const DURATION_CHOICES = [60, 300, 600, 1800, 3600, 10_800, 21_600, 86_400];

async function timed(fn: () => Promise<void>): Promise<{ ok: boolean; message: string; ms: number }> {
  const t = performance.now();
  try {
    await fn();
    return { ok: true, message: 'ok', ms: Math.round(performance.now() - t) };
  } catch (err) {
    return {
      ok: false,
      message: (err as Error).message || String(err),
      ms: Math.round(performance.now() - t),
    };
  }
}

/** The Express app: API routes, health endpoints, metrics and the SPA, all under config.basePath. */
export function createApp({
  kube,
  prometheus,
  config,
  logger,
  metrics = createMetrics(),
  istio,
}: AppDeps): MeshlensApp {
  const app = express() as MeshlensApp;
  app.disable('x-powered-by');
  app.set('etag', false);
  const heapTrimmer = createHeapTrimmer(config.graph.heapSoftLimitMb);
  const graph = createGraphService({
    prometheus,
    inventory: () => kube.snapshot(),
    healthRules: config.health.rate,
    cluster: config.kubernetes.clusterName,
    cacheTtlMs: config.graph.cacheTtlMs ?? config.ui.refreshIntervalMs,
    afterAnswer: heapTrimmer.afterAnswer,
    logger,
    onAnswer: (answer, seconds) => {
      metrics.graphRequests.inc({ answer });
      if (seconds !== undefined) metrics.graphSeconds.observe(seconds);
    },
  });
  app.locals.graph = graph;
  app.locals.metrics = metrics;

  const isProbe = (url: string | undefined) => /\/(healthz|readyz|metrics)$/.test(url ?? '');
  app.use(securityHeaders());
  app.use(
    pinoHttp({
      logger,
      serializers: httpLogSerializers,
      autoLogging: { ignore: (req) => isProbe(req.url) },
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug',
    }),
  );

  const system = express.Router();
  system.get(ROUTES.healthz, (_req, res) => {
    res.json({ status: 'ok' });
  });
  system.get(ROUTES.readyz, async (_req, res) => {
    const checks = await Promise.all([timed(() => kube.ping()), timed(() => prometheus.ping())]);
    for (const c of checks.filter((c) => !c.ok)) logger.debug({ check: c }, 'not ready');
    // The answer names no internal address (the log above keeps it).
    const [kubernetes, prom] = checks.map((c) => ({ ...c, message: withoutAddresses(c.message) })) as [
      (typeof checks)[0],
      (typeof checks)[0],
    ];
    const body: ReadyResponse = { ready: kubernetes.ok && prom.ok, checks: { kubernetes, prometheus: prom } };
    res.status(body.ready ? 200 : 503).json(body);
  });
  system.get(ROUTES.metrics, async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  const api = express.Router();
  api.get(ROUTES.config, (_req, res) => {
    const body: ServerConfigResponse = {
      version: VERSION,
      basePath: config.basePath,
      clusterName: config.kubernetes.clusterName,
      istioNamespace: config.kubernetes.istioNamespace,
      refreshIntervalMs: config.ui.refreshIntervalMs,
      refreshIntervalsMs: [...new Set([...REFRESH_CHOICES, config.ui.refreshIntervalMs])].sort(
        (a, b) => a - b,
      ),
      durationSeconds: config.ui.durationSeconds,
      durationsSeconds: [...new Set([...DURATION_CHOICES, config.ui.durationSeconds])].sort((a, b) => a - b),
      defaultGraphType: 'versionedApp',
      defaultNamespaces: config.ui.defaultNamespaces,
    };
    res.json(body);
  });
  api.get(ROUTES.namespaces, (_req, res) => {
    const snap = kube.snapshot();
    const body: NamespacesResponse = {
      namespaces: snap.namespaces.map((n) => ({
        name: n.name,
        labels: n.labels,
        injection: n.labels['istio-injection'] === 'enabled' || n.labels['istio.io/rev'] !== undefined,
        ...(n.createdAt ? { createdAt: n.createdAt } : {}),
      })),
      warnings: snap.synced
        ? []
        : [
            {
              code: 'InventoryNotSynced',
              message: 'the Kubernetes inventory is still loading; the list may be partial',
            },
          ],
    };
    res.json(body);
  });
  api.get(ROUTES.graph, async (req, res) => {
    const parsed = GraphQuerySchema.safeParse(req.query);
    if (!parsed.success) throw inputErrorFrom(parsed.error);
    const { body, gzipped } = await graph.getGraphBody(parsed.data, req.acceptsEncodings('gzip') === 'gzip');
    res.vary('Accept-Encoding').type('application/json');
    if (gzipped) res.set('Content-Encoding', 'gzip');
    res.send(body);
  });
  api.use('/api', notFoundHandler);

  const base = config.basePath;
  const hosts = hostPolicy({
    listenHost: bindHost(config.host),
    allowedHosts: config.server.allowedHosts,
    cluster: inCluster(),
    namespace: podNamespace(),
  });
  app.use(system);
  if (base) app.use(base, system);
  app.use(hostCheck(hosts));
  app.use(sameOriginWrites);
  app.use(`${base}/api`, noStore);
  if (istio) app.use(base || '/', istioRouter({ ...istio, logger }));
  app.use(base || '/', api);
  app.use(base || '/', spaRouter(config.webDir, { basePath: base, version: VERSION }));
  if (base) app.get('/', (_req, res) => res.redirect(`${base}/`));
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
