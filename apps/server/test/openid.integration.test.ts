/**
 * Strategy openid end to end over HTTP, with no browser: the demo's real OpenID provider (oidc-provider,
 * packages/stack/src/oidc), the demo cluster trusting its ID tokens as kube-apiserver's --oidc-* flags do,
 * with data/demo/users.yaml's RBAC, and the console started with startServer. The authorization code flow
 * is driven as a browser would (redirects, cookies, the provider's login form); the provider checks PKCE,
 * the console checks state and nonce, and each check is shown to refuse a wrong value.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AUTH_ROUTES,
  AuthInfoResponseSchema,
  CanIResponseSchema,
  LogoutResponseSchema,
} from '@meshlens/contract';
import { startDemoCluster } from '@meshlens/demo-cluster';
import { DEMO_USERS_MANIFEST } from '@meshlens/stack';
import { startDemoProvider, type DemoProvider } from '@meshlens/stack/oidc';
import { decodeJwt } from 'jose';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLOW_COOKIE, openFlow, sealFlow, type FlowState } from '../src/auth/openid';
import { sessionSealer } from '../src/auth/session';
import { startServer, type RunningServer } from '../src/server';
import { applyYaml } from './stackHelpers';

const KEY = 'o'.repeat(40);
const CLIENT_ID = 'meshlens';
const CLIENT_SECRET = 'demo-client-secret-0123456789';
const PASSWORDS = { admin: 'pw-admin-1', 'bookinfo-editor': 'pw-editor-2', viewer: 'pw-viewer-3' };
type User = keyof typeof PASSWORDS;
const ID_TOKEN_TTL_S = 600;

let dir: string;
let provider: DemoProvider;
let cluster: Awaited<ReturnType<typeof startDemoCluster>>;
let server: RunningServer;
let url: string;
const sealer = sessionSealer([KEY]);

/** Cookies per origin, as a browser keeps them (name → value; expired or cleared ones removed). */
class Jar {
  private readonly jars = new Map<string, Map<string, string>>();
  header(target: string): string {
    const m = this.jars.get(new URL(target).origin);
    return m ? [...m].map(([k, v]) => `${k}=${v}`).join('; ') : '';
  }
  take(target: string, res: Response): void {
    const origin = new URL(target).origin;
    const m = this.jars.get(origin) ?? new Map<string, string>();
    this.jars.set(origin, m);
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const gone =
        value === '' ||
        attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) ||
        attrs.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1] ?? '') < Date.now());
      if (gone) m.delete(name);
      else m.set(name, value);
    }
  }
  get(target: string, name: string): string | undefined {
    return this.jars.get(new URL(target).origin)?.get(name);
  }
  set(target: string, name: string, value: string): void {
    const origin = new URL(target).origin;
    const m = this.jars.get(origin) ?? new Map<string, string>();
    this.jars.set(origin, m);
    m.set(name, value);
  }
}

async function go(jar: Jar, target: string, init: RequestInit = {}): Promise<Response> {
  const cookie = jar.header(target);
  const res = await fetch(target, {
    redirect: 'manual',
    ...init,
    headers: { ...(cookie ? { cookie } : {}), ...((init.headers as Record<string, string>) ?? {}) },
  });
  jar.take(target, res);
  return res;
}

const location = (res: Response, base: string) => new URL(res.headers.get('location') ?? '', base).href;

/**
 * Starts sign-in at the console (`next`), follows the provider's redirects, fills its login form as `user`
 * (when it shows one), and stops at the redirect back to the console: that URL (code, state, iss).
 */
async function throughProvider(
  jar: Jar,
  user: User | { cancel: true } | { name: string; password: string },
  next = '/istio?namespaces=bookinfo',
): Promise<{ callback: string; loginPage?: string }> {
  const start = await go(jar, `${url}${AUTH_ROUTES.openidLogin}?next=${encodeURIComponent(next)}`);
  expect(start.status).toBe(302);
  let at = location(start, url);
  expect(at.startsWith(`${provider.issuer}/auth?`)).toBe(true);
  const asked = new URL(at).searchParams;
  expect(asked.get('code_challenge_method')).toBe('S256');
  expect(asked.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(asked.get('state')).toBeTruthy();
  expect(asked.get('nonce')).toBeTruthy();
  let loginPage: string | undefined;
  for (let hops = 0; hops < 10; hops++) {
    if (at.startsWith(url)) return { callback: at, ...(loginPage ? { loginPage } : {}) };
    let res = await go(jar, at);
    if (res.status === 200) {
      loginPage = await res.text();
      const action = /action="([^"]+)"/.exec(loginPage)?.[1];
      expect(action, 'the login form').toBeDefined();
      const form = new URLSearchParams(
        'cancel' in (typeof user === 'string' ? {} : user)
          ? { cancel: '1' }
          : typeof user === 'string'
            ? { username: user, password: PASSWORDS[user] }
            : (user as { name: string; password: string }),
      );
      const post = `${provider.issuer}${action}`;
      res = await go(jar, post, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      });
      if (res.status === 401) return { callback: '', loginPage: await res.text() };
      at = location(res, post);
      continue;
    }
    expect([302, 303]).toContain(res.status);
    at = location(res, at);
  }
  throw new Error('too many redirects at the provider');
}

/** Signs `user` in; returns the jar holding the console's session. */
async function signIn(user: User, next = '/istio?namespaces=bookinfo') {
  const jar = new Jar();
  const { callback } = await throughProvider(jar, user, next);
  const back = await go(jar, callback);
  expect(back.status).toBe(302);
  expect(location(back, url)).toBe(`${url}${next}`);
  return jar;
}

async function info(jar: Jar, headers: Record<string, string> = {}) {
  const res = await go(jar, `${url}${AUTH_ROUTES.info}`, { headers });
  return AuthInfoResponseSchema.parse(await res.json());
}

/** The callback of a flow whose sealed state was changed by `change` (as only the key's owner could). */
async function withFlow(jar: Jar, callback: string, change: (f: FlowState) => FlowState) {
  const opened = await openFlow(sealer, jar.get(url, FLOW_COOKIE));
  if (!opened || !('flow' in opened)) throw new Error('no flow cookie');
  jar.set(url, FLOW_COOKIE, await sealFlow(sealer, change(opened.flow)));
  return go(jar, callback);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshlens-openid-it-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>x</title>');
  const secretFile = join(dir, 'client-secret');
  writeFileSync(secretFile, `${CLIENT_SECRET}\n`);
  provider = await startDemoProvider({
    accounts: Object.entries(PASSWORDS).map(([name, password]) => ({
      name,
      password,
      groups: [`${name}s`],
    })),
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    idTokenTtlSeconds: ID_TOKEN_TTL_S,
  });
  cluster = await startDemoCluster({
    host: '127.0.0.1',
    port: 0,
    load: [DEMO_USERS_MANIFEST],
    auth: {
      oidc: {
        issuerUrl: provider.issuer,
        clientId: CLIENT_ID,
        usernameClaim: 'sub',
        usernamePrefix: '-',
        groupsClaim: 'groups',
        groupsPrefix: 'oidc:',
      },
    },
  });
  const kubeconfigPath = join(dir, 'kubeconfig');
  await cluster.writeKubeconfig(kubeconfigPath);
  for (const ns of ['bookinfo', 'default'])
    await applyYaml(kubeconfigPath, `apiVersion: v1\nkind: Namespace\nmetadata: { name: ${ns} }\n`, '');
  server = await startServer({
    kubeconfigPath,
    prometheusUrl: 'http://127.0.0.1:9',
    port: 0,
    host: '127.0.0.1',
    config: {
      webDir: dir,
      kubernetes: { timeoutMs: 5000 },
      auth: {
        strategy: 'openid',
        sessionKey: KEY,
        openid: {
          issuerUrl: provider.issuer,
          clientId: CLIENT_ID,
          clientSecretFile: secretFile,
          scopes: ['openid', 'email', 'profile', 'groups'],
          allowInsecureIssuer: true,
          providerName: 'Demo IdP',
        },
      },
    },
    logger: pino({ level: 'silent' }),
  });
  url = server.url.replace(/\/+$/, '');
}, 60_000);

afterAll(async () => {
  await server?.close();
  await cluster?.close();
  await provider?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('openid: the authorization code flow with the demo provider and the demo cluster', () => {
  it('before sign-in: 401, and the info names the provider', async () => {
    const jar = new Jar();
    const i = await info(jar);
    expect(i).toMatchObject({ strategy: 'openid', authenticated: false, provider: 'Demo IdP' });
    expect((await go(jar, `${url}/api/namespaces`)).status).toBe(401);
  });

  it('signs each user in through the login form; the API server names them and applies their RBAC', async () => {
    for (const user of ['admin', 'bookinfo-editor', 'viewer'] as const) {
      const jar = await signIn(user);
      const i = await info(jar);
      expect(i).toMatchObject({ authenticated: true, via: 'session', strategy: 'openid' });
      expect(i.identity?.username).toBe(user);
      expect(i.identity?.groups).toContain(`oidc:${user}s`);
      // The flow cookie was used once.
      expect(jar.get(url, FLOW_COOKIE)).toBeUndefined();
      const res = await go(jar, `${url}${AUTH_ROUTES.canI}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': i.csrfToken ?? '', origin: url },
        body: JSON.stringify({
          checks: ['bookinfo', 'default'].map((namespace) => ({
            verb: 'create',
            group: 'networking.istio.io',
            resource: 'virtualservices',
            namespace,
          })),
        }),
      });
      const allowed = CanIResponseSchema.parse(await res.json()).results.map((r) => r.allowed);
      expect(allowed, user).toEqual(
        user === 'admin' ? [true, true] : user === 'bookinfo-editor' ? [true, false] : [false, false],
      );
    }
  });

  it('ends the session when the ID token ends (before the session TTL), and takes the ID token as a bearer', async () => {
    const jar = await signIn('viewer');
    const i = await info(jar);
    const session = await sealer.open(decodeURIComponent(jar.get(url, 'meshlens-session') ?? ''));
    if (!session.ok) throw new Error('the session cookie does not open');
    const exp = decodeJwt(session.session.token).exp ?? 0;
    expect(decodeJwt(session.session.token).iss).toBe(provider.issuer);
    expect(Date.parse(i.sessionExpiresAt ?? '')).toBe(exp * 1000);
    expect(exp * 1000 - Date.now()).toBeLessThanOrEqual(ID_TOKEN_TTL_S * 1000);

    // A script presents the same ID token, without a cookie.
    const bearer = await info(new Jar(), { authorization: `Bearer ${session.session.token}` });
    expect(bearer).toMatchObject({ authenticated: true, via: 'bearer', identity: { username: 'viewer' } });
  });

  it('comes back to the page asked for, and never to another site', async () => {
    await signIn('viewer', '/graph?namespaces=bookinfo&duration=60#x');
    for (const bad of [
      '//evil.example/x',
      'https://evil.example/',
      '/\\evil.example',
      'graph',
      '/%0d%0aSet-Cookie:x',
    ]) {
      const res = await go(new Jar(), `${url}${AUTH_ROUTES.openidLogin}?next=${encodeURIComponent(bad)}`);
      if (bad.startsWith('/%0d')) {
        // Percent-encoded: a plain path once decoded by the browser's router; it stays on this site.
        expect(res.status, bad).toBe(302);
        continue;
      }
      expect(res.status, bad).toBe(400);
      expect(res.headers.get('location'), bad).toBeNull();
    }
  });

  it('shows the provider a wrong password as such, and lets the user cancel (access_denied)', async () => {
    const jar = new Jar();
    const wrong = await throughProvider(jar, { name: 'viewer', password: 'not-it' });
    expect(wrong.loginPage).toContain('Wrong user name or password.');

    const j2 = new Jar();
    const c = await throughProvider(j2, { cancel: true }, '/istio');
    expect(new URL(c.callback).searchParams.get('error')).toBe('access_denied');
    const back = await go(j2, c.callback);
    expect(location(back, url)).toBe(`${url}/signin?next=${encodeURIComponent('/istio')}`);
    const i = await info(j2);
    expect(i.authenticated).toBe(false);
    expect(i.message).toBe('Demo IdP did not sign you in (access denied: the user cancelled the sign-in).');
  });

  it('refuses a wrong PKCE verifier (the provider), a wrong state and a wrong nonce (the console)', async () => {
    const cases: [string, (f: FlowState) => FlowState, RegExp][] = [
      [
        'verifier',
        (f) => ({ ...f, verifier: `${f.verifier.slice(0, -4)}AAAA` }),
        /refused to exchange the sign-in code: invalid_grant/,
      ],
      [
        'state',
        (f) => ({ ...f, state: 'not-the-state' }),
        /does not belong to the sign-in this browser started \(state\)/,
      ],
      [
        'nonce',
        (f) => ({ ...f, nonce: 'not-the-nonce' }),
        /ID token does not belong to the sign-in this browser started \(nonce\)/,
      ],
    ];
    for (const [what, change, message] of cases) {
      const jar = new Jar();
      const { callback } = await throughProvider(jar, 'admin', '/overview');
      const back = await withFlow(jar, callback, change);
      expect(location(back, url), what).toBe(`${url}/signin?next=${encodeURIComponent('/overview')}`);
      expect(jar.get(url, 'meshlens-session'), what).toBeUndefined();
      const i = await info(jar);
      expect(i.authenticated, what).toBe(false);
      expect(i.message, what).toMatch(message);
    }
    // Without the flow cookie at all (another browser, or too late).
    const jar = new Jar();
    const { callback } = await throughProvider(jar, 'admin');
    const stranger = new Jar();
    const back = await go(stranger, callback);
    expect(location(back, url)).toBe(`${url}/signin?next=%2F`);
    expect((await info(stranger)).message).toMatch(/matches no sign-in in progress in this browser/);
  });

  it("signs out: the session ends here, and the answer is the provider's sign-out URL", async () => {
    const jar = await signIn('bookinfo-editor');
    const i = await info(jar);
    const session = await sealer.open(decodeURIComponent(jar.get(url, 'meshlens-session') ?? ''));
    if (!session.ok) throw new Error('no session');
    const res = await go(jar, `${url}${AUTH_ROUTES.logout}`, {
      method: 'POST',
      headers: { 'x-csrf-token': i.csrfToken ?? '', origin: url },
    });
    const out = LogoutResponseSchema.parse(await res.json());
    const logout = new URL(out.logoutUrl ?? '');
    expect(`${logout.origin}${logout.pathname}`).toBe(`${provider.issuer}/session/end`);
    expect(logout.searchParams.get('id_token_hint')).toBe(session.session.token);
    expect(logout.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(logout.searchParams.get('post_logout_redirect_uri')).toBe(`${url}/signin`);
    expect(jar.get(url, 'meshlens-session')).toBeUndefined();
    expect((await info(jar)).authenticated).toBe(false);
    // The provider accepts it (its sign-out page, not an error).
    const page = await go(jar, logout.href);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Yes, sign me out');
  });
});
