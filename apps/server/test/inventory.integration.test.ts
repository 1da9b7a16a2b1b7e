/**
 * The informer cache against the demo cluster over HTTP: it fills from list+watch, follows changes, and
 * recovers when the API server goes away and comes back (watch restarted with backoff, relisted).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoCluster } from '@meshlens/demo-cluster';
import { freePort } from '@meshlens/stack';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startInventory, type Inventory } from '../src/inventory/informers';
import { loadKubeConfig } from '../src/server';
import { applyYaml, deploymentYaml as deployment, eventually } from './stackHelpers';

let dir: string;
let port: number;
let cluster: Awaited<ReturnType<typeof startDemoCluster>>;
let inventory: Inventory;
let kubeconfigPath: string;
const restarts: string[] = [];

const start = () => startDemoCluster({ host: '127.0.0.1', port, stateFile: join(dir, 'state.json') });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshlens-inventory-it-'));
  port = await freePort();
  kubeconfigPath = join(dir, 'kubeconfig');
  cluster = await start();
  await cluster.writeKubeconfig(kubeconfigPath);
  await applyYaml(kubeconfigPath, 'apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n', '');
  inventory = startInventory(loadKubeConfig(kubeconfigPath), pino({ level: 'silent' }), {
    minBackoffMs: 100,
    maxBackoffMs: 500,
    onRestart: (kind) => restarts.push(kind),
  });
});

afterAll(async () => {
  await inventory?.close();
  await cluster?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('lists every kind once, then follows watch events without listing again', async () => {
  expect(await inventory.waitForSync(10_000)).toBe(true);
  expect(inventory.snapshot().namespaces.map((n) => n.name)).toContain('shop');
  await applyYaml(kubeconfigPath, deployment('cart'), 'shop');
  const wl = await eventually(
    'cart workload',
    async () => inventory.snapshot().workloads.find((w) => w.name === 'cart'),
    10_000,
    100,
  );
  expect(wl).toMatchObject({ namespace: 'shop', app: 'cart', version: 'v1' });
});

it('recovers when the API server stops and comes back', { timeout: 40_000 }, async () => {
  await cluster.close();
  await eventually(
    'a broken watch',
    async () => (inventory.snapshot().failing.length > 0 ? true : undefined),
    10_000,
    100,
  );
  cluster = await start();
  // A change made while we were away (after the restart) must reach the cache.
  await applyYaml(kubeconfigPath, deployment('payments'), 'shop');
  await eventually(
    'payments workload after the restart',
    async () => (inventory.snapshot().workloads.some((w) => w.name === 'payments') ? true : undefined),
    20_000,
    200,
  );
  await eventually(
    'watches healthy again',
    async () => (inventory.snapshot().failing.length === 0 ? true : undefined),
    20_000,
    200,
  );
  expect(inventory.snapshot().workloads.map((w) => w.name)).toEqual(
    expect.arrayContaining(['cart', 'payments']),
  );
  expect(restarts.length).toBeGreaterThan(0);
});

it('reads large lists a page at a time (typed kinds and Istio custom objects) into the same inventory', async () => {
  const vs = (name: string) =>
    `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: ${name} }\nspec: { hosts: [${name}], http: [{ route: [{ destination: { host: ${name} } }] }] }\n`;
  await applyYaml(kubeconfigPath, ['a', 'b', 'c'].map(vs).join('---\n'), 'shop');
  await eventually(
    'three VirtualServices in the first inventory',
    async () => (inventory.list('virtualservices').length >= 3 ? true : undefined),
    10_000,
    100,
  );
  // Two objects per page: every kind with more than two objects takes several list calls.
  const paged = startInventory(loadKubeConfig(kubeconfigPath), pino({ level: 'silent' }), { pageSize: 2 });
  try {
    expect(await paged.waitForSync(10_000)).toBe(true);
    const names = (list: { metadata?: { name?: string } }[]) => list.map((o) => o.metadata?.name).sort();
    expect(inventory.list('namespaces').length).toBeGreaterThan(2);
    for (const kind of ['namespaces', 'pods', 'deployments', 'virtualservices'])
      expect(names(paged.list(kind)), kind).toEqual(names(inventory.list(kind)));
    expect(names(paged.list('virtualservices'))).toEqual(['a', 'b', 'c']);
  } finally {
    await paged.close();
  }
});
