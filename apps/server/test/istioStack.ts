/**
 * The Istio write routes' test stack: the demo cluster with Bookinfo in namespace `bookinfo`, the informer
 * inventory, and the real app with the write routes, whose kube client can run a hook after each real
 * write (a test then acts as "someone else" changing the cluster in between).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import { startDemoCluster } from '@meshlens/demo-cluster';
import { pino } from 'pino';
import { createApp } from '../src/app';
import { parseConfig } from '../src/config';
import { startInventory } from '../src/inventory/informers';
import { istioKubeClient, type IstioKubeClient, type KubeObject } from '../src/istio/kubeClient';
import { loadKubeConfig } from '../src/server';
import { applyYaml, dataFile, eventually, unreachablePrometheus } from './stackHelpers';

export const NS = 'bookinfo';
export const yamlOf = (file: string) => readFileSync(dataFile(file), 'utf8');

export interface IstioStack {
  dir: string;
  kubeconfigPath: string;
  app: ReturnType<typeof createApp>;
  /** A separate client: reads back what the app wrote, and plays "someone else". */
  k8s: KubernetesObjectApi;
  /** Set to run after the app's next real writes (cleared by the test). */
  hook: { afterWrite?: (obj: KubeObject) => Promise<void> };
  read(kind: string, name: string): Promise<KubeObject>;
  exists(kind: string, name: string): Promise<boolean>;
  close(): Promise<void>;
}

function hooked(client: IstioKubeClient, hook: IstioStack['hook']): IstioKubeClient {
  const after = async <T extends KubeObject>(o: T, dryRun?: boolean) => {
    if (!dryRun && hook.afterWrite) await hook.afterWrite(o);
    return o;
  };
  return {
    ...client,
    create: async (o, opts) => after(await client.create(o, opts), opts?.dryRun),
    replace: async (o, opts) => after(await client.replace(o, opts), opts?.dryRun),
  };
}

/** `log`: receives the demo cluster's line per request (`GET /apis/…`), e.g. to count API calls. */
export async function startIstioStack(options: { log?: (line: string) => void } = {}): Promise<IstioStack> {
  const dir = mkdtempSync(join(tmpdir(), 'meshlens-istio-it-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  const cluster = await startDemoCluster({
    host: '127.0.0.1',
    port: 0,
    ...(options.log ? { log: options.log } : {}),
  });
  await cluster.writeKubeconfig(kubeconfigPath);
  await applyYaml(kubeconfigPath, `apiVersion: v1\nkind: Namespace\nmetadata: { name: ${NS} }\n`, '');
  await applyYaml(kubeconfigPath, yamlOf('bookinfo.yaml'), NS);
  const kc = loadKubeConfig(kubeconfigPath);
  const k8s = KubernetesObjectApi.makeApiClient(kc);
  const logger = pino({ level: 'silent' });
  const inventory = startInventory(kc, logger);
  await inventory.waitForSync(10_000);
  await eventually(
    'bookinfo workloads in the inventory',
    async () =>
      inventory.snapshot().workloads.filter((w) => w.namespace === NS).length >= 6 ? true : undefined,
    10_000,
    100,
  );
  const hook: IstioStack['hook'] = {};
  const app = createApp({
    kube: inventory,
    prometheus: unreachablePrometheus(500),
    config: parseConfig({ webDir: dir }),
    logger,
    istio: { client: hooked(istioKubeClient(kc), hook), inventory },
  });
  const ref = (kind: string, name: string) => ({
    apiVersion: 'networking.istio.io/v1',
    kind,
    metadata: { name, namespace: NS },
  });
  const read = (kind: string, name: string) => k8s.read(ref(kind, name)) as Promise<KubeObject>;
  return {
    dir,
    kubeconfigPath,
    app,
    k8s,
    hook,
    read,
    exists: (kind, name) =>
      read(kind, name).then(
        () => true,
        (e: { code?: number }) => (e.code === 404 ? false : Promise.reject(e as Error)),
      ),
    async close() {
      await inventory.close();
      await cluster.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What the console's own page sends with a write (see http/origin.ts); tests set it on every write. */
export const SAME_ORIGIN = { 'Sec-Fetch-Site': 'same-origin' } as const;
