/**
 * The real kubectl against the demo cluster's authentication and RBAC, as each demo user (data/demo/users.yaml)
 * would use it: `auth whoami`, `auth can-i` (and `--list`), forbidden messages, writes refused, impersonation,
 * the in-cluster manifests dry-run and a ServiceAccount token from `kubectl create token`.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoCluster, type DemoCluster } from '../src/server';
import { bookinfoFile } from './helpers';

const KUBECTL =
  process.env.KUBECTL ??
  ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p)) ??
  'kubectl';
const USERS_MANIFEST = fileURLToPath(new URL('../../../data/demo/users.yaml', import.meta.url));
const DEPLOY_OVERLAY = fileURLToPath(new URL('../../../deploy/overlays/anonymous', import.meta.url));

const token = {
  admin: randomBytes(16).toString('hex'),
  editor: randomBytes(16).toString('hex'),
  viewer: randomBytes(16).toString('hex'),
};

let dc: DemoCluster;
let dir: string;
let env: NodeJS.ProcessEnv;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl (as the kubeconfig's admin, or with `--token`) and returns its exit code and output. */
function kubectl(args: string[], as?: string): Promise<Run> {
  const full = [...args, `--cache-dir=${join(dir, 'cache')}`, ...(as ? [`--token=${as}`] : [])];
  return new Promise((resolve, reject) => {
    execFile(KUBECTL, full, { env, timeout: 20_000 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string }) | null;
      if (e?.code === 'ENOENT') return reject(new Error('kubectl not found: install kubernetes-client'));
      resolve({ code: typeof e?.code === 'number' ? e.code : e ? 1 : 0, stdout, stderr });
    });
  });
}

async function ok(args: string[], as?: string): Promise<string> {
  const r = await kubectl(args, as);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** `kubectl auth can-i …`: "yes" with exit code 0, "no" with 1, as kubectl prints them. */
async function canI(as: string, ...args: string[]): Promise<string> {
  const r = await kubectl(['auth', 'can-i', ...args], as);
  const answer = r.stdout.trim().split('\n').pop() ?? '';
  expect(r.code, `can-i ${args.join(' ')}: ${r.stderr}`).toBe(answer === 'yes' ? 0 : 1);
  return answer;
}

beforeAll(async () => {
  dc = await startDemoCluster({
    port: 0,
    load: [USERS_MANIFEST],
    auth: {
      tokens: [
        { token: token.admin, user: 'admin', uid: 'demo-admin' },
        { token: token.editor, user: 'bookinfo-editor', uid: 'demo-bookinfo-editor' },
        { token: token.viewer, user: 'viewer', uid: 'demo-viewer' },
      ],
    },
  });
  dir = await mkdtemp(join(tmpdir(), 'demo-cluster-rbac-'));
  await dc.writeKubeconfig(join(dir, 'kubeconfig'));
  env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, KUBECONFIG: join(dir, 'kubeconfig') };
  await ok(['label', 'namespace', 'bookinfo', 'istio-injection=enabled']);
  await ok(['apply', '-n', 'bookinfo', '-f', bookinfoFile('bookinfo.yaml')]);
});

afterAll(async () => {
  await dc?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('kubectl as the demo users', () => {
  it('auth whoami names each user with the groups the API server adds', async () => {
    expect(await ok(['auth', 'whoami'])).toMatch(
      /Username\s+kubernetes-admin\s+Groups\s+\[system:masters system:authenticated\]/,
    );
    expect(await ok(['auth', 'whoami'], token.viewer)).toMatch(
      /Username\s+viewer\s+UID\s+demo-viewer\s+Groups\s+\[system:authenticated\]/,
    );
    const bad = await kubectl(['get', 'pods'], 'not-a-token');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error: You must be logged in to the server (Unauthorized)');
  });

  it('auth can-i answers for each user as RBAC decides', async () => {
    const cases: [string, string[], 'yes' | 'no'][] = [
      [token.admin, ['*', '*', '--all-namespaces'], 'yes'],
      [token.admin, ['delete', 'nodes'], 'yes'],
      [token.editor, ['create', 'virtualservices.networking.istio.io', '-n', 'bookinfo'], 'yes'],
      [token.editor, ['delete', 'destinationrules.networking.istio.io', '-n', 'bookinfo'], 'yes'],
      [token.editor, ['create', 'virtualservices.networking.istio.io', '-n', 'default'], 'no'],
      [token.editor, ['list', 'virtualservices.networking.istio.io', '--all-namespaces'], 'no'],
      [
        token.editor,
        ['update', 'virtualservices.networking.istio.io', '--subresource=status', '-n', 'bookinfo'],
        'no',
      ],
      [token.editor, ['get', 'pods', '--subresource=log', '-n', 'bookinfo'], 'yes'],
      [token.editor, ['patch', 'deployments.apps', '--subresource=scale', '-n', 'bookinfo'], 'yes'],
      [token.editor, ['get', 'secrets', '-n', 'bookinfo'], 'yes'],
      [token.editor, ['create', 'rolebindings.rbac.authorization.k8s.io', '-n', 'bookinfo'], 'no'],
      [token.editor, ['list', 'namespaces'], 'yes'],
      [token.editor, ['get', 'namespace/bookinfo'], 'yes'],
      [token.editor, ['delete', 'namespace/bookinfo'], 'no'],
      [token.viewer, ['list', 'virtualservices.networking.istio.io', '--all-namespaces'], 'yes'],
      [token.viewer, ['watch', 'peerauthentications.security.istio.io', '--all-namespaces'], 'yes'],
      [token.viewer, ['get', 'pods', '--subresource=log', '-n', 'bookinfo'], 'yes'],
      [token.viewer, ['create', 'virtualservices.networking.istio.io', '-n', 'bookinfo'], 'no'],
      [token.viewer, ['get', 'secrets', '-n', 'bookinfo'], 'no'],
      [token.viewer, ['delete', 'pods', '-n', 'default'], 'no'],
    ];
    for (const [as, args, want] of cases)
      expect([args.join(' '), await canI(as, ...args)]).toEqual([args.join(' '), want]);
  });

  it('auth can-i --list shows what a user may do in a namespace', async () => {
    const editor = await ok(['auth', 'can-i', '--list', '-n', 'bookinfo'], token.editor);
    expect(editor).toMatch(
      /^virtualservices\.networking\.istio\.io\s+\[\]\s+\[\]\s+\[create update patch delete deletecollection get list watch\]$/m,
    );
    expect(editor).toMatch(/^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m);
    const elsewhere = await ok(['auth', 'can-i', '--list', '-n', 'default'], token.editor);
    expect(elsewhere).not.toContain('virtualservices');
    expect(elsewhere).toMatch(/^namespaces\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
  });

  it('refuses with the API server forbidden messages, lists and writes alike', async () => {
    const list = await kubectl(['get', 'virtualservices', '-n', 'default'], token.editor);
    expect(list.code).toBe(1);
    expect(list.stderr).toContain(
      'Error from server (Forbidden): virtualservices.networking.istio.io is forbidden: User "bookinfo-editor" cannot list resource "virtualservices" in API group "networking.istio.io" in the namespace "default"',
    );
    const del = await kubectl(['delete', 'pod', 'nothing', '-n', 'bookinfo'], token.viewer);
    expect(del.stderr).toContain(
      'pods "nothing" is forbidden: User "viewer" cannot delete resource "pods" in API group "" in the namespace "bookinfo"',
    );
    const secrets = await kubectl(['get', 'secrets', '-A'], token.viewer);
    expect(secrets.stderr).toContain(
      'secrets is forbidden: User "viewer" cannot list resource "secrets" in API group "" at the cluster scope',
    );
  });

  it('lets the bookinfo editor change routing in bookinfo only, and the viewer nowhere', async () => {
    const file = bookinfoFile('virtual-service-reviews-v3.yaml');
    expect(await ok(['apply', '-n', 'bookinfo', '-f', file], token.editor)).toContain(
      'virtualservice.networking.istio.io/reviews created',
    );
    const elsewhere = await kubectl(['apply', '-n', 'default', '-f', file], token.editor);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain(
      'virtualservices.networking.istio.io "reviews" is forbidden: User "bookinfo-editor" cannot get resource "virtualservices" in API group "networking.istio.io" in the namespace "default"',
    );
    const viewer = await kubectl(
      ['apply', '-n', 'bookinfo', '-f', bookinfoFile('virtual-service-reviews-80-20.yaml')],
      token.viewer,
    );
    expect(viewer.code).toBe(1);
    expect(viewer.stderr).toContain(
      'virtualservices.networking.istio.io "reviews" is forbidden: User "viewer" cannot patch resource "virtualservices" in API group "networking.istio.io" in the namespace "bookinfo"',
    );
    expect(
      await ok(
        [
          'get',
          'vs',
          'reviews',
          '-n',
          'bookinfo',
          '-o',
          'jsonpath={.spec.http[0].route[0].destination.subset}',
        ],
        token.viewer,
      ),
    ).toBe('v3');
    const scale = await kubectl(
      ['scale', 'deployment', 'reviews-v1', '-n', 'bookinfo', '--replicas=2'],
      token.viewer,
    );
    expect(scale.stderr).toContain(
      'cannot patch resource "deployments/scale" in API group "apps" in the namespace "bookinfo"',
    );
    expect(
      await ok(['scale', 'deployment', 'reviews-v1', '-n', 'bookinfo', '--replicas=2'], token.editor),
    ).toContain('scaled');
  });

  it('checks impersonation with the impersonate verb', async () => {
    expect(await ok(['auth', 'whoami', '--as', 'viewer', '--as-group', 'team-a'])).toMatch(
      /Username\s+viewer\s+Groups\s+\[team-a system:authenticated\]/,
    );
    expect(
      await canI(
        token.admin,
        'create',
        'virtualservices.networking.istio.io',
        '-n',
        'bookinfo',
        '--as',
        'viewer',
      ),
    ).toBe('no');
    const refused = await kubectl(['get', 'pods', '-n', 'bookinfo', '--as', 'viewer'], token.editor);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'users "viewer" is forbidden: User "bookinfo-editor" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
    // `edit` may impersonate the service accounts of its namespace, and only those.
    expect(
      await ok(['auth', 'whoami', '--as', 'system:serviceaccount:bookinfo:default'], token.editor),
    ).toMatch(
      /Username\s+system:serviceaccount:bookinfo:default\s+Groups\s+\[system:serviceaccounts system:serviceaccounts:bookinfo system:authenticated\]/,
    );
    const otherNs = await kubectl(
      ['get', 'configmaps', '-n', 'default', '--as', 'system:serviceaccount:default:default'],
      token.editor,
    );
    expect(otherNs.stderr).toContain(
      'serviceaccounts "default" is forbidden: User "bookinfo-editor" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "default"',
    );
  });

  it("accepts deploy/overlays/anonymous in a server dry run, then its ServiceAccount's token acts with its ClusterRoles", async () => {
    const dry = await ok(['apply', '--dry-run=server', '-k', DEPLOY_OVERLAY]);
    expect(dry).toContain('serviceaccount/meshlens created (server dry run)');
    expect(dry).toContain('clusterrole.rbac.authorization.k8s.io/meshlens created (server dry run)');
    expect(dry).toContain('clusterrolebinding.rbac.authorization.k8s.io/meshlens created (server dry run)');
    expect((await kubectl(['get', 'clusterrole', 'meshlens'])).stderr).toContain('NotFound');
    // Creating a ClusterRole is not the editor's to do.
    const editor = await kubectl(['apply', '-k', DEPLOY_OVERLAY], token.editor);
    expect(editor.stderr).toContain(
      'clusterroles.rbac.authorization.k8s.io "meshlens" is forbidden: User "bookinfo-editor" cannot get resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope',
    );

    await ok(['apply', '-k', DEPLOY_OVERLAY]);
    const sa = (await ok(['create', 'token', 'meshlens', '-n', 'istio-system', '--duration=15m'])).trim();
    const claims = JSON.parse(Buffer.from(sa.split('.')[1] ?? '', 'base64url').toString()) as {
      sub: string;
      exp: number;
      iat: number;
    };
    expect(claims.sub).toBe('system:serviceaccount:istio-system:meshlens');
    expect(claims.exp - claims.iat).toBe(900);
    expect(await ok(['auth', 'whoami'], sa)).toMatch(
      /Username\s+system:serviceaccount:istio-system:meshlens[\s\S]+Groups\s+\[system:serviceaccounts system:serviceaccounts:istio-system system:authenticated\]/,
    );
    expect(await canI(sa, 'list', 'virtualservices.networking.istio.io', '--all-namespaces')).toBe('yes');
    expect(await canI(sa, 'update', 'destinationrules.networking.istio.io', '-n', 'bookinfo')).toBe('yes');
    // The console replaces objects (PUT), it never patches them.
    expect(await canI(sa, 'patch', 'destinationrules.networking.istio.io', '-n', 'bookinfo')).toBe('no');
    expect(await canI(sa, 'delete', 'pods', '-n', 'bookinfo')).toBe('no');
    expect(await canI(sa, 'get', 'secrets', '-n', 'istio-system')).toBe('no');
    // The token dies with its ServiceAccount.
    await ok(['delete', 'serviceaccount', 'meshlens', '-n', 'istio-system']);
    expect((await kubectl(['auth', 'whoami'], sa)).stderr).toContain('Unauthorized');
  }, 90_000); // eight kubectl runs, four of them building the kustomization: ~6 s idle, 20+ s on a loaded machine
});

describe('watches', () => {
  it('refuses a watch the user may not make before streaming, and streams one they may', async () => {
    const refused = await fetch(
      `${dc.url}/apis/networking.istio.io/v1/namespaces/default/virtualservices?watch=true`,
      {
        headers: { Authorization: `Bearer ${token.editor}` },
      },
    );
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({
      kind: 'Status',
      reason: 'Forbidden',
      code: 403,
      message:
        'virtualservices.networking.istio.io is forbidden: User "bookinfo-editor" cannot watch resource "virtualservices" in API group "networking.istio.io" in the namespace "default"',
      details: { group: 'networking.istio.io', kind: 'virtualservices' },
    });
    const ac = new AbortController();
    const allowed = await fetch(
      `${dc.url}/apis/networking.istio.io/v1/namespaces/bookinfo/virtualservices?watch=true`,
      {
        headers: { Authorization: `Bearer ${token.editor}` },
        signal: ac.signal,
      },
    );
    expect(allowed.status).toBe(200);
    const reader = allowed.body?.getReader();
    const first = await reader?.read();
    expect(new TextDecoder().decode(first?.value)).toContain('"type":"ADDED"');
    ac.abort();
  });
});
