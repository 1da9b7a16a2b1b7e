/**
 * Sign-in strategies. Each turns a request into a Principal — an identity and the credentials every
 * Kubernetes call made for that request uses — or says why it cannot (the 401's message). Nothing else in
 * the server knows which strategy is in use: routes ask auth/index.ts for the request's Kubernetes client,
 * access reviews and readable namespaces.
 *
 * A strategy that signs people in with a session (token; openid later) seals the user's bearer token in
 * the session cookie (./session.ts) and also takes `Authorization: Bearer …` from scripts.
 */
import type { AuthInfoResponse, AuthStrategyName, Identity } from '@meshlens/contract';
import type { Request } from 'express';
import { parse as parseCookies } from 'cookie';
import { KubeApiError } from '../istio/kubeClient';
import type { ClusterAccess, Credentials, WhoAmI } from './cluster';
import { credentialKey } from './cluster';
import type { ProxyMatcher } from './proxies';
import { sessionFromCookies, type OpenSession, type SessionSealer } from './session';

export interface Principal {
  strategy: AuthStrategyName;
  identity: Identity;
  identitySource: NonNullable<AuthInfoResponse['identitySource']>;
  /** Whose rights the Kubernetes calls made for this request use. */
  credentials: Credentials;
  via: NonNullable<AuthInfoResponse['via']>;
  /** Cookie sessions only. */
  session?: OpenSession;
  /** A stable key for this user (no secret in it): per-user caches and limits. */
  key: string;
}

/** Not signed in, and why (the 401's message). */
export interface NoPrincipal {
  message: string;
}

export interface AuthStrategy {
  readonly name: AuthStrategyName;
  authenticate(req: Request): Promise<Principal | NoPrincipal>;
  /** Users sign out of a session here (token, openid), or at the proxy's logoutUrl (header). */
  readonly signOut: 'session' | 'proxy' | 'none';
  readonly logoutUrl?: string;
}

export const isPrincipal = (p: Principal | NoPrincipal): p is Principal => 'identity' in p;

/** The bearer token of `Authorization: Bearer …`, if any. */
export function bearerOf(req: Request): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

/** Identities by credential, asked of the API server and reused for `ttlMs` (failures are not kept). */
export function identityCache(cluster: ClusterAccess, ttlMs: number, now: () => number = Date.now) {
  const cache = new Map<string, { expires: number; value: Promise<WhoAmI> }>();
  return (c: Credentials): Promise<WhoAmI> => {
    const key = credentialKey(c);
    const t = now();
    const hit = cache.get(key);
    if (hit && hit.expires > t) return hit.value;
    if (cache.size > 5000) for (const [k, v] of cache) if (v.expires <= t) cache.delete(k);
    if (cache.size > 5000) cache.clear();
    const value = cluster.whoami(c);
    cache.set(key, { expires: t + ttlMs, value });
    value.catch(() => {
      if (cache.get(key)?.value === value) cache.delete(key);
    });
    return value;
  };
}

/** A bearer token's principal, or why the API server did not accept it. */
async function bearerPrincipal(
  whoami: (c: Credentials) => Promise<WhoAmI>,
  strategy: AuthStrategyName,
  token: string,
  via: Principal['via'],
): Promise<Principal | NoPrincipal> {
  const credentials: Credentials = { kind: 'token', token };
  try {
    const me = await whoami(credentials);
    return {
      strategy,
      identity: me.identity,
      identitySource: me.source,
      credentials,
      via,
      key: credentialKey(credentials),
    };
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 401)
      return { message: 'The API server did not accept the bearer token of this request.' };
    throw err;
  }
}

/** Everyone acts as the console's own identity. */
export function anonymousStrategy(
  cluster: ClusterAccess,
  options: { ttlMs: number; now?: () => number },
): AuthStrategy {
  const credentials: Credentials = { kind: 'console' };
  const now = options.now ?? Date.now;
  type Known = { identity: Identity; source: Principal['identitySource'] };
  // The console's identity, asked once per ttlMs at most. Requests are served the last one known while a
  // new one is asked (only the first request waits): the identity is shown, it decides nothing.
  let current: Known | undefined;
  let pending: Promise<Known> | undefined;
  let expires = 0;
  const ask = (): Promise<Known> =>
    cluster.whoami(credentials).then(
      (me): Known => ({ identity: me.identity, source: me.source }),
      // The API server cannot say (no SelfSubjectReview, or down): what it said before, else the
      // kubeconfig's user name.
      (): Known =>
        current ?? {
          identity: { username: cluster.consoleUserName() ?? 'the console', groups: [] },
          source: 'kubeconfig',
        },
    );
  const consoleIdentity = async (): Promise<Known> => {
    if (!pending && now() >= expires) {
      expires = now() + options.ttlMs;
      pending = ask().then((k) => {
        current = k;
        pending = undefined;
        return k;
      });
    }
    return current ?? (pending as Promise<Known>);
  };
  return {
    name: 'anonymous',
    signOut: 'none',
    async authenticate() {
      const { identity, source } = await consoleIdentity();
      return {
        strategy: 'anonymous',
        identity,
        identitySource: source,
        credentials,
        via: 'console',
        key: 'console',
      };
    },
  };
}

/** A session cookie (signed in with a pasted token), or `Authorization: Bearer` from a script. */
export function tokenStrategy(
  sealer: SessionSealer,
  whoami: (c: Credentials) => Promise<WhoAmI>,
  options: {
    /** `openid`: the same sessions, holding the ID token the provider issued. */
    name?: 'token' | 'openid';
    /** The 401's message without any session. */
    signInMessage?: string;
    /** Why the last sign-in of this browser failed, if it did (openid: the provider said no). */
    notice?: (req: Request) => Promise<string | undefined>;
  } = {},
): AuthStrategy {
  const name = options.name ?? 'token';
  return {
    name,
    signOut: 'session',
    async authenticate(req) {
      const bearer = bearerOf(req);
      if (bearer) return bearerPrincipal(whoami, name, bearer, 'bearer');
      const opened = await sealer.open(sessionFromCookies(parseCookies(req.headers.cookie ?? '')));
      if (!opened.ok) {
        const notice = await options.notice?.(req);
        return {
          message:
            notice ??
            (opened.reason === 'expired'
              ? 'Your session expired; sign in again.'
              : opened.reason === 'invalid'
                ? 'Your session cookie is not valid here (the console’s session key changed?); sign in again.'
                : (options.signInMessage ?? 'Sign in with a Kubernetes bearer token.')),
        };
      }
      const s = opened.session;
      const credentials: Credentials = { kind: 'token', token: s.token };
      return {
        strategy: name,
        identity: s.identity,
        identitySource: s.source,
        credentials,
        via: 'session',
        session: s,
        key: credentialKey(credentials),
      };
    },
  };
}

export interface HeaderStrategyOptions {
  impersonate: boolean;
  userHeader: string;
  groupsHeader: string;
  logoutUrl?: string;
  trustedProxies: ProxyMatcher;
}

/**
 * Behind an authenticating proxy: the proxy passes the user's bearer token (`Authorization`), or — with
 * `impersonate` — names the user and groups in headers, believed only from a trusted proxy address; the
 * console then calls Kubernetes with its own credentials and impersonation headers.
 */
export function headerStrategy(
  options: HeaderStrategyOptions,
  whoami: (c: Credentials) => Promise<WhoAmI>,
): AuthStrategy {
  const userHeader = options.userHeader.toLowerCase();
  const groupsHeader = options.groupsHeader.toLowerCase();
  return {
    name: 'header',
    signOut: options.logoutUrl ? 'proxy' : 'none',
    ...(options.logoutUrl ? { logoutUrl: options.logoutUrl } : {}),
    async authenticate(req) {
      if (!options.impersonate) {
        const bearer = bearerOf(req);
        if (!bearer)
          return {
            message:
              'The authenticating proxy passed no Authorization: Bearer header; open the console through the proxy.',
          };
        return bearerPrincipal(whoami, 'header', bearer, 'proxy');
      }
      const peer = req.socket.remoteAddress ?? '';
      if (!options.trustedProxies.trusts(peer))
        return {
          message: `This request did not come through a trusted proxy (from ${peer || 'an unknown address'}); open the console through the authenticating proxy.`,
        };
      const user = req.headers[userHeader];
      const username = (Array.isArray(user) ? user[0] : user)?.trim();
      if (!username) return { message: `The authenticating proxy named no user (${options.userHeader}).` };
      const raw = req.headers[groupsHeader];
      const groups = [
        ...new Set(
          (Array.isArray(raw) ? raw : raw ? [raw] : [])
            .flatMap((g) => g.split(','))
            .map((g) => g.trim())
            .filter(Boolean),
        ),
      ];
      const credentials: Credentials = { kind: 'impersonate', user: username, groups };
      return {
        strategy: 'header',
        identity: { username, groups },
        identitySource: 'proxy',
        credentials,
        via: 'proxy',
        key: credentialKey(credentials),
      };
    },
  };
}
