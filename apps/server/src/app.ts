import {
  DURATION_CHOICES_SECONDS,
  GRAPH_GZIP_BODY,
  GraphQuerySchema,
  IstioConfigQuerySchema,
  ISTIO_ROUTES,
  REFRESH_CHOICES_MS,
  ROUTES,
  type NamespacesResponse,
  type ReadyResponse,
  type ServerConfigResponse,
} from '@meshlens/contract';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { authSettings, createAuth, isReadable, sessionSealer, type Auth } from './auth/index';
import { consoleOnly } from './auth/consoleOnly';
import { VERSION, type ServerConfig } from './config';
import { NotFoundError } from './errors';
import { entitiesRouter } from './entities/router';
import { createEntitiesService, type EntitiesService } from './entities/service';
import { createGraphService, type GraphService } from './graph/graphService';
import { checkGraphQuery, computationLimiter, remoteClient, type ClientOf } from './graph/limits';
import { markUnreadable } from './graph/visibility';
import { errorHandler, inputErrorFrom, notFoundHandler, withoutAddresses } from './http/errors';
import { noStore, securityHeaders } from './http/headers';
import { methodNotAllowed } from './http/methods';
import { bindHost, hostCheck, hostPolicy, inCluster, podNamespace } from './http/hosts';
import { sameOriginWrites } from './http/origin';
import { checkParams } from './http/params';
import { spaRouter } from './http/static';
import { httpLogSerializers } from './logger';
import type { Inventory } from './inventory/informers';
import { istioRouter, type IstioRouterDeps } from './istio/index';
import { followLimiter } from './logs/follows';
import { logsRouter } from './logs/router';
import { serviceLoadRouter } from './istio/load';
import { createHeapTrimmer } from './heap';
import { detailsRouter } from './details/router';
import { createValidations } from './details/validations';
import { loadIstioCrds, type IstioCrds } from './istio/crds';
import { createMetricsService } from './metrics/service';
import { createMetrics, type ServerMetrics } from './metrics';
import type { PrometheusClient } from './prometheus/client';
import type { JaegerClient } from './tracing/jaegerClient';
import { tracingRouter } from './tracing/router';
import { boundedCheck } from './ready';
import { actorOf, historyRouter, objectsOfResults, objectsOfStates, type History } from './history/index';
import {
  rolloutController,
  rolloutSummary,
  type RolloutChange,
  type RolloutController,
} from './rollouts/controller';
import { rolloutsRouter } from './rollouts/router';
import { rolloutStore } from './rollouts/store';

/** What the app needs from Kubernetes: the informer cache and a liveness ping (raw lists: detail pages). */
export type KubeAccess = Pick<Inventory, 'snapshot' | 'ping'> & Partial<Pick<Inventory, 'list'>>;

export interface AppDeps {
  kube: KubeAccess;
  prometheus: PrometheusClient;
  config: ServerConfig;
  logger: Logger;
  /** Created here when absent; startServer passes its own so the Prometheus client can count queries. */
  metrics?: ServerMetrics;
  /** Istio write routes (routing intents, raw objects); not served when absent. */
  istio?: Omit<IstioRouterDeps, 'logger'>;
  /** The tracing backend's client (Jaeger query API); tracing routes say how to enable it when absent. */
  tracing?: JaegerClient;
  /** Who a request's graph computations count against (default: the signed-in user, else the remote address). */
  clientOf?: ClientOf;
  /**
   * Sign-in and per-user Kubernetes access (auth/). Default: config.auth's strategy with no Kubernetes
   * access of its own (the console's identity unknown, no access reviews): for tests and embedding.
   */
  auth?: Auth;
  /** The change history (history/): records the Istio routes' writes and serves `/api/changes`. */
  history?: History;
  /** Guarded rollouts' hooks: each write a rollout makes (for the change history). */
  rollouts?: { onWrite?: (change: RolloutChange) => void; identity?: string };
}

export interface MeshlensApp extends Express {
  locals: Express['locals'] & {
    graph: GraphService;
    entities: EntitiesService;
    metrics: ServerMetrics;
    /** The rollout driver (started by startServer; absent without Istio writes). */
    rollouts?: RolloutController;
  };
}

/** The Express app: API routes, health endpoints, metrics and the SPA, all under config.basePath. */
export function createApp({
  kube,
  prometheus,
  config,
  logger,
  metrics = createMetrics(),
  istio,
  clientOf,
  auth: givenAuth,
  tracing,
  history,
  rollouts,
}: AppDeps): MeshlensApp {
  const app = express() as MeshlensApp;
  app.disable('x-powered-by');
  app.set('etag', false);
  const auth =
    givenAuth ??
    createAuth({
      settings: authSettings(config),
      cluster: consoleOnly(istio?.client),
      sealer: sessionSealer([]),
      logger,
    });
  // X-Forwarded-Proto/-For are believed from auth.trustedProxies only (Secure cookies behind https).
  app.set('trust proxy', (address: string) => auth.trustedProxies.trusts(address));
  // A signed-in user counts as one client wherever they come from; anonymous visitors by their address.
  const clientOfRequest: ClientOf =
    clientOf ??
    ((req) => {
      const p = auth.principalOf(req);
      return p && p.credentials.kind !== 'console' ? p.key : remoteClient(req);
    });
  const heapTrimmer = createHeapTrimmer(config.graph.heapSoftLimitMb);
  const graph = createGraphService({
    prometheus,
    inventory: () => kube.snapshot(),
    healthRules: config.health.rate,
    cluster: config.kubernetes.clusterName,
    cacheTtlMs: config.graph.cacheTtlMs ?? config.ui.refreshIntervalMs,
    afterAnswer: heapTrimmer.afterAnswer,
    limiter: computationLimiter(config.graph.maxComputationsPerClientPerMinute),
    logger,
    onAnswer: (answer, seconds) => {
      metrics.graphRequests.inc({ answer });
      if (seconds !== undefined) metrics.graphSeconds.observe(seconds);
    },
  });
  app.locals.graph = graph;
  // Overview and lists: the graph's cache lifetime, the Istio objects of the informer cache when served.
  const entities = createEntitiesService({
    prometheus,
    inventory: () => kube.snapshot(),
    objects: istio?.inventory,
    crds: istio ? (istio.crds ?? loadIstioCrds()) : undefined,
    healthRules: config.health.rate,
    istioNamespace: config.kubernetes.istioNamespace,
    cacheTtlMs: config.graph.cacheTtlMs ?? config.ui.refreshIntervalMs,
    timeoutMs: config.prometheus.timeoutMs,
  });
  app.locals.entities = entities;
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
  // Each check answers within readyTimeoutMs: a hung dependency makes the console not ready, not hung.
  const bound = config.readyTimeoutMs;
  const kubeCheck = boundedCheck(
    'Kubernetes',
    () => kube.ping(),
    bound,
    () => (kube.snapshot().synced ? undefined : 'the Kubernetes inventory is still loading'),
  );
  const promCheck = boundedCheck('Prometheus', () => prometheus.ping(config.prometheus.timeoutMs), bound);
  system.get(ROUTES.readyz, async (_req, res) => {
    const checks = await Promise.all([kubeCheck.run(), promCheck.run()]);
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
    // With metricsPort set, startServer serves them there (serveMetrics) and not on this port.
    if (config.metricsPort !== undefined)
      throw new NotFoundError('/metrics is served on its own port (metricsPort)');
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
      refreshIntervalsMs: [...new Set([...REFRESH_CHOICES_MS, config.ui.refreshIntervalMs])].sort(
        (a, b) => a - b,
      ),
      durationSeconds: config.ui.durationSeconds,
      // Only what the graph accepts here (graph.maxDurationSeconds).
      durationsSeconds: [...new Set([...DURATION_CHOICES_SECONDS, config.ui.durationSeconds])]
        .filter((d) => d <= config.graph.maxDurationSeconds)
        .sort((a, b) => a - b),
      defaultGraphType: config.ui.defaultGraphType,
      defaultNamespaces: config.ui.defaultNamespaces,
      tracing: {
        enabled: tracing !== undefined,
        ...(tracing && config.tracing.externalUrl
          ? { externalUrl: config.tracing.externalUrl.replace(/\/+$/, '') }
          : {}),
      },
      ...(config.grafana.url
        ? {
            grafana: {
              url: config.grafana.url.replace(/\/+$/, ''),
              serviceDashboard: config.grafana.serviceDashboard,
              workloadDashboard: config.grafana.workloadDashboard,
            },
          }
        : {}),
    };
    res.json(body);
  });
  api.get(ROUTES.namespaces, async (req, res) => {
    const snap = kube.snapshot();
    // Only the namespaces this user may read (all of them for the console's own identity).
    const readable = await auth.readable(
      req,
      snap.namespaces.map((n) => n.name),
    );
    const body: NamespacesResponse = {
      namespaces: snap.namespaces
        .filter((n) => isReadable(readable, n.name))
        .map((n) => ({
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
    checkGraphQuery(parsed.data, config.graph);
    await auth.requireReadable(req, parsed.data.namespaces);
    const readable = await auth.readable(
      req,
      kube.snapshot().namespaces.map((n) => n.name),
    );
    if (readable !== 'all') {
      // This user may not read every namespace: the shared answer without the nodes of the others.
      const answer = await graph.getGraph(parsed.data, clientOfRequest(req));
      res.json(markUnreadable(answer, (ns) => readable.has(ns)));
      return;
    }
    // The gzip bytes as the body itself to a client that prefers them (the web page's fetch worker,
    // see GRAPH_GZIP_BODY); else JSON, gzipped in transit when the client accepts it.
    const gzipBody = req.accepts(['application/json', GRAPH_GZIP_BODY]) === GRAPH_GZIP_BODY;
    const { body, gzipped } = await graph.getGraphBody(
      parsed.data,
      gzipBody || req.acceptsEncodings('gzip') === 'gzip',
      clientOfRequest(req),
    );
    res.vary('Accept').vary('Accept-Encoding');
    if (gzipped && gzipBody) res.type(GRAPH_GZIP_BODY).set('Cache-Control', 'no-store, no-transform');
    else {
      res.type('application/json');
      if (gzipped) res.set('Content-Encoding', 'gzip');
    }
    res.send(body);
  });
  api.use(
    entitiesRouter({
      service: entities,
      inventory: () => kube.snapshot(),
      auth,
      maxDurationSeconds: config.graph.maxDurationSeconds,
    }),
  );
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
  // Every API request acts as someone (auth/): 401 without sign-in, view-only and CSRF checks of writes.
  app.use(`${base}/api`, auth.middleware);
  // A known path asked with a method it does not serve: 405 naming those it does (http/methods.ts), once
  // the request is signed in and before any route's own checks (bodies, namespaces) spend work on it.
  const wrongMethod = methodNotAllowed(app);
  app.use(`${base}/api`, wrongMethod);
  app.use(base || '/', auth.router);
  // Reads of one namespace (its routing facts come from the shared cache): only a namespace the user may read.
  // (A malformed name is the 400 of checkParams, before any access review.)
  const namespaceReads = checkParams(express.Router());
  namespaceReads.get('/api/namespaces/:namespace/*rest', async (req, _res, next) => {
    await auth.requireReadable(req, [String(req.params.namespace)]);
    next();
  });
  app.use(base || '/', namespaceReads);
  // The Istio Config page reads only namespaces the user may read (a bad query is the router's 400).
  app.get(`${base}${ISTIO_ROUTES.config}`, async (req, _res, next) => {
    const parsed = IstioConfigQuerySchema.safeParse(req.query);
    if (parsed.success) await auth.requireReadable(req, parsed.data.namespaces);
    next();
  });
  // Detail pages: facts and Istio objects from the informer cache, health and graphs from the pipeline.
  const list = (kind: string) => (kube.list ?? istio?.inventory.list)?.(kind) ?? [];
  let crds: IstioCrds | undefined = istio?.crds;
  app.use(
    base || '/',
    detailsRouter({
      snapshot: () => kube.snapshot(),
      list,
      graph,
      metrics: createMetricsService({ prometheus }),
      validations: createValidations({
        inventory: { list },
        snapshot: () => kube.snapshot(),
        crds: () => (crds ??= loadIstioCrds()),
      }),
      readable: (req, namespaces) => auth.readable(req, namespaces),
      clientOf: clientOfRequest,
      maxDurationSeconds: config.graph.maxDurationSeconds,
    }),
  );
  app.use(
    base || '/',
    tracingRouter({
      client: tracing,
      ...(config.tracing.externalUrl ? { externalUrl: config.tracing.externalUrl.replace(/\/+$/, '') } : {}),
      snapshot: () => kube.snapshot(),
      readable: (req, namespaces) => auth.readable(req, namespaces),
      prometheus,
    }),
  );
  if (istio)
    app.use(
      base || '/',
      istioRouter({
        ...istio,
        logger,
        clientFor: (req) => auth.istioClient(req),
        ...(history
          ? {
              onWrite: async (req, w) => {
                await history.record({
                  actor: actorOf(auth, req),
                  intent: w.intent,
                  summary: w.summary,
                  namespace: w.namespace,
                  objects: objectsOfResults(w.results),
                });
              },
            }
          : {}),
      }),
    );
  if (history && istio)
    app.use(
      base || '/',
      historyRouter({ history, auth, inventory: istio.inventory, logger, crds: istio.crds }),
    );
  if (istio) {
    // Guarded rollouts: checked as the user, driven with the console's own client (rollouts/README.md).
    // (without the Istio routes' own onWrite: a rollout records its steps itself, below)
    const { onWrite: _routesOnWrite, ...istioDeps } = istio;
    const routeDeps = { ...istioDeps, logger, crds: istio.crds ?? loadIstioCrds() };
    const store = rolloutStore(
      istio.client,
      config.rollouts.namespace ?? podNamespace() ?? config.kubernetes.istioNamespace,
    );
    const controller = rolloutController({
      istio: routeDeps,
      prometheus,
      store,
      logger,
      leaseDurationSeconds: Math.max(1, Math.round(config.rollouts.leaseDurationMs / 1000)),
      tickMs: config.rollouts.tickMs,
      ...(rollouts?.identity ? { identity: rollouts.identity } : {}),
      onWrite: (change: RolloutChange) => {
        rollouts?.onWrite?.(change);
        // each step in the change history, against the user who started the rollout
        if (history)
          void history.record({
            actor: change.actor.startedBy,
            intent: { rollout: change.actor.rolloutId, ...change.intent },
            summary: rolloutSummary(change),
            namespace: change.namespace,
            objects: objectsOfStates(change.before, change.after),
          });
      },
    });
    app.locals.rollouts = controller;
    app.use(base || '/', rolloutsRouter({ istio: routeDeps, store, controller, auth }));
  }
  // Log follows count against the signed-in user's name (several tokens of one user share them).
  const follower = (req: express.Request) => {
    const p = auth.principalOf(req);
    return p && p.credentials.kind !== 'console' ? `user:${p.identity.username}` : remoteClient(req);
  };
  app.use(
    base || '/',
    logsRouter({ auth, follows: followLimiter(config.logs.maxFollowsPerClient), clientOf: follower }),
  );
  app.use(
    base || '/',
    serviceLoadRouter({
      prometheus,
      snapshot: () => kube.snapshot(),
      readable: (req, namespaces) => auth.readable(req, namespaces),
    }),
  );
  app.use(base || '/', api);
  app.use(base || '/', spaRouter(config.webDir, { basePath: base, version: VERSION }));
  if (base) app.get('/', (_req, res) => res.redirect(`${base}/`));
  // (and the same for the paths outside /api: /healthz, /readyz, /metrics, /index.html)
  app.use(wrongMethod, notFoundHandler);
  app.use(auth.errors);
  app.use(errorHandler(logger));
  return app;
}
