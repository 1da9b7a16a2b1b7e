/**
 * startMeshSim: creates the scenario in the cluster, watches it, simulates traffic every tick and serves
 * the metrics. The programmatic twin of the `mesh-sim` CLI (process contract in notes/common.md).
 */
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { Engine } from './engine/simulate';
import { applyObjects } from './kube/apply';
import { watchCluster } from './kube/watch';
import { loadScenario } from './scenario/load';
import { scenarioObjects } from './scenario/manifests';
import { createMetricsServer } from './server';

export interface MeshSimOptions {
  kubeconfigPath: string;
  /** bookinfo | travels | generated, or a path to a scenario YAML file. */
  scenario: string;
  metricsPort?: number;
  host?: string;
  services?: number;
  namespaces?: number;
  seed?: number;
  rateScale?: number;
  /** Simulation step, ms (default 200). */
  tickMs?: number;
  log?: (msg: string) => void;
}

export interface MeshSim {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** The Prometheus endpoint, `${url}/metrics`. */
  metricsUrl: string;
  engine: Engine;
  close(): Promise<void>;
}

export async function startMeshSim(options: MeshSimOptions): Promise<MeshSim> {
  const log = options.log ?? ((msg: string) => process.stderr.write(`mesh-sim: ${msg}\n`));
  const scenario = loadScenario(options.scenario, {
    ...(options.services !== undefined ? { services: options.services } : {}),
    ...(options.namespaces !== undefined ? { namespaces: options.namespaces } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  });
  const kc = new KubeConfig();
  kc.loadFromFile(options.kubeconfigPath);

  const objects = scenarioObjects(scenario);
  const applied = await applyObjects(kc, objects);
  log(
    `scenario ${scenario.name}: ${objects.length} objects (${applied.created} created, ${applied.replaced} replaced, ${applied.unchanged} unchanged)`,
  );
  const watch = await watchCluster(kc, log);
  watch.takeChanged();
  const engine = new Engine(scenario, watch.inventory(), {
    seed: options.seed ?? 1,
    rateScale: options.rateScale ?? 1,
  });

  const tickMs = options.tickMs ?? 200;
  let last = performance.now();
  const started = Date.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const dt = Math.min(Math.max(now - last, 0), 2000);
    last = now;
    if (watch.takeChanged()) engine.setInventory(watch.inventory());
    engine.tick(Date.now(), dt);
  }, tickMs);

  const server = createMetricsServer({
    store: () => engine.store,
    log,
    state: () => ({
      scenario: scenario.name,
      description: scenario.description,
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
      rateScale: engine.rateScale,
      stats: engine.stats,
      samples: engine.store.recorded,
      series: {
        http: engine.store.http.size,
        tcp: engine.store.tcp.size,
        grpcMessages: engine.store.messages.size,
      },
      workloads: engine.world.workloads.size,
      services: engine.world.services.size,
      ejectedHosts: engine.outliers.ejectedCount(Date.now()),
      connectionPools: engine.pools.snapshot(),
      edges: Object.fromEntries(
        [...engine.edgeRates].map(([k, v]) => [k, Math.round(v * 1000) / 1000] as const).sort(),
      ),
    }),
  });
  const host = options.host ?? '127.0.0.1';
  server.listen(options.metricsPort ?? 0, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log(`serving ${url}/metrics`);
  return {
    url,
    metricsUrl: `${url}/metrics`,
    engine,
    async close() {
      clearInterval(timer);
      await watch.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
