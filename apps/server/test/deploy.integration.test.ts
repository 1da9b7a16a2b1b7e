// The in-cluster install (deploy/: a kustomize base and one overlay per sign-in strategy) must match what the
// server actually does: the rights it uses in each strategy and no others, the port it listens on, the
// probes it answers, the environment it reads; hardened pods; and the API server must accept every overlay
// (a server dry run against the demo cluster, which enforces RBAC and knows every kind the overlays ship).
// The image (deploy/Dockerfile) must run the server's bundle as built, as a non-root user.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ISTIO_CONFIG_KINDS, ReadyResponseSchema } from '@meshlens/contract';
import { startDemoCluster, type DemoCluster } from '@meshlens/demo-cluster';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { createApp, type KubeAccess } from '../src/app';
import { buildCommand, parseConfig } from '../src/config';
import { loadIstioCrds } from '../src/istio/crds';
import { ROUTING_KINDS } from '../src/istio/routing';
import { KINDS } from '../src/inventory/informers';
import { deriveSnapshot, type RawInventory } from '../src/inventory/derive';
import { unreachablePrometheus } from './stackHelpers';

const KUBECTL =
  process.env.KUBECTL ??
  ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p)) ??
  'kubectl';
const DEPLOY = fileURLToPath(new URL('../../../deploy/', import.meta.url));
const OVERLAYS = ['anonymous', 'token', 'openid', 'header'] as const;
type Overlay = (typeof OVERLAYS)[number];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(KUBECTL, args, { env, timeout: 30_000, maxBuffer: 8e6 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string }) | null;
      if (e?.code === 'ENOENT') return reject(new Error(`${KUBECTL} not found: install kubernetes-client`));
      resolve({ code: typeof e?.code === 'number' ? e.code : e ? 1 : 0, stdout, stderr });
    });
  });
}

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}
interface Container {
  name: string;
  env?: EnvVar[];
  ports?: { name: string; containerPort: number; protocol?: string }[];
  readinessProbe?: { httpGet: { path: string; port: string } };
  livenessProbe?: { httpGet: { path: string; port: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface PodSpec {
  serviceAccountName: string;
  securityContext?: Record<string, unknown>;
  containers: Container[];
  volumes?: { name: string; secret?: { secretName: string; optional?: boolean }; emptyDir?: unknown }[];
}
interface Doc {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: Rule[];
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
  spec?: Record<string, unknown>;
}

const rendered = new Map<Overlay, Doc[]>();

beforeAll(async () => {
  for (const overlay of OVERLAYS) {
    const r = await run(['kustomize', join(DEPLOY, 'overlays', overlay)]);
    if (r.code !== 0) throw new Error(`kubectl kustomize deploy/overlays/${overlay}: ${r.stderr}`);
    rendered.set(
      overlay,
      parseAllDocuments(r.stdout).map((d) => d.toJS() as Doc),
    );
  }
});

const docsOf = (overlay: Overlay): Doc[] => rendered.get(overlay) ?? [];
const one = (overlay: Overlay, kind: string): Doc => {
  const found = docsOf(overlay).filter((d) => d.kind === kind);
  if (found.length !== 1) throw new Error(`deploy/overlays/${overlay} has ${found.length} ${kind}s`);
  return found[0]!;
};
const podSpec = (overlay: Overlay) =>
  (one(overlay, 'Deployment').spec as { template: { spec: PodSpec } }).template.spec;
const container = (overlay: Overlay) => podSpec(overlay).containers[0]!;
const envOf = (overlay: Overlay, name: string) => container(overlay).env?.find((e) => e.name === name);

/**
 * Every `group/resource:verb` the overlay's ServiceAccount is granted cluster-wide (ClusterRoleBindings), and
 * `<namespace>:group/resource:verb` in one namespace (RoleBindings of Roles in the console's namespace).
 */
function grants(overlay: Overlay): Set<string> {
  const sa = one(overlay, 'ServiceAccount');
  const docs = docsOf(overlay);
  const out = new Set<string>();
  for (const b of docs.filter((d) => d.kind === 'ClusterRoleBinding' || d.kind === 'RoleBinding')) {
    const bound = (b.subjects ?? []).some(
      (s) =>
        s.kind === 'ServiceAccount' && s.name === sa.metadata.name && s.namespace === sa.metadata.namespace,
    );
    if (!bound) continue;
    // a RoleBinding grants in its own namespace, and only a Role of that namespace
    const scope = b.kind === 'RoleBinding' ? `${b.metadata.namespace ?? ''}:` : '';
    if (scope) expect(b.roleRef?.kind, `${b.metadata.name} binds a Role of its namespace`).toBe('Role');
    const role = docs.find((d) => d.kind === b.roleRef?.kind && d.metadata.name === b.roleRef?.name);
    expect(role, `role ${b.roleRef?.name} of binding ${b.metadata.name}`).toBeDefined();
    if (scope) expect(role?.metadata.namespace).toBe(b.metadata.namespace);
    for (const r of role?.rules ?? [])
      for (const g of r.apiGroups)
        for (const res of r.resources) for (const v of r.verbs) out.add(`${scope}${g}/${res}:${v}`);
  }
  return out;
}

/** What the shared inventory cache lists and watches with the console's own rights, in every strategy. */
const CACHE = KINDS.flatMap((kind) => {
  const m = /^\/(?:api\/v1|apis\/([^/]+)\/[^/]+)\/([^/]+)$/.exec(kind.path);
  if (!m) throw new Error(`unexpected path ${kind.path}`);
  return ['list', 'watch'].map((verb) => `${m[1] ?? ''}/${m[2]}:${verb}`);
});

/** With `anonymous`, what the console does for its users with its own rights (apps/server/src/istio). */
function anonymousUse(): string[] {
  const crds = loadIstioCrds();
  const group = (name: string) => {
    const k = crds.find(name);
    if (!k) throw new Error(`no Istio CRD ${name}`);
    return k;
  };
  return [
    // The Istio Config page lists these live; the editor and the wizards get objects; the editor saves (PUT).
    ...ISTIO_CONFIG_KINDS.flatMap((p) => ['get', 'list', 'update'].map((v) => `${group(p).group}/${p}:${v}`)),
    // The routing wizards create and delete these, and nothing else.
    ...ROUTING_KINDS.flatMap((k) =>
      ['create', 'delete'].map((v) => `${group(k).group}/${group(k).plural}:${v}`),
    ),
  ];
}

/**
 * In the console's own namespace, in every strategy: Istio's remote secrets, listed once at start; the
 * change history's ConfigMaps (apps/server/src/history).
 */
const OWN_NAMESPACE = [
  'istio-system:/secrets:list',
  ...['get', 'list', 'create', 'update', 'delete'].map((v) => `istio-system:/configmaps:${v}`),
  // the Lease that lets one replica drive the guarded rollouts
  ...['get', 'create', 'update'].map((v) => `istio-system:coordination.k8s.io/leases:${v}`),
  // the rollout driver writes each step with the console's own credentials
  ...['virtualservices', 'destinationrules'].flatMap((r) =>
    ['get', 'list', 'create', 'update', 'delete'].map((v) => `networking.istio.io/${r}:${v}`),
  ),
];

const EXPECTED: Record<Overlay, string[]> = {
  anonymous: [...CACHE, ...OWN_NAMESPACE, ...anonymousUse()],
  // The user's own token for every user-visible read and write; the access reviews and "who am I" are
  // made with it too (system:basic-user grants them to every authenticated user).
  token: [...CACHE, ...OWN_NAMESPACE],
  openid: [...CACHE, ...OWN_NAMESPACE],
  // The console's own credentials with Impersonate-User / Impersonate-Group headers.
  header: [...CACHE, ...OWN_NAMESPACE, '/users:impersonate', '/groups:impersonate'],
};

describe('deploy/: rights in each sign-in strategy', () => {
  for (const overlay of OVERLAYS) {
    it(`${overlay}: grants exactly what the server uses`, () => {
      expect([...grants(overlay)].sort()).toEqual([...new Set(EXPECTED[overlay])].sort());
      expect(envOf(overlay, 'MESHLENS_AUTH_STRATEGY')?.value).toBe(overlay);
    });
  }

  it('lets the shared cache list and watch every kind the inventory watches, in every strategy', () => {
    for (const overlay of OVERLAYS) for (const g of CACHE) expect(grants(overlay), overlay).toContain(g);
  });

  it('anonymous: the Istio Config page can read every kind it lists', () => {
    const g = grants('anonymous');
    const crds = loadIstioCrds();
    for (const plural of ISTIO_CONFIG_KINDS)
      for (const verb of ['get', 'list'])
        expect(g, `${verb} ${plural}`).toContain(`${crds.find(plural)?.group}/${plural}:${verb}`);
  });

  it('binds the roles to the ServiceAccount the pods run as', () => {
    for (const overlay of OVERLAYS) {
      const sa = one(overlay, 'ServiceAccount');
      expect(sa.metadata.namespace).toBe('istio-system');
      expect(podSpec(overlay).serviceAccountName).toBe(sa.metadata.name);
    }
  });
});

describe('deploy/: the pods', () => {
  it('run hardened: non-root, read-only root filesystem, no escalation, no capabilities, RuntimeDefault seccomp', () => {
    for (const overlay of OVERLAYS) {
      const pod = podSpec(overlay);
      expect(pod.securityContext, overlay).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
      for (const c of pod.containers) {
        expect(c.securityContext, `${overlay}/${c.name}`).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(c.securityContext?.privileged).not.toBe(true);
        expect(c.resources?.requests?.cpu, `${overlay}/${c.name} cpu request`).toBeDefined();
        expect(c.resources?.requests?.memory, `${overlay}/${c.name} memory request`).toBeDefined();
        expect(c.resources?.limits?.memory, `${overlay}/${c.name} memory limit`).toBeDefined();
      }
      // The only writable mount is an emptyDir for temporary files.
      const writable = (container(overlay).volumeMounts ?? []).filter((m) => !m.readOnly);
      for (const m of writable) {
        const v = pod.volumes?.find((x) => x.name === m.name);
        expect(v?.emptyDir, `${overlay}: writable mount ${m.mountPath}`).toBeDefined();
      }
    }
  });

  it('run two replicas, one of which a disruption budget keeps up', () => {
    for (const overlay of OVERLAYS) {
      const spec = one(overlay, 'Deployment').spec as {
        replicas: number;
        selector: { matchLabels: Record<string, string> };
        template: { metadata: { labels: Record<string, string> } };
      };
      expect(spec.replicas, overlay).toBe(2);
      const pdb = one(overlay, 'PodDisruptionBudget').spec as {
        minAvailable: number;
        selector: { matchLabels: Record<string, string> };
      };
      expect(pdb.minAvailable).toBeGreaterThanOrEqual(1);
      expect(pdb.minAvailable).toBeLessThan(spec.replicas);
      expect(spec.template.metadata.labels).toMatchObject(pdb.selector.matchLabels);
    }
  });

  it('share one session key from a Secret where people sign in (token, openid)', () => {
    for (const overlay of ['token', 'openid'] as const) {
      const file = envOf(overlay, 'MESHLENS_SESSION_KEY_FILE')?.value;
      expect(file, overlay).toBeDefined();
      const mount = container(overlay).volumeMounts?.find((m) => file!.startsWith(`${m.mountPath}/`));
      expect(mount?.readOnly, `${overlay}: ${file} is on a read-only mount`).toBe(true);
      const volume = podSpec(overlay).volumes?.find((v) => v.name === mount?.name);
      expect(volume?.secret?.secretName).toBe('meshlens-session');
      // Not optional: a replica with a random key of its own would sign people out.
      expect(volume?.secret?.optional).not.toBe(true);
    }
    for (const overlay of ['anonymous', 'header'] as const)
      expect(envOf(overlay, 'MESHLENS_SESSION_KEY_FILE'), overlay).toBeUndefined();
  });

  it('admit traffic to the console port only, and reach only the API server, Prometheus and DNS', () => {
    for (const overlay of OVERLAYS) {
      const np = one(overlay, 'NetworkPolicy').spec as {
        podSelector: { matchLabels: Record<string, string> };
        policyTypes: string[];
        ingress: { from?: unknown; ports: { port: number | string }[] }[];
        egress: { to?: unknown[]; ports: { port: number; protocol: string }[] }[];
      };
      const labels = (
        one(overlay, 'Deployment').spec as { template: { metadata: { labels: Record<string, string> } } }
      ).template.metadata.labels;
      expect(labels).toMatchObject(np.podSelector.matchLabels);
      expect(np.policyTypes.sort()).toEqual(['Egress', 'Ingress']);
      const portName = container(overlay).ports?.[0]?.name;
      expect(np.ingress.flatMap((r) => r.ports.map((p) => p.port))).toEqual([portName]);
      const egressPorts = np.egress.flatMap((r) => r.ports.map((p) => `${p.port}/${p.protocol}`)).sort();
      expect(egressPorts).toEqual(['443/TCP', '53/TCP', '53/UDP', '6443/TCP', '9090/TCP']);
      const prometheusPort = Number(new URL(envOf(overlay, 'PROMETHEUS_URL')?.value ?? '').port);
      expect(np.egress.some((r) => r.to && r.ports.some((p) => p.port === prometheusPort))).toBe(true);
    }
  });

  it('expose the port the server listens on, through the Service', () => {
    for (const overlay of OVERLAYS) {
      const port = Number(envOf(overlay, 'MESHLENS_PORT')?.value ?? parseConfig({}).port);
      expect(container(overlay).ports).toContainEqual({ name: 'http', containerPort: port, protocol: 'TCP' });
      const svc = one(overlay, 'Service').spec as { ports: { port: number; targetPort: string }[] };
      expect(svc.ports[0]?.targetPort).toBe('http');
    }
  });

  it('set only environment variables the server reads', () => {
    const known = new Set(
      buildCommand()
        .options.map((o) => o.envVar)
        .filter(Boolean),
    );
    // Read by Node and by the server outside its flags (http/hosts.ts: the Service's names).
    known.add('NODE_OPTIONS');
    known.add('POD_NAMESPACE');
    for (const overlay of OVERLAYS)
      for (const e of container(overlay).env ?? []) expect(known, `${overlay}: ${e.name}`).toContain(e.name);
  });

  it('openid: name the provider and mount the client secret where the server reads it', () => {
    expect(envOf('openid', 'MESHLENS_OPENID_ISSUER_URL')?.value).toMatch(/^https:\/\//);
    expect(envOf('openid', 'MESHLENS_OPENID_CLIENT_ID')?.value).toBeTruthy();
    const file = envOf('openid', 'MESHLENS_OPENID_CLIENT_SECRET_FILE')?.value;
    expect(file).toBeDefined();
    const mount = container('openid').volumeMounts?.find((m) => file!.startsWith(`${m.mountPath}/`));
    expect(mount?.readOnly).toBe(true);
    const volume = podSpec('openid').volumes?.find((v) => v.name === mount?.name);
    expect(volume?.secret?.secretName).toBe('meshlens-oidc');
    // What the server makes of these settings: a valid config for strategy openid.
    const env = Object.fromEntries((container('openid').env ?? []).map((e) => [e.name, e.value ?? '']));
    expect(() =>
      parseConfig({
        auth: {
          strategy: env.MESHLENS_AUTH_STRATEGY,
          openid: { issuerUrl: env.MESHLENS_OPENID_ISSUER_URL, clientId: env.MESHLENS_OPENID_CLIENT_ID },
        },
      }),
    ).not.toThrow();
  });

  it('probe paths the server answers', async () => {
    const raw = (
      await import('../src/graph/__golden__/fixtures/bookinfo-handcrafted/inventory.json', {
        with: { type: 'json' },
      })
    ).default as unknown as RawInventory;
    const snapshot = deriveSnapshot(raw, true);
    const kube: KubeAccess = { snapshot: () => snapshot, ping: async () => undefined };
    const app = createApp({
      kube,
      // Nothing listens on port 9 of loopback: readiness must then say "not ready", not 404.
      prometheus: unreachablePrometheus(500),
      config: parseConfig({}),
      logger: pino({ level: 'silent' }),
    });
    const c = container('token');
    const live = await request(app).get(c.livenessProbe!.httpGet.path);
    expect(live.status).toBe(200);
    const ready = await request(app).get(c.readinessProbe!.httpGet.path);
    expect(ready.status).toBe(503);
    const body = ReadyResponseSchema.parse(ready.body);
    expect(body.ready).toBe(false);
    expect(body.checks.prometheus.ok).toBe(false);
    expect(body.checks.kubernetes.ok).toBe(true);
  });
});

describe('deploy/: the API server accepts every overlay', () => {
  let dc: DemoCluster;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    dc = await startDemoCluster({ port: 0 });
    dir = await mkdtemp(join(tmpdir(), 'meshlens-deploy-'));
    await dc.writeKubeconfig(join(dir, 'kubeconfig'));
    env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, KUBECONFIG: join(dir, 'kubeconfig') };
  });
  afterAll(async () => {
    await dc?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  for (const overlay of OVERLAYS) {
    it(`kubectl apply --dry-run=server -k deploy/overlays/${overlay}`, async () => {
      const r = await run(
        [
          'apply',
          '--dry-run=server',
          '-k',
          join(DEPLOY, 'overlays', overlay),
          `--cache-dir=${join(dir, 'cache')}`,
        ],
        env,
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines).toHaveLength(docsOf(overlay).length);
      for (const d of docsOf(overlay))
        expect(r.stdout).toMatch(new RegExp(`/${d.metadata.name} created \\(server dry run\\)`));
      // A dry run leaves nothing behind.
      const left = await run(
        ['get', 'deployment', 'meshlens', '-n', 'istio-system', `--cache-dir=${join(dir, 'cache')}`],
        env,
      );
      expect(left.stderr).toContain('NotFound');
    });
  }
});

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const serverPkg = JSON.parse(readFileSync(join(ROOT, 'apps/server/package.json'), 'utf8')) as {
  name: string;
  bin: Record<string, string>;
  scripts: Record<string, string>;
};

/** The Dockerfile's instructions per stage (continuation lines joined, comments dropped). */
function dockerStages(): string[][] {
  return readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => l.trim() && !l.trim().startsWith('#'))
    .reduce<string[][]>((acc, line) => {
      if (/^FROM\s/i.test(line)) acc.push([]);
      acc.at(-1)?.push(line.trim().replace(/\s+/g, ' '));
      return acc;
    }, []);
}

describe('deploy/Dockerfile', () => {
  const stages = dockerStages();
  const runtime = stages.at(-1) ?? [];

  it('runs the bin as a numeric non-root user, after checking the bundle it runs is up to date', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const user = runtime.findIndex((l) => l.startsWith('USER '));
    const uid = Number(runtime[user]?.slice('USER '.length).split(':')[0]);
    expect(uid).toBeGreaterThan(0);
    // Nothing runs as root after it (a RUN after USER would), and the last USER wins.
    expect(runtime.slice(user + 1).some((l) => /^(RUN|USER) /.test(l))).toBe(false);
    const check = runtime.findIndex((l) => /node apps\/server\/scripts\/bundle\.mjs --check/.test(l));
    expect(check).toBeGreaterThan(-1);
    expect(check).toBeLessThan(user);
    expect(serverPkg.scripts.build).toBe('node scripts/bundle.mjs');
    const entrypoint = runtime.find((l) => l.startsWith('ENTRYPOINT '));
    expect(JSON.parse(entrypoint!.slice('ENTRYPOINT '.length))).toEqual([
      'node',
      `apps/server/${serverPkg.bin.meshlens}`,
    ]);
  });

  it('carries production dependencies only: installed in the runtime stage, never copied from the build', () => {
    const installs = runtime.filter((l) => /\bnpm (ci|install|i)\b/.test(l));
    expect(installs).toHaveLength(1);
    expect(installs[0]).toMatch(/npm ci .*--omit=dev/);
    expect(installs[0]).toContain(`-w ${serverPkg.name}`);
    // From the build stage only the built web app; no `COPY . .` of the whole tree (tests, the demo).
    const fromBuild = runtime.filter((l) => l.startsWith('COPY --from='));
    expect(fromBuild.map((l) => l.split(' ').slice(2, 3)[0])).toEqual(['/app/apps/web/dist']);
    expect(runtime.some((l) => /^COPY \. /.test(l))).toBe(false);
  });
});

/** `.dockerignore` as a filter of paths relative to the build context (`**` and `*` globs). */
function dockerIgnore(): (rel: string) => boolean {
  const patterns = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map(
      (p) =>
        new RegExp(
          `^${p
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*\*\//g, '(?:.*/)?')
            .replace(/\*/g, '[^/]*')}(?:/.*)?$`,
        ),
    );
  return (rel) => patterns.some((re) => re.test(rel));
}

/**
 * Every lockfile path the given workspaces need at run time: their dependencies and optional dependencies,
 * resolved as Node does (nested node_modules first), transitively. Optional ones are reported apart.
 */
function productionTree(lock: { packages: Record<string, LockEntry> }, workspaces: string[]) {
  const needed = new Set<string>();
  const optional = new Set<string>();
  const resolve = (from: string, name: string): string | undefined => {
    for (
      let dir = from;
      ;
      dir = dir.includes('/node_modules/') ? dir.slice(0, dir.lastIndexOf('/node_modules/')) : ''
    ) {
      const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
      if (lock.packages[candidate]) return candidate;
      if (!dir) return undefined;
    }
  };
  const visit = (path: string, isOptional: boolean): void => {
    const entry = lock.packages[path];
    if (!entry) return;
    const target = entry.link && entry.resolved ? entry.resolved : path;
    const set = isOptional ? optional : needed;
    if (needed.has(path) || set.has(path)) return;
    set.add(path);
    if (target !== path) visit(target, isOptional);
    const e = lock.packages[target] ?? entry;
    for (const name of Object.keys(e.dependencies ?? {})) {
      const r = resolve(target, name);
      if (r) visit(r, isOptional);
    }
    for (const name of Object.keys(e.optionalDependencies ?? {})) {
      const r = resolve(target, name);
      if (r) visit(r, true);
    }
  };
  for (const w of workspaces) visit(w, false);
  for (const p of needed) optional.delete(p);
  return { needed, optional };
}
interface LockEntry {
  link?: boolean;
  resolved?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** Installed package folders under `root`'s node_modules trees, as lockfile paths. */
function installedPackages(root: string, base = ''): string[] {
  const out: string[] = [];
  const dir = join(root, base, 'node_modules');
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.')) continue;
    const names = name.startsWith('@') ? readdirSync(join(dir, name)).map((n) => `${name}/${n}`) : [name];
    for (const n of names) {
      const path = `${base ? `${base}/` : ''}node_modules/${n}`;
      out.push(path);
      // Workspace links are listed at their own folders.
      if (!lstatSync(join(root, path)).isSymbolicLink()) out.push(...installedPackages(root, path));
    }
  }
  return out;
}

describe("deploy/Dockerfile: the runtime stage's commands, run in a copy of its files", () => {
  let dc: DemoCluster;
  let dir: string;
  let app: string;
  beforeAll(async () => {
    dc = await startDemoCluster({ port: 0 });
    dir = await mkdtemp(join(tmpdir(), 'meshlens-image-'));
    app = join(dir, 'app');
    await dc.writeKubeconfig(join(dir, 'kubeconfig'));
    const ignored = dockerIgnore();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? dir,
      // The machine's npm cache, as a Docker build would use its layer cache; the registry when it misses.
      npm_config_prefer_offline: 'true',
    };
    for (const line of dockerStages().at(-1) ?? []) {
      const [op, ...rest] = line.split(' ');
      if (op === 'ENV') for (const kv of rest) env[kv.split('=')[0]!] = kv.slice(kv.indexOf('=') + 1);
      else if (op === 'COPY' && !rest[0]?.startsWith('--from=')) {
        const dest = join(app, rest.at(-1)!);
        for (const src of rest.slice(0, -1)) {
          const to = rest.at(-1)!.endsWith('/') && !src.endsWith('/') ? join(dest, basename(src)) : dest;
          await cp(join(ROOT, src), to, {
            recursive: true,
            preserveTimestamps: true,
            filter: (from) => !ignored(relative(ROOT, from)),
          });
        }
      } else if (op === 'RUN') {
        // Not the cache of this machine: `npm cache clean` only makes the image smaller.
        const command = rest.join(' ').replace(/&& npm cache clean --force/, '');
        execFileSync('sh', ['-c', command], { cwd: app, env, stdio: 'pipe', timeout: 240_000 });
      }
    }
  }, 300_000);
  afterAll(async () => {
    await dc?.close();
    if (dir) {
      execFileSync('chmod', ['-R', 'u+w', dir]);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("installs exactly the production dependencies of the server's workspaces", () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, LockEntry>;
    };
    // From the server's own link (npm links the workspace): its dependencies, transitively.
    const { needed, optional } = productionTree(lock, ['node_modules/@meshlens/server']);
    const installed = new Set(
      ['', 'apps/server', 'packages/contract', 'packages/istio'].flatMap((b) => installedPackages(app, b)),
    );
    const expected = [...needed].filter((p) => p.includes('node_modules/')).sort();
    expect(expected.length).toBeGreaterThan(50);
    for (const p of expected) expect(installed, p).toContain(p);
    for (const p of installed) expect(needed.has(p) || optional.has(p), `${p} is installed`).toBe(true);
    // None of the web app's, the demo's or the tests' packages.
    for (const name of [
      'vite',
      'react',
      'vitest',
      'typescript',
      '@playwright/test',
      '@peculiar/x509',
      'supertest',
    ])
      expect(installed.has(`node_modules/${name}`), name).toBe(false);
  });

  it('starts the bundled server from a read-only tree, which answers from the cluster', async () => {
    execFileSync('chmod', ['-R', 'a-w', app]);
    const child = spawn(
      process.execPath,
      [
        `apps/server/${serverPkg.bin.meshlens}`,
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--kubeconfig',
        join(dir, 'kubeconfig'),
        '--prometheus-url',
        'http://127.0.0.1:9',
      ],
      {
        cwd: app,
        env: { PATH: process.env.PATH, NODE_ENV: 'production' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no READY in 30 s:\n${stderr}`)), 30_000);
        child.stdout.on('data', (d: Buffer) => {
          const m = /^READY (\S+)/m.exec(d.toString());
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
        child.once('exit', (code) => reject(new Error(`exited (${code}):\n${stderr}`)));
      });
      // The bundle as built: no rebuild, no fall-back to the sources through tsx.
      expect(stderr).not.toMatch(/building the server bundle|running from source/);
      const res = await fetch(`${url}/api/namespaces`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { namespaces: { name: string }[] };
      expect(body.namespaces.map((n) => n.name)).toContain('istio-system');
    } finally {
      child.kill();
    }
  });
});
