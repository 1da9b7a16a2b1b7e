/**
 * startMeshSim: creates the scenario in the cluster, watches it, simulates traffic every tick and serves
 * the metrics. The programmatic twin of the `mesh-sim` CLI (process contract in notes/common.md).
 */
import { KubeConfig } from '@kubernetes/client-node';
import { Engine } from './engine/simulate';
import { applyObjects } from './kube/apply';
import { watchCluster } from './kube/watch';
import { loadScenario } from './scenario/load';
import { scenarioObjectsByCluster } from './scenario/manifests';
import { clusterKubeConfigs, mergedWatch } from './kube/clusters';
import { runSimulation } from './runtime';
import { JAEGER_BASE_PATH } from './server';
import { registerKubelet } from './kube/kubelet';
import {
  parseHistogramBuckets,
  telemetrySettings,
  type DisabledMetric,
  type HistogramBucketsSpec,
  type TelemetryMetric,
  type TelemetryProfileName,
} from './metrics/telemetry';

export interface MeshSimOptions {
  kubeconfigPath: string;
  /** bookinfo | travels | multicluster | generated, or a path to a scenario YAML file. A scenario over
   * several clusters reads each through the kubeconfig context named after it. */
  scenario: string;
  metricsPort?: number;
  host?: string;
  services?: number;
  namespaces?: number;
  seed?: number;
  rateScale?: number;
  /**
   * Metrics to leave out, by Istio Telemetry API name (REQUEST_SIZE, RESPONSE_SIZE, ...), as a
   * Telemetry resource with `disabled: true` would: a name alone for both proxies (CLIENT_AND_SERVER),
   * or `{ metric, mode: 'CLIENT' | 'SERVER' }` for the caller's (reporter="source") or the server's
   * (reporter="destination") only. Lightens scrapes of very large meshes.
   */
  disabledMetrics?: readonly (TelemetryMetric | DisabledMetric)[];
  /**
   * Histogram buckets for every proxy, as if each pod carried the `sidecar.istio.io/statsHistogramBuckets`
   * annotation: its JSON (`{"istiocustom":[1,5,10]}`), the parsed map, or a list (= `istiocustom`). A pod's
   * own annotation wins. Default: Envoy's buckets.
   */
  histogramBuckets?: HistogramBucketsSpec | readonly number[] | string;
  /**
   * A named bundle of the two above (`large-mesh`); explicit `disabledMetrics` add to it, explicit
   * `histogramBuckets` replace its buckets.
   */
  telemetryProfile?: TelemetryProfileName;
  /** Simulation step, ms (default 200). */
  tickMs?: number;
  /**
   * Container log lines kept per container (access-log lines in istio-proxy, app lines in the app's
   * container; default 1000, and about 100,000 over all containers); 0 turns logs off.
   */
  logLines?: number;
  /**
   * Share of requests traced, in percent (Istio's `meshConfig.defaultConfig.tracing.sampling`; default 1;
   * requests with `x-b3-sampled: 1` or a sampled `traceparent` always are); `false` turns tracing off.
   */
  tracingSampling?: number | false;
  /** Traces held for the Jaeger query API (oldest dropped first; default 20,000). */
  maxTraces?: number;
  log?: (msg: string) => void;
}

export interface MeshSim {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** The Prometheus endpoint, `${url}/metrics`. */
  metricsUrl: string;
  /** Jaeger's query API base (`${url}/jaeger`; its routes under `/api/`), undefined with tracing off. */
  tracingUrl: string | undefined;
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
  const telemetry = telemetrySettings({
    ...(options.telemetryProfile ? { profile: options.telemetryProfile } : {}),
    ...(options.disabledMetrics ? { disabledMetrics: options.disabledMetrics } : {}),
    ...(options.histogramBuckets !== undefined
      ? { histogramBuckets: bucketsOption(options.histogramBuckets) }
      : {}),
  });
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(options.kubeconfigPath);
  } catch (err) {
    throw new Error(`cannot read kubeconfig ${options.kubeconfigPath}: ${(err as Error).message}`);
  }

  // One cluster: the kubeconfig's current context. Several (a multi-cluster scenario): each its context.
  const byCluster = scenarioObjectsByCluster(scenario);
  const kcs = clusterKubeConfigs(kc, [...byCluster.keys()], options.kubeconfigPath);
  const watches: { cluster: string; watch: Awaited<ReturnType<typeof watchCluster>> }[] = [];
  try {
    for (const [cluster, objects] of byCluster) {
      const ckc = kcs.get(cluster)!;
      const applied = await applyObjects(ckc, objects);
      log(
        `scenario ${scenario.name}${byCluster.size > 1 ? ` (cluster ${cluster})` : ''}: ${objects.length} objects (${applied.created} created, ${applied.replaced} replaced, ${applied.unchanged} unchanged)`,
      );
      watches.push({ cluster, watch: await watchCluster(ckc, log) });
    }
  } catch (err) {
    await Promise.all(watches.map((w) => w.watch.stop()));
    throw err;
  }
  const watch = mergedWatch(watches);
  watch.takeChanged();
  const engine = new Engine(scenario, watch.inventory(), {
    seed: options.seed ?? 1,
    rateScale: options.rateScale ?? 1,
    ...(telemetry.histogramBuckets ? { histogramBuckets: telemetry.histogramBuckets } : {}),
    logs: options.logLines === 0 ? false : { perContainer: options.logLines ?? 1000 },
    tracing:
      options.tracingSampling === false
        ? false
        : {
            samplingPercent: options.tracingSampling ?? 1,
            ...(options.maxTraces !== undefined ? { maxTraces: options.maxTraces } : {}),
          },
  });

  let runtime;
  try {
    runtime = await runSimulation(engine, {
      ...(options.host !== undefined ? { host: options.host } : {}),
      port: options.metricsPort ?? 0,
      tickMs: options.tickMs ?? 200,
      refresh: () => (watch.takeChanged() ? watch.inventory() : undefined),
      disabled: telemetry.disabled,
      log,
    });
  } catch (err) {
    await watch.stop();
    throw err;
  }
  const url = runtime.url;
  log(`serving ${url}/metrics`);
  const undo = engine.logs
    ? await Promise.all([...kcs.values()].map((c) => registerKubelet(c, url, log)))
    : [];
  const unregister = async () => {
    for (const u of undo) await u();
  };
  const off = (r: 'source' | 'destination') => [...telemetry.disabled[r]].join(',') || 'none';
  if (options.telemetryProfile || options.disabledMetrics || telemetry.histogramBuckets)
    log(
      `telemetry${options.telemetryProfile ? ` (profile ${options.telemetryProfile})` : ''}: off for CLIENT ${off('source')}; off for SERVER ${off('destination')}; buckets ${telemetry.histogramBuckets ? JSON.stringify(telemetry.histogramBuckets) : "Envoy's defaults"}`,
    );
  return {
    url,
    metricsUrl: `${url}/metrics`,
    tracingUrl: engine.tracer ? `${url}${JAEGER_BASE_PATH}` : undefined,
    engine,
    async close() {
      await unregister();
      await runtime.close();
      await watch.stop();
    },
  };
}

function bucketsOption(v: HistogramBucketsSpec | readonly number[] | string): HistogramBucketsSpec {
  try {
    if (typeof v === 'string') return parseHistogramBuckets(v);
    return parseHistogramBuckets(JSON.stringify(Array.isArray(v) ? { istiocustom: v } : v));
  } catch (err) {
    throw new Error(`histogramBuckets: ${(err as Error).message}`);
  }
}
