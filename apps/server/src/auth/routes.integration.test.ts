/**
 * Sign-in at the HTTP boundary (supertest: it listens, hence *.integration): the real app and auth/, with a
 * small fake cluster that knows three users by token and answers access reviews and Istio calls with
 * their rights, as an API server with RBAC would. The same behaviour against the real demo cluster is in
 * test/auth.integration.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuthInfoResponseSchema,
  CanIResponseSchema,
  CSRF_HEADER,
  ErrorBodySchema,
  NamespacesResponseSchema,
} from '@meshlens/contract';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp, type KubeAccess } from '../app';
import { parseConfig, type ServerConfigInput } from '../config';
import { deriveSnapshot, type RawInventory, type RawObject } from '../inventory/derive';
import { KubeApiError, type IstioKubeClient, type KubeObject } from '../istio/kubeClient';
import { unreachablePrometheus } from '../../test/stackHelpers';
import type { AccessAttributes, ClusterAccess, Credentials } from './cluster';
import { authSettings, createAuth } from './index';
import { sessionSealer } from './session';

const raw = (
  await import('../graph/__golden__/fixtures/bookinfo-handcrafted/inventory.json', { with: { type: 'json' } })
).default as unknown as RawInventory;
const snapshot = deriveSnapshot(raw, true);
const kube: KubeAccess = { snapshot: () => snapshot, ping: async () => undefined };
const deadPrometheus = unreachablePrometheus(500);
const logger = pino({ level: 'silent' });
const KEY = 'k'.repeat(40);

const USERS: Record<string, string> = {
  't-admin': 'admin',
  't-editor': 'bookinfo-editor',
  't-viewer': 'viewer',
};
const READ = new Set(['get', 'list', 'watch']);

/** RBAC of the three users, as data/demo/users.yaml gives them. */
function allowed(user: string, a: AccessAttributes): boolean {
  if (user === 'admin' || user === 'kubernetes-admin') return true;
  if (user === 'viewer') return READ.has(a.verb);
  if (user === 'bookinfo-editor')
    return a.namespace === 'bookinfo' || (a.resource === 'namespaces' && READ.has(a.verb));
  return false;
}

interface Call {
  user: string;
  verb: string;
  namespace: string;
  via: Credentials['kind'];
}

/** A fake API server: identities by token (or impersonated), access reviews and Istio calls by RBAC. */
function fakeCluster() {
  const calls: Call[] = [];
  const userOf = (c: Credentials): string => {
    if (c.kind === 'console') return 'kubernetes-admin';
    if (c.kind === 'impersonate') return c.user;
    const user = USERS[c.token];
    if (!user) throw new KubeApiError(401, 'Unauthorized', 'Unauthorized');
    return user;
  };
  const gate = (c: Credentials, verb: string, namespace: string, resource = 'virtualservices') => {
    const user = userOf(c);
    calls.push({ user, verb, namespace, via: c.kind });
    if (!allowed(user, { verb, group: 'networking.istio.io', resource, namespace }))
      throw new KubeApiError(
        403,
        `${resource}.networking.istio.io is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "networking.istio.io" in the namespace "${namespace}"`,
        'Forbidden',
      );
  };
  const istio = (c: Credentials): IstioKubeClient => ({
    async list(_v, kind, ns) {
      gate(c, 'list', ns ?? '', `${kind.toLowerCase()}s`);
      return [];
    },
    async get(key) {
      gate(c, 'get', key.namespace);
      return undefined;
    },
    async create(obj: KubeObject) {
      gate(c, 'create', obj.metadata.namespace ?? '');
      return { ...obj, metadata: { ...obj.metadata, resourceVersion: '1' } };
    },
    async replace(obj: KubeObject) {
      gate(c, 'update', obj.metadata.namespace ?? '');
      return obj;
    },
    async delete(key) {
      gate(c, 'delete', key.namespace);
    },
  });
  let whoamiWorks = true;
  const cluster: ClusterAccess = {
    async whoami(c) {
      if (!whoamiWorks) throw new KubeApiError(404, 'the server could not find the requested resource');
      return {
        identity: { username: userOf(c), groups: ['system:authenticated'] },
        source: 'SelfSubjectReview',
      };
    },
    async canI(c, a) {
      return { allowed: allowed(userOf(c), a) };
    },
    istioClient: istio,
    consoleUserName: () => 'kubeconfig-user',
  };
  return { cluster, calls, breakWhoami: () => (whoamiWorks = false) };
}

const webDirs: string[] = [];
afterAll(() => webDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function makeApp(config: ServerConfigInput, now?: () => number) {
  const webDir = mkdtempSync(join(tmpdir(), 'meshlens-web-'));
  webDirs.push(webDir);
  writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>x</title>');
  const parsed = parseConfig({ webDir, ...config });
  const fake = fakeCluster();
  const sealer = sessionSealer([KEY], now ? { now } : {});
  const auth = createAuth({
    settings: authSettings(parsed),
    cluster: fake.cluster,
    sealer,
    logger,
    ...(now ? { now } : {}),
  });
  const app = createApp({
    kube,
    prometheus: deadPrometheus,
    config: parsed,
    logger,
    istio: {
      client: fake.cluster.istioClient({ kind: 'console' }),
      // The services of bookinfo, for the validations of the writes.
      inventory: { list: (kind) => (raw as unknown as Record<string, RawObject[]>)[kind] ?? [] },
    },
    auth,
  });
  return { app, ...fake, sealer };
}

/** supertest with what the console's own pages send on every request (writes need it: http/origin.ts). */
function http(app: Parameters<typeof request>[0]) {
  const r = request(app);
  const same = <T extends { set(name: string, value: string): T }>(t: T) =>
    t.set('Sec-Fetch-Site', 'same-origin');
  return {
    get: (url: string) => same(r.get(url)),
    post: (url: string) => same(r.post(url)),
    put: (url: string) => same(r.put(url)),
    patch: (url: string) => same(r.patch(url)),
    delete: (url: string) => same(r.delete(url)),
  };
}

const vs = (namespace: string, name = 'reviews') => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name, namespace },
  spec: { hosts: [name], http: [{ route: [{ destination: { host: name } }] }] },
});

/** Signs in with a token; the session cookie and the CSRF token. */
async function signIn(app: ReturnType<typeof makeApp>['app'], token: string) {
  const res = await http(app).post('/api/auth/login').send({ token });
  expect(res.status).toBe(200);
  const cookie = (res.headers['set-cookie'] as unknown as string[]).filter((c) =>
    c.startsWith('meshlens-session='),
  );
  const info = AuthInfoResponseSchema.parse(res.body);
  return {
    cookie: cookie.map((c) => c.split(';')[0]).join('; '),
    csrf: info.csrfToken as string,
    info,
    setCookie: cookie,
  };
}

describe('strategy token', () => {
  const t = makeApp({ auth: { strategy: 'token' } });

  it('answers 401 to every API route without sign-in, and says how to sign in', async () => {
    for (const path of [
      '/api/namespaces',
      '/api/config',
      '/api/graph?namespaces=bookinfo',
      '/api/istio/config?namespaces=bookinfo',
    ]) {
      const res = await http(t.app).get(path);
      expect(res.status, path).toBe(401);
      expect(ErrorBodySchema.parse(res.body).error).toEqual({
        name: 'UnauthorizedError',
        message: 'Sign in with a Kubernetes bearer token.',
      });
    }
    const info = AuthInfoResponseSchema.parse((await http(t.app).get('/api/auth/info')).body);
    expect(info).toMatchObject({ strategy: 'token', authenticated: false, viewOnly: false });
  });

  it('refuses a token the API server does not accept, and an empty one, with clear messages', async () => {
    const bad = await http(t.app).post('/api/auth/login').send({ token: 'nope' });
    expect(bad.status).toBe(401);
    expect(bad.body.error.message).toBe('The API server did not accept this token.');
    expect(bad.headers['set-cookie']).toBeUndefined();
    const empty = await http(t.app).post('/api/auth/login').send({ token: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toMatch(/^token: paste a token/);
  });

  it('keeps the token only in an encrypted HttpOnly SameSite=Strict cookie, with its expiry', async () => {
    const s = await signIn(t.app, 't-viewer');
    expect(s.setCookie).toHaveLength(1);
    expect(s.setCookie[0]).toMatch(/; HttpOnly/);
    expect(s.setCookie[0]).toMatch(/; SameSite=Strict/);
    expect(s.setCookie[0]).toMatch(/; Path=\//);
    expect(s.setCookie[0]).toMatch(/; Expires=/);
    expect(s.setCookie[0]).not.toMatch(/Secure/);
    expect(s.setCookie[0]).not.toContain('t-viewer');
    expect(s.info).toMatchObject({
      authenticated: true,
      identity: { username: 'viewer' },
      via: 'session',
      canSignOut: true,
    });
    expect(Date.parse(s.info.sessionExpiresAt as string) - Date.now()).toBeGreaterThan(7.9 * 3_600_000);
    const info = await http(t.app).get('/api/auth/info').set('Cookie', s.cookie);
    expect(info.body).toMatchObject({ identity: { username: 'viewer' }, csrfToken: s.csrf });
  });

  it('marks the cookie Secure behind https only when the proxy is trusted', async () => {
    const untrusted = await http(t.app)
      .post('/api/auth/login')
      .set('X-Forwarded-Proto', 'https')
      .send({ token: 't-viewer' });
    expect(untrusted.headers['set-cookie']?.[0]).not.toMatch(/Secure/);
    const behind = makeApp({ auth: { strategy: 'token', trustedProxies: ['127.0.0.1', '::1'] } });
    const trusted = await http(behind.app)
      .post('/api/auth/login')
      .set('X-Forwarded-Proto', 'https')
      .send({ token: 't-viewer' });
    expect(trusted.headers['set-cookie']?.[0]).toMatch(/; Secure/);
  });

  it('serves only the namespaces the user may read; the graph and Istio Config answer 403 for the others', async () => {
    const editor = await signIn(t.app, 't-editor');
    const ns = NamespacesResponseSchema.parse(
      (await http(t.app).get('/api/namespaces').set('Cookie', editor.cookie)).body,
    );
    expect(ns.namespaces.map((n) => n.name)).toEqual(['bookinfo']);
    const viewer = await signIn(t.app, 't-viewer');
    const all = NamespacesResponseSchema.parse(
      (await http(t.app).get('/api/namespaces').set('Cookie', viewer.cookie)).body,
    );
    expect(all.namespaces.map((n) => n.name).sort()).toEqual(['bookinfo', 'data', 'default', 'istio-system']);

    const graph = await http(t.app)
      .get('/api/graph?namespaces=bookinfo,istio-system')
      .set('Cookie', editor.cookie);
    expect(graph.status).toBe(403);
    expect(graph.body.error.message).toMatch(
      /^You may not read namespace istio-system \(bookinfo-editor may not list/,
    );
    const config = await http(t.app).get('/api/istio/config?namespaces=data').set('Cookie', editor.cookie);
    expect(config.status).toBe(403);
    const own = await http(t.app).get('/api/graph?namespaces=bookinfo').set('Cookie', editor.cookie);
    expect(own.status).toBe(200);
    expect(JSON.stringify(own.body.nodes)).not.toMatch(/"namespace":"(istio-system|data|default)"/);
  });

  it('needs the session’s CSRF token on writes made with the cookie', async () => {
    const editor = await signIn(t.app, 't-editor');
    const url = '/api/namespaces/bookinfo/istio/virtualservices';
    const none = await http(t.app).post(url).set('Cookie', editor.cookie).send(vs('bookinfo'));
    expect(none.status).toBe(403);
    expect(none.body.error.message).toContain(`no ${CSRF_HEADER} header was sent`);
    const wrong = await http(t.app)
      .post(url)
      .set('Cookie', editor.cookie)
      .set(CSRF_HEADER, (await signIn(t.app, 't-editor')).csrf)
      .send(vs('bookinfo'));
    expect(wrong.status).toBe(403);
    const before = t.calls.length;
    const ok = await http(t.app)
      .post(url)
      .set('Cookie', editor.cookie)
      .set(CSRF_HEADER, editor.csrf)
      .send(vs('bookinfo'));
    expect(ok.status).toBe(201);
    // Every Kubernetes call of the write was made with the editor's own token.
    const made = t.calls.slice(before);
    expect(made.length).toBeGreaterThan(0);
    expect(made.every((c) => c.user === 'bookinfo-editor' && c.via === 'token')).toBe(true);
    expect(made.map((c) => c.verb)).toContain('create');
  });

  it('passes the API server’s 403 through, naming who was refused', async () => {
    const editor = await signIn(t.app, 't-editor');
    const res = await http(t.app)
      .post('/api/namespaces/default/istio/virtualservices')
      .set('Cookie', editor.cookie)
      .set(CSRF_HEADER, editor.csrf)
      .send(vs('default'));
    expect(res.status).toBe(403);
    expect(res.body.error.name).toBe('NotAllowedError');
    expect(res.body.error.message).toMatch(
      /^Kubernetes refused bookinfo-editor: .*User "bookinfo-editor" cannot list resource "virtualservices"/,
    );
    expect(res.body.error.details).toMatchObject({
      refusedBy: 'kubernetes',
      identity: { username: 'bookinfo-editor' },
    });
  });

  it('takes Authorization: Bearer from scripts without a cookie or a CSRF token', async () => {
    const list = await http(t.app).get('/api/namespaces').set('Authorization', 'Bearer t-editor');
    expect(list.status).toBe(200);
    expect(list.body.namespaces.map((n: { name: string }) => n.name)).toEqual(['bookinfo']);
    const write = await http(t.app)
      .post('/api/namespaces/bookinfo/istio/virtualservices')
      .set('Authorization', 'Bearer t-editor')
      .send(vs('bookinfo'));
    expect(write.status).toBe(201);
    const bad = await http(t.app).get('/api/namespaces').set('Authorization', 'Bearer forged');
    expect(bad.status).toBe(401);
    expect(bad.body.error.message).toBe('The API server did not accept the bearer token of this request.');
    const info = await http(t.app).get('/api/auth/info').set('Authorization', 'Bearer t-viewer');
    expect(info.body).toMatchObject({ via: 'bearer', canSignOut: false, identity: { username: 'viewer' } });
    expect(info.body.csrfToken).toBeUndefined();
  });

  it('answers can-i with the user’s own rights, each result said plainly', async () => {
    const editor = await signIn(t.app, 't-editor');
    const res = await http(t.app)
      .post('/api/auth/can-i')
      .set('Cookie', editor.cookie)
      .send({
        checks: [
          {
            verb: 'update',
            group: 'networking.istio.io',
            resource: 'virtualservices',
            namespace: 'bookinfo',
            name: 'reviews',
          },
          { verb: 'update', group: 'networking.istio.io', resource: 'virtualservices', namespace: 'default' },
        ],
      });
    expect(res.status).toBe(200);
    expect(CanIResponseSchema.parse(res.body).results.map((r) => [r.allowed, r.message])).toEqual([
      [true, 'You may update virtualservices.networking.istio.io "reviews" in bookinfo'],
      [false, 'You may not update virtualservices.networking.istio.io in default'],
    ]);
    const bad = await http(t.app)
      .post('/api/auth/can-i')
      .set('Cookie', editor.cookie)
      .send({ checks: [{ verb: 'fly', group: '', resource: 'pods', namespace: 'x' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^checks\.0\.verb:/);
  });

  it('ends a session at its expiry: 401 saying so', async () => {
    let now = Date.now();
    const short = makeApp({ auth: { strategy: 'token', sessionTtlMs: 60_000 } }, () => now);
    const s = await signIn(short.app, 't-viewer');
    expect((await http(short.app).get('/api/namespaces').set('Cookie', s.cookie)).status).toBe(200);
    now += 60_000;
    const res = await http(short.app).get('/api/namespaces').set('Cookie', s.cookie);
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe('Your session expired; sign in again.');
  });

  it('signs out: the cookie is cleared', async () => {
    const s = await signIn(t.app, 't-viewer');
    const res = await http(t.app).post('/api/auth/logout').set('Cookie', s.cookie).set(CSRF_HEADER, s.csrf);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ signedOut: true });
    const cleared = (res.headers['set-cookie'] as unknown as string[]).find((c) =>
      c.startsWith('meshlens-session='),
    );
    expect(cleared).toMatch(/^meshlens-session=;.*Expires=Thu, 01 Jan 1970/);
  });
});

describe('graph limits per signed-in user', () => {
  it('counts each user’s graph computations apart', async () => {
    const t = makeApp({ auth: { strategy: 'token' }, graph: { maxComputationsPerClientPerMinute: 1 } });
    const viewer = await signIn(t.app, 't-viewer');
    const admin = await signIn(t.app, 't-admin');
    const graph = (s: { cookie: string }, duration: string) =>
      http(t.app).get(`/api/graph?namespaces=bookinfo&duration=${duration}`).set('Cookie', s.cookie);
    expect((await graph(viewer, '60s')).status).toBe(200);
    expect((await graph(viewer, '120s')).status).toBe(429);
    // Same address, another user: a budget of its own.
    expect((await graph(admin, '180s')).status).toBe(200);
  });
});

describe('viewOnly', () => {
  const t = makeApp({ auth: { strategy: 'token' }, viewOnly: true });

  it('refuses every write, even an admin’s, and can-i says why', async () => {
    const admin = await signIn(t.app, 't-admin');
    expect(admin.info.viewOnly).toBe(true);
    const before = t.calls.length;
    for (const [method, path] of [
      ['post', '/api/namespaces/bookinfo/istio/virtualservices'],
      ['put', '/api/namespaces/bookinfo/istio/virtualservices/reviews'],
      ['patch', '/api/namespaces/bookinfo/istio/virtualservices/reviews'],
      ['delete', '/api/namespaces/bookinfo/istio/virtualservices/reviews'],
      ['post', '/api/namespaces/bookinfo/services/reviews/routing'],
      ['delete', '/api/namespaces/bookinfo/services/reviews/routing'],
    ] as const) {
      const agent = http(t.app);
      const res = await agent[method](path)
        .set('Cookie', admin.cookie)
        .set(CSRF_HEADER, admin.csrf)
        .send(vs('bookinfo'));
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.message).toMatch(/^The console is view-only/);
    }
    expect(t.calls.length).toBe(before);
    const can = await http(t.app)
      .post('/api/auth/can-i')
      .set('Cookie', admin.cookie)
      .send({
        checks: [
          {
            verb: 'delete',
            group: 'networking.istio.io',
            resource: 'virtualservices',
            namespace: 'bookinfo',
          },
        ],
      });
    expect(can.body.results[0]).toMatchObject({
      allowed: false,
      message: expect.stringMatching(/view-only/),
    });
  });
});

describe('strategy header', () => {
  it('impersonates the user and groups a trusted proxy names', async () => {
    const t = makeApp({
      auth: { strategy: 'header', trustedProxies: ['127.0.0.1'], header: { impersonate: true } },
    });
    const info = await http(t.app)
      .get('/api/auth/info')
      .set('X-Forwarded-User', 'bookinfo-editor')
      .set('X-Forwarded-Groups', 'team-a, team-b');
    expect(info.body).toMatchObject({
      strategy: 'header',
      authenticated: true,
      via: 'proxy',
      identity: { username: 'bookinfo-editor', groups: ['team-a', 'team-b'] },
    });
    const ns = await http(t.app).get('/api/namespaces').set('X-Forwarded-User', 'bookinfo-editor');
    expect(ns.body.namespaces.map((n: { name: string }) => n.name)).toEqual(['bookinfo']);
    const before = t.calls.length;
    await http(t.app)
      .post('/api/namespaces/bookinfo/istio/virtualservices')
      .set('X-Forwarded-User', 'bookinfo-editor')
      .send(vs('bookinfo'));
    expect(t.calls.slice(before).every((c) => c.via === 'impersonate' && c.user === 'bookinfo-editor')).toBe(
      true,
    );
  });

  it('believes no user header from an address that is not a trusted proxy', async () => {
    const t = makeApp({
      auth: { strategy: 'header', trustedProxies: ['10.0.0.1'], header: { impersonate: true } },
    });
    const res = await http(t.app).get('/api/namespaces').set('X-Forwarded-User', 'admin');
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/did not come through a trusted proxy/);
  });

  it('without impersonation uses the bearer token the proxy passes', async () => {
    const t = makeApp({ auth: { strategy: 'header', header: { logoutUrl: '/oauth2/sign_out' } } });
    expect((await http(t.app).get('/api/namespaces')).status).toBe(401);
    const info = await http(t.app).get('/api/auth/info').set('Authorization', 'Bearer t-viewer');
    expect(info.body).toMatchObject({
      via: 'proxy',
      identity: { username: 'viewer' },
      logoutUrl: '/oauth2/sign_out',
      canSignOut: true,
    });
    const login = await http(t.app).post('/api/auth/login').send({ token: 't-viewer' });
    expect(login.status).toBe(400);
  });
});

describe('strategy anonymous', () => {
  it('acts as the console’s identity, as the API server names it, else the kubeconfig’s user', async () => {
    const t = makeApp({ auth: { strategy: 'anonymous' } });
    const info = AuthInfoResponseSchema.parse((await http(t.app).get('/api/auth/info')).body);
    expect(info).toMatchObject({
      strategy: 'anonymous',
      authenticated: true,
      via: 'console',
      identity: { username: 'kubernetes-admin' },
      identitySource: 'SelfSubjectReview',
      canSignOut: false,
    });
    const old = makeApp({ auth: { strategy: 'anonymous' } });
    old.breakWhoami();
    const fallback = await http(old.app).get('/api/auth/info');
    expect(fallback.body).toMatchObject({
      identity: { username: 'kubeconfig-user' },
      identitySource: 'kubeconfig',
    });
    // The console's own rights: no sign-in, no CSRF token, every namespace.
    const ns = await http(t.app).get('/api/namespaces');
    expect(ns.body.namespaces).toHaveLength(4);
  });
});
