// The demo launcher behind `npm run demo` (scripts/demo.mjs installs dependencies, then imports this).
import { isAbsolute, join, relative, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  AUTH_STRATEGIES,
  buildWebIfStale,
  componentAvailable,
  ensurePrometheus,
  portFree,
  startStack,
  type AuthStrategy,
  type ScenarioName,
  type Stack,
  waitForPromQL,
} from '@meshlens/stack';

const DEFAULT_CONSOLE_PORT = 20001;

function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
    }
    return n;
  };
}

const program = new Command('npm run demo --')
  .description(
    'Start the embedded demo: demo cluster, mesh-sim, Prometheus and the meshlens console on loopback.',
  )
  .option(
    '--port <port>',
    `console port (default ${DEFAULT_CONSOLE_PORT}; a free one if the port is taken; 0 = free)`,
    integer('--port', 0, 65535),
  )
  .addOption(
    new Option('--scenario <name>', 'scenario to simulate')
      .choices(['bookinfo', 'travels', 'multicluster', 'generated'])
      .default('bookinfo'),
  )
  .option(
    '--services <n>',
    'number of services for the generated scenario',
    integer('--services', 1, 100_000),
  )
  .option('--namespaces <k>', 'namespaces for the generated scenario', integer('--namespaces', 1, 10_000))
  .option('--seed <s>', 'random seed for the generated scenario', integer('--seed', 0, 2 ** 31))
  .option('--rate-scale <x>', 'multiply every scenario request rate by x', parseFloat)
  .option(
    '--telemetry-profile <name>',
    "mesh-sim's telemetry profile, e.g. large-mesh (about 5x fewer series for thousands of services)",
  )
  .option(
    '--prometheus-port <port>',
    'Prometheus port (default: a free one; a free one too if that one is taken)',
    integer('--prometheus-port', 0, 65535),
  )
  .option(
    '--cluster-port <port>',
    'demo cluster API port (default: a free one; a free one too if that one is taken)',
    integer('--cluster-port', 0, 65535),
  )
  .option(
    '--scrape-interval <seconds>',
    'Prometheus scrape interval',
    integer('--scrape-interval', 1, 300),
    5,
  )
  .addOption(
    new Option(
      '--auth <strategy>',
      'how people sign in: anonymous (everyone acts as the console), or token/openid with three demo users whose tokens (and, with openid, passwords at the demo OpenID provider) go to STATE/users.json',
    )
      .choices([...AUTH_STRATEGIES])
      .default('anonymous'),
  )
  .option(
    '--in-cluster',
    'install the console in the demo cluster (kubectl apply -k deploy/overlays/<auth>), run its pods as local processes with their ServiceAccount, and reach it through kubectl port-forward svc/meshlens (needs kubectl)',
  )
  .option('--state-dir <dir>', 'state folder (kubeconfig, endpoints.json, logs, Prometheus data)', '.demo')
  .option('--no-console', 'do not start the console server')
  .option('--no-web-build', 'do not build the web app even when apps/web/dist is missing or stale')
  .option('--verbose', "copy the components' logs to stderr")
  .showHelpAfterError();

const opts = program.parse(process.argv.slice(2), { from: 'user' }).opts<{
  port?: number;
  scenario: ScenarioName;
  services?: number;
  namespaces?: number;
  seed?: number;
  rateScale?: number;
  telemetryProfile?: string;
  prometheusPort?: number;
  clusterPort?: number;
  scrapeInterval: number;
  auth: AuthStrategy;
  inCluster?: boolean;
  stateDir: string;
  console: boolean;
  webBuild: boolean;
  verbose?: boolean;
}>();

/** A path as the user should type it: relative to the cwd when inside it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), resolve(path));
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? resolve(path) : rel;
}

const say = (line: string): void => void process.stderr.write(`meshlens demo: ${line}\n`);

/** How to sign in as each demo user (`--auth token|openid`); nothing with `anonymous`. */
function signInLines(stack: Stack, state: string): string[] {
  if (stack.users.length === 0) return [];
  const width = Math.max(...stack.users.map((u) => u.name.length));
  const oidc = stack.endpoints.oidc;
  if (oidc)
    return [
      '',
      `  OpenID provider: ${oidc.issuer} (client ${oidc.clientId}; the demo cluster trusts its ID tokens)`,
      `  Users (--auth openid; passwords made for this run, also in ${state}/users.json):`,
      ...stack.users.flatMap((u) => [
        `    ${u.name.padEnd(width)}  ${u.description}`,
        `    ${' '.repeat(width)}  user name: ${u.name}   password: ${u.password ?? '(none)'}`,
      ]),
      `  Open the console, choose "Sign in with the demo identity provider" and sign in there as one of them.`,
      `  Scripts may send the ID token as Authorization: Bearer; static tokens for kubectl are in ${state}/users.json:`,
      `    KUBECONFIG=${state}/kubeconfig kubectl --token <token> auth can-i --list -n bookinfo`,
    ];
  return [
    '',
    `  Users (--auth ${opts.auth}; tokens made for this run, also in ${state}/users.json):`,
    ...stack.users.flatMap((u) => [
      `    ${u.name.padEnd(width)}  ${u.description}`,
      `    ${' '.repeat(width)}  token: ${u.token}`,
    ]),
    "  Sign in by pasting a token on the console's sign-in page, or send it as Authorization: Bearer; or try",
    `    KUBECONFIG=${state}/kubeconfig kubectl --token <token> auth can-i --list -n bookinfo`,
  ];
}

/** With --in-cluster: what was installed, and how the console is reached. */
function inClusterLines(stack: Stack, state: string): string[] {
  const ic = stack.endpoints.inCluster;
  if (!ic) return [];
  return [
    `  In cluster:   kubectl apply -k ${shown(ic.overlay)}; ${ic.pods.length} pods of deployment ${ic.namespace}/meshlens run here as processes`,
    ...ic.pods.map(
      (p) =>
        `                ${p.name}  ${p.url}  (ServiceAccount token in ${shown(join(state, 'in-cluster', p.name))}/)`,
    ),
    `                the console URL above is KUBECONFIG=${state}/kubeconfig kubectl -n ${ic.namespace} port-forward svc/${ic.service} ${new URL(stack.urls.console ?? 'http://x:0').port}:${ic.servicePort}`,
    '',
  ];
}

async function main(): Promise<void> {
  const t0 = Date.now();
  try {
    ensurePrometheus(say);
  } catch (err) {
    say((err as Error).message);
    process.exit(1);
  }

  let withConsole = opts.console;
  if (withConsole && !componentAvailable('meshlens')) {
    say('the console server (apps/server) is not built yet: starting the stack without the console.');
    withConsole = false;
  }
  if (withConsole && opts.webBuild) {
    const web = buildWebIfStale(say);
    if (web === 'failed')
      say('building the web app failed (see above); the console serves its API without the UI.');
  }

  // A port taken when the console binds it (another demo starting at the same moment, say) is handled by
  // the stack, which then starts the console on a free port. Checking the default first only saves that
  // second start in the common case of a demo already running.
  let consolePort = opts.port;
  if (consolePort === undefined) {
    consolePort = (await portFree(DEFAULT_CONSOLE_PORT)) ? DEFAULT_CONSOLE_PORT : 0;
    if (withConsole && consolePort === 0)
      say(`port ${DEFAULT_CONSOLE_PORT} is taken: the console gets a free port`);
  }

  let stack: Stack | undefined;
  let shuttingDown = false;
  const shutdown = async (code: number, why: string): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    say(`${why}: stopping every component…`);
    await stack?.stop();
    say('stopped.');
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => void shutdown(0, signal));
  }
  // `npm run demo` is npm → sh → this process, and npm does not pass a SIGTERM on to us: it kills the
  // shell and exits, leaving us orphaned. Notice that (our parent changes) and stop as if signalled.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void shutdown(0, 'the parent process (npm) exited');
  }, 500);

  try {
    stack = await startStack({
      scenario: opts.scenario,
      consolePort,
      prometheusPort: opts.prometheusPort,
      clusterPort: opts.clusterPort,
      stateDir: opts.stateDir,
      services: opts.services,
      namespaces: opts.namespaces,
      seed: opts.seed,
      rateScale: opts.rateScale,
      telemetryProfile: opts.telemetryProfile,
      scrapeIntervalSeconds: opts.scrapeInterval,
      auth: opts.auth,
      inCluster: opts.inCluster === true,
      withConsole,
      handleSignals: false,
      echoLogs: opts.verbose,
      onProgress: say,
    });
  } catch (err) {
    if (shuttingDown) return;
    say(`the demo failed to start: ${(err as Error).message}`);
    say(`component logs: ${shown(opts.stateDir)}/logs/`);
    process.exit(1);
  }
  if (shuttingDown) return;

  const state = shown(stack.stateDir);
  const { urls } = stack;
  const lines = [
    '',
    `meshlens demo is running (scenario ${opts.scenario}, ready in ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
    `  Console:      ${urls.console ?? (opts.console ? '(not started: the console server is not built yet)' : '(not started: --no-console)')}`,
    `  Prometheus:   ${urls.prometheus}`,
    ...(stack.endpoints.clusters
      ? stack.endpoints.clusters.map(
          (c, i) =>
            `  Cluster API:  ${c.url}  (cluster ${c.name}${i === 0 ? ", the console's home" : ''}; kubeconfig context ${c.name})`,
        )
      : [`  Cluster API:  ${urls.cluster}`]),
    `  mesh-sim:     ${urls.meshSim}`,
    `  Tracing:      ${stack.endpoints.tracing}/api/services (Jaeger query API)`,
    `  State:        ${state}/ (kubeconfig, endpoints.json, logs/)`,
    '',
    ...inClusterLines(stack, state),
    `  Try: KUBECONFIG=${state}/kubeconfig kubectl get vs -A`,
    ...signInLines(stack, state),
    '',
    'Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
  // Tell the user when traffic becomes visible: Prometheus's first scrape comes 5–10 s after start.
  waitForPromQL(urls.prometheus, 'count(istio_requests_total)', (s) => s.length > 0, 60_000, 500).then(
    () =>
      say(`Prometheus has the first Istio metrics (${((Date.now() - t0) / 1000).toFixed(1)} s after start).`),
    () => say('no Istio metrics in Prometheus after 60 s; see the logs in ' + `${state}/logs/`),
  );

  const crash = await stack.crashed;
  await shutdown(
    1,
    `${crash.name} exited unexpectedly (${crash.code}); its log is ${state}/logs/${crash.name === 'console' ? 'meshlens' : crash.name}.log`,
  );
}

await main();
