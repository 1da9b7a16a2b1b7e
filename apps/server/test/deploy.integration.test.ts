// The in-cluster install (deploy/: a kustomize base and one overlay per sign-in strategy) must match what the
// server actually does: the rights it uses in each strategy and no others, the port it listens on, the
// probes it answers, the environment it reads; hardened pods; and the API server must accept every overlay
// (a server dry run against the demo cluster, which enforces RBAC and knows every kind the overlays ship).
// The image (deploy/Dockerfile) must run the server's bundle as built, as a non-root user.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { createPrometheusClient } from '../src/prometheus/client';

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

/** Every `group/resource:verb` the overlay's ServiceAccount is granted (through ClusterRoleBindings). */
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
    expect(b.kind, 'the console reads and watches cluster-wide').toBe('ClusterRoleBinding');
    const role = docs.find((d) => d.kind === b.roleRef?.kind && d.metadata.name === b.roleRef?.name);
    expect(role, `role ${b.roleRef?.name} of binding ${b.metadata.name}`).toBeDefined();
    for (const r of role?.rules ?? [])
      for (const g of r.apiGroups)
        for (const res of r.resources) for (const v of r.verbs) out.add(`${g}/${res}:${v}`);
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

const EXPECTED: Record<Overlay, string[]> = {
  anonymous: [...CACHE, ...anonymousUse()],
  // The user's own token for every user-visible read and write; the access reviews and "who am I" are
  // made with it too (system:basic-user grants them to every authenticated user).
  token: CACHE,
  openid: CACHE,
  // The console's own credentials with Impersonate-User / Impersonate-Group headers.
  header: [...CACHE, '/users:impersonate', '/groups:impersonate'],
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
    // The sign-in settings (branch h-a11auth; openid still to come) are accepted until that code is here:
    // from then on this test checks them against its flags like every other.
    if (!known.has('MESHLENS_AUTH_STRATEGY'))
      for (const name of [
        'MESHLENS_AUTH_STRATEGY',
        'MESHLENS_SESSION_KEY_FILE',
        'MESHLENS_AUTH_HEADER_IMPERSONATE',
        'MESHLENS_TRUSTED_PROXIES',
        'MESHLENS_OPENID_ISSUER_URL',
        'MESHLENS_OPENID_CLIENT_ID',
        'MESHLENS_OPENID_CLIENT_SECRET_FILE',
      ])
        known.add(name);
    for (const overlay of OVERLAYS)
      for (const e of container(overlay).env ?? []) expect(known, `${overlay}: ${e.name}`).toContain(e.name);
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
      prometheus: createPrometheusClient({ url: 'http://127.0.0.1:9', timeoutMs: 500 }),
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

describe('deploy/Dockerfile', () => {
  const text = readFileSync(new URL('../../../deploy/Dockerfile', import.meta.url), 'utf8');
  // Instructions (continuation lines joined), per stage.
  const stages = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => l.trim() && !l.trim().startsWith('#'))
    .reduce<string[][]>((acc, line) => {
      if (/^FROM\s/i.test(line)) acc.push([]);
      acc.at(-1)?.push(line.trim());
      return acc;
    }, []);
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    name: string;
    bin: Record<string, string>;
    scripts: Record<string, string>;
  };

  it('builds the server bundle in the build stage', () => {
    expect(stages).toHaveLength(2);
    expect(pkg.scripts.build).toBe('node scripts/bundle.mjs');
    const runs = stages[0]!.filter((l) => l.startsWith('RUN '));
    expect(runs.some((r) => r.includes(`npm run build -w ${pkg.name}`))).toBe(true);
  });

  it('checks the bundle is up to date before dropping to a user that cannot rebuild it, and runs the bin', () => {
    const runtime = stages[1]!;
    const check = runtime.findIndex((l) => /^RUN node apps\/server\/scripts\/bundle\.mjs --check$/.test(l));
    const user = runtime.findIndex((l) => l.startsWith('USER '));
    expect(check).toBeGreaterThan(-1);
    expect(user).toBeGreaterThan(check);
    const entrypoint = runtime.find((l) => l.startsWith('ENTRYPOINT '));
    expect(JSON.parse(entrypoint!.slice('ENTRYPOINT '.length))).toEqual([
      'node',
      `apps/server/${pkg.bin.meshlens}`,
    ]);
  });
});
