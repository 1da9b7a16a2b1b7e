/**
 * The read routes' live test stack: the demo cluster, mesh-sim's Bookinfo (30× rates), a real Prometheus
 * scraping it every second, and the server started with startServer against them. Shared by the
 * integration tests of the overview, lists, detail and node-graph routes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoCluster, type DemoClusterOptions } from '@meshlens/demo-cluster';
import { startMeshSim, type MeshSimOptions } from '@meshlens/mesh-sim';
import { freePort, startPrometheus, waitForPromQL, type PrometheusHandle } from '@meshlens/stack';
import { pino } from 'pino';
import { startServer, type RunningServer, type StartServerOptions } from '../src/server';

export interface LiveStack {
  dir: string;
  kubeconfigPath: string;
  cluster: Awaited<ReturnType<typeof startDemoCluster>>;
  sim: Awaited<ReturnType<typeof startMeshSim>>;
  prometheus: PrometheusHandle;
  server: RunningServer;
  /** PromQL queries the server has sent so far, by its own /metrics. */
  queriesSent(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Starts the stack; `beforeServer` runs once the cluster is up (e.g. to apply Istio objects the server's
 * caches should see from the start). Resolves once Prometheus has scraped Bookinfo's traffic.
 * `clusterAuth` gives the demo cluster bearer tokens (real RBAC), `sim` more mesh-sim options, and
 * `config` may be worked out from the stack's folder and mesh-sim (its tracing URL).
 */
export async function startLiveStack(options: {
  name: string;
  config:
    | StartServerOptions['config']
    | ((stack: { dir: string; sim: LiveStack['sim'] }) => StartServerOptions['config']);
  beforeServer?: (kubeconfigPath: string) => Promise<void>;
  clusterAuth?: DemoClusterOptions['auth'];
  sim?: Partial<MeshSimOptions>;
}): Promise<LiveStack> {
  const dir = mkdtempSync(join(tmpdir(), `meshlens-${options.name}-it-`));
  const kubeconfigPath = join(dir, 'kubeconfig');
  const parts: Partial<LiveStack> = { dir, kubeconfigPath };
  const close = async () => {
    await parts.server?.close();
    await parts.prometheus?.close();
    await parts.sim?.close();
    await parts.cluster?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    parts.cluster = await startDemoCluster({ host: '127.0.0.1', port: 0, auth: options.clusterAuth });
    await parts.cluster.writeKubeconfig(kubeconfigPath);
    parts.sim = await startMeshSim({
      kubeconfigPath,
      scenario: 'bookinfo',
      metricsPort: 0,
      rateScale: 30,
      log: () => undefined,
      ...options.sim,
    });
    parts.prometheus = await startPrometheus({
      scrapeTargets: [parts.sim.metricsUrl],
      scrapeIntervalSeconds: 1,
      dataDir: join(dir, 'prom'),
      port: await freePort(),
    });
    await options.beforeServer?.(kubeconfigPath);
    parts.server = await startServer({
      kubeconfigPath,
      prometheusUrl: parts.prometheus.url,
      port: 0,
      config: typeof options.config === 'function' ? options.config({ dir, sim: parts.sim }) : options.config,
      logger: pino({ level: 'silent' }),
    });
    await waitForPromQL(
      parts.prometheus.url,
      'sum(rate(istio_requests_total[5s])) > 0',
      (s) => s.length > 0,
      60_000,
      250,
    );
  } catch (err) {
    await close();
    throw err;
  }
  const server = parts.server;
  return {
    ...(parts as Omit<LiveStack, 'queriesSent' | 'close'>),
    queriesSent: () => queriesSent(server.url),
    close,
  };
}

/** PromQL queries the server at `baseUrl` has sent so far, by its own /metrics. */
export async function queriesSent(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return [...text.matchAll(/^meshlens_prometheus_queries_total\{outcome="[a-z_]+"\} (\d+)$/gm)].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );
}
