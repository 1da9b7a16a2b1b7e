/** `mesh-sim` command line; prints `READY <url>` on stdout when serving, logs on stderr. */
import { Command, InvalidArgumentError } from 'commander';
import {
  TELEMETRY_PROFILES,
  TELEMETRY_PROFILE_NAMES,
  parseDisabledMetrics,
  parseHistogramBuckets,
  type DisabledMetric,
  type HistogramBucketsSpec,
  type TelemetryProfileName,
} from './metrics/telemetry';
import { startMeshSim } from './start';

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
  return n;
};
const positive = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number`);
  return n;
};

/** Commander parser from a throwing one: its message becomes the usage error. */
const parsed =
  <T>(parse: (v: string) => T) =>
  (v: string): T => {
    try {
      return parse(v);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };

const percent = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 100)
    throw new InvalidArgumentError('--tracing-sampling must be a number from 0 to 100');
  return n;
};

const profileName = (v: string): TelemetryProfileName => {
  if (!(TELEMETRY_PROFILE_NAMES as string[]).includes(v))
    throw new InvalidArgumentError(`unknown profile ${v}; one of ${TELEMETRY_PROFILE_NAMES.join(', ')}`);
  return v as TelemetryProfileName;
};

const profilesHelp = TELEMETRY_PROFILE_NAMES.map(
  (n) =>
    `  ${n}: ${TELEMETRY_PROFILES[n].description}\n    buckets ${JSON.stringify(TELEMETRY_PROFILES[n].histogramBuckets)}`,
).join('\n');

const program = new Command('mesh-sim')
  .description(
    'Simulates Istio sidecar traffic for a scenario, creating its objects in the cluster and serving Istio metrics for Prometheus.',
  )
  .requiredOption('--kubeconfig <file>', 'kubeconfig of the cluster (e.g. the demo cluster)')
  .requiredOption(
    '--scenario <name>',
    'bookinfo | travels | multicluster | generated, or a scenario YAML file (multicluster: one kubeconfig context per cluster, named east and west)',
  )
  .option('--metrics-port <port>', 'port for /metrics (0 = a free one)', int('--metrics-port'), 0)
  .option('--metrics-host <host>', 'address to listen on', '127.0.0.1')
  .option('--services <n>', 'generated: number of services', int('--services'))
  .option('--namespaces <k>', 'generated: number of namespaces', int('--namespaces'))
  .option('--seed <s>', 'random seed (traffic and the generated call graph)', int('--seed'))
  .option('--rate-scale <x>', 'multiply every entry rate by x', positive('--rate-scale'), 1)
  .option('--tick-ms <ms>', 'simulation step in milliseconds', positive('--tick-ms'), 200)
  .option('--log-lines <n>', 'container log lines kept per container (0 = no logs)', int('--log-lines'), 1000)
  .option(
    '--tracing-sampling <percent>',
    'share of requests traced, 0-100 (Istio tracing.sampling); x-b3-sampled: 1 always is',
    percent,
    1,
  )
  .option('--no-tracing', 'record no spans')
  .option(
    '--max-traces <n>',
    'traces held for the Jaeger query API (oldest dropped first)',
    int('--max-traces'),
    20000,
  )
  .option(
    '--disable-metrics <list>',
    'Istio Telemetry metric names to leave out (a Telemetry override with disabled: true), comma-separated, ' +
      'each optionally :CLIENT (reporter="source"), :SERVER (reporter="destination") or :CLIENT_AND_SERVER ' +
      '(the default), e.g. REQUEST_SIZE,RESPONSE_SIZE:SERVER,REQUEST_DURATION:SERVER',
    parsed(parseDisabledMetrics),
  )
  .option(
    '--histogram-buckets <buckets>',
    'histogram buckets for every proxy, as the sidecar.istio.io/statsHistogramBuckets pod annotation ' +
      "(a pod's own annotation wins): its JSON, e.g. '{\"istiocustom\":[1,5,10,50,100]}', or a list 1,5,10,50,100 " +
      "(= istiocustom, all three histograms); default Envoy's buckets",
    parsed(parseHistogramBuckets),
  )
  .option(
    '--telemetry-profile <name>',
    `a bundle of the two above: ${TELEMETRY_PROFILE_NAMES.join(', ')} (see below); --disable-metrics adds to it, --histogram-buckets replaces its buckets`,
    profileName,
  )
  .addHelpText(
    'after',
    `\nTelemetry profiles:\n${profilesHelp}\n\nEndpoints: /metrics (Prometheus text), /healthz, /debug/state (rates per edge, series counts),\n/jaeger/api/… (Jaeger's query API over the recorded spans).\nExample: npx mesh-sim --kubeconfig .demo/kubeconfig --scenario bookinfo --metrics-port 9090\n         npx mesh-sim --kubeconfig .demo/kubeconfig --scenario generated --services 3000 --telemetry-profile large-mesh`,
  );

program.parse();
const o = program.opts<{
  kubeconfig: string;
  scenario: string;
  metricsPort: number;
  metricsHost: string;
  services?: number;
  namespaces?: number;
  seed?: number;
  rateScale: number;
  tickMs: number;
  logLines: number;
  tracingSampling: number;
  tracing: boolean;
  maxTraces: number;
  disableMetrics?: DisabledMetric[];
  histogramBuckets?: HistogramBucketsSpec;
  telemetryProfile?: TelemetryProfileName;
}>();

try {
  const sim = await startMeshSim({
    kubeconfigPath: o.kubeconfig,
    scenario: o.scenario,
    metricsPort: o.metricsPort,
    host: o.metricsHost,
    rateScale: o.rateScale,
    tickMs: o.tickMs,
    logLines: o.logLines,
    tracingSampling: o.tracing ? o.tracingSampling : false,
    maxTraces: o.maxTraces,
    ...(o.services !== undefined ? { services: o.services } : {}),
    ...(o.namespaces !== undefined ? { namespaces: o.namespaces } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.disableMetrics ? { disabledMetrics: o.disableMetrics } : {}),
    ...(o.histogramBuckets ? { histogramBuckets: o.histogramBuckets } : {}),
    ...(o.telemetryProfile ? { telemetryProfile: o.telemetryProfile } : {}),
  });
  process.stdout.write(`READY ${sim.url}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (err) {
  process.stderr.write(`mesh-sim: ${(err as Error).message}\n`);
  process.exit(1);
}
