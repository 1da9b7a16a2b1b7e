/**
 * `GET /api/namespaces/{namespace}/pods/{name}/logs`: one container's log, read with the request's own
 * credentials (the API server decides with RBAC `pods/log`), streamed as NDJSON events (contract logs.ts).
 * Path parameters are checked by checkParams, the query by the contract's schema; a client that goes
 * away closes the request to the cluster at once. Follows are counted per user (./follows.ts): past
 * `logs.maxFollowsPerClient` open at once, a 429.
 */
import {
  LOG_LIMITS,
  LOG_STREAM_CONTENT_TYPE,
  PodLogsQuerySchema,
  POD_LOGS_ROUTE,
  type PodLogsQuery,
  WORKLOAD_PODS_ROUTE,
  type ForbiddenDetails,
  type WorkloadPodsResponse,
} from '@meshlens/contract';
import express, { type Request, type Router } from 'express';
import type { Auth } from '../auth/index';
import { InputError, NotAllowedError, NotFoundError, UnauthorizedError, UpstreamError } from '../errors';
import { inputErrorFrom } from '../http/errors';
import { checkParams } from '../http/params';
import { remoteClient } from '../graph/limits';
import { KubeApiError } from '../istio/kubeClient';
import { followLimiter, type FollowLimiter } from './follows';
import { pipeLogEvents } from './stream';
import { podsOfWorkload } from './pods';

export interface LogsRouterDeps {
  auth: Pick<Auth, 'podLogs' | 'requireReadable' | 'istioClient'>;
  /** Bounds of one response (defaults: LOG_LIMITS). */
  maxLines?: number;
  maxFollowMs?: number;
  /** Follows one client may have open at once (default: no limit). */
  follows?: FollowLimiter;
  /** Who a follow counts against (app.ts: the signed-in user's name, else the remote address). */
  clientOf?: (req: Request) => string;
}

/** The API server's refusal as the console's error, naming what was asked. */
function logError(err: unknown, what: string): unknown {
  if (!(err instanceof KubeApiError)) return err;
  if (err.status === 404) return new NotFoundError(`${what}: ${err.message}`);
  if (err.status === 401)
    return new UnauthorizedError(
      `${what}: the API server no longer accepts these credentials; sign in again`,
    );
  if (err.status === 403)
    return new NotAllowedError(`${what}: ${err.message}`, {
      refusedBy: 'kubernetes',
      kubernetesMessage: err.message,
    } satisfies ForbiddenDetails);
  if (err.status === 400 || err.status === 422) {
    // The container is the usual culprit (missing with several containers, or not in the pod).
    const param = /container/.test(err.message) ? 'container' : 'query';
    return new InputError(`${param}: ${err.message}`, { issues: [{ param, message: err.message }] });
  }
  return new UpstreamError(`${what}: ${err.message}`, err.status === 0 || err.status >= 503);
}

export function logsRouter(deps: LogsRouterDeps): Router {
  const router = checkParams(express.Router());
  const maxLines = deps.maxLines ?? LOG_LIMITS.maxLinesPerResponse;
  const maxFollowMs = deps.maxFollowMs ?? LOG_LIMITS.maxFollowSeconds * 1000;
  const follows = deps.follows ?? followLimiter(0);
  const clientOf = deps.clientOf ?? remoteClient;
  router.get(POD_LOGS_ROUTE, async (req, res) => {
    const parsed = PodLogsQuerySchema.safeParse(req.query);
    if (!parsed.success) throw inputErrorFrom(parsed.error);
    const namespace = String(req.params.namespace);
    const pod = String(req.params.name);
    const q = parsed.data;
    await deps.auth.requireReadable(req, [namespace]);
    const follow = q.follow ?? false;
    // A follow holds its place until its response closes, whoever ends it (the client, the cluster, a bound).
    const release = follow ? follows.acquire(clientOf(req)) : () => undefined;
    res.once('close', release);
    try {
      await streamLog(req, res, namespace, pod, q, follow);
    } finally {
      release();
    }
  });
  /** Asks the cluster for the log and streams it as events; resolves when the response is done. */
  async function streamLog(
    req: Request,
    res: express.Response,
    namespace: string,
    pod: string,
    q: PodLogsQuery,
    follow: boolean,
  ) {
    const abort = new AbortController();
    const stop = () => abort.abort();
    res.once('close', stop);
    const what = `the log of pod ${namespace}/${pod}${q.container ? ` container ${q.container}` : ''}`;
    let upstream;
    try {
      upstream = await deps.auth.podLogs(
        req,
        {
          namespace,
          pod,
          ...(q.container ? { container: q.container } : {}),
          ...(q.sinceSeconds !== undefined ? { sinceSeconds: q.sinceSeconds } : {}),
          tailLines: q.tailLines ?? LOG_LIMITS.defaultTailLines,
          follow,
        },
        abort.signal,
      );
    } catch (err) {
      if (abort.signal.aborted) return;
      throw logError(err, what);
    }
    res.status(200);
    res.set({
      'Content-Type': `${LOG_STREAM_CONTENT_TYPE}; charset=utf-8`,
      'Cache-Control': 'no-store',
      // Proxies (nginx) must pass followed lines on as they come.
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    await pipeLogEvents(upstream, res, { maxLines, maxMs: maxFollowMs, follow }, stop);
    res.end();
  }
  router.get(WORKLOAD_PODS_ROUTE, async (req, res) => {
    const namespace = String(req.params.namespace);
    const workload = String(req.params.name);
    await deps.auth.requireReadable(req, [namespace]);
    let pods;
    try {
      pods = await deps.auth.istioClient(req).list('v1', 'Pod', namespace);
    } catch (err) {
      throw logError(err, `the pods of namespace ${namespace}`);
    }
    const body: WorkloadPodsResponse = { pods: podsOfWorkload(pods, workload) };
    res.json(body);
  });
  return router;
}
