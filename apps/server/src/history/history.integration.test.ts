/**
 * The change history on the real console (startServer, strategy token) and the real demo cluster with
 * Bookinfo: a wizard write is recorded with the user and the objects before/after; a write made straight
 * to the API server with another field manager is recorded with that manager (and the console's own
 * writes only once); revert restores the earlier state, answers 409 once the object moved on; the history
 * is read back by a restarted console; users see only the namespaces they may read.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChangeSchema,
  ChangesResponseSchema,
  ErrorBodySchema,
  RevertConflictDetailsSchema,
  RevertResponseSchema,
  type Change,
} from '@meshlens/contract';
import { startDemoCluster } from '@meshlens/demo-cluster';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../server';
import { applyYaml, dataFile, eventually } from '../../test/stackHelpers';

const NS = 'bookinfo';
const HISTORY_NS = 'meshlens';
const TOKENS = { admin: 'tok-admin-0123456789', editor: 'tok-editor-0123456789' };
const RBAC = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: test:istio-edit, labels: { rbac.authorization.k8s.io/aggregate-to-edit: 'true' } }
rules:
  - apiGroups: [networking.istio.io, security.istio.io]
    resources: ['*']
    verbs: [get, list, watch, create, update, patch, delete]
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
`;

let dir: string;
let kubeconfigPath: string;
let cluster: Awaited<ReturnType<typeof startDemoCluster>>;
let server: RunningServer;
const logger = pino({ level: 'silent' });

const startConsole = () =>
  startServer({
    kubeconfigPath,
    prometheusUrl: 'http://127.0.0.1:9',
    port: 0,
    host: '127.0.0.1',
    config: {
      webDir: dir,
      auth: { strategy: 'token' },
      history: { namespace: HISTORY_NS },
      kubernetes: { timeoutMs: 5000 },
    },
    logger,
  });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshlens-history-it-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>x</title>');
  writeFileSync(join(dir, 'rbac.yaml'), RBAC);
  kubeconfigPath = join(dir, 'kubeconfig');
  cluster = await startDemoCluster({
    host: '127.0.0.1',
    port: 0,
    load: [join(dir, 'rbac.yaml')],
    auth: {
      tokens: [
        { token: TOKENS.admin, user: 'admin' },
        { token: TOKENS.editor, user: 'bookinfo-editor' },
      ],
    },
  });
  await cluster.writeKubeconfig(kubeconfigPath);
  for (const ns of [NS, HISTORY_NS])
    await applyYaml(kubeconfigPath, `apiVersion: v1\nkind: Namespace\nmetadata: { name: ${ns} }\n`, '');
  await applyYaml(kubeconfigPath, readFileSync(dataFile('bookinfo.yaml'), 'utf8'), NS);
  server = await startConsole();
}, 60_000);

afterAll(async () => {
  await server?.close();
  await cluster?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A call to the console as a script would make it: bearer token, no cookie. */
const api = (token: string, method: string, path: string, body?: unknown) =>
  fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      'sec-fetch-site': 'same-origin',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

/** Straight to the API server, as kubectl would, with its own field manager. */
const kube = (method: string, path: string, body?: unknown, fieldManager = 'kubectl-edit') =>
  fetch(`${cluster.url}${path}${path.includes('?') ? '&' : '?'}fieldManager=${fieldManager}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKENS.admin}`,
      'user-agent': 'kubectl/v1.31.0 (linux/amd64) kubernetes/abc',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const vsPath = (ns: string, name: string) =>
  `/apis/networking.istio.io/v1/namespaces/${ns}/virtualservices/${name}`;

async function changes(token = TOKENS.editor, qs = ''): Promise<Change[]> {
  const res = await api(token, 'GET', `/api/changes${qs}`);
  expect(res.status, await res.clone().text()).toBe(200);
  const list = ChangesResponseSchema.parse(await res.json()).changes;
  return Promise.all(
    list.map(async (c) => ChangeSchema.parse(await (await api(token, 'GET', `/api/changes/${c.id}`)).json())),
  );
}

type Route = { destination: { subset: string }; weight?: number };
const weights = (vs: unknown) =>
  (vs as { spec: { http: { route: Route[] }[] } } | null)?.spec.http
    .at(-1)
    ?.route.map((r) => [r.destination.subset, r.weight]);

describe('change history', () => {
  let wizard: Change;
  let external: Change;

  it('records a wizard write with its user, intent and each object before and after', async () => {
    const res = await api(TOKENS.editor, 'POST', `/api/namespaces/${NS}/services/reviews/routing`, {
      trafficShifting: { v1: 80, v2: 20 },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const dry = await api(
      TOKENS.editor,
      'POST',
      `/api/namespaces/${NS}/services/ratings/routing?dryRun=true`,
      {
        trafficShifting: { v1: 100 },
      },
    );
    expect(dry.status).toBe(200);
    const all = await changes();
    expect(all).toHaveLength(1); // the dry run is not a change
    wizard = all[0] as Change;
    expect(wizard).toMatchObject({
      source: 'console',
      actor: 'bookinfo-editor',
      namespace: NS,
      // The intent as the routes parsed it (the short form normalised).
      intent: { trafficShifting: { weights: { v1: 80, v2: 20 } } },
      summary: 'traffic shifting reviews: v1 80, v2 20',
    });
    const byKind = Object.fromEntries(wizard.objects.map((o) => [o.kind, o]));
    expect(byKind.DestinationRule?.before).toBeNull();
    expect(byKind.VirtualService?.before).toBeNull();
    expect(weights(byKind.VirtualService?.after)).toEqual([
      ['v1', 80],
      ['v2', 20],
    ]);
    expect(byKind.VirtualService?.after?.metadata.resourceVersion).toMatch(/^\d+$/);
  });

  it('records a write made outside the console with its field manager, and the console’s only once', async () => {
    const now = (await (await kube('GET', vsPath(NS, 'reviews'))).json()) as {
      spec: { http: { route: Route[] }[] };
    };
    const route = now.spec.http.at(-1)?.route ?? [];
    for (const r of route) r.weight = 50;
    const put = await kube('PUT', vsPath(NS, 'reviews'), now);
    expect(put.status, await put.clone().text()).toBe(200);
    external = await eventually(
      'the external change in the history',
      async () => (await changes()).find((c) => c.source === 'external'),
      10_000,
      100,
    );
    expect(external).toMatchObject({
      actor: 'kubectl-edit',
      manager: 'kubectl-edit',
      operation: 'Update',
      namespace: NS,
      summary: `edit VirtualService ${NS}/reviews`,
    });
    const [o] = external.objects;
    expect(weights(o?.before)).toEqual([
      ['v1', 80],
      ['v2', 20],
    ]);
    expect(weights(o?.after)).toEqual([
      ['v1', 50],
      ['v2', 50],
    ]);
    const all = await changes();
    expect(all.map((c) => c.id)).toEqual([external.id, wizard.id]); // newest first, nothing twice
    expect(all.some((c) => c.manager === 'meshlens')).toBe(false);
  });

  it('refuses to revert a change whose object moved on since (409 with what is there now)', async () => {
    const res = await api(TOKENS.editor, 'POST', `/api/changes/${wizard.id}/revert`);
    expect(res.status).toBe(409);
    const body = ErrorBodySchema.parse(await res.json());
    expect(body.error.message).toMatch(/changed since change/);
    const details = RevertConflictDetailsSchema.parse(body.error.details);
    const vs = details.conflicts.find((c) => c.kind === 'VirtualService');
    expect(weights(vs?.expected)).toEqual([
      ['v1', 80],
      ['v2', 20],
    ]);
    expect(weights(vs?.current)).toEqual([
      ['v1', 50],
      ['v2', 50],
    ]);
    const still = (await (await kube('GET', vsPath(NS, 'reviews'))).json()) as unknown;
    expect(weights(still)).toEqual([
      ['v1', 50],
      ['v2', 50],
    ]);
  });

  it('reverts the external change: a dry run writes nothing, then the before state is back and recorded', async () => {
    const dry = await api(TOKENS.editor, 'POST', `/api/changes/${external.id}/revert?dryRun=true`);
    expect(dry.status, await dry.clone().text()).toBe(200);
    const preview = RevertResponseSchema.parse(await dry.json());
    expect(preview.dryRun).toBe(true);
    expect(preview.change).toBeUndefined();
    expect(weights(await (await kube('GET', vsPath(NS, 'reviews'))).json())).toEqual([
      ['v1', 50],
      ['v2', 50],
    ]);
    const res = await api(TOKENS.editor, 'POST', `/api/changes/${external.id}/revert`);
    expect(res.status, await res.clone().text()).toBe(200);
    const body = RevertResponseSchema.parse(await res.json());
    expect(body.steps).toEqual([
      { action: 'update', kind: 'VirtualService', namespace: NS, name: 'reviews' },
    ]);
    expect(body.change).toMatchObject({ revertOf: external.id, actor: 'bookinfo-editor', source: 'console' });
    expect(weights(await (await kube('GET', vsPath(NS, 'reviews'))).json())).toEqual([
      ['v1', 80],
      ['v2', 20],
    ]);
    expect((await changes())[0]?.id).toBe(body.change?.id);
  });

  it('reverting a wizard change that created objects deletes them, VirtualService first', async () => {
    const res = await api(TOKENS.editor, 'POST', `/api/namespaces/${NS}/services/ratings/routing`, {
      trafficShifting: { v1: 100 },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const made = (await changes(TOKENS.editor, '?name=ratings'))[0] as Change;
    expect(made.objects.map((o) => o.kind).sort()).toEqual(['DestinationRule', 'VirtualService']);
    const revert = await api(TOKENS.editor, 'POST', `/api/changes/${made.id}/revert`);
    expect(revert.status, await revert.clone().text()).toBe(200);
    expect(RevertResponseSchema.parse(await revert.json()).steps.map((s) => `${s.action} ${s.kind}`)).toEqual(
      ['delete VirtualService', 'delete DestinationRule'],
    );
    expect((await kube('GET', vsPath(NS, 'ratings'))).status).toBe(404);
  });

  it('answers bad input with 4xx naming it, and shows a user only namespaces they may read', async () => {
    expect((await api(TOKENS.editor, 'GET', '/api/changes?since=yesterday')).status).toBe(400);
    expect((await api(TOKENS.editor, 'GET', '/api/changes?limit=0')).status).toBe(400);
    expect((await api(TOKENS.editor, 'GET', '/api/changes/NOT_AN_ID')).status).toBe(400);
    expect((await api(TOKENS.editor, 'POST', '/api/changes/abc-123/revert')).status).toBe(404);
    // A change in another namespace, made by the admin straight to the cluster.
    const vs = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'elsewhere', namespace: 'default' },
      spec: { hosts: ['elsewhere.example.com'], http: [{ route: [{ destination: { host: 'x' } }] }] },
    };
    const made = await kube(
      'POST',
      '/apis/networking.istio.io/v1/namespaces/default/virtualservices',
      vs,
      'helm',
    );
    expect(made.status, await made.clone().text()).toBe(201);
    const seen = await eventually(
      'the admin sees the change in default',
      async () => (await changes(TOKENS.admin)).find((c) => c.namespace === 'default'),
      10_000,
      100,
    );
    expect(seen).toMatchObject({ actor: 'helm', summary: 'create VirtualService default/elsewhere' });
    expect((await changes()).some((c) => c.namespace === 'default')).toBe(false);
    expect((await api(TOKENS.editor, 'GET', `/api/changes/${seen.id}`)).status).toBe(403);
    expect((await changes(TOKENS.admin, '?author=helm')).map((c) => c.id)).toEqual([seen.id]);
    // A delete made outside the console is recorded (a delete names no manager: the last writer is said).
    expect((await kube('DELETE', vsPath('default', 'elsewhere'))).status).toBe(200);
    const gone = await eventually(
      'the external delete in the history',
      async () =>
        (await changes(TOKENS.admin)).find((c) => c.summary.startsWith('delete VirtualService default/')),
      10_000,
      100,
    );
    expect(gone).toMatchObject({ source: 'external', actor: 'unknown' });
    expect(gone.summary).toBe('delete VirtualService default/elsewhere (last written by helm)');
    expect(gone.objects[0]?.after).toBeNull();
    // By now the console's own deletes of ratings (seen on the watch earlier) are past the same wait, and
    // were not recorded as someone else's: the only external changes in bookinfo are the kubectl edit.
    expect((await changes(TOKENS.admin, `?namespace=${NS}&source=external`)).map((c) => c.id)).toEqual([
      external.id,
    ]);
  });

  it('is kept in ConfigMaps of its namespace and read back by a restarted console', async () => {
    const before = (await changes(TOKENS.admin)).map((c) => c.id);
    const cms = (await (
      await kube(
        'GET',
        `/api/v1/namespaces/${HISTORY_NS}/configmaps?labelSelector=meshlens.io%2Fhistory%3Dchanges`,
      )
    ).json()) as { items: { metadata: { name: string }; data: Record<string, string> }[] };
    expect(cms.items.map((c) => c.metadata.name)).toEqual(['meshlens-changes-000001']);
    expect(Object.keys(cms.items[0]?.data ?? {}).sort()).toEqual([...before].sort());
    await server.close();
    server = await startConsole();
    expect((await changes(TOKENS.admin)).map((c) => c.id)).toEqual(before);
  });
});
