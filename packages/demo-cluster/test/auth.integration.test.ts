/**
 * The demo cluster's authentication and authorization over HTTP, as a real API server answers: anonymous
 * requests, 401 for bad tokens, the access and token reviews, OIDC ID tokens checked against a provider's
 * keys (served here on loopback), ServiceAccount tokens from Secrets, RBAC validation, escalation
 * prevention and ClusterRole aggregation; and TLS next to plain HTTP on one port.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { CoreV1Api } from '@kubernetes/client-node';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoCluster, type DemoCluster } from '../src/server';
import { kubeConfigFor, waitFor } from './helpers';
import { restClient, type Json } from './rest';

const USERS_MANIFEST = fileURLToPath(new URL('../../../data/demo/users.yaml', import.meta.url));
const RBAC = 'rbac.authorization.k8s.io';
const tok = (): string => randomBytes(16).toString('hex');
const token = { admin: tok(), editor: tok(), viewer: tok(), nsAdmin: tok() };
const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

/** A minimal OpenID provider: discovery document and JWKS on loopback, and a signer for ID tokens. */
interface Provider {
  issuer: string;
  jwksUrl: string;
  /** A key the provider does not publish. */
  otherKey: CryptoKey;
  sign(
    claims: Record<string, unknown>,
    opts?: { key?: CryptoKey; expiresIn?: string | number },
  ): Promise<string>;
  close(): Promise<void>;
}

async function startProvider(): Promise<Provider> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const other = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  let issuer = '';
  const server: Server = createServer((req, res) => {
    const body =
      req.url === '/.well-known/openid-configuration'
        ? { issuer, jwks_uri: `${issuer}/keys`, id_token_signing_alg_values_supported: ['RS256'] }
        : req.url === '/keys'
          ? { keys: [jwk] }
          : undefined;
    res.writeHead(body ? 200 : 404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body ?? { error: 'not found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    jwksUrl: `${issuer}/keys`,
    otherKey: other.privateKey,
    async sign(claims, opts = {}) {
      const { iss, aud, ...rest } = claims;
      return new SignJWT(rest)
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(String(iss ?? issuer))
        .setAudience((aud as string | string[] | undefined) ?? 'meshlens')
        .setIssuedAt()
        .setExpirationTime(opts.expiresIn ?? '10m')
        .sign(opts.key ?? privateKey);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let dc: DemoCluster;
let provider: Provider;
const { api } = restClient(() => dc.url);

beforeAll(async () => {
  provider = await startProvider();
  dc = await startDemoCluster({
    port: 0,
    load: [USERS_MANIFEST],
    auth: {
      tokens: [
        { token: token.admin, user: 'admin' },
        { token: token.editor, user: 'bookinfo-editor', uid: 'demo-bookinfo-editor' },
        { token: token.viewer, user: 'viewer' },
        { token: token.nsAdmin, user: 'ns-admin', groups: ['team-bookinfo'] },
      ],
      oidc: {
        issuerUrl: provider.issuer,
        clientId: 'meshlens',
        usernameClaim: 'email',
        groupsClaim: 'groups',
        groupsPrefix: 'oidc:',
      },
    },
  });
  const admin = bearer(dc.adminToken);
  // ns-admin administers bookinfo (Kubernetes' `admin` role, bound in the namespace).
  const created = await api(
    'POST',
    `/apis/${RBAC}/v1/namespaces/bookinfo/rolebindings`,
    {
      metadata: { name: 'ns-admin' },
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'admin' },
      subjects: [{ kind: 'User', name: 'ns-admin' }],
    },
    admin,
  );
  expect(created.status).toBe(201);
  // Defaulted as the API server defaults subjects.
  expect(created.body.subjects).toEqual([{ kind: 'User', name: 'ns-admin', apiGroup: RBAC }]);
});

afterAll(async () => {
  await dc?.close();
  await provider?.close();
});

const ssar = (t: string, spec: Json) =>
  api('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { spec }, bearer(t));
const whoami = (t: string) => api('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {}, bearer(t));

describe('authentication', () => {
  it('serves anonymous requests as system:anonymous, with public info only', async () => {
    expect((await api('GET', '/version')).status).toBe(200);
    expect((await fetch(`${dc.url}/healthz`)).status).toBe(200);
    const pods = await api('GET', '/api/v1/namespaces/default/pods');
    expect(pods.status).toBe(403);
    expect(pods.body.message).toBe(
      'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default"',
    );
    const apis = await api('GET', '/apis');
    expect(apis.body).toMatchObject({
      kind: 'Status',
      code: 403,
      reason: 'Forbidden',
      message: 'forbidden: User "system:anonymous" cannot get path "/apis"',
    });
  });

  it('answers 401 to a token nobody accepts, and to no token when anonymous requests are off', async () => {
    const bad = await api('GET', '/api/v1/namespaces', undefined, bearer('nope'));
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
    const closed = await startDemoCluster({ port: 0, istioCrds: false, auth: { anonymous: false } });
    try {
      expect((await api('GET', '/version', undefined, {}, closed.url)).status).toBe(401);
      expect((await api('GET', '/version', undefined, bearer(closed.adminToken), closed.url)).status).toBe(
        200,
      );
    } finally {
      await closed.close();
    }
  });

  it('accepts OIDC ID tokens signed by the issuer, with the configured username and groups claims', async () => {
    const id = await provider.sign({
      sub: 'u-1',
      email: 'alice@example.com',
      email_verified: true,
      groups: ['mesh-viewers'],
    });
    const me = await whoami(id);
    expect(me.status).toBe(201);
    expect(me.body.status.userInfo).toEqual({
      username: 'alice@example.com',
      groups: ['oidc:mesh-viewers', 'system:authenticated'],
    });
    const list = {
      resourceAttributes: { verb: 'list', group: 'networking.istio.io', resource: 'virtualservices' },
    };
    expect((await ssar(id, list)).body.status.allowed).toBe(false);
    // RBAC binds the provider's group.
    await api(
      'POST',
      `/apis/${RBAC}/v1/clusterrolebindings`,
      {
        metadata: { name: 'oidc-viewers' },
        roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'view' },
        subjects: [{ kind: 'Group', name: 'oidc:mesh-viewers' }],
      },
      bearer(dc.adminToken),
    );
    expect((await ssar(id, list)).body.status).toEqual({
      allowed: true,
      reason:
        'RBAC: allowed by ClusterRoleBinding "oidc-viewers" of ClusterRole "view" to Group "oidc:mesh-viewers"',
    });
  });

  it('refuses ID tokens of another issuer or audience, expired, unverified or signed with another key', async () => {
    const claims = { email: 'alice@example.com', email_verified: true };
    const refused = {
      'another issuer': await provider.sign({ ...claims, iss: 'https://elsewhere.example.com' }),
      'another audience': await provider.sign({ ...claims, aud: 'someone-else' }),
      expired: await provider.sign(claims, { expiresIn: Math.floor(Date.now() / 1000) - 60 }),
      'unverified email': await provider.sign({ ...claims, email_verified: false }),
      'another key': await provider.sign(claims, { key: provider.otherKey }),
    };
    for (const [why, id] of Object.entries(refused))
      expect([why, (await whoami(id)).status]).toEqual([why, 401]);
    // A TokenReview says why (the issuer matched, so the OIDC authenticator tried it).
    const review = await api(
      'POST',
      '/apis/authentication.k8s.io/v1/tokenreviews',
      { spec: { token: refused['another key'] } },
      bearer(dc.adminToken),
    );
    expect(review.body.status.authenticated).toBeUndefined();
    expect(review.body.status.error).toMatch(/^oidc: verify token: signature verification failed/);
  });

  it('reads the keys from a configured JWKS URL instead of discovery', async () => {
    const other = await startDemoCluster({
      port: 0,
      istioCrds: false,
      auth: {
        oidc: { issuerUrl: 'https://issuer.example.com', clientId: 'meshlens', jwksUrl: provider.jwksUrl },
      },
    });
    try {
      const id = await provider.sign({ sub: 'bob', iss: 'https://issuer.example.com' });
      const me = await api(
        'POST',
        '/apis/authentication.k8s.io/v1/selfsubjectreviews',
        {},
        bearer(id),
        other.url,
      );
      // Without --oidc-username-prefix, a `sub` username is prefixed with the issuer URL and '#'.
      expect(me.body.status.userInfo.username).toBe('https://issuer.example.com#bob');
    } finally {
      await other.close();
    }
  });

  it('validates tokens of service-account-token Secrets, and forgets them with the Secret', async () => {
    const admin = bearer(dc.adminToken);
    await api('POST', '/api/v1/namespaces/default/serviceaccounts', { metadata: { name: 'legacy' } }, admin);
    await api(
      'POST',
      '/api/v1/namespaces/default/secrets',
      {
        metadata: { name: 'legacy-token', annotations: { 'kubernetes.io/service-account.name': 'legacy' } },
        type: 'kubernetes.io/service-account-token',
      },
      admin,
    );
    const secret = await waitFor(async () => {
      const s = (await api('GET', '/api/v1/namespaces/default/secrets/legacy-token', undefined, admin)).body;
      return s.data?.token ? s : undefined;
    }, 'the token controller to fill the secret');
    expect(Buffer.from(secret.data.namespace, 'base64').toString()).toBe('default');
    const saToken = Buffer.from(secret.data.token, 'base64').toString();
    expect((await whoami(saToken)).body.status.userInfo).toMatchObject({
      username: 'system:serviceaccount:default:legacy',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
    });
    await api('DELETE', '/api/v1/namespaces/default/secrets/legacy-token', undefined, admin);
    expect((await whoami(saToken)).status).toBe(401);
  });
});

describe('access and token reviews', () => {
  it('SelfSubjectAccessReview says allowed and why, or not allowed', async () => {
    const create = {
      resourceAttributes: {
        namespace: 'bookinfo',
        verb: 'create',
        group: 'networking.istio.io',
        resource: 'virtualservices',
      },
    };
    const r = await ssar(token.editor, create);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      spec: create,
    });
    expect(r.body.status).toEqual({
      allowed: true,
      reason:
        'RBAC: allowed by RoleBinding "meshlens-demo:bookinfo-editor/bookinfo" of ClusterRole "edit" to User "bookinfo-editor"',
    });
    expect((await ssar(token.viewer, create)).body.status).toEqual({ allowed: false });
    expect(
      (await ssar(token.viewer, { nonResourceAttributes: { verb: 'get', path: '/healthz' } })).body.status
        .allowed,
    ).toBe(true);
    const invalid = await ssar(token.viewer, {});
    expect(invalid.status).toBe(422);
    expect(invalid.body.details.causes[0].field).toBe('spec.resourceAttributes');
  });

  it('SelfSubjectRulesReview lists the rules in a namespace', async () => {
    const post = (t: string, spec: Json) =>
      api('POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { spec }, bearer(t));
    const rules = (await post(token.viewer, { namespace: 'bookinfo' })).body.status;
    expect(rules.incomplete).toBe(false);
    expect(rules.resourceRules).toContainEqual(
      expect.objectContaining({
        verbs: ['get', 'list', 'watch'],
        apiGroups: ['networking.istio.io'],
        resources: expect.arrayContaining(['virtualservices']),
      }),
    );
    expect(rules.nonResourceRules).toContainEqual(
      expect.objectContaining({ nonResourceURLs: expect.arrayContaining(['/apis/*']) }),
    );
    const none = await post(token.viewer, {});
    expect([none.status, none.body.message]).toEqual([400, 'no namespace on request']);
  });

  it('SubjectAccessReview and TokenReview are for privileged callers', async () => {
    const sar = {
      user: 'viewer',
      resourceAttributes: { verb: 'list', group: 'networking.istio.io', resource: 'virtualservices' },
    };
    const asAdmin = await api(
      'POST',
      '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      { spec: sar },
      bearer(token.admin),
    );
    expect(asAdmin.body.status).toEqual({
      allowed: true,
      reason:
        'RBAC: allowed by ClusterRoleBinding "meshlens-demo:viewer" of ClusterRole "view" to User "viewer"',
    });
    const asViewer = await api(
      'POST',
      '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      { spec: sar },
      bearer(token.viewer),
    );
    expect([asViewer.status, asViewer.body.message]).toEqual([
      403,
      'subjectaccessreviews.authorization.k8s.io is forbidden: User "viewer" cannot create resource "subjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope',
    ]);
    const review = (t: string, spec: Json) =>
      api('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { spec }, bearer(t));
    expect((await review(token.admin, { token: token.editor })).body.status).toEqual({
      authenticated: true,
      user: { username: 'bookinfo-editor', uid: 'demo-bookinfo-editor', groups: ['system:authenticated'] },
      audiences: ['https://kubernetes.default.svc.cluster.local'],
    });
    expect((await review(token.admin, { token: 'garbage' })).body.status).toEqual({ user: {} });
    expect((await review(token.viewer, { token: token.editor })).status).toBe(403);
    // A ServiceAccount token made for another audience is not valid here.
    const tr = await api(
      'POST',
      '/api/v1/namespaces/default/serviceaccounts/default/token',
      { spec: { audiences: ['vault'], expirationSeconds: 600 } },
      bearer(token.admin),
    );
    expect(tr.status).toBe(201);
    expect((await whoami(tr.body.status.token)).status).toBe(401);
    const forVault = await review(token.admin, { token: tr.body.status.token, audiences: ['vault'] });
    expect(forVault.body.status).toMatchObject({ authenticated: true, audiences: ['vault'] });
    const tooShort = await api(
      'POST',
      '/api/v1/namespaces/default/serviceaccounts/default/token',
      { spec: { expirationSeconds: 60 } },
      bearer(token.admin),
    );
    expect([tooShort.status, tooShort.body.details.causes[0].field]).toEqual([422, 'spec.expirationSeconds']);
  });

  it('names a binding to a missing role in the reason', async () => {
    await api(
      'POST',
      `/apis/${RBAC}/v1/namespaces/bookinfo/rolebindings`,
      {
        metadata: { name: 'dangling' },
        roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'no-such-role' },
        subjects: [{ kind: 'User', name: 'viewer' }],
      },
      bearer(dc.adminToken),
    );
    const r = await ssar(token.viewer, {
      resourceAttributes: { namespace: 'bookinfo', verb: 'create', resource: 'pods' },
    });
    expect(r.body.status).toEqual({
      allowed: false,
      reason: `RBAC: clusterrole.${RBAC} "no-such-role" not found`,
    });
    const denied = await api(
      'POST',
      '/api/v1/namespaces/bookinfo/configmaps',
      { metadata: { name: 'x' } },
      bearer(token.viewer),
    );
    expect(denied.body.message).toBe(
      `configmaps is forbidden: User "viewer" cannot create resource "configmaps" in API group "" in the namespace "bookinfo": RBAC: clusterrole.${RBAC} "no-such-role" not found`,
    );
  });
});

describe('RBAC objects', () => {
  const rb = (name: string, role: string, kind = 'ClusterRole') => ({
    metadata: { name },
    roleRef: { apiGroup: RBAC, kind, name: role },
    subjects: [{ kind: 'User', name: 'someone' }],
  });
  const post = (path: string, body: Json, t: string) =>
    api('POST', `/apis/${RBAC}/v1/${path}`, body, bearer(t));

  it('lets a namespace admin grant what it holds, and refuses escalation', async () => {
    expect(
      (await post('namespaces/bookinfo/rolebindings', rb('someone-edits', 'edit'), token.nsAdmin)).status,
    ).toBe(201);
    const escalate = await post(
      'namespaces/bookinfo/rolebindings',
      rb('someone-rules', 'cluster-admin'),
      token.nsAdmin,
    );
    expect(escalate.status).toBe(403);
    expect(escalate.body.message).toBe(
      `rolebindings.${RBAC} "someone-rules" is forbidden: user "ns-admin" (groups=["team-bookinfo" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}`,
    );
    const role = (name: string, rules: Json[]) => ({ metadata: { name }, rules });
    expect(
      (
        await post(
          'namespaces/bookinfo/roles',
          role('pod-reader', [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]),
          token.nsAdmin,
        )
      ).status,
    ).toBe(201);
    const nodes = await post(
      'namespaces/bookinfo/roles',
      role('node-lister', [{ apiGroups: [''], resources: ['nodes', 'pods'], verbs: ['list'] }]),
      token.nsAdmin,
    );
    expect(nodes.status).toBe(403);
    expect(nodes.body.message).toContain(
      'is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["nodes"], Verbs:["list"]}',
    );
    // The `bind` verb on a named role lets it bind that role without holding it.
    const admin = bearer(dc.adminToken);
    await api(
      'POST',
      `/apis/${RBAC}/v1/clusterroles`,
      {
        metadata: { name: 'bind-cluster-admin' },
        rules: [
          {
            apiGroups: [RBAC],
            resources: ['clusterroles'],
            verbs: ['bind'],
            resourceNames: ['cluster-admin'],
          },
        ],
      },
      admin,
    );
    await api(
      'POST',
      `/apis/${RBAC}/v1/namespaces/bookinfo/rolebindings`,
      { ...rb('ns-admin-binds', 'bind-cluster-admin'), subjects: [{ kind: 'Group', name: 'team-bookinfo' }] },
      admin,
    );
    expect(
      (await post('namespaces/bookinfo/rolebindings', rb('someone-rules', 'cluster-admin'), token.nsAdmin))
        .status,
    ).toBe(201);
    // ... in its namespace only.
    expect(
      (await post('namespaces/default/rolebindings', rb('someone-rules', 'cluster-admin'), token.nsAdmin))
        .status,
    ).toBe(403);
  });

  it('validates roles and bindings, and keeps roleRef immutable', async () => {
    const admin = dc.adminToken;
    const badKind = await post('namespaces/bookinfo/rolebindings', rb('bad-kind', 'edit', 'Foo'), admin);
    expect([badKind.status, badKind.body.message]).toEqual([
      422,
      `RoleBinding.${RBAC} "bad-kind" is invalid: roleRef.kind: Unsupported value: "Foo": supported values: "Role", "ClusterRole"`,
    ]);
    const noVerbs = await post(
      'clusterroles',
      { metadata: { name: 'no-verbs' }, rules: [{ apiGroups: [''], resources: ['pods'] }] },
      admin,
    );
    expect([noVerbs.status, noVerbs.body.details.causes[0]]).toEqual([
      422,
      {
        reason: 'FieldValueRequired',
        message: 'Required value: verbs must contain at least one value',
        field: 'rules[0].verbs',
      },
    ]);
    const urlsInRole = await post(
      'namespaces/bookinfo/roles',
      { metadata: { name: 'urls' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/x'] }] },
      admin,
    );
    expect(urlsInRole.body.message).toContain(
      'rules[0].nonResourceURLs: Invalid value: []string{"/x"}: namespaced rules cannot apply to non-resource URLs',
    );
    const changed = await api(
      'PATCH',
      `/apis/${RBAC}/v1/namespaces/bookinfo/rolebindings/someone-edits`,
      { roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'view' } },
      { ...bearer(admin), 'Content-Type': 'application/merge-patch+json' },
    );
    expect([changed.status, changed.body.details.causes[0].message]).toEqual([
      422,
      expect.stringContaining('cannot change roleRef'),
    ]);
    const shape = await post('clusterroles', { metadata: { name: 'shape' }, rules: 'all' }, admin);
    expect(shape.status).toBe(400);
  });

  it('aggregates labelled ClusterRoles into view, edit and admin, and drops them when deleted', async () => {
    const admin = bearer(dc.adminToken);
    const rulesOf = async (name: string) =>
      ((await api('GET', `/apis/${RBAC}/v1/clusterroles/${name}`, undefined, admin)).body.rules ??
        []) as Json[];
    const widgets = { apiGroups: ['example.com'], resources: ['widgets'], verbs: ['get'] };
    await api(
      'POST',
      `/apis/${RBAC}/v1/clusterroles`,
      {
        metadata: { name: 'widget-view', labels: { [`${RBAC}/aggregate-to-view`]: 'true' } },
        rules: [widgets],
      },
      admin,
    );
    for (const role of ['view', 'edit', 'admin'])
      await waitFor(
        async () => (await rulesOf(role)).some((r) => r.resources?.includes('widgets')),
        `${role} to aggregate widgets`,
      );
    expect(await rulesOf('view')).toContainEqual(
      expect.objectContaining({ apiGroups: ['networking.istio.io'], verbs: ['get', 'list', 'watch'] }),
    );
    await api('DELETE', `/apis/${RBAC}/v1/clusterroles/widget-view`, undefined, admin);
    await waitFor(
      async () => !(await rulesOf('admin')).some((r) => r.resources?.includes('widgets')),
      'admin to drop widgets',
    );
  });

  it('serves the RBAC kinds and review kinds in discovery', async () => {
    const rbac = (await api('GET', `/apis/${RBAC}/v1`, undefined, bearer(token.viewer))).body;
    expect(rbac.resources.map((r: Json) => r.name)).toEqual([
      'clusterrolebindings',
      'clusterroles',
      'rolebindings',
      'roles',
    ]);
    const authz = (await api('GET', '/apis/authorization.k8s.io/v1', undefined, bearer(token.viewer))).body;
    expect(authz.resources).toContainEqual(
      expect.objectContaining({ name: 'selfsubjectaccessreviews', verbs: ['create'], namespaced: false }),
    );
    const core = (await api('GET', '/api/v1', undefined, bearer(token.viewer))).body;
    expect(core.resources).toContainEqual(
      expect.objectContaining({
        name: 'serviceaccounts/token',
        kind: 'TokenRequest',
        group: 'authentication.k8s.io',
      }),
    );
  });
});

describe('TLS and plain HTTP on one port', () => {
  it('carries large bodies both ways, with client-node over https verifying the CA', async () => {
    const kc = kubeConfigFor(dc);
    expect(kc.getCurrentCluster()?.server).toBe(dc.httpsUrl);
    const core = kc.makeApiClient(CoreV1Api);
    const big = 'x'.repeat(3 * 1024 * 1024);
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'big-tls' }, data: { big } },
    });
    const viaHttp = await api(
      'POST',
      '/api/v1/namespaces/default/configmaps',
      { metadata: { name: 'big-http' }, data: { big } },
      bearer(dc.adminToken),
    );
    expect(viaHttp.status).toBe(201);
    expect((await core.readNamespacedConfigMap({ namespace: 'default', name: 'big-http' })).data?.big).toBe(
      big,
    );
    expect(
      (await api('GET', '/api/v1/namespaces/default/configmaps/big-tls', undefined, bearer(dc.adminToken)))
        .body.data.big,
    ).toBe(big);
  });
});
