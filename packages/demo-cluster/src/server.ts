/** startDemoCluster(): the emulator as a running HTTP server, with its controllers and optional state file. */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { ADMIN_USER, createAuth, type AuthOptions, type SavedAuth } from './auth';
import { Cluster } from './cluster';
import { Controllers, NODE_NAME } from './controllers';
import { createHandler } from './http';
import { kubeconfigFor } from './kubeconfig';
import { ISTIO_CRDS_PATH, loadFile } from './load';
import { registerAuthKinds } from './rbac/kinds';
import { listenBoth, makeTlsMaterial, type TlsMaterial } from './tls';
import type { KObject } from './types';

export interface DemoClusterOptions {
  host?: string;
  port?: number;
  /** Manifest files applied at start (multi-document YAML). */
  load?: string[];
  /** JSON file: state is read from it at start (if present) and written to it on close. */
  stateFile?: string;
  /** Install Istio's CRDs from data/istio/crd-all.gen.yaml at start (default true). */
  istioCrds?: boolean;
  /** Watch events kept per resource for resuming watches (default 5000). */
  historyLimit?: number;
  /** Receives one line per request (for --verbose). */
  log?: (line: string) => void;
  /**
   * Authentication and authorization. Default: RBAC with Kubernetes' bootstrap roles, requests without a
   * token act as system:anonymous, and the kubeconfig's token signs in as kubernetes-admin (system:masters).
   */
  auth?: AuthOptions;
}

export interface DemoCluster {
  /** Plain HTTP (no credentials are sent by kubectl over it; fine for fetch and client libraries). */
  url: string;
  /** The same port over TLS, verified with `caCert`: what the generated kubeconfig names. */
  httpsUrl: string;
  /** PEM of the CA of the serving certificate. */
  caCert: string;
  /** The kubeconfig's bearer token: user kubernetes-admin in group system:masters. */
  adminToken: string;
  adminUser: string;
  kubeconfig(): string;
  writeKubeconfig(path: string): Promise<void>;
  /** Resolves when the controllers have caught up with every write so far. */
  settled(): Promise<void>;
  cluster: Cluster;
  close(): Promise<void>;
}

interface SavedState {
  version: 1;
  resourceVersion: number;
  objects: { key: string; object: KObject }[];
  /** The admin token and the ServiceAccount signing key, so that credentials survive a restart. */
  auth?: SavedAuth;
  /** The CA and serving certificate, so that a kubeconfig written before a restart still verifies. */
  tls?: TlsMaterial;
}

function bootstrap(cluster: Cluster, istioCrds: boolean): void {
  const nsType = cluster.registry.byResource('', 'namespaces');
  const nodeType = cluster.registry.byResource('', 'nodes');
  if (!nsType || !nodeType) throw new Error('built-in kinds missing');
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'istio-system']) {
    cluster.create(nsType, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  cluster.create(nodeType, '', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: NODE_NAME,
      labels: {
        'kubernetes.io/hostname': NODE_NAME,
        'kubernetes.io/os': 'linux',
        'node-role.kubernetes.io/control-plane': '',
      },
    },
    spec: {},
  });
  const node = cluster.store.get('nodes', '', NODE_NAME);
  if (node) {
    cluster.systemPut(nodeType, {
      ...node,
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'KubeletReady',
            message: 'kubelet is posting ready status',
          },
        ],
        addresses: [
          { type: 'InternalIP', address: '10.0.0.10' },
          { type: 'Hostname', address: NODE_NAME },
        ],
        nodeInfo: {
          kubeletVersion: 'v1.32.0-demo',
          osImage: 'meshlens demo',
          containerRuntimeVersion: 'containerd://1.7.0',
          architecture: 'amd64',
          operatingSystem: 'linux',
        },
        capacity: { cpu: '64', memory: '256Gi', pods: '10000' },
        allocatable: { cpu: '64', memory: '256Gi', pods: '10000' },
      },
    });
  }
  const svcType = cluster.registry.byResource('', 'services');
  const epType = cluster.registry.byResource('', 'endpoints');
  if (svcType && epType) {
    // The API server's own service, as every cluster has it.
    cluster.create(svcType, 'default', {
      metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: {
        clusterIP: '10.96.0.1',
        ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
      },
    });
    cluster.create(epType, 'default', {
      metadata: { name: 'kubernetes', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [
        { addresses: [{ ip: '10.0.0.10' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] },
      ],
    });
  }
  if (istioCrds) loadFile(cluster, ISTIO_CRDS_PATH);
}

function restore(cluster: Cluster, state: SavedState): void {
  // CRDs first so that their resources are registered before their objects are put back.
  const sorted = [...state.objects].sort(
    (a, b) =>
      Number(b.object.kind === 'CustomResourceDefinition') -
      Number(a.object.kind === 'CustomResourceDefinition'),
  );
  for (const { key, object } of sorted) {
    if (object.kind === 'CustomResourceDefinition') cluster.registerCrd(object);
    cluster.store.put(key, object);
  }
  for (const { object } of state.objects) {
    const ip =
      object.kind === 'Service'
        ? (object.spec as { clusterIP?: string } | undefined)?.clusterIP
        : object.kind === 'Pod'
          ? (object.status as { podIP?: string } | undefined)?.podIP
          : undefined;
    if (ip) cluster.ips.reserve(object.kind === 'Service' ? 'svc' : 'pod', ip);
  }
  cluster.store.setRv(state.resourceVersion);
  cluster.store.compactAll();
}

export async function startDemoCluster(opts: DemoClusterOptions = {}): Promise<DemoCluster> {
  const host = opts.host ?? '127.0.0.1';
  const cluster = new Cluster(opts.historyLimit);
  registerAuthKinds(cluster.registry);
  const controllers = new Controllers(cluster);
  let saved: SavedState | undefined;
  if (opts.stateFile && existsSync(opts.stateFile)) {
    saved = JSON.parse(readFileSync(opts.stateFile, 'utf8')) as SavedState;
    restore(cluster, saved);
  }
  // Made while the cluster loads (a fresh CA unless the state file has one).
  const tlsMaterial = saved?.tls ? Promise.resolve(saved.tls) : makeTlsMaterial(host);
  tlsMaterial.catch(() => undefined);
  if (!saved) {
    bootstrap(cluster, opts.istioCrds ?? true);
  }
  const auth = createAuth(cluster, opts.auth, saved?.auth, opts.log);
  for (const file of opts.load ?? []) loadFile(cluster, file);
  const settled = async (): Promise<void> => {
    await controllers.settled();
    await auth.settled();
    await controllers.settled();
  };
  await settled();

  const tls = await tlsMaterial;
  const closers = new Set<() => void>();
  let address = '';
  const { server, closeAllConnections } = listenBoth(
    tls,
    createHandler({
      cluster,
      serverAddress: () => address,
      track: (fn) => closers.add(fn),
      guard: (req, serve) => auth.guard(req, serve),
      extension: (t, method, req, res) => auth.extension(t, method, req, res),
      ...(opts.log ? { log: opts.log } : {}),
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  address = `${host}:${port}`;
  const hostPort = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const url = `http://${hostPort}`;
  const httpsUrl = `https://${hostPort}`;
  const kubeconfig = (): string => kubeconfigFor(httpsUrl, auth.adminToken, tls.caCert);
  let closed = false;

  return {
    url,
    httpsUrl,
    caCert: tls.caCert,
    adminToken: auth.adminToken,
    adminUser: ADMIN_USER,
    cluster,
    kubeconfig,
    async writeKubeconfig(path: string) {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, kubeconfig(), { mode: 0o600 });
    },
    settled,
    async close() {
      if (closed) return;
      closed = true;
      for (const fn of closers) fn();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        closeAllConnections();
      });
      if (opts.stateFile) {
        await settled();
        const state: SavedState = {
          version: 1,
          resourceVersion: cluster.store.currentRv(),
          objects: [...cluster.store.all()].map(([key, object]) => ({ key, object })),
          auth: await auth.save(),
          tls,
        };
        await mkdir(dirname(opts.stateFile), { recursive: true });
        await writeFile(opts.stateFile, JSON.stringify(state));
      }
    },
  };
}
