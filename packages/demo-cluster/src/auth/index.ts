/**
 * Authentication and authorization for the emulator, wired as a real API server's filters: authenticate
 * (static tokens, ServiceAccount tokens, OIDC; anonymous), impersonate, authorize (RBAC), then serve. Also
 * the review APIs, TokenRequest, the bootstrap RBAC policy, ClusterRole aggregation, escalation checks on
 * RBAC writes and the token controller for service-account-token Secrets.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWK } from 'jose';
import type { Cluster } from '../cluster';
import { methodNotAllowed } from '../errors';
import { send, type Target } from '../http';
import { parseObjectBody, readRawBody } from '../negotiate';
import { RbacAdmission } from '../rbac/admission';
import { RoleAggregator } from '../rbac/aggregation';
import { forbidden, RbacAuthorizer, type AuthorizationMode } from '../rbac/authorizer';
import { ensureBootstrapPolicy } from '../rbac/bootstrap';
import { AUTHENTICATION_GROUP, AUTHORIZATION_GROUP, REVIEW_KINDS } from '../rbac/kinds';
import { Authenticator } from './authenticator';
import { asSystem, currentRequest, runAs } from './context';
import { impersonate } from './impersonation';
import { OidcAuthenticator, type OidcOptions } from './oidc';
import { requestAttributes } from './requestinfo';
import { review } from './reviews';
import { DEFAULT_ISSUER, SA_TOKEN_SECRET_TYPE, ServiceAccountTokens } from './serviceaccounts';
import { readTokenFile, StaticTokens, type StaticToken } from './tokens';
import { tokenRequest } from './tokenrequest';
import { anonymousUser, SYSTEM_MASTERS } from './user';

export type { OidcOptions } from './oidc';
export type { StaticToken } from './tokens';
export type { AuthorizationMode } from '../rbac/authorizer';

/** The user the generated kubeconfig signs in as (a member of `system:masters`, as kind's and kubeadm's). */
export const ADMIN_USER = 'kubernetes-admin';

export interface AuthOptions {
  /** `RBAC` (default) or `AlwaysAllow` (any authenticated or anonymous request may do anything). */
  authorizationMode?: AuthorizationMode;
  /** Requests without a token act as `system:anonymous` (default true); false: they get 401. */
  anonymous?: boolean;
  /** Static token users, as in kube-apiserver's `--token-auth-file`. */
  tokens?: StaticToken[];
  /** A `--token-auth-file` CSV file: `token,user,uid,"group1,group2"`. */
  tokenAuthFile?: string;
  /** The kubeconfig's token (user kubernetes-admin, group system:masters); default random, kept in state. */
  adminToken?: string;
  /** Issuer of ServiceAccount tokens (default https://kubernetes.default.svc.cluster.local). */
  serviceAccountIssuer?: string;
  /** The API server's audiences (default: the issuer). */
  apiAudiences?: string[];
  /** Trust ID tokens of an OpenID Connect provider (kube-apiserver's --oidc-* flags). */
  oidc?: OidcOptions;
}

/** What the state file keeps so that the kubeconfig and issued tokens stay valid across a restart. */
export interface SavedAuth {
  adminToken: string;
  serviceAccountKey?: JWK;
}

export interface Auth {
  adminToken: string;
  authorizer: RbacAuthorizer;
  /** Authenticates, impersonates and authorizes a request, then runs it as that user (throws 401/403). */
  guard(req: IncomingMessage, run: () => Promise<void>): Promise<void>;
  /** Serves the review kinds and `serviceaccounts/NAME/token`; false for every other target. */
  extension(t: Target, method: string, req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  settled(): Promise<void>;
  save(): Promise<SavedAuth>;
}

export function createAuth(
  cluster: Cluster,
  opts: AuthOptions = {},
  saved?: SavedAuth,
  log?: (line: string) => void,
): Auth {
  const issuer = opts.serviceAccountIssuer ?? DEFAULT_ISSUER;
  const apiAudiences = opts.apiAudiences?.length ? opts.apiAudiences : [issuer];
  const adminToken = opts.adminToken ?? saved?.adminToken ?? randomBytes(32).toString('base64url');
  const staticTokens = new StaticTokens([
    { token: adminToken, user: ADMIN_USER, groups: [SYSTEM_MASTERS] },
    ...(opts.tokenAuthFile ? readTokenFile(opts.tokenAuthFile) : []),
    ...(opts.tokens ?? []),
  ]);
  const serviceAccounts = new ServiceAccountTokens(cluster, issuer, apiAudiences, saved?.serviceAccountKey);
  const authenticator = new Authenticator({
    anonymous: opts.anonymous ?? true,
    apiAudiences,
    staticTokens,
    serviceAccounts,
    ...(opts.oidc ? { oidc: new OidcAuthenticator(opts.oidc) } : {}),
  });
  const authorizer = new RbacAuthorizer(cluster.store, opts.authorizationMode ?? 'RBAC');
  const admission = new RbacAdmission(authorizer);
  cluster.writeChecks.push((t, obj, old) => admission.check(t, obj, old));

  ensureBootstrapPolicy(cluster);
  const aggregator = new RoleAggregator(cluster);
  aggregator.reconcileAll();

  // The token controller's part for legacy service-account-token Secrets.
  const pending = new Set<Promise<void>>();
  const fill = (ns: string, name: string): void => {
    const p = asSystem(() => serviceAccounts.fillSecret(ns, name)).catch((e: unknown) => {
      process.stderr.write(`demo-cluster: token for secret ${ns}/${name}: ${String(e)}\n`);
    });
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  cluster.store.onChange((key, type, obj) => {
    if (type !== 'ADDED') return;
    const ns = obj.metadata.namespace ?? '';
    if (key === 'secrets' && obj.type === SA_TOKEN_SECRET_TYPE) fill(ns, obj.metadata.name ?? '');
    if (key === 'serviceaccounts')
      for (const s of cluster.store.list('secrets', ns))
        if (s.type === SA_TOKEN_SECRET_TYPE && !(s.data as { token?: string } | undefined)?.token)
          fill(ns, s.metadata.name ?? '');
  });

  return {
    adminToken,
    authorizer,
    async guard(req, run) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const requester = await authenticator.authenticateRequest(req);
      const user = impersonate(req, requester, authorizer) ?? requester;
      const attributes = requestAttributes(user, req.method ?? 'GET', url);
      const d = authorizer.authorize(attributes);
      if (!d.allowed) {
        log?.(`forbidden: ${user.name} ${attributes.verb} ${req.url ?? ''}`);
        throw forbidden(attributes, d.reason);
      }
      await runAs({ user, attributes }, run);
    },
    async extension(t, method, req, res) {
      const type = t.type;
      const isReview =
        REVIEW_KINDS.has(type.kind) &&
        (type.group === AUTHORIZATION_GROUP || type.group === AUTHENTICATION_GROUP);
      const isTokenRequest = type.group === '' && type.plural === 'serviceaccounts' && t.sub === 'token';
      if (!isReview && !isTokenRequest) return false;
      if (method !== 'POST' || (isReview && (t.name !== undefined || t.sub !== undefined)))
        throw methodNotAllowed('the server does not allow this method on the requested resource');
      const body = parseObjectBody(await readRawBody(req), req.headers['content-type']);
      const answer = isTokenRequest
        ? await tokenRequest(cluster, serviceAccounts, t.namespace ?? '', t.name ?? '', body)
        : await review(type.kind, body, {
            user: currentRequest()?.user ?? anonymousUser(),
            authorizer,
            authenticator,
            ...(t.namespace !== undefined ? { namespace: t.namespace } : {}),
          });
      send(res, 201, answer);
      return true;
    },
    async settled() {
      while (pending.size) await Promise.all([...pending]);
      await aggregator.settled();
    },
    async save() {
      const key = await serviceAccounts.exportKey();
      return { adminToken, ...(key ? { serviceAccountKey: key } : {}) };
    },
  };
}
