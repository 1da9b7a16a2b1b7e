/**
 * Kubernetes API clients with deadlines. client-node 1.x sends every request through node-fetch without a
 * signal, and its Watch waits 30 s for headers, then forever for events: a hung API server would hang
 * every caller with it. Here each request of the generated clients gets an AbortSignal (the request and
 * the reading of its body), and each watch a deadline to connect and a bound on silence.
 */
import {
  createConfiguration,
  KubernetesObjectApi,
  ResponseContext,
  ServerConfiguration,
  type KubeConfig,
  type RequestContext,
  type Watch,
  wrapHttpLibrary,
} from '@kubernetes/client-node';
import fetch, { Headers } from 'node-fetch';

/** Default deadline of one Kubernetes request, ms. */
export const DEFAULT_KUBE_TIMEOUT_MS = 10_000;
/** Default `timeoutSeconds` of a watch request (the API server then ends it; the informer resumes it). */
export const DEFAULT_WATCH_TIMEOUT_MS = 300_000;

/** The API server did not answer (or did not finish answering) in time. */
export class KubeTimeoutError extends Error {
  override name = 'KubeTimeoutError';
  /** A network-style code, so callers that sort errors by `code` see a transport failure. */
  readonly code = 'ETIMEDOUT';
  constructor(
    readonly timeoutMs: number,
    what: string,
  ) {
    super(`the Kubernetes API did not answer ${what} within ${timeoutMs} ms`);
  }
}

const describe = (method: string, url: string) => {
  try {
    return `${method} ${new URL(url).pathname}`;
  } catch {
    return method;
  }
};

/**
 * client-node's HTTP library (node-fetch, the agent with the cluster's TLS) with a deadline per request.
 * `extraHeaders` are added to every request, a line each (e.g. one `Impersonate-Group` per group).
 */
export function timeoutHttpLibrary(timeoutMs: number, extraHeaders: readonly [string, string][] = []) {
  return wrapHttpLibrary({
    async send(request: RequestContext): Promise<ResponseContext> {
      const method = request.getHttpMethod().toString();
      const signal = AbortSignal.timeout(timeoutMs);
      const sent = new Headers(request.getHeaders());
      for (const [name, value] of extraHeaders) sent.append(name, value);
      try {
        const res = await fetch(request.getUrl(), {
          method,
          body: request.getBody() as string | undefined,
          headers: sent,
          agent: request.getAgent() as never,
          signal,
        });
        // The body is read under the same deadline: an API server can hang after the headers too.
        const body = await res.buffer();
        const headers: Record<string, string> = {};
        res.headers.forEach((value, name) => {
          headers[name] = value;
        });
        return new ResponseContext(res.status, headers, {
          text: async () => body.toString('utf8'),
          binary: async () => body,
        });
      } catch (err) {
        if (signal.aborted) throw new KubeTimeoutError(timeoutMs, describe(method, request.getUrl()));
        throw err;
      }
    },
  });
}

type Middleware = {
  pre: (ctx: RequestContext) => Promise<RequestContext>;
  post: (res: ResponseContext) => Promise<ResponseContext>;
};

/**
 * Asks for `fieldValidation=Strict` on writes (POST, PUT, PATCH), as kubectl does by default since
 * Kubernetes 1.27: the API server refuses an unknown field (400, naming it) instead of silently dropping it
 * — on dry runs too, so a preview never shows a field the cluster would not keep.
 */
export const strictFieldValidation: Middleware = {
  pre: (ctx) => {
    if (['POST', 'PUT', 'PATCH'].includes(ctx.getHttpMethod()))
      ctx.setQueryParam('fieldValidation', 'Strict');
    return Promise.resolve(ctx);
  },
  post: (res) => Promise.resolve(res),
};

/** `kc.makeApiClient(Api)` whose requests time out after `timeoutMs` (and carry `headers`). */
export function makeApiClient<T>(
  kc: KubeConfig,
  api: new (config: ReturnType<typeof createConfiguration>) => T,
  timeoutMs: number = DEFAULT_KUBE_TIMEOUT_MS,
  middleware: Middleware[] = [],
  headers?: readonly [string, string][],
): T {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  return new api(
    createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: kc },
      httpApi: timeoutHttpLibrary(timeoutMs, headers),
      promiseMiddleware: middleware,
    }),
  );
}

class ObjectApi extends KubernetesObjectApi {
  /** KubernetesObjectApi.makeApiClient (default namespace from the context) with request deadlines. */
  static make(
    kc: KubeConfig,
    timeoutMs: number,
    middleware: Middleware[],
    headers?: readonly [string, string][],
  ): KubernetesObjectApi {
    const api = makeApiClient(kc, ObjectApi, timeoutMs, middleware, headers);
    api.setDefaultNamespace(kc);
    return api;
  }
}

/** KubernetesObjectApi.makeApiClient (default namespace from the context) with request deadlines. */
export const makeObjectApi = (
  kc: KubeConfig,
  timeoutMs: number = DEFAULT_KUBE_TIMEOUT_MS,
  middleware: Middleware[] = [],
  headers?: readonly [string, string][],
) => ObjectApi.make(kc, timeoutMs, middleware, headers);

type WatchCallback = (phase: string, apiObj: unknown, watchObj?: unknown) => void;
type WatchQuery = Record<string, string | number | boolean | undefined>;

/** A watch that ended because the API server went silent. */
export class WatchStalledError extends Error {
  override name = 'WatchStalledError';
  readonly code = 'ETIMEDOUT';
}

export interface GuardedWatchOptions {
  /** Deadline for the API server to answer the watch request (headers), ms. */
  connectTimeoutMs: number;
  /**
   * Sent as `timeoutSeconds`: the API server ends the watch after it and the informer resumes from the last
   * resourceVersion. A watch that delivers nothing and does not end for this long plus connectTimeoutMs is
   * taken as hung: it is aborted and reported as an error (the informer then restarts it with backoff).
   */
  watchTimeoutMs: number;
  /** Transforms each object before the ListWatch stores it (except ERROR and BOOKMARK events). */
  map?: (phase: string, obj: unknown) => unknown;
}

/**
 * client-node's Watch with deadlines, in the shape ListWatch calls. `watch()` resolves once the request is
 * open or has failed, and never later than connectTimeoutMs; `done` is called exactly once.
 */
export function guardedWatch(watch: Watch, options: GuardedWatchOptions): Watch {
  const seconds = Math.max(1, Math.round(options.watchTimeoutMs / 1000));
  const silenceMs = seconds * 1000 + options.connectTimeoutMs;
  return {
    watch(path: string, query: WatchQuery, callback: WatchCallback, done: (err: unknown) => void) {
      let finished = false;
      let real: AbortController | undefined;
      let timer: NodeJS.Timeout | undefined;
      let settle: (() => void) | undefined;
      const opened = new Promise<void>((resolve) => (settle = resolve));
      const finish = (err: unknown) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        real?.abort();
        settle?.();
        done(err);
      };
      let armed = 0;
      const arm = (ms: number, message: string) => {
        clearTimeout(timer);
        const generation = ++armed;
        // When the timer fires, let the I/O that is already waiting be read first (setImmediate runs after
        // the poll phase): after the event loop was busy for a while (a large validation, a GC), the
        // answer may have arrived in time and only not been read yet.
        timer = setTimeout(
          () =>
            setImmediate(() => {
              if (generation === armed) finish(new WatchStalledError(message));
            }),
          ms,
        );
        timer.unref?.();
      };
      const controller = {
        abort() {
          finished = true;
          clearTimeout(timer);
          real?.abort();
          settle?.();
        },
        signal: undefined,
      } as unknown as AbortController;
      arm(
        options.connectTimeoutMs,
        `the Kubernetes API did not answer the watch of ${path} within ${options.connectTimeoutMs} ms`,
      );
      const silent = `the watch of ${path} delivered nothing and did not end for ${silenceMs} ms`;
      watch
        .watch(
          path,
          { ...query, timeoutSeconds: seconds },
          (phase, obj, w) => {
            if (finished) return;
            arm(silenceMs, silent);
            callback(
              phase,
              options.map && phase !== 'ERROR' && phase !== 'BOOKMARK' ? options.map(phase, obj) : obj,
              w,
            );
          },
          (err) => finish(err),
        )
        .then(
          (c) => {
            real = c;
            if (finished) c.abort();
            else arm(silenceMs, silent);
            settle?.();
          },
          (err: unknown) => finish(err),
        );
      return opened.then(() => controller);
    },
  } as unknown as Watch;
}
