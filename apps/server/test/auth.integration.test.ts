/**
 * Sign-in and the users' own rights against the demo cluster with real RBAC (bearer tokens,
 * SelfSubjectReview, SelfSubjectAccessReview, impersonation): the console server started with
 * startServer, three users with data/demo/users.yaml's rights (written here), and
 * - the token strategy: sign-in, readable namespaces, writes with the user's token, 403s passed through;
 * - a sweep: a viewer's session tries every write route; none succeeds and nothing changes;
 * - the header strategy (bearer token from the proxy, or impersonation from a trusted proxy);
 * - anonymous: the console's own identity, as the API server names it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import {
  AuthInfoResponseSchema,
  CSRF_HEADER,
  ISTIO_ROUTES,
  NamespacesResponseSchema,
  type AuthInfoResponse,
} from '@meshlens/contract';
import { startDemoCluster } from '@meshlens/demo-cluster';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server';
import { applyYaml, dataFile } from './stackHelpers';

const TOKENS = {
  admin: 'tok-admin-0123456789',
  editor: 'tok-editor-0123456789',
  viewer: 'tok-viewer-0123456789',
};
const NS = 'bookinfo';
const NET = 'networking.istio.io/v1';

/** data/demo/users.yaml's rights: cluster-admin, `edit` in bookinfo (+ namespace list), `view` everywhere. */
const RBAC = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: test:istio-view, labels: { rbac.authorization.k8s.io/aggregate-to-view: 'true' } }
rules:
  - apiGroups: [networking.istio.io, security.istio.io]
    resources: ['*']
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: test:istio-edit, labels: { rbac.authorization.k8s.io/aggregate-to-edit: 'true' } }
rules:
  - apiGroups: [networking.istio.io, security.istio.io]
    resources: ['*']
    verbs: [create, update, patch, delete, deletecollection]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: test:namespace-reader }
rules:
  - { apiGroups: [''], resources: [namespaces], verbs: [get, list, watch] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: test:admin }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: admin }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: test:bookinfo-editor, namespace: bookinfo }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: bookinfo-editor }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: test:bookinfo-editor-namespaces }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: test:namespace-reader }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: bookinfo-editor }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: test:viewer }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: viewer }]
`;

let dir: string;
let cluster: Awaited<ReturnType<typeof startDemoCluster>>;
let kubeconfigPath: string;
let admin: KubernetesObjectApi;
const servers: RunningServer[] = [];
const logger = pino({ level: 'silent' });

async function console_(config: Record<string, unknown>): Promise<string> {
  const server = await startServer({
    kubeconfigPath,
    prometheusUrl: 'http://127.0.0.1:9',
    port: 0,
    host: '127.0.0.1',
    config: { webDir: dir, kubernetes: { timeoutMs: 5000 }, ...config },
    logger,
  });
  servers.push(server);
  return server.url;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshlens-auth-it-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>x</title>');
  const rbac = join(dir, 'rbac.yaml');
  writeFileSync(rbac, RBAC);
  kubeconfigPath = join(dir, 'kubeconfig');
  cluster = await startDemoCluster({
    host: '127.0.0.1',
    port: 0,
    load: [rbac],
    auth: {
      tokens: [
        { token: TOKENS.admin, user: 'admin' },
        { token: TOKENS.editor, user: 'bookinfo-editor' },
        { token: TOKENS.viewer, user: 'viewer' },
      ],
    },
  });
  await cluster.writeKubeconfig(kubeconfigPath);
  await applyYaml(kubeconfigPath, `apiVersion: v1\nkind: Namespace\nmetadata: { name: ${NS} }\n`, '');
  await applyYaml(kubeconfigPath, readFileSync(dataFile('bookinfo.yaml'), 'utf8'), NS);
  await applyYaml(kubeconfigPath, readFileSync(dataFile('destination-rule-all.yaml'), 'utf8'), NS);
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  admin = KubernetesObjectApi.makeApiClient(kc);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await cluster?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Session {
  cookie: string;
  csrf: string;
  info: AuthInfoResponse;
}

async function signIn(url: string, token: string): Promise<Session> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
    body: JSON.stringify({ token }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const cookie = res.headers
    .getSetCookie()
    .filter((c) => c.startsWith('meshlens-session'))
    .map((c) => c.split(';')[0])
    .join('; ');
  const info = AuthInfoResponseSchema.parse(await res.json());
  return { cookie, csrf: info.csrfToken ?? '', info };
}

const call = (url: string, s: Session, method: string, path: string, body?: unknown) =>
  fetch(`${url}${path}`, {
    method,
    headers: {
      cookie: s.cookie,
      [CSRF_HEADER]: s.csrf,
      // What the console's own pages send (writes need it: http/origin.ts).
      'sec-fetch-site': 'same-origin',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

const vs = (namespace: string, name: string, host = 'reviews') => ({
  apiVersion: NET,
  kind: 'VirtualService',
  metadata: { name, namespace },
  spec: { hosts: [host], http: [{ route: [{ destination: { host, subset: 'v1' } }] }] },
});

/** A valid spec per kind, for the sweep's objects (kinds not listed: an empty spec). */
const SWEEP_SPECS: Record<string, unknown> = {
  VirtualService: { hosts: ['sweep.example.com'], http: [{ route: [{ destination: { host: 'ratings' } }] }] },
  DestinationRule: { host: 'details', trafficPolicy: { connectionPool: { tcp: { maxConnections: 10 } } } },
  Gateway: {
    selector: { istio: 'ingressgateway' },
    servers: [{ port: { number: 8089, name: 'http-sweep', protocol: 'HTTP' }, hosts: ['sweep.example.com'] }],
  },
  ServiceEntry: {
    hosts: ['sweep.example.org'],
    location: 'MESH_EXTERNAL',
    resolution: 'DNS',
    ports: [{ number: 443, name: 'tls', protocol: 'TLS' }],
  },
  Sidecar: { workloadSelector: { labels: { app: 'ratings' } }, egress: [{ hosts: ['./*'] }] },
  PeerAuthentication: { selector: { matchLabels: { app: 'ratings' } }, mtls: { mode: 'STRICT' } },
  AuthorizationPolicy: { selector: { matchLabels: { app: 'ratings' } }, action: 'ALLOW', rules: [{}] },
  RequestAuthentication: { selector: { matchLabels: { app: 'ratings' } } },
  WorkloadEntry: { address: '10.0.0.9', labels: { app: 'sweep' } },
};

describe('strategy token against the demo cluster', () => {
  let url: string;
  beforeAll(async () => {
    url = await console_({ auth: { strategy: 'token', sessionKey: 's'.repeat(40) } });
  });

  it('signs each user in as the API server names them; refuses an unknown token', async () => {
    for (const [token, user] of [
      [TOKENS.admin, 'admin'],
      [TOKENS.editor, 'bookinfo-editor'],
      [TOKENS.viewer, 'viewer'],
    ] as const) {
      const s = await signIn(url, token);
      expect(s.info).toMatchObject({ identity: { username: user }, identitySource: 'SelfSubjectReview' });
      expect(s.info.identity?.groups).toContain('system:authenticated');
    }
    const bad = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
      body: JSON.stringify({ token: 'not-a-token-of-this-cluster' }),
    });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toBe(
      'The API server did not accept this token.',
    );
  });

  it('lists only the namespaces each user may read', async () => {
    const names = async (token: string) =>
      NamespacesResponseSchema.parse(
        await (await call(url, await signIn(url, token), 'GET', '/api/namespaces')).json(),
      )
        .namespaces.map((n) => n.name)
        .sort();
    expect(await names(TOKENS.editor)).toEqual([NS]);
    const all = await names(TOKENS.viewer);
    expect(all).toEqual(expect.arrayContaining([NS, 'default', 'istio-system']));
    expect(await names(TOKENS.admin)).toEqual(all);
    const editor = await signIn(url, TOKENS.editor);
    const graph = await call(url, editor, 'GET', '/api/graph?namespaces=istio-system');
    expect(graph.status).toBe(403);
  });

  it('writes with the user’s own token: the editor in bookinfo, refused elsewhere with who and why', async () => {
    const editor = await signIn(url, TOKENS.editor);
    const ok = await call(
      url,
      editor,
      'POST',
      `/api/namespaces/${NS}/istio/virtualservices`,
      vs(NS, 'by-editor'),
    );
    expect(ok.status, await ok.clone().text()).toBe(201);
    const stored = await admin.read({
      apiVersion: NET,
      kind: 'VirtualService',
      metadata: { name: 'by-editor', namespace: NS },
    });
    expect(stored.metadata?.name).toBe('by-editor');
    await admin.delete(stored);
    const refused = await call(
      url,
      editor,
      'POST',
      '/api/namespaces/default/istio/virtualservices',
      vs('default', 'x'),
    );
    expect(refused.status).toBe(403);
    const body = (await refused.json()) as {
      error: { message: string; details: { identity: { username: string } } };
    };
    expect(body.error.message).toMatch(
      /^Kubernetes refused bookinfo-editor: .*User "bookinfo-editor" cannot/,
    );
    expect(body.error.details.identity.username).toBe('bookinfo-editor');
  });

  it('answers can-i with SelfSubjectAccessReviews of the user', async () => {
    const ask = async (token: string, namespace: string) => {
      const s = await signIn(url, token);
      const res = await call(url, s, 'POST', '/api/auth/can-i', {
        checks: [{ verb: 'update', group: 'networking.istio.io', resource: 'virtualservices', namespace }],
      });
      return ((await res.json()) as { results: { allowed: boolean; message: string }[] }).results[0];
    };
    expect(await ask(TOKENS.editor, NS)).toMatchObject({ allowed: true });
    expect(await ask(TOKENS.editor, 'default')).toEqual({
      verb: 'update',
      group: 'networking.istio.io',
      resource: 'virtualservices',
      namespace: 'default',
      allowed: false,
      message: 'You may not update virtualservices.networking.istio.io in default',
    });
    expect(await ask(TOKENS.viewer, NS)).toMatchObject({ allowed: false });
  });

  // About a hundred writes through the real server and API server: longer than the default bound.
  it('sweep: a viewer’s session tries every write route; none succeeds and nothing changes', async () => {
    const viewer = await signIn(url, TOKENS.viewer);
    const adminSession = await signIn(url, TOKENS.admin);
    const services = ['productpage', 'reviews', 'ratings', 'details'];
    // Routing the console manages on every service, so that each routing write has something to change.
    for (const svc of services) {
      const res = await call(url, adminSession, 'POST', `/api/namespaces/${NS}/services/${svc}/routing`, {
        trafficShifting: svc === 'reviews' ? { v1: 50, v2: 50 } : { v1: 100 },
      });
      expect(res.status, await res.clone().text()).toBe(200);
    }
    const config = (await (
      await call(url, adminSession, 'GET', `${ISTIO_ROUTES.config}?namespaces=${NS}`)
    ).json()) as { kinds: { plural: string; kind: string; apiVersion: string }[] };
    // One object of each kind, made by the admin, for the viewer to try to replace, patch and delete.
    const targets = new Map<
      string,
      {
        apiVersion: string;
        kind: string;
        metadata: { name: string; namespace: string; resourceVersion?: string };
        spec: unknown;
      }
    >();
    for (const k of config.kinds) {
      const obj = {
        apiVersion: k.apiVersion,
        kind: k.kind,
        metadata: { name: `sweep-${k.plural}`, namespace: NS },
        spec: SWEEP_SPECS[k.kind] ?? {},
      };
      const res = await call(url, adminSession, 'POST', `/api/namespaces/${NS}/istio/${k.plural}`, obj);
      if (res.status === 201) targets.set(k.plural, ((await res.json()) as { object: typeof obj }).object);
    }
    expect(targets.size, 'the admin could make an object of most kinds').toBeGreaterThanOrEqual(6);
    const snapshot = async () =>
      JSON.stringify(
        (
          (await (
            await call(url, adminSession, 'GET', `${ISTIO_ROUTES.config}?namespaces=${NS}`)
          ).json()) as { items: { kind: string; metadata: { name: string; resourceVersion: string } }[] }
        ).items.map((o) => [o.kind, o.metadata.name, o.metadata.resourceVersion]),
      );
    const before = await snapshot();

    // Every write route, each request one the admin's dry run of the same request accepts.
    const writes: { method: string; path: string; body?: unknown }[] = [];
    for (const svc of services) {
      const routing = `/api/namespaces/${NS}/services/${svc}/routing`;
      writes.push({
        method: 'POST',
        path: routing,
        body: { faultInjection: { abort: { httpStatus: 500, percentage: 100 } } },
      });
      writes.push({ method: 'DELETE', path: routing });
    }
    writes.push({
      method: 'POST',
      path: `/api/namespaces/${NS}/services/reviews/routing`,
      body: { trafficShifting: { v1: 100 } },
    });
    for (const [plural, t] of targets) {
      const one = `/api/namespaces/${NS}/istio/${plural}/${t.metadata.name}`;
      const rv = `resourceVersion=${t.metadata.resourceVersion}`;
      writes.push({
        method: 'POST',
        path: `/api/namespaces/${NS}/istio/${plural}`,
        body: { ...t, metadata: { name: `${t.metadata.name}-2`, namespace: NS } },
      });
      writes.push({
        method: 'PUT',
        path: one,
        body: { ...t, metadata: { ...t.metadata, labels: { swept: 'yes' } } },
      });
      writes.push({
        method: 'PATCH',
        path: `${one}?${rv}`,
        body: { metadata: { labels: { swept: 'yes' } } },
      });
      writes.push({ method: 'DELETE', path: `${one}?${rv}` });
    }
    const withDry = (path: string) => `${path}${path.includes('?') ? '&' : '?'}dryRun=true`;
    const attempts: { method: string; path: string; status: number; message: string }[] = [];
    for (const w of writes) {
      const adminDry = await call(url, adminSession, w.method, withDry(w.path), w.body);
      const dryBody = (await adminDry.json()) as { steps?: unknown[] };
      expect(
        adminDry.status,
        `admin dry run of ${w.method} ${w.path}: ${JSON.stringify(dryBody)}`,
      ).toBeLessThan(300);
      // A routing answer without steps would be no write at all.
      if (w.path.endsWith('/routing'))
        expect(dryBody.steps?.length, `${w.method} ${w.path} writes`).toBeGreaterThan(0);
      for (const path of [w.path, withDry(w.path)]) {
        const res = await call(url, viewer, w.method, path, w.body);
        const body = (await res.json()) as { error?: { message: string } };
        attempts.push({ method: w.method, path, status: res.status, message: body.error?.message ?? '' });
      }
    }
    const succeeded = attempts.filter((a) => a.status < 400);
    expect(succeeded).toEqual([]);
    // Each refused by the API server with the viewer's own rights.
    for (const a of attempts) {
      expect(a.status, `${a.method} ${a.path}`).toBe(403);
      expect(a.message, `${a.method} ${a.path}`).toMatch(
        /^Kubernetes refused viewer: .*User "viewer" cannot/,
      );
    }
    expect(await snapshot()).toBe(before);
    process.stderr.write(
      `auth sweep: ${attempts.length} writes tried by the viewer (${writes.length} routes × real and dry run, each accepted in the admin's dry run), ${succeeded.length} succeeded\n`,
    );
  }, 120_000);
});

describe('strategy header against the demo cluster', () => {
  it('impersonates the user a trusted proxy names (the API server checks the impersonation)', async () => {
    const url = await console_({
      auth: { strategy: 'header', trustedProxies: ['127.0.0.1', '::1'], header: { impersonate: true } },
    });
    const res = await fetch(`${url}/api/namespaces`, { headers: { 'X-Forwarded-User': 'bookinfo-editor' } });
    expect(res.status).toBe(200);
    expect(NamespacesResponseSchema.parse(await res.json()).namespaces.map((n) => n.name)).toEqual([NS]);
    const write = await fetch(`${url}/api/namespaces/default/istio/virtualservices`, {
      method: 'POST',
      headers: {
        'X-Forwarded-User': 'bookinfo-editor',
        'content-type': 'application/json',
        'sec-fetch-site': 'same-origin',
      },
      body: JSON.stringify(vs('default', 'imp')),
    });
    expect(write.status).toBe(403);
    expect(((await write.json()) as { error: { message: string } }).error.message).toMatch(/bookinfo-editor/);
  });

  it('uses the bearer token the proxy passes', async () => {
    const url = await console_({ auth: { strategy: 'header' } });
    const info = AuthInfoResponseSchema.parse(
      await (
        await fetch(`${url}/api/auth/info`, { headers: { authorization: `Bearer ${TOKENS.viewer}` } })
      ).json(),
    );
    expect(info).toMatchObject({ authenticated: true, via: 'proxy', identity: { username: 'viewer' } });
  });
});

describe('strategy anonymous against the demo cluster', () => {
  it('says everyone acts as the console’s identity, as the API server names it', async () => {
    const url = await console_({ auth: { strategy: 'anonymous' } });
    const info = AuthInfoResponseSchema.parse(await (await fetch(`${url}/api/auth/info`)).json());
    expect(info).toMatchObject({
      strategy: 'anonymous',
      authenticated: true,
      identity: { username: cluster.adminUser },
      identitySource: 'SelfSubjectReview',
    });
  });
});
