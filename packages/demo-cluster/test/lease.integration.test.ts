/**
 * coordination.k8s.io/v1 Lease as kube-apiserver serves it: discovery, CRUD with resourceVersion
 * preconditions (the optimistic concurrency leader election relies on), watch, spec validation, kubectl's
 * table, and RBAC (only those granted leases may touch them).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoCluster, type DemoCluster } from '../src/server';
import { waitFor } from './helpers';
import { restClient, type Json } from './rest';

const editorToken = randomBytes(16).toString('hex');
const RBAC = 'rbac.authorization.k8s.io';
const LEASES = '/apis/coordination.k8s.io/v1/namespaces/w/leases';
let dc: DemoCluster;
const admin = restClient(
  () => dc.url,
  () => dc.adminToken,
);
const editor = restClient(
  () => dc.url,
  () => editorToken,
);
const api = admin.api;

const lease = (name: string, spec: Json = {}): Json => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name },
  spec,
});

beforeAll(async () => {
  dc = await startDemoCluster({
    port: 0,
    istioCrds: false,
    auth: { tokens: [{ token: editorToken, user: 'cm-editor' }] },
  });
  expect((await api('POST', '/api/v1/namespaces', { metadata: { name: 'w' } })).status).toBe(201);
  // cm-editor may write ConfigMaps in w, nothing about leases.
  await api('POST', `/apis/${RBAC}/v1/namespaces/w/roles`, {
    metadata: { name: 'cm' },
    rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['*'] }],
  });
  await api('POST', `/apis/${RBAC}/v1/namespaces/w/rolebindings`, {
    metadata: { name: 'cm' },
    roleRef: { apiGroup: RBAC, kind: 'Role', name: 'cm' },
    subjects: [{ kind: 'User', name: 'cm-editor' }],
  });
});

afterAll(async () => {
  await dc?.close();
});

describe('Lease', () => {
  it('is discovered in coordination.k8s.io/v1 with every verb', async () => {
    const groups = (await api('GET', '/apis')).body.groups as Json[];
    const g = groups.find((x) => x.name === 'coordination.k8s.io');
    expect(g?.preferredVersion.version).toBe('v1');
    const resources = (await api('GET', '/apis/coordination.k8s.io/v1')).body.resources as Json[];
    const r = resources.find((x) => x.name === 'leases');
    expect(r).toMatchObject({ kind: 'Lease', namespaced: true, singularName: 'lease' });
    expect(r?.verbs).toEqual(
      expect.arrayContaining(['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']),
    );
  });

  it('creates, reads, updates with a resourceVersion precondition, watches and deletes', async () => {
    const w = admin.watch(`${LEASES}?watch=true`);
    try {
      const now = new Date().toISOString().replace('Z', '000Z');
      const created = await api(
        'POST',
        LEASES,
        lease('driver', { holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: now, renewTime: now }),
      );
      expect(created.status).toBe(201);
      const rv = created.body.metadata.resourceVersion as string;
      expect(rv).toMatch(/^\d+$/);
      expect((await api('POST', LEASES, lease('driver'))).status).toBe(409);

      const renewed = await api('PUT', `${LEASES}/driver`, {
        ...created.body,
        spec: { ...created.body.spec, renewTime: new Date().toISOString() },
      });
      expect(renewed.status).toBe(200);
      expect(Number(renewed.body.metadata.resourceVersion)).toBeGreaterThan(Number(rv));
      // A second candidate that read the old version loses the race: 409, as client-go's leaselock expects.
      const stale = await api('PUT', `${LEASES}/driver`, {
        ...created.body,
        spec: { ...created.body.spec, holderIdentity: 'b' },
      });
      expect(stale.status).toBe(409);
      expect(stale.body.reason).toBe('Conflict');
      const read = await api('GET', `${LEASES}/driver`);
      expect(read.body.spec.holderIdentity).toBe('a');

      const patched = await api(
        'PATCH',
        `${LEASES}/driver`,
        { spec: { holderIdentity: 'b', leaseTransitions: 1 } },
        { 'Content-Type': 'application/merge-patch+json' },
      );
      expect(patched.body.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
      await waitFor(() => w.events.length >= 3, 'three watch events');
      expect(w.events.slice(0, 3).map((e) => [e.type, e.object.spec.holderIdentity])).toEqual([
        ['ADDED', 'a'],
        ['MODIFIED', 'a'],
        ['MODIFIED', 'b'],
      ]);
      const table = await api('GET', LEASES, undefined, {
        Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
      });
      expect(table.body.columnDefinitions.map((c: Json) => c.name)).toEqual(['Name', 'Holder', 'Age']);
      expect(table.body.rows[0].cells.slice(0, 2)).toEqual(['driver', 'b']);
      expect((await api('DELETE', `${LEASES}/driver`)).status).toBe(200);
      expect((await api('GET', `${LEASES}/driver`)).status).toBe(404);
    } finally {
      w.close();
    }
  });

  it('refuses an invalid spec with 422 naming the field, and unknown fields under Strict', async () => {
    const bad = await api('POST', LEASES, lease('bad', { leaseDurationSeconds: 0, renewTime: 'yesterday' }));
    expect(bad.status).toBe(422);
    expect(bad.body.details.causes.map((c: Json) => c.field)).toEqual([
      'spec.leaseDurationSeconds',
      'spec.renewTime',
    ]);
    const unknown = await api('POST', `${LEASES}?fieldValidation=Strict`, { ...lease('u'), holder: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toContain('unknown field "holder"');
  });

  it('is authorized by RBAC like any built-in', async () => {
    const cm = await editor.api('POST', '/api/v1/namespaces/w/configmaps', { metadata: { name: 'ok' } });
    expect(cm.status).toBe(201);
    const denied = await editor.api('POST', LEASES, lease('mine'));
    expect(denied.status).toBe(403);
    expect(denied.body.message).toBe(
      'leases.coordination.k8s.io is forbidden: User "cm-editor" cannot create resource "leases" in API group "coordination.k8s.io" in the namespace "w"',
    );
  });
});
