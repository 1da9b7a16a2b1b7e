// The in-cluster install (deploy/meshlens.yaml) must match what the server actually does: the port it
// listens on, the probes it answers, the environment it reads, and every kind it watches or writes. The
// image (deploy/Dockerfile) must run the server's bundle as built, without writing to /app.
import { readFileSync } from 'node:fs';
import { ReadyResponseSchema } from '@meshlens/contract';
import { pino } from 'pino';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { createApp, type KubeAccess } from '../src/app';
import { buildCommand, parseConfig } from '../src/config';
import { KINDS } from '../src/inventory/informers';
import { deriveSnapshot, type RawInventory } from '../src/inventory/derive';
import { createPrometheusClient } from '../src/prometheus/client';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
interface Doc {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: Rule[];
  spec?: Record<string, unknown>;
}

const docs = parseAllDocuments(
  readFileSync(new URL('../../../deploy/meshlens.yaml', import.meta.url), 'utf8'),
).map((d) => d.toJS() as Doc);
const byKind = (kind: string): Doc => {
  const doc = docs.find((d) => d.kind === kind);
  if (!doc) throw new Error(`deploy/meshlens.yaml has no ${kind}`);
  return doc;
};
const role = byKind('ClusterRole');
const allows = (group: string, resource: string, verb: string): boolean =>
  (role.rules ?? []).some(
    (r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb),
  );

interface Container {
  name: string;
  env?: { name: string; value?: string }[];
  ports?: { name: string; containerPort: number }[];
  readinessProbe?: { httpGet: { path: string; port: string } };
  livenessProbe?: { httpGet: { path: string; port: string } };
}
const deployment = byKind('Deployment');
const podSpec = (
  deployment.spec as { template: { spec: { serviceAccountName: string; containers: Container[] } } }
).template.spec;
const container = podSpec.containers[0]!;

describe('deploy/meshlens.yaml', () => {
  it('lets the service account list and watch every kind the inventory watches', () => {
    for (const kind of KINDS) {
      const m = /^\/(?:api\/v1|apis\/([^/]+)\/[^/]+)\/([^/]+)$/.exec(kind.path);
      expect(m, kind.path).not.toBeNull();
      const group = m![1] ?? '';
      const resource = m![2]!;
      for (const verb of ['list', 'watch']) {
        expect(allows(group, resource, verb), `${verb} ${group || 'core'}/${resource}`).toBe(true);
      }
    }
  });

  it('lets the wizards write the Istio routing kinds', () => {
    for (const resource of ['virtualservices', 'destinationrules', 'gateways']) {
      for (const verb of ['create', 'update', 'patch', 'delete']) {
        expect(allows('networking.istio.io', resource, verb), `${verb} ${resource}`).toBe(true);
      }
    }
  });

  it('binds the role to the service account the pod runs as', () => {
    const binding = byKind('ClusterRoleBinding') as Doc & {
      roleRef: { name: string };
      subjects: { name: string; namespace: string }[];
    };
    const sa = byKind('ServiceAccount');
    expect(binding.roleRef.name).toBe(role.metadata.name);
    expect(binding.subjects).toContainEqual(
      expect.objectContaining({ name: sa.metadata.name, namespace: sa.metadata.namespace }),
    );
    expect(podSpec.serviceAccountName).toBe(sa.metadata.name);
  });

  it('exposes the port the server listens on, through the Service', () => {
    const envPort = container.env?.find((e) => e.name === 'MESHLENS_PORT')?.value;
    const port = Number(envPort ?? parseConfig({}).port);
    expect(container.ports).toContainEqual({ name: 'http', containerPort: port });
    const svc = byKind('Service').spec as { ports: { port: number; targetPort: string }[] };
    expect(svc.ports[0]?.targetPort).toBe('http');
  });

  it('sets only environment variables the server reads', () => {
    const known = new Set(
      buildCommand()
        .options.map((o) => o.envVar)
        .filter(Boolean),
    );
    known.add('NODE_OPTIONS');
    for (const e of container.env ?? []) expect(known, e.name).toContain(e.name);
  });

  it('probes paths the server answers', async () => {
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
    const live = await request(app).get(container.livenessProbe!.httpGet.path);
    expect(live.status).toBe(200);
    const ready = await request(app).get(container.readinessProbe!.httpGet.path);
    expect(ready.status).toBe(503);
    const body = ReadyResponseSchema.parse(ready.body);
    expect(body.ready).toBe(false);
    expect(body.checks.prometheus.ok).toBe(false);
    expect(body.checks.kubernetes.ok).toBe(true);
  });
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
