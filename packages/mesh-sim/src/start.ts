/**
 * startMeshSim: creates the scenario in the cluster, watches it, simulates traffic every tick and serves
 * the metrics. The programmatic twin of the `mesh-sim` CLI (process contract in notes/common.md).
 */
import { KubeConfig } from '@kubernetes/client-node';
import { Engine } from './engine/simulate';
import { applyObjects } from './kube/apply';
import { watchCluster } from './kube/watch';
import { loadScenario } from './scenario/load';
import { scenarioObjects } from './scenario/manifests';
import { runSimulation } from './runtime';
import type { TelemetryMetric } from './metrics/render';

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
  /**
   * Metrics to leave out, by Istio Telemetry API name (REQUEST_SIZE, RESPONSE_SIZE, ...), as a
   * Telemetry resource with `disabled: true` would; lightens scrapes of very large meshes.
   */
  disabledMetrics?: TelemetryMetric[];
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
  try {
    kc.loadFromFile(options.kubeconfigPath);
  } catch (err) {
    throw new Error(`cannot read kubeconfig ${options.kubeconfigPath}: ${(err as Error).message}`);
  }

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

  let runtime;
  try {
    runtime = await runSimulation(engine, {
      ...(options.host !== undefined ? { host: options.host } : {}),
      port: options.metricsPort ?? 0,
      tickMs: options.tickMs ?? 200,
      refresh: () => (watch.takeChanged() ? watch.inventory() : undefined),
      ...(options.disabledMetrics ? { disabledMetrics: options.disabledMetrics } : {}),
      log,
    });
  } catch (err) {
    await watch.stop();
    throw err;
  }
  const url = runtime.url;
  log(`serving ${url}/metrics`);
  return {
    url,
    metricsUrl: `${url}/metrics`,
    engine,
    async close() {
      await runtime.close();
      await watch.stop();
    },
  };
}
