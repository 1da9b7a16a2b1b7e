/**
 * Sign-in, sessions, per-user Kubernetes clients and access reviews, for the rest of the server:
 * - `middleware` (on `/api`): finds who the request acts as (the strategy), answers 401 without sign-in
 *   (except the auth routes), 403 to any write of a view-only console, and checks the CSRF token of writes
 *   made with a session cookie;
 * - `router`: `/api/auth/info`, `/login`, `/logout`, `/can-i`, and with `openid` `/openid/login`, `/openid/callback`
 *   (./openid.ts);
 * - `istioClient(req)`, `readable(req, namespaces)`, `requireReadable(req, namespaces)`: what routes use,
 *   whatever the strategy;
 * - `errors`: a 403 of the API server answered with who was refused.
 */
import {
  accessMessage,
  AUTH_ROUTES,
  CanIRequestSchema,
  CSRF_HEADER,
  LoginRequestSchema,
  type AccessResult,
  type AuthInfoResponse,
  type AuthStrategyName,
  type ForbiddenDetails,
  type LogoutResponse,
} from '@meshlens/contract';
import express, {
  type CookieOptions,
  type ErrorRequestHandler,
  type Request,
  type RequestHandler,
  type Response,
  type Router,
} from 'express';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config';
import { HttpError, InputError, NotAllowedError, UnauthorizedError, UpstreamError } from '../errors';
import { inputErrorFrom } from '../http/errors';
import { KubeApiError, type IstioKubeClient } from '../istio/kubeClient';
import { accessReviews, isReadable, type AccessReviews, type Readable } from './access';
import type { Readable as NodeReadable } from 'node:stream';
import { credentialKey, type ClusterAccess, type PodLogRequest } from './cluster';
import { flowNotice, openidSignIn, type Openid, type OpenidSettings } from './openid';
import { proxyMatcher, type ProxyMatcher } from './proxies';
import { MAX_CHUNKS, SESSION_COOKIE, sessionCookies, type SessionSealer } from './session';
import {
  anonymousStrategy,
  headerStrategy,
  identityCache,
  isPrincipal,
  tokenStrategy,
  type AuthStrategy,
  type Principal,
} from './strategies';

export type { Principal } from './strategies';
export { clusterAccess, type ClusterAccess, type Credentials, type PodLogRequest } from './cluster';
export { sessionSealer, loadSessionSecrets, type SessionSealer } from './session';
export { proxyMatcher } from './proxies';
export { isReadable, type Readable } from './access';

export interface AuthSettings {
  strategy: 'anonymous' | 'token' | 'openid' | 'header';
  viewOnly: boolean;
  sessionTtlMs: number;
  accessCacheTtlMs: number;
  trustedProxies: readonly string[];
  header: { impersonate: boolean; userHeader: string; groupsHeader: string; logoutUrl?: string };
  /** Strategy openid (issuer and client id are required then: the config checks). */
  openid?: OpenidSettings;
  basePath: string;
}

export interface AuthDeps {
  settings: AuthSettings;
  cluster: ClusterAccess;
  /** Seals session cookies (strategies with sessions). */
  sealer: SessionSealer;
  logger: Logger;
  now?: () => number;
}

export interface Auth {
  readonly strategy: AuthStrategyName;
  readonly viewOnly: boolean;
  readonly trustedProxies: ProxyMatcher;
  /** On `${base}/api`: authenticate, 401 without sign-in, view-only and CSRF checks of writes. */
  middleware: RequestHandler;
  /** The `/api/auth/*` routes (mount at the base path). */
  router: Router;
  principalOf(req: Request): Principal | undefined;
  /** The Istio objects client with the request's own credentials. */
  istioClient(req: Request): IstioKubeClient;
  /** A container's log stream, read with the request's own credentials (cluster.ts podLogs). */
  podLogs(req: Request, request: PodLogRequest, signal: AbortSignal): Promise<NodeReadable>;
  /** Which of `namespaces` the request's user may read. */
  readable(req: Request, namespaces: readonly string[]): Promise<Readable>;
  /** 403 naming the first of `namespaces` the user may not read. */
  requireReadable(req: Request, namespaces: readonly string[]): Promise<void>;
  /** Error middleware (before the error handler): who was refused, on a 403 or 401 of the API server. */
  errors: ErrorRequestHandler;
  reviews: AccessReviews;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Routes under /api that need no sign-in (relative to /api). */
const OPEN = new Set([
  '/auth/info',
  '/auth/login',
  '/auth/logout',
  AUTH_ROUTES.openidLogin.slice('/api'.length),
  AUTH_ROUTES.openidCallback.slice('/api'.length),
]);
/** Routes under /api a view-only console still takes with POST (they change nothing in the cluster). */
const NOT_WRITES = new Set(['/auth/login', '/auth/logout', '/auth/can-i']);

const principals = new WeakMap<Request, Principal>();
const refusals = new WeakMap<Request, string>();

export function createAuth(deps: AuthDeps): Auth {
  const { settings, cluster, sealer, logger } = deps;
  const now = deps.now ?? Date.now;
  const trusted = proxyMatcher(settings.trustedProxies);
  const whoami = identityCache(cluster, settings.accessCacheTtlMs, now);
  const reviews = accessReviews(cluster, { ttlMs: settings.accessCacheTtlMs, now });
  if (settings.strategy === 'openid' && !settings.openid)
    throw new Error('auth.strategy openid needs auth.openid.issuerUrl and auth.openid.clientId');
  const strategy: AuthStrategy =
    settings.strategy === 'token'
      ? tokenStrategy(sealer, whoami)
      : settings.strategy === 'openid'
        ? tokenStrategy(sealer, whoami, {
            name: 'openid',
            signInMessage: `Sign in with ${settings.openid?.providerName ?? new URL(settings.openid?.issuerUrl ?? 'http://x').host}.`,
            notice: (req) => flowNotice(sealer, req),
          })
        : settings.strategy === 'header'
          ? headerStrategy({ ...settings.header, trustedProxies: trusted }, whoami)
          : anonymousStrategy(cluster, { ttlMs: Math.max(settings.accessCacheTtlMs, 60_000), now });
  if ((settings.strategy === 'token' || settings.strategy === 'openid') && sealer.ephemeral)
    logger.warn(
      `auth.strategy ${settings.strategy} without auth.sessionKey or auth.sessionKeyFile: sessions end when the console restarts and do not work across replicas`,
    );
  if (settings.strategy === 'header' && settings.header.impersonate && trusted.empty)
    logger.warn('auth.header.impersonate without auth.trustedProxies: every request will be refused (401)');

  const principalOf = (req: Request) => principals.get(req);
  const identityDetails = (req: Request) => {
    const p = principalOf(req);
    return p ? { identity: p.identity } : {};
  };
  const who = (req: Request) => {
    const p = principalOf(req);
    if (!p) return 'this request';
    return p.strategy === 'anonymous'
      ? `the console's identity (${p.identity.username})`
      : p.identity.username;
  };

  const cookieOptions = (req: Request): CookieOptions => ({
    httpOnly: true,
    sameSite: 'strict',
    // req.secure honours X-Forwarded-Proto only from auth.trustedProxies (trust proxy, set in app.ts).
    secure: req.secure,
    path: settings.basePath || '/',
  });
  /** Clears the session's cookies, but for those named in `keep` (about to be set anew). */
  const clearSession = (req: Request, res: Response, keep: ReadonlySet<string> = new Set()) => {
    const o = cookieOptions(req);
    for (let i = 0; i < MAX_CHUNKS; i++) {
      const name = i === 0 ? SESSION_COOKIE : `${SESSION_COOKIE}.${i}`;
      if (!keep.has(name)) res.clearCookie(name, o);
    }
  };

  const infoOf = (req: Request, message?: string): AuthInfoResponse => {
    const p = principalOf(req);
    const base = {
      strategy: strategy.name,
      viewOnly: settings.viewOnly,
      canSignOut: strategy.signOut !== 'none',
      ...(strategy.logoutUrl ? { logoutUrl: strategy.logoutUrl } : {}),
      ...(openid ? { provider: openid.provider } : {}),
    };
    if (!p) return { ...base, authenticated: false, ...(message ? { message } : {}) };
    return {
      ...base,
      authenticated: true,
      identity: p.identity,
      identitySource: p.identitySource,
      via: p.via,
      ...(p.session
        ? {
            sessionExpiresAt: new Date(p.session.expiresAt).toISOString(),
            csrfToken: sealer.csrfToken(p.session),
          }
        : {}),
      // A script with a bearer token has nothing to sign out of.
      canSignOut: p.via === 'session' || (p.via === 'proxy' && strategy.signOut === 'proxy'),
    };
  };

  const middleware: RequestHandler = async (req, _res, next) => {
    try {
      const found = await strategy.authenticate(req);
      if (isPrincipal(found)) principals.set(req, found);
      else refusals.set(req, found.message);
      if (OPEN.has(req.path)) return next();
      const p = principalOf(req);
      if (!p)
        return next(new UnauthorizedError(found && !isPrincipal(found) ? found.message : 'Sign in first.'));
      if (SAFE.has(req.method) || NOT_WRITES.has(req.path)) {
        return next();
      }
      if (settings.viewOnly)
        return next(
          new NotAllowedError('The console is view-only (viewOnly): it makes no change to the cluster.', {
            refusedBy: 'viewOnly',
            identity: p.identity,
          } satisfies ForbiddenDetails),
        );
      if (p.via === 'session') checkCsrf(req, p);
      next();
    } catch (err) {
      next(authError(err));
    }
  };

  const checkCsrf = (req: Request, p: Principal) => {
    const presented = req.get(CSRF_HEADER);
    if (!p.session || !sealer.checkCsrf(p.session, presented))
      throw new NotAllowedError(
        `${req.method} ${req.originalUrl.split('?')[0]}: ${presented ? 'the' : 'no'} ${CSRF_HEADER} header ${presented ? 'does not match this session' : 'was sent'}; writes with a session cookie need the token of /api/auth/info`,
        { refusedBy: 'console', identity: p.identity } satisfies ForbiddenDetails,
      );
  };

  /** A Kubernetes failure of sign-in itself: not an authentication verdict, a dependency problem. */
  const authError = (err: unknown): unknown => {
    if (!(err instanceof KubeApiError)) return err;
    if (err.status === 401) return new UnauthorizedError('The API server did not accept these credentials.');
    return new UpstreamError(
      `Kubernetes could not check who this request is: ${err.message}`,
      err.status === 0 || err.status >= 503,
    );
  };

  /**
   * Checks `token` with the API server (who is it?) and seals it in the session cookies: the token
   * strategy's pasted token, the openid strategy's ID token. Expiry: the token's own, at most sessionTtlMs.
   */
  const signInWith = async (req: Request, res: Response, token: string) => {
    let me;
    try {
      me = await cluster.whoami({ kind: 'token', token });
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 401)
        throw new UnauthorizedError('The API server did not accept this token.');
      if (err instanceof KubeApiError && err.status === 403)
        throw new NotAllowedError(
          `The API server accepted this token but will not say whose it is: ${err.message}`,
        );
      throw authError(err);
    }
    const { jwe, session } = await sealer.seal(
      { identity: me.identity, token, source: me.source },
      settings.sessionTtlMs,
    );
    if (session.expiresAt <= now()) throw new UnauthorizedError('This token has expired.');
    const cookies = sessionCookies(jwe);
    // Chunks of an earlier, larger session go; the new ones replace the rest.
    clearSession(req, res, new Set(cookies.map(([name]) => name)));
    const o = cookieOptions(req);
    for (const [name, value] of cookies)
      res.cookie(name, value, { ...o, expires: new Date(session.expiresAt) });
    const credentials = { kind: 'token' as const, token };
    principals.set(req, {
      strategy: strategy.name,
      identity: me.identity,
      identitySource: me.source,
      credentials,
      via: 'session',
      session,
      key: credentialKey(credentials),
    });
    logger.info({ user: me.identity.username, strategy: strategy.name }, 'signed in');
  };

  const openid: Openid | undefined =
    settings.strategy === 'openid' && settings.openid
      ? openidSignIn({
          settings: settings.openid,
          sealer,
          basePath: settings.basePath,
          logger,
          cookieOptions,
          signIn: signInWith,
        })
      : undefined;

  const router = express.Router();
  const json = express.json({ limit: '32kb' });
  if (openid) router.use(openid.router);
  router.get(AUTH_ROUTES.info, (req, res) => {
    res.json(infoOf(req, refusals.get(req)));
  });
  router.post(AUTH_ROUTES.login, json, async (req, res) => {
    if (strategy.name !== 'token')
      throw new InputError(
        `this console signs people in with strategy ${strategy.name}; ${AUTH_ROUTES.login} takes tokens with strategy token only`,
      );
    const parsed = LoginRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw inputErrorFrom(parsed.error, 'body');
    await signInWith(req, res, parsed.data.token.replace(/^Bearer\s+/i, ''));
    res.json(infoOf(req));
  });
  router.post(AUTH_ROUTES.logout, async (req, res) => {
    const p = principalOf(req);
    if (p?.via === 'session') logger.info({ user: p.identity.username }, 'signed out');
    clearSession(req, res);
    // The provider's own session ends at its end_session_endpoint (told the ID token it issued).
    const logoutUrl = openid
      ? await openid.logoutUrl(req, p?.via === 'session' ? p.session?.token : undefined)
      : strategy.logoutUrl;
    const body: LogoutResponse = {
      signedOut: true,
      ...(logoutUrl ? { logoutUrl } : {}),
    };
    res.json(body);
  });
  router.post(AUTH_ROUTES.canI, json, async (req, res) => {
    const p = principalOf(req);
    if (!p) throw new UnauthorizedError('Sign in first.');
    const parsed = CanIRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw inputErrorFrom(parsed.error, 'body');
    const results = await Promise.all(
      parsed.data.checks.map(async (check): Promise<AccessResult> => {
        if (settings.viewOnly && !SAFE_VERBS.has(check.verb))
          return {
            ...check,
            allowed: false,
            message: 'The console is view-only: it makes no change to the cluster.',
          };
        let d;
        try {
          d = await reviews.canI(p.credentials, { ...check, namespace: check.namespace });
        } catch (err) {
          throw authError(err);
        }
        return {
          ...check,
          allowed: d.allowed,
          message: accessMessage(check, d.allowed),
          ...(d.reason ? { reason: d.reason } : {}),
        };
      }),
    );
    res.json({ results });
  });

  const readable = async (req: Request, namespaces: readonly string[]) => {
    const p = principalOf(req);
    if (!p) throw new UnauthorizedError('Sign in first.');
    try {
      return await reviews.readable(p.credentials, namespaces);
    } catch (err) {
      throw authError(err);
    }
  };

  return {
    strategy: strategy.name,
    viewOnly: settings.viewOnly,
    trustedProxies: trusted,
    middleware,
    router,
    principalOf,
    reviews,
    istioClient(req) {
      const p = principalOf(req);
      if (!p) throw new UnauthorizedError('Sign in first.');
      return cluster.istioClient(p.credentials);
    },
    podLogs(req, request, signal) {
      const p = principalOf(req);
      if (!p) throw new UnauthorizedError('Sign in first.');
      if (!cluster.podLogs) throw new UpstreamError('this console has no Kubernetes access to read logs');
      return cluster.podLogs(p.credentials, request, signal);
    },
    readable,
    async requireReadable(req, namespaces) {
      const r = await readable(req, namespaces);
      const hidden = namespaces.filter((n) => !isReadable(r, n));
      if (hidden.length)
        throw new NotAllowedError(
          `You may not read namespace${hidden.length > 1 ? 's' : ''} ${hidden.slice(0, 10).join(', ')} (${who(req)} may not list its pods, services and deployments)`,
          { refusedBy: 'console', ...identityDetails(req) } satisfies ForbiddenDetails,
        );
    },
    errors: (err, req, _res, next) => {
      if (err instanceof HttpError && err.status === 403 && isKubeRefusal(err.details)) {
        const d = err.details as ForbiddenDetails;
        return next(
          new HttpError(
            err.name,
            403,
            `Kubernetes refused ${who(req)}: ${d.kubernetesMessage ?? err.message}`,
            {
              ...d,
              ...identityDetails(req),
            },
          ),
        );
      }
      if (err instanceof HttpError && err.status === 401 && strategy.name === 'anonymous')
        // The console's own credentials were refused: no sign-in can help, it is the console's setup.
        return next(
          new UpstreamError(`The API server does not accept the console's own credentials: ${err.message}`),
        );
      next(err);
    },
  };
}

const SAFE_VERBS = new Set(['get', 'list', 'watch']);

const isKubeRefusal = (d: unknown) =>
  typeof d === 'object' && d !== null && (d as { refusedBy?: unknown }).refusedBy === 'kubernetes';

/** `auth.strategy`, defaulted: token in a cluster (a ServiceAccount in the pod), anonymous elsewhere. */
export function resolveStrategy(configured: AuthSettings['strategy'] | undefined): AuthSettings['strategy'] {
  return configured ?? (process.env.KUBERNETES_SERVICE_HOST ? 'token' : 'anonymous');
}

/** The auth settings of the server's config (strategy defaulted, see resolveStrategy). */
export function authSettings(config: ServerConfig): AuthSettings {
  const a = config.auth;
  return {
    strategy: resolveStrategy(a.strategy),
    viewOnly: config.viewOnly,
    sessionTtlMs: a.sessionTtlMs,
    accessCacheTtlMs: a.accessCacheTtlMs,
    trustedProxies: a.trustedProxies,
    header: a.header,
    ...(a.openid.issuerUrl && a.openid.clientId
      ? {
          openid: {
            issuerUrl: a.openid.issuerUrl,
            clientId: a.openid.clientId,
            ...(a.openid.clientSecret ? { clientSecret: a.openid.clientSecret } : {}),
            scopes: a.openid.scopes,
            ...(a.openid.redirectUrl ? { redirectUrl: a.openid.redirectUrl } : {}),
            ...(a.openid.postLogoutRedirectUrl
              ? { postLogoutRedirectUrl: a.openid.postLogoutRedirectUrl }
              : {}),
            ...(a.openid.providerName ? { providerName: a.openid.providerName } : {}),
            allowInsecureIssuer: a.openid.allowInsecureIssuer,
            timeoutMs: a.openid.timeoutMs,
          },
        }
      : {}),
    basePath: config.basePath,
  };
}
