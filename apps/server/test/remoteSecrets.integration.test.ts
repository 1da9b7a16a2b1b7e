/**
 * Further clusters from Istio's remote secrets, as Kiali reads them: two demo clusters over HTTP, a Secret
 * labelled istio/multiCluster=true in the home cluster's istio-system holding a kubeconfig of the other,
 * and the console started with no --clusters: its inventory reads both, each workload with its cluster.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EntityListResponseSchema } from '@meshlens/contract';
import { startDemoCluster } from '@meshlens/demo-cluster';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server';
import { applyYaml, deploymentYaml as deployment, eventually } from './stackHelpers';

let dir: string;
let east: Awaited<ReturnType<typeof startDemoCluster>>;
let west: Awaited<ReturnType<typeof startDemoCluster>>;
const servers: RunningServer[] = [];

const namespaces =
  'apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n---\napiVersion: v1\nkind: Namespace\nmetadata: { name: istio-system }\n';

const start = async (remoteSecrets?: boolean) => {
  const server = await startServer({
    kubeconfigPath: join(dir, 'east'),
    prometheusUrl: 'http://127.0.0.1:9',
    port: 0,
    host: '127.0.0.1',
    config: {
      webDir: dir,
      kubernetes: { clusterName: 'east', ...(remoteSecrets === undefined ? {} : { remoteSecrets }) },
    },
    logger: pino({ level: 'silent' }),
  });
  servers.push(server);
  return server;
};

/** `cluster/name` of each workload of shop the console lists. */
async function workloads(server: RunningServer): Promise<string[]> {
  const res = await fetch(`${server.url}/api/namespaces/shop/workloads`);
  expect(res.status).toBe(200);
  const body = EntityListResponseSchema.parse(await res.json());
  return body.rows.map((w) => `${w.cluster ?? '-'}/${w.name}`).sort();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshlens-remote-secrets-it-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>x</title>');
  east = await startDemoCluster({ host: '127.0.0.1', port: 0 });
  west = await startDemoCluster({ host: '127.0.0.1', port: 0 });
  await east.writeKubeconfig(join(dir, 'east'));
  await west.writeKubeconfig(join(dir, 'west'));
  for (const [c, wl] of [
    ['east', 'cart'],
    ['west', 'payments'],
  ] as const) {
    await applyYaml(join(dir, c), namespaces, '');
    await applyYaml(join(dir, c), deployment(wl), 'shop');
  }
  // what `istioctl create-remote-secret --name west` makes, applied in the home cluster
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'istio-remote-secret-west',
      labels: { 'istio/multiCluster': 'true' },
      annotations: { 'networking.istio.io/cluster': 'west' },
    },
    data: { west: Buffer.from(readFileSync(join(dir, 'west'))).toString('base64') },
  };
  await applyYaml(join(dir, 'east'), JSON.stringify(secret), 'istio-system');
});

afterAll(async () => {
  for (const s of servers) await s.close();
  await east?.close();
  await west?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('reads the cluster a remote secret names, with its own watches: each workload carries its cluster', async () => {
  const server = await start();
  const listed = await eventually(
    'workloads of both clusters',
    async () => {
      const w = await workloads(server);
      return w.length === 2 ? w : undefined;
    },
    15_000,
    200,
  );
  expect(listed).toEqual(['east/cart', 'west/payments']);
  // the remote cluster is watched, not read once
  await applyYaml(join(dir, 'west'), deployment('shipping'), 'shop');
  await eventually(
    'a workload added in west',
    async () => ((await workloads(server)).includes('west/shipping') ? true : undefined),
    15_000,
    200,
  );
});

it('reads no remote secret when told not to: one cluster, as before', async () => {
  const server = await start(false);
  await eventually(
    'cart',
    async () => ((await workloads(server)).length > 0 ? true : undefined),
    15_000,
    200,
  );
  expect(await workloads(server)).toEqual(['-/cart']);
});
