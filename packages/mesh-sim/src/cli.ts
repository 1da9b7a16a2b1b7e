/** `mesh-sim` command line; prints `READY <url>` on stdout when serving, logs on stderr. */
import { Command, InvalidArgumentError } from 'commander';
import { TELEMETRY_METRICS, type TelemetryMetric } from './metrics/render';
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

const metricList = (v: string): TelemetryMetric[] => {
  const names = v
    .split(',')
    .map((x) => x.trim().toUpperCase())
    .filter(Boolean);
  for (const n of names)
    if (!(n in TELEMETRY_METRICS))
      throw new InvalidArgumentError(
        `unknown metric ${n}; one of ${Object.keys(TELEMETRY_METRICS).join(', ')}`,
      );
  return names as TelemetryMetric[];
};

const program = new Command('mesh-sim')
  .description(
    'Simulates Istio sidecar traffic for a scenario, creating its objects in the cluster and serving Istio metrics for Prometheus.',
  )
  .requiredOption('--kubeconfig <file>', 'kubeconfig of the cluster (e.g. the demo cluster)')
  .requiredOption('--scenario <name>', 'bookinfo | travels | generated, or a scenario YAML file')
  .option('--metrics-port <port>', 'port for /metrics (0 = a free one)', int('--metrics-port'), 0)
  .option('--metrics-host <host>', 'address to listen on', '127.0.0.1')
  .option('--services <n>', 'generated: number of services', int('--services'))
  .option('--namespaces <k>', 'generated: number of namespaces', int('--namespaces'))
  .option('--seed <s>', 'random seed (traffic and the generated call graph)', int('--seed'))
  .option('--rate-scale <x>', 'multiply every entry rate by x', positive('--rate-scale'), 1)
  .option('--tick-ms <ms>', 'simulation step in milliseconds', positive('--tick-ms'), 200)
  .option(
    '--disable-metrics <list>',
    'comma-separated Istio Telemetry metric names to leave out, e.g. REQUEST_SIZE,RESPONSE_SIZE (as a Telemetry resource with disabled: true)',
    metricList,
  )
  .addHelpText(
    'after',
    '\nEndpoints: /metrics (Prometheus text), /healthz, /debug/state (rates per edge).\nExample: npx mesh-sim --kubeconfig .demo/kubeconfig --scenario bookinfo --metrics-port 9090',
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
  disableMetrics?: TelemetryMetric[];
}>();

try {
  const sim = await startMeshSim({
    kubeconfigPath: o.kubeconfig,
    scenario: o.scenario,
    metricsPort: o.metricsPort,
    host: o.metricsHost,
    rateScale: o.rateScale,
    tickMs: o.tickMs,
    ...(o.services !== undefined ? { services: o.services } : {}),
    ...(o.namespaces !== undefined ? { namespaces: o.namespaces } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.disableMetrics ? { disabledMetrics: o.disableMetrics } : {}),
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
