/**
 * Strategy `openid`: the authorization code flow with PKCE (S256), state and nonce against any OpenID
 * Connect provider, with openid-client. The ID token it yields is then the user's bearer token to the API
 * server (kube-apiserver's `--oidc-*` flags, or an AuthenticationConfiguration, must trust the same issuer
 * and client id), sealed in the session cookie exactly as a pasted token is (./session.ts).
 *
 * No session store: what the callback must check (PKCE verifier, state, nonce, the redirect URI used, the
 * page to come back to) travels in a short-lived encrypted cookie, SameSite=Lax so that the browser sends it
 * on the provider's top-level redirect back. When the flow fails, that cookie carries the reason instead,
 * which /api/auth/info reports on the sign-in page (no message text in URLs anyone could forge).
 */
import { readFile } from 'node:fs/promises';
import { AUTH_ROUTES } from '@meshlens/contract';
import express, { type CookieOptions, type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import * as client from 'openid-client';
import { parse as parseCookies } from 'cookie';
import { HttpError, InputError, UpstreamError } from '../errors';
import type { SessionSealer } from './session';

export const FLOW_COOKIE = 'meshlens-oidc';
/** How long a user may take at the provider. */
export const FLOW_TTL_MS = 10 * 60_000;
/** How long the reason of a failed sign-in waits for the sign-in page. */
export const NOTICE_TTL_MS = 2 * 60_000;
const PURPOSE = 'openid flow';
const MAX_NEXT = 2048;

export interface OpenidSettings {
  issuerUrl: string;
  clientId: string;
  /** Absent: a public client (PKCE alone). */
  clientSecret?: string;
  scopes: string[];
  redirectUrl?: string;
  postLogoutRedirectUrl?: string;
  providerName?: string;
  allowInsecureIssuer: boolean;
  timeoutMs: number;
}

/** What the callback checks, sealed in FLOW_COOKIE between the login route and the callback. */
export interface FlowState {
  verifier: string;
  state: string;
  nonce: string;
  /** The page of this console to come back to (a path relative to the base path). */
  next: string;
  /** The redirect URI of the authorization request (the token request must send the same). */
  redirectUri: string;
}

export type ReturnPath = { ok: true; path: string } | { ok: false; reason: string };

const BASE = 'http://meshlens.invalid';

/**
 * The page to come back to after sign-in: a path of this console (relative to its base path), never a URL
 * of another site. Normalised (dot segments resolved); the sign-in page itself and the API lead to `/`.
 */
export function returnPath(next: string | undefined): ReturnPath {
  if (next === undefined || next === '') return { ok: true, path: '/' };
  if (next.length > MAX_NEXT) return { ok: false, reason: `longer than ${MAX_NEXT} characters` };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(next))
    return { ok: false, reason: 'holds a backslash or a control character' };
  if (!next.startsWith('/') || next.startsWith('//'))
    return {
      ok: false,
      reason: `must be a path of this console starting with a single /, not ${JSON.stringify(next.slice(0, 80))}`,
    };
  let u: URL;
  try {
    u = new URL(next, BASE);
  } catch {
    return { ok: false, reason: 'is not a path' };
  }
  if (u.origin !== BASE) return { ok: false, reason: 'leads to another site' };
  const path = `${u.pathname}${u.search}${u.hash}`;
  if (/^\/(signin|api)(\/|\?|#|$)/.test(path)) return { ok: true, path: '/' };
  return { ok: true, path };
}

/** Seals the flow state (or a failure's reason) for FLOW_COOKIE. */
export function sealFlow(sealer: SessionSealer, flow: FlowState): Promise<string> {
  return sealer.sealValue(
    PURPOSE,
    { v: flow.verifier, s: flow.state, n: flow.nonce, r: flow.next, u: flow.redirectUri },
    FLOW_TTL_MS,
  );
}

export function sealNotice(sealer: SessionSealer, message: string): Promise<string> {
  return sealer.sealValue(PURPOSE, { e: message }, NOTICE_TTL_MS);
}

export type OpenedFlow = { flow: FlowState } | { notice: string } | undefined;

/** FLOW_COOKIE opened: a flow in progress, the reason of a failed one, or nothing (absent, expired, forged). */
export async function openFlow(sealer: SessionSealer, jwe: string | undefined): Promise<OpenedFlow> {
  const p = await sealer.openValue(PURPOSE, jwe);
  if (!p) return undefined;
  if (typeof p.e === 'string') return { notice: p.e };
  const { v, s, n, r, u } = p;
  if ([v, s, n, r, u].every((x) => typeof x === 'string'))
    return {
      flow: {
        verifier: v as string,
        state: s as string,
        nonce: n as string,
        next: r as string,
        redirectUri: u as string,
      },
    };
  return undefined;
}

const flowCookieOf = (req: Request) => parseCookies(req.headers.cookie ?? '')[FLOW_COOKIE];

/** The reason a failed sign-in shows, if the last one failed (for the 401's message). */
export async function flowNotice(sealer: SessionSealer, req: Request): Promise<string | undefined> {
  const opened = await openFlow(sealer, flowCookieOf(req));
  return opened && 'notice' in opened ? opened.notice : undefined;
}

/** `Sign in with <name>`: the configured name, else the issuer's host. */
export const providerNameOf = (s: Pick<OpenidSettings, 'providerName' | 'issuerUrl'>) =>
  s.providerName ?? new URL(s.issuerUrl).host;

/** A failure of the flow, said plainly for the sign-in page. */
export function flowFailure(err: unknown, provider: string): string {
  if (err instanceof client.AuthorizationResponseError) {
    const said = err.error_description ? `: ${err.error_description}` : '';
    if (err.error === 'access_denied') return `${provider} did not sign you in (access denied${said}).`;
    if (err.error === 'login_required' || err.error === 'interaction_required')
      return `${provider} needs you to sign in there first (${err.error}${said}).`;
    return `${provider} refused the sign-in: ${err.error}${said}.`;
  }
  if (err instanceof client.ResponseBodyError)
    return `${provider} refused to exchange the sign-in code: ${err.error}${err.error_description ? ` (${err.error_description})` : ''}. Sign in again.`;
  if (err instanceof client.ClientError) {
    const cause = err.cause instanceof Error ? err.cause.message : undefined;
    if (/"state"/.test(cause ?? ''))
      return 'The answer of the provider does not belong to the sign-in this browser started (state); sign in again.';
    if (/"nonce"/.test(cause ?? ''))
      return 'The ID token does not belong to the sign-in this browser started (nonce); sign in again.';
    return `The answer of ${provider} could not be used: ${cause ?? err.message}. Sign in again.`;
  }
  if (err instanceof HttpError) return err.message;
  return `Sign-in with ${provider} failed: ${err instanceof Error ? err.message : String(err)}`;
}

/** The client secret of config: `clientSecret`, else the first line of `clientSecretFile`, else none. */
export async function loadClientSecret(o: {
  clientSecret?: string;
  clientSecretFile?: string;
}): Promise<string | undefined> {
  if (o.clientSecret || !o.clientSecretFile) return o.clientSecret;
  const text = await readFile(o.clientSecretFile, 'utf8').catch((err: Error) =>
    Promise.reject(new Error(`auth.openid.clientSecretFile: ${err.message}`)),
  );
  const secret = text.trim();
  if (!secret) throw new Error(`auth.openid.clientSecretFile ${o.clientSecretFile} is empty`);
  return secret;
}

export interface OpenidDeps {
  settings: OpenidSettings;
  sealer: SessionSealer;
  basePath: string;
  logger: Logger;
  /** The session cookie's options for this request (Secure behind https). */
  cookieOptions(req: Request): CookieOptions;
  /** Signs the request in with this bearer token as the token strategy does (sets the session cookies). */
  signIn(req: Request, res: Response, token: string): Promise<void>;
  /** openid-client's discovery (tests give their own). */
  discover?: typeof client.discovery;
}

export interface Openid {
  readonly provider: string;
  router: Router;
  /**
   * The provider's sign-out URL (end_session_endpoint), if it has one, for the session's ID token; it
   * sends the browser back to postLogoutRedirectUrl, by default this console's sign-in page.
   */
  logoutUrl(req: Request, idToken: string | undefined): Promise<string | undefined>;
}

export function openidSignIn(deps: OpenidDeps): Openid {
  const { settings, sealer, basePath, logger } = deps;
  const provider = providerNameOf(settings);
  const discover = deps.discover ?? client.discovery;
  let discovered: Promise<client.Configuration> | undefined;
  const configuration = (): Promise<client.Configuration> => {
    discovered ??= discover(
      new URL(settings.issuerUrl),
      settings.clientId,
      settings.clientSecret,
      settings.clientSecret ? undefined : client.None(),
      {
        timeout: Math.max(1, Math.ceil(settings.timeoutMs / 1000)),
        ...(settings.allowInsecureIssuer ? { execute: [client.allowInsecureRequests] } : {}),
      },
    ).then((c) => {
      c.timeout = Math.max(1, Math.ceil(settings.timeoutMs / 1000));
      return c;
    });
    // A provider that was down is asked again next time.
    discovered.catch(() => (discovered = undefined));
    return discovered.catch((err: unknown) => {
      throw new UpstreamError(
        `The OpenID provider ${settings.issuerUrl} could not be reached or is not one: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`,
        true,
      );
    });
  };

  /**
   * This console's URL as the browser reached it: the Host was checked against the allowed hosts
   * (http/hosts.ts), the scheme is X-Forwarded-Proto only from auth.trustedProxies.
   */
  const ownUrl = (req: Request) => `${req.protocol}://${req.get('host') ?? ''}${basePath}`;

  const flowCookie = (req: Request, maxAgeMs: number): CookieOptions => ({
    ...deps.cookieOptions(req),
    // Sent on the provider's top-level redirect back (SameSite=Strict would not be).
    sameSite: 'lax',
    maxAge: maxAgeMs,
  });

  /** To the sign-in page, which says why (`message`), then back to `next`. */
  const toSignIn = async (req: Request, res: Response, message: string, next: string) => {
    res.cookie(FLOW_COOKIE, await sealNotice(sealer, message), flowCookie(req, NOTICE_TTL_MS));
    res.redirect(302, `${basePath}/signin?next=${encodeURIComponent(next)}`);
  };

  const router = express.Router();
  router.get(AUTH_ROUTES.openidLogin, async (req, res) => {
    const raw = req.query.next;
    if (raw !== undefined && typeof raw !== 'string')
      throw new InputError('query parameter next: give it once, as a path of this console');
    const next = returnPath(raw);
    if (!next.ok) throw new InputError(`query parameter next ${next.reason}`);
    const config = await configuration();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const redirectUri = settings.redirectUrl ?? `${ownUrl(req)}${AUTH_ROUTES.openidCallback}`;
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: settings.scopes.join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    res.cookie(
      FLOW_COOKIE,
      await sealFlow(sealer, { verifier, state, nonce, next: next.path, redirectUri }),
      flowCookie(req, FLOW_TTL_MS),
    );
    res.redirect(302, url.href);
  });

  router.get(AUTH_ROUTES.openidCallback, async (req, res) => {
    const opened = await openFlow(sealer, flowCookieOf(req));
    if (!opened || !('flow' in opened))
      return toSignIn(
        req,
        res,
        `This answer of ${provider} matches no sign-in in progress in this browser (it took longer than ${FLOW_TTL_MS / 60_000} minutes, or was started elsewhere); sign in again.`,
        '/',
      );
    const { flow } = opened;
    const current = new URL(flow.redirectUri);
    current.search = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
    let idToken: string;
    try {
      const config = await configuration();
      const tokens = await client.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      if (!tokens.id_token) throw new Error('the provider returned no ID token');
      idToken = tokens.id_token;
    } catch (err) {
      const message = flowFailure(err, provider);
      logger.info({ err: err instanceof Error ? err.message : String(err) }, 'openid sign-in failed');
      return toSignIn(req, res, message, flow.next);
    }
    try {
      await deps.signIn(req, res, idToken);
    } catch (err) {
      const message =
        err instanceof HttpError && err.status === 401
          ? `The API server did not accept the ID token of ${provider}: it must trust issuer ${settings.issuerUrl} with client id ${settings.clientId} (kube-apiserver --oidc-issuer-url, --oidc-client-id).`
          : flowFailure(err, provider);
      return toSignIn(req, res, message, flow.next);
    }
    // The flow is used once (a failure above replaces it with its reason).
    res.clearCookie(FLOW_COOKIE, flowCookie(req, 0));
    res.redirect(302, `${basePath}${flow.next}`);
  });

  return {
    provider,
    router,
    async logoutUrl(req, idToken) {
      let config: client.Configuration;
      try {
        config = await configuration();
      } catch {
        return undefined;
      }
      if (!config.serverMetadata().end_session_endpoint) return undefined;
      return client.buildEndSessionUrl(config, {
        ...(idToken ? { id_token_hint: idToken } : {}),
        post_logout_redirect_uri: settings.postLogoutRedirectUrl ?? `${ownUrl(req)}/signin`,
      }).href;
    },
  };
}
