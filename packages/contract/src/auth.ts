import { z } from 'zod';

/**
 * Sign-in and access reviews. Routes are relative to the server's base path. Every other API route needs
 * an authenticated request (401 otherwise) unless the strategy is `anonymous`.
 */
export const AUTH_ROUTES = {
  /** `GET`: who this request acts as, the strategy, view-only, session expiry, the CSRF token. */
  info: '/api/auth/info',
  /** `POST` `LoginRequest` (strategy `token`): checks the token, sets the session cookie. */
  login: '/api/auth/login',
  /** `POST`: clears the session cookie; with `openid`, answers the provider's sign-out URL when it has one. */
  logout: '/api/auth/logout',
  /**
   * `GET ?next=/path` (strategy `openid`): starts the authorization code flow (PKCE S256, state, nonce) and
   * redirects to the provider; `next` is the page of this console to come back to (a path, never a URL).
   */
  openidLogin: '/api/auth/openid/login',
  /**
   * `GET` (strategy `openid`): where the provider sends the browser back (register it at the provider as
   * the redirect URI). Exchanges the code, signs in, redirects to `next` — or to the sign-in page, which
   * then says what went wrong.
   */
  openidCallback: '/api/auth/openid/callback',
  /** `POST` `CanIRequest`: SelfSubjectAccessReviews with the user's own credentials. */
  canI: '/api/auth/can-i',
} as const;

/** How people sign in (`auth.strategy`). */
export const AUTH_STRATEGIES = ['anonymous', 'token', 'openid', 'header'] as const;
export type AuthStrategyName = (typeof AUTH_STRATEGIES)[number];

/** Header carrying the session's CSRF token on every write made with a cookie session. */
export const CSRF_HEADER = 'X-CSRF-Token';

export const IdentitySchema = z.object({
  /** The Kubernetes user name, e.g. `jane`, `system:serviceaccount:istio-system:meshlens`. */
  username: z.string(),
  groups: z.array(z.string()),
});
export type Identity = z.infer<typeof IdentitySchema>;

/** `GET /api/auth/info` (always 200, also before sign-in). */
export const AuthInfoResponseSchema = z.object({
  strategy: z.enum(AUTH_STRATEGIES),
  /** The request acts as someone (always true with `anonymous`). */
  authenticated: z.boolean(),
  /**
   * Who the request acts as. With `anonymous`: the console's own identity, which every visitor shares.
   * Absent when not authenticated.
   */
  identity: IdentitySchema.optional(),
  /** Where the identity comes from: the API server (SelfSubjectReview, TokenReview) or the kubeconfig. */
  identitySource: z.enum(['SelfSubjectReview', 'TokenReview', 'kubeconfig', 'proxy']).optional(),
  /** How this request authenticated: `console` (anonymous), a `session` cookie, a `bearer` header, a `proxy`. */
  via: z.enum(['console', 'session', 'bearer', 'proxy']).optional(),
  /** Every write is refused (403) and the UI shows no write control. */
  viewOnly: z.boolean(),
  /** ISO time the session ends (cookie sessions only). */
  sessionExpiresAt: z.string().optional(),
  /** Send as `X-CSRF-Token` on every write made with this session (cookie sessions only). */
  csrfToken: z.string().optional(),
  /** The user can sign out here (a session) or at `logoutUrl` (an authenticating proxy). */
  canSignOut: z.boolean(),
  logoutUrl: z.string().optional(),
  /** Strategy `openid`: the provider's name, for "Sign in with <provider>". */
  provider: z.string().optional(),
  /** Why the request is not authenticated, e.g. `Your session expired; sign in again.` */
  message: z.string().optional(),
});
export type AuthInfoResponse = z.infer<typeof AuthInfoResponseSchema>;

/** `POST /api/auth/login` (strategy `token`). */
export const LoginRequestSchema = z.strictObject({
  /** A Kubernetes bearer token (ServiceAccount token, static token, OIDC id token). */
  token: z.string().trim().min(1, 'paste a token').max(16_384, 'longer than 16 KiB: not a bearer token'),
});
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

/** `POST /api/auth/logout` */
export const LogoutResponseSchema = z.object({
  signedOut: z.boolean(),
  /**
   * Where to go next to end the session at the authenticating proxy (strategy `header`) or at the OpenID
   * provider (strategy `openid`, when the provider has an end_session_endpoint).
   */
  logoutUrl: z.string().optional(),
});
export type LogoutResponse = z.infer<typeof LogoutResponseSchema>;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const ACCESS_VERBS = [
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
] as const;
export type AccessVerb = (typeof ACCESS_VERBS)[number];

/** One write (or read) to ask about: SelfSubjectAccessReview resource attributes. */
export const AccessCheckSchema = z.strictObject({
  verb: z.enum(ACCESS_VERBS),
  /** API group, `''` for the core group (e.g. `networking.istio.io`). */
  group: z
    .string()
    .max(253)
    .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$/, 'not an API group'),
  /** Plural resource name, e.g. `virtualservices`. */
  resource: z.string().min(1).max(63).regex(DNS_LABEL, 'not a resource name'),
  namespace: z.string().min(1).max(63).regex(DNS_LABEL, 'not a namespace name'),
  /** The object's name; absent for `create` or a namespace-wide question. */
  name: z.string().min(1).max(253).optional(),
});
export type AccessCheck = z.infer<typeof AccessCheckSchema>;

/** `POST /api/auth/can-i` */
export const CanIRequestSchema = z.strictObject({
  checks: z.array(AccessCheckSchema).min(1).max(100),
});
export type CanIRequest = z.infer<typeof CanIRequestSchema>;

export const AccessResultSchema = AccessCheckSchema.extend({
  allowed: z.boolean(),
  /**
   * Said plainly, e.g. `You may not update virtualservices.networking.istio.io in bookinfo`, or
   * `The console is view-only: it makes no change`.
   */
  message: z.string(),
  /** The authorizer's reason, when it gave one. */
  reason: z.string().optional(),
});
export type AccessResult = z.infer<typeof AccessResultSchema>;

export const CanIResponseSchema = z.object({
  /** In the order of the request's checks. */
  results: z.array(AccessResultSchema),
});
export type CanIResponse = z.infer<typeof CanIResponseSchema>;

/** `verb resource.group` as kubectl names it (`update virtualservices.networking.istio.io`). */
export function resourceLabel(check: Pick<AccessCheck, 'group' | 'resource'>): string {
  return check.group ? `${check.resource}.${check.group}` : check.resource;
}

/** `You may (not) update virtualservices.networking.istio.io "reviews" in bookinfo`. */
export function accessMessage(check: AccessCheck, allowed: boolean): string {
  const name = check.name ? ` "${check.name}"` : '';
  return `You may${allowed ? '' : ' not'} ${check.verb} ${resourceLabel(check)}${name} in ${check.namespace}`;
}

/**
 * `details` of the 403 of a write the API server refused with the user's own credentials (or of a
 * view-only console): who was refused, and the API server's own words.
 */
export const ForbiddenDetailsSchema = z.object({
  identity: IdentitySchema.optional(),
  /** `kubernetes`: the API server refused; `viewOnly`: the console refuses every write. */
  refusedBy: z.enum(['kubernetes', 'viewOnly', 'console']),
  kubernetesMessage: z.string().optional(),
});
export type ForbiddenDetails = z.infer<typeof ForbiddenDetailsSchema>;
