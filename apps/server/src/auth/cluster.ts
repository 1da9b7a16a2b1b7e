/**
 * Kubernetes clients per user: the cluster's server and CA from the console's kubeconfig with the user's
 * own bearer token (or the console's credentials plus impersonation headers), cached briefly per
 * credential. What the sign-in code asks the API server with them: who am I (SelfSubjectReview, else a
 * TokenReview), may I (SelfSubjectAccessReview).
 */
import { createHash } from 'node:crypto';
import {
  AuthenticationV1Api,
  AuthorizationV1Api,
  KubeConfig,
  type V1SelfSubjectAccessReview,
  type V1SelfSubjectReview,
  type V1TokenReview,
} from '@kubernetes/client-node';
import type { Readable } from 'node:stream';
import type { Identity } from '@meshlens/contract';
import fetch, { Headers } from 'node-fetch';
import { makeApiClient } from '../kubeApi';
import { istioKubeClient, toKubeApiError, KubeApiError, type IstioKubeClient } from '../istio/kubeClient';

/** Whose rights a Kubernetes call uses. */
export type Credentials =
  /** The console's own (its kubeconfig or ServiceAccount): strategy anonymous. */
  | { kind: 'console' }
  /** The user's bearer token. */
  | { kind: 'token'; token: string }
  /** The console's credentials, impersonating a user and groups (strategy header behind a trusted proxy). */
  | { kind: 'impersonate'; user: string; groups: string[] };

/** A stable key per credential that does not hold the secret (a token's SHA-256). */
export function credentialKey(c: Credentials): string {
  if (c.kind === 'console') return 'console';
  if (c.kind === 'token') return `token:${createHash('sha256').update(c.token).digest('base64url')}`;
  return `imp:${JSON.stringify([c.user, [...c.groups].sort()])}`;
}

/** SelfSubjectAccessReview resource attributes; namespace `''` asks about all namespaces. */
export interface AccessAttributes {
  verb: string;
  group: string;
  resource: string;
  namespace: string;
  name?: string;
}

export interface AccessDecision {
  allowed: boolean;
  /** The authorizer's reason or evaluation error, when it gave one. */
  reason?: string;
}

export interface WhoAmI {
  identity: Identity;
  source: 'SelfSubjectReview' | 'TokenReview';
}

export interface ClusterAccess {
  /**
   * Who these credentials are, as the API server says. Throws KubeApiError: 401 when it does not accept
   * them, 0 when it does not answer.
   */
  whoami(credentials: Credentials): Promise<WhoAmI>;
  /** A SelfSubjectAccessReview with these credentials. */
  canI(credentials: Credentials, attributes: AccessAttributes): Promise<AccessDecision>;
  /** The Istio objects client with these credentials (the console's own for `console`). */
  istioClient(credentials: Credentials): IstioKubeClient;
  /** The user name of the console's kubeconfig context (what `anonymous` shows when the API cannot say). */
  consoleUserName(): string | undefined;
  /**
   * A container's log (`GET pods/{pod}/log`, with `timestamps=true`) with these credentials: the body as
   * the API server streams it, open until it ends or `signal` aborts. The API server's refusals throw
   * KubeApiError (400/422 bad options or container, 403, 404); no answer in timeoutMs → status 0.
   * (Optional: access made for tests without a cluster has none.)
   */
  podLogs?(credentials: Credentials, request: PodLogRequest, signal: AbortSignal): Promise<Readable>;
}

export interface PodLogRequest {
  namespace: string;
  pod: string;
  container?: string;
  sinceSeconds?: number;
  tailLines?: number;
  follow?: boolean;
}

export interface ClusterAccessOptions {
  timeoutMs: number;
  /** The console's own Istio client (kept for `console` credentials; tests hook into it). */
  consoleIstioClient?: IstioKubeClient;
  /** How long per-user clients are kept unused, ms (default 5 min). */
  clientTtlMs?: number;
  /** Most per-user client sets kept (default 500). */
  maxClients?: number;
  now?: () => number;
}

interface Clients {
  kc: KubeConfig;
  headers: [string, string][] | undefined;
  authn: AuthenticationV1Api;
  authz: AuthorizationV1Api;
  istio: IstioKubeClient;
  expires: number;
}

/** The console's cluster (server, CA, TLS settings) with the user's token instead of the console's user. */
export function userKubeConfig(console: KubeConfig, token: string): KubeConfig {
  const cluster = console.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser({ ...cluster }, { name: 'meshlens-user', token });
  return kc;
}

/** Impersonation headers (one `Impersonate-Group` line per group, as the API server reads them). */
export function impersonationHeaders(user: string, groups: string[]): [string, string][] {
  return [['Impersonate-User', user], ...groups.map((g): [string, string] => ['Impersonate-Group', g])];
}

const SAR = { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview' } as const;

async function kubeCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toKubeApiError(err);
  }
}

export function clusterAccess(console: KubeConfig, options: ClusterAccessOptions): ClusterAccess {
  const now = options.now ?? Date.now;
  const ttl = options.clientTtlMs ?? 300_000;
  const max = options.maxClients ?? 500;
  const clients = new Map<string, Clients>();

  const make = (c: Credentials): Clients => {
    const kc = c.kind === 'token' ? userKubeConfig(console, c.token) : console;
    const headers = c.kind === 'impersonate' ? impersonationHeaders(c.user, c.groups) : undefined;
    return {
      kc,
      headers,
      authn: makeApiClient(kc, AuthenticationV1Api, options.timeoutMs, [], headers),
      authz: makeApiClient(kc, AuthorizationV1Api, options.timeoutMs, [], headers),
      istio:
        c.kind === 'console' && options.consoleIstioClient
          ? options.consoleIstioClient
          : istioKubeClient(kc, { timeoutMs: options.timeoutMs, headers }),
      expires: 0,
    };
  };
  const clientsFor = (c: Credentials): Clients => {
    const key = credentialKey(c);
    const t = now();
    let entry = clients.get(key);
    if (entry && entry.expires <= t) {
      clients.delete(key);
      entry = undefined;
    }
    if (!entry) {
      for (const [k, v] of clients) if (v.expires <= t) clients.delete(k);
      while (clients.size >= max) clients.delete(clients.keys().next().value as string);
      entry = make(c);
    } else clients.delete(key); // re-inserted below: Map order is least recently used first
    entry.expires = t + ttl;
    clients.set(key, entry);
    return entry;
  };

  async function tokenReview(token: string): Promise<WhoAmI> {
    // With the console's own credentials (it needs `create tokenreviews`).
    const review: V1TokenReview = await kubeCall(() =>
      clientsFor({ kind: 'console' }).authn.createTokenReview({
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
      }),
    );
    if (!review.status?.authenticated)
      throw new KubeApiError(401, review.status?.error || 'the token was not accepted', 'Unauthorized');
    return {
      identity: { username: review.status.user?.username ?? '', groups: review.status.user?.groups ?? [] },
      source: 'TokenReview',
    };
  }

  return {
    async whoami(c) {
      try {
        const review: V1SelfSubjectReview = await kubeCall(() =>
          clientsFor(c).authn.createSelfSubjectReview({
            body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
          }),
        );
        const user = review.status?.userInfo;
        return {
          identity: { username: user?.username ?? '', groups: user?.groups ?? [] },
          source: 'SelfSubjectReview',
        };
      } catch (err) {
        // Clusters before 1.28 serve no SelfSubjectReview: ask with a TokenReview instead.
        if (err instanceof KubeApiError && err.status === 404 && c.kind === 'token')
          return tokenReview(c.token);
        throw err;
      }
    },
    async canI(c, a) {
      const review: V1SelfSubjectAccessReview = await kubeCall(() =>
        clientsFor(c).authz.createSelfSubjectAccessReview({
          body: {
            ...SAR,
            spec: {
              resourceAttributes: {
                verb: a.verb,
                group: a.group,
                resource: a.resource,
                namespace: a.namespace,
                ...(a.name ? { name: a.name } : {}),
              },
            },
          },
        }),
      );
      const s = review.status;
      const reason = s?.reason || s?.evaluationError || undefined;
      return { allowed: s?.allowed === true && s?.denied !== true, ...(reason ? { reason } : {}) };
    },
    istioClient: (c) => clientsFor(c).istio,
    consoleUserName: () => console.getCurrentUser()?.name,
    async podLogs(c, r, signal) {
      const { kc, headers } = clientsFor(c);
      return podLogStream(kc, headers ?? [], r, signal, options.timeoutMs);
    },
  };
}

/** The log request itself (client-node's Log drops the API server's messages, so it is made here). */
async function podLogStream(
  kc: KubeConfig,
  extraHeaders: readonly [string, string][],
  r: PodLogRequest,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<Readable> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new KubeApiError(0, 'the kubeconfig has no current cluster');
  const url = new URL(
    `${cluster.server.replace(/\/+$/, '')}/api/v1/namespaces/${encodeURIComponent(r.namespace)}/pods/${encodeURIComponent(r.pod)}/log`,
  );
  if (r.container) url.searchParams.set('container', r.container);
  if (r.sinceSeconds !== undefined) url.searchParams.set('sinceSeconds', String(r.sinceSeconds));
  if (r.tailLines !== undefined) url.searchParams.set('tailLines', String(r.tailLines));
  if (r.follow) url.searchParams.set('follow', 'true');
  url.searchParams.set('timestamps', 'true');
  const init = await kc.applyToFetchOptions({});
  const headers = new Headers(init.headers as Record<string, string> | undefined);
  for (const [name, value] of extraHeaders) headers.append(name, value);
  // The deadline covers the answer's headers only: a followed log may then stay open for long.
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  let res;
  try {
    res = await fetch(url.toString(), { ...init, method: 'GET', headers, signal: abort.signal } as never);
  } catch (err) {
    signal.removeEventListener('abort', onAbort);
    if (signal.aborted) throw err;
    throw new KubeApiError(
      0,
      abort.signal.aborted
        ? `the Kubernetes API did not answer GET pods/log within ${timeoutMs} ms`
        : `Kubernetes API unreachable: ${(err as Error).message}`,
      abort.signal.aborted ? 'Timeout' : undefined,
    );
  } finally {
    clearTimeout(timer);
  }
  if (!res.ok) {
    signal.removeEventListener('abort', onAbort);
    const text = await res.text().catch(() => '');
    let status: {
      message?: string;
      reason?: string;
      details?: { causes?: { field?: string; message?: string }[] };
    } = {};
    try {
      status = JSON.parse(text) as typeof status;
    } catch {
      /* a proxy's text */
    }
    throw new KubeApiError(
      res.status,
      status.message ?? (text.trim() || `Kubernetes answered ${res.status}`),
      status.reason,
      status.details?.causes ?? [],
    );
  }
  const body = res.body as unknown as Readable;
  body.once('close', () => signal.removeEventListener('abort', onAbort));
  return body;
}
