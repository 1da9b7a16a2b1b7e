/**
 * Sign-in and the users' own rights against the demo cluster with real RBAC (bearer tokens,
 * SelfSubjectReview, SelfSubjectAccessReview, impersonation): the console server started with
 * startServer, three users with data/demo/users.yaml's rights (written here), and
 * - the token strategy: sign-in, readable namespaces, writes with the user's token, 403s passed through;
 * - a sweep: a viewer's session tries every write route the server registers (read from its router);
 *   none succeeds and nothing changes;
 * - the header strategy (bearer token from the proxy, or impersonation from a trusted proxy);
 * - anonymous: the console's own identity, as the API server names it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import {
  AUTH_ROUTES,
  ChangesResponseSchema,
  DETAIL_ROUTES,
  HISTORY_ROUTES,
  ENTITY_KINDS,
  ENTITY_ROUTES,
  AuthInfoResponseSchema,
  CSRF_HEADER,
  ISTIO_ROUTES,
  NamespacesResponseSchema,
  POD_LOGS_ROUTE,
  ROLLOUT_ROUTES,
  ROUTES,
  TRACING_ROUTES,
  type AuthInfoResponse,
} from '@meshlens/contract';
import { startDemoCluster } from '@meshlens/demo-cluster';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable, writeRoutes } from '../src/http/routeTable';
import { startServer, type RunningServer } from '../src/server';
import { applyYaml, dataFile, eventually } from './stackHelpers';

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
  return (await startConsole(config)).url;
}

async function startConsole(config: Record<string, unknown>): Promise<RunningServer> {
  const server = await startServer({
    kubeconfigPath,
    prometheusUrl: 'http://127.0.0.1:9',
    port: 0,
    host: '127.0.0.1',
    config: { webDir: dir, kubernetes: { timeoutMs: 5000 }, ...config },
    logger,
  });
  servers.push(server);
  return server;
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
/** An app of two versions for the sweep's rollout (reviews is the one a new rollout is tried on). */
const SWEEP_APP = ['v1', 'v2']
  .map(
    (v) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: sweepapp-${v} }
spec:
  replicas: 1
  selector: { matchLabels: { app: sweepapp, version: ${v} } }
  template:
    metadata: { labels: { app: sweepapp, version: ${v} } }
    spec: { containers: [{ name: sweepapp, image: x }] }
`,
  )
  .concat(
    `apiVersion: v1
kind: Service
metadata: { name: sweepapp }
spec: { selector: { app: sweepapp }, ports: [{ name: http, port: 9080 }] }
`,
  )
  .join('---\n');

/** A rollout that holds its first step for an hour: its driver writes nothing during the sweep. */
const SWEEP_ROLLOUT = {
  steps: [50, 100],
  waitSeconds: 3600,
  gates: { maxErrorPercent: 1, minRequests: 0 },
};

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
  let server: RunningServer;
  beforeAll(async () => {
    server = await startConsole({ auth: { strategy: 'token', sessionKey: 's'.repeat(40) } });
    url = server.url;
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

  it('the bookinfo editor gets nothing of another namespace from any read route the server registers', async () => {
    const editor = await signIn(url, TOKENS.editor);
    // (`/api/namespaces/:namespace/*rest` is the guard in front of them all, not an answer: app.ts.)
    const reads = routeTable(server.app).filter(
      (r) => r.method === 'GET' && r.path.startsWith('/api/') && !r.path.includes('*'),
    );
    // How each read route is told its namespaces: in the path, in the `namespaces` query, or not at all.
    const byQuery = new Set<string>([
      ROUTES.graph,
      ISTIO_ROUTES.config,
      ENTITY_ROUTES.overview,
      ...ENTITY_KINDS.map((k) => ENTITY_ROUTES.list(k)),
      ROLLOUT_ROUTES.list,
    ]);
    const lists = new Set<string>([ROUTES.namespaces]);
    // A trace names no namespace of its own: spans of namespaces the user may not read keep their timing
    // only (tracing.integration checks it with a trace that crosses istio-system and bookinfo).
    // One change names its namespaces; a change of a namespace the user may not read is a 403
    // (history.integration checks it with a change the admin made in another namespace).
    const none = new Set<string>([
      ROUTES.config,
      AUTH_ROUTES.info,
      TRACING_ROUTES.trace,
      HISTORY_ROUTES.change,
    ]);
    // The change history's filter is `namespace`, a comma list.
    const byNamespaceQuery = new Set<string>([HISTORY_ROUTES.changes]);
    const inPath = reads.filter((r) => r.path.includes('/:namespace'));
    // A read route added later must be placed in one of these, or this fails naming it.
    expect(
      reads
        .filter(
          (r) =>
            !inPath.includes(r) &&
            !byQuery.has(r.path) &&
            !byNamespaceQuery.has(r.path) &&
            !lists.has(r.path) &&
            !none.has(r.path),
        )
        .map((r) => r.path),
    ).toEqual([]);
    for (const p of byQuery) expect(reads.map((r) => r.path)).toContain(p);

    const SAMPLE: Record<string, string> = {
      service: 'reviews',
      kind: 'virtualservices',
      name: 'reviews',
      rest: 'virtualservices',
      id: 'sweep-0',
    };
    // The entity routes' `:kind` is apps|workloads|services (the Istio routes' is a resource plural).
    const sampleOf = (pattern: string): Record<string, string> =>
      pattern.startsWith('/api/namespaces/:namespace/:kind') ? { ...SAMPLE, kind: 'services' } : SAMPLE;
    const fill = (pattern: string, namespace: string) => {
      const sample = sampleOf(pattern);
      return pattern
        .replace(/\*(\w+)/g, (_m, k: string) => sample[k] ?? `<no sample for *${k}>`)
        .replace(/:(\w+)/g, (_m, k: string) =>
          k === 'namespace' ? namespace : (sample[k] ?? `<no sample for :${k}>`),
        );
    };
    /**
     * Every namespace an answer names (`"namespace": "…"` anywhere in it), but `unknown`: the graph's
     * stand-ins (the unknown caller, the "no access" node of unreadable namespaces) name none.
     */
    const named = (body: string) =>
      new Set([...body.matchAll(/"namespace":"([^"]*)"/g)].map((m) => m[1]).filter((ns) => ns !== 'unknown'));
    const checked: string[] = [];
    const others = ['istio-system', 'default'];
    for (const r of reads) {
      if (none.has(r.path)) continue;
      if (lists.has(r.path)) {
        const res = await call(url, editor, 'GET', r.path);
        expect(res.status).toBe(200);
        const body = await res.text();
        expect(
          NamespacesResponseSchema.parse(JSON.parse(body)).namespaces.map((n) => n.name),
          r.path,
        ).toEqual([NS]);
        checked.push(r.path);
        continue;
      }
      const own = byQuery.has(r.path)
        ? `${r.path}?namespaces=${NS}`
        : byNamespaceQuery.has(r.path)
          ? `${r.path}?namespace=${NS}`
          : fill(r.path, NS);
      expect(own, 'every parameter has a sample value').not.toContain('<no sample');
      const mine = await call(url, editor, 'GET', own);
      const body = await mine.text();
      expect(mine.status, `${own}: ${body.slice(0, 300)}`).toBeLessThan(500);
      expect(mine.status, `${own}: ${body.slice(0, 300)}`).not.toBe(403);
      for (const ns of named(body)) expect(ns, `${own} names namespace ${ns}`).toBe(NS);
      for (const other of others) {
        const theirs = byQuery.has(r.path)
          ? `${r.path}?namespaces=${NS},${other}`
          : byNamespaceQuery.has(r.path)
            ? `${r.path}?namespace=${NS},${other}`
            : fill(r.path, other);
        const res = await call(url, editor, 'GET', theirs);
        const text = await res.text();
        expect(res.status, `${theirs}: ${text.slice(0, 300)}`).toBe(403);
        expect(text, theirs).toContain(`You may not read namespace ${other}`);
      }
      checked.push(r.path);
    }
    expect(checked).toEqual(
      expect.arrayContaining([
        ROUTES.graph,
        ISTIO_ROUTES.config,
        ROUTES.namespaces,
        ISTIO_ROUTES.routing,
        ISTIO_ROUTES.objects,
        ISTIO_ROUTES.object,
        ENTITY_ROUTES.overview,
        ENTITY_ROUTES.list('workloads'),
        DETAIL_ROUTES.detail,
        DETAIL_ROUTES.metrics,
        POD_LOGS_ROUTE,
        HISTORY_ROUTES.changes,
      ]),
    );
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
    // A rollout for the viewer to try to command: on an app of two versions of its own (reviews is the
    // one a new rollout is tried on), waiting an hour at its first step, so its driver writes nothing more.
    await applyYaml(kubeconfigPath, SWEEP_APP, NS);
    await eventually(
      'sweepapp with two versions in the inventory',
      async () => {
        const r = await call(url, adminSession, 'GET', `/api/namespaces/${NS}/services/sweepapp/routing`);
        const body = (await r.json()) as { versions?: unknown[] };
        return r.status === 200 && (body.versions?.length ?? 0) >= 2 ? true : undefined;
      },
      15_000,
      200,
    );
    const started = await call(
      url,
      adminSession,
      'POST',
      `/api/namespaces/${NS}/services/sweepapp/rollouts`,
      { ...SWEEP_ROLLOUT, target: 'v2', baseline: { v1: 100 } },
    );
    expect(started.status, await started.clone().text()).toBe(201);
    const rolloutId = ((await started.json()) as { id: string }).id;
    await eventually(
      "the rollout's first step written",
      async () => {
        const r = await call(url, adminSession, 'GET', `/api/namespaces/${NS}/rollouts/${rolloutId}`);
        const body = (await r.json()) as { steps: { startedAt?: string }[] };
        return body.steps[0]?.startedAt ? true : undefined;
      },
      15_000,
      200,
    );
    const snapshot = async () =>
      JSON.stringify(
        (
          (await (
            await call(url, adminSession, 'GET', `${ISTIO_ROUTES.config}?namespaces=${NS}`)
          ).json()) as { items: { kind: string; metadata: { name: string; resourceVersion: string } }[] }
        ).items.map((o) => [o.kind, o.metadata.name, o.metadata.resourceVersion]),
      );
    const before = await snapshot();
    // Changes the admin's creations made (the history records every console write): reverting one would
    // delete that object.
    const recorded = ChangesResponseSchema.parse(
      await (
        await call(url, adminSession, 'GET', `${HISTORY_ROUTES.changes}?namespace=${NS}&source=console`)
      ).json(),
    ).changes.filter((c) => /^create \w+ bookinfo\/sweep-/.test(c.summary));
    expect(recorded.length, 'the admin’s creations are in the history').toBeGreaterThanOrEqual(6);

    // Every write route the server registers (read from its router, not listed by hand), each tried with
    // requests the admin's dry run of the same request accepts. The sign-in routes change nothing in the
    // cluster (a view-only console takes them too: auth/index.ts).
    const notWrites = new Set(
      [AUTH_ROUTES.login, AUTH_ROUTES.logout, AUTH_ROUTES.canI].map((r) => `POST ${r}`),
    );
    const fill = (pattern: string, params: Record<string, string>) =>
      pattern.replace(/:(\w+)/g, (_m, k: string) => {
        const v = params[k];
        if (v === undefined) throw new Error(`no value for :${k} of ${pattern}`);
        return encodeURIComponent(v);
      });
    const requestsFor: Record<string, () => { method: string; path: string; body?: unknown }[]> = {
      [`POST ${ROLLOUT_ROUTES.start}`]: () => [
        {
          method: 'POST',
          path: fill(ROLLOUT_ROUTES.start, { namespace: NS, service: 'reviews' }),
          body: { ...SWEEP_ROLLOUT, target: 'v3', baseline: { v1: 100 } },
        },
      ],
      [`POST ${ROLLOUT_ROUTES.command}`]: () =>
        ['pause', 'abort', 'promote'].map((command) => ({
          method: 'POST',
          path: fill(ROLLOUT_ROUTES.command, { namespace: NS, id: rolloutId, command }),
        })),
      [`POST ${HISTORY_ROUTES.revert}`]: () =>
        recorded
          .slice(0, 3)
          .map((c) => ({ method: 'POST', path: fill(HISTORY_ROUTES.revert, { id: c.id }) })),
      [`POST ${ISTIO_ROUTES.routing}`]: () => [
        ...services.map((service) => ({
          method: 'POST',
          path: fill(ISTIO_ROUTES.routing, { namespace: NS, service }),
          body: { faultInjection: { abort: { httpStatus: 500, percentage: 100 } } },
        })),
        {
          method: 'POST',
          path: fill(ISTIO_ROUTES.routing, { namespace: NS, service: 'reviews' }),
          body: { trafficShifting: { v1: 100 } },
        },
      ],
      [`DELETE ${ISTIO_ROUTES.routing}`]: () =>
        services.map((service) => ({
          method: 'DELETE',
          path: fill(ISTIO_ROUTES.routing, { namespace: NS, service }),
        })),
      [`POST ${ISTIO_ROUTES.objects}`]: () =>
        [...targets].map(([kind, t]) => ({
          method: 'POST',
          path: fill(ISTIO_ROUTES.objects, { namespace: NS, kind }),
          body: { ...t, metadata: { name: `${t.metadata.name}-2`, namespace: NS } },
        })),
      [`PUT ${ISTIO_ROUTES.object}`]: () =>
        [...targets].map(([kind, t]) => ({
          method: 'PUT',
          path: fill(ISTIO_ROUTES.object, { namespace: NS, kind, name: t.metadata.name }),
          body: { ...t, metadata: { ...t.metadata, labels: { swept: 'yes' } } },
        })),
      [`PATCH ${ISTIO_ROUTES.object}`]: () =>
        [...targets].map(([kind, t]) => ({
          method: 'PATCH',
          path: `${fill(ISTIO_ROUTES.object, { namespace: NS, kind, name: t.metadata.name })}?resourceVersion=${t.metadata.resourceVersion}`,
          body: { metadata: { labels: { swept: 'yes' } } },
        })),
      [`DELETE ${ISTIO_ROUTES.object}`]: () =>
        [...targets].map(([kind, t]) => ({
          method: 'DELETE',
          path: `${fill(ISTIO_ROUTES.object, { namespace: NS, kind, name: t.metadata.name })}?resourceVersion=${t.metadata.resourceVersion}`,
        })),
    };
    const registered = writeRoutes(server.app)
      .map((r) => `${r.method} ${r.path}`)
      .filter((r) => !notWrites.has(r));
    expect(registered.length, 'the server registers write routes').toBeGreaterThan(0);
    // A write route the sweep cannot try fails here, naming it: add its requests above.
    expect(registered.filter((r) => !(r in requestsFor))).toEqual([]);
    // …and the sweep tries no route the server no longer has.
    expect(Object.keys(requestsFor).filter((r) => !registered.includes(r))).toEqual([]);
    const writes = registered.flatMap((r) => {
      const tried = requestsFor[r]!();
      expect(tried.length, `${r}: requests tried`).toBeGreaterThan(0);
      return tried;
    });
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
        a.path.includes('/rollouts')
          ? // a rollout asks the cluster (an access review with the viewer's credentials) first
            /^Kubernetes refused viewer: viewer may not update virtualservices in namespace bookinfo/
          : /^Kubernetes refused viewer: .*User "viewer" cannot/,
      );
    }
    expect(await snapshot()).toBe(before);
    process.stderr.write(
      `auth sweep: ${attempts.length} writes tried by the viewer (${writes.length} requests × real and dry run, each accepted in the admin's dry run, over the ${registered.length} write routes the server registers: ${registered.join('; ')}), ${succeeded.length} succeeded\n`,
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
