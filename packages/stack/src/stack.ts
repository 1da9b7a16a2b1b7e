import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import YAML from 'yaml';
import { componentCommand, type ComponentName } from './components';
import { errorText } from './net';
import { deployOverlay, startInClusterConsole, type InClusterConsole } from './inCluster';
import { isAlive, killGroup, spawnReady, type ReadyProcess } from './processes';
import { startPrometheus, type PrometheusHandle } from './prometheus';
import {
  DEMO_OIDC_CLIENT_ID,
  DEMO_USERS_MANIFEST,
  makeDemoUsers,
  oidcAccountsFile,
  oidcClientSecretFile,
  removeDemoUsers,
  sessionKeyFile,
  tokenFile,
  usersFile,
  writeDemoUsers,
  type AuthStrategy,
  type DemoUser,
} from './users';

export type ScenarioName = 'bookinfo' | 'travels' | 'multicluster' | 'generated';

/**
 * The clusters of a scenario, the console's home cluster first: the `multicluster` scenario's two
 * (mesh-sim's scenarios/multicluster.yaml), one demo cluster each; the others run in one cluster.
 */
export function scenarioClusters(scenario: ScenarioName): string[] {
  return scenario === 'multicluster' ? ['east', 'west'] : [];
}

export interface StackOptions {
  scenario?: ScenarioName;
  /**
   * Ports of the console, Prometheus, the demo cluster and mesh-sim's /metrics; 0 (default) picks a free
   * one. A port that is taken when the component binds it (even if it was free a moment before) does not
   * stop the stack: that component starts again on a free port, and onProgress says so.
   */
  consolePort?: number;
  prometheusPort?: number;
  clusterPort?: number;
  metricsPort?: number;
  /** State folder (kubeconfig, endpoints.json, logs/, prometheus/); default `.demo` under the cwd. */
  stateDir?: string;
  /** For the generated scenario. */
  services?: number;
  namespaces?: number;
  seed?: number;
  rateScale?: number;
  /**
   * mesh-sim's telemetry profile (`--telemetry-profile`), e.g. `large-mesh`: Istio Telemetry overrides
   * and histogram buckets that cut the series count about five-fold for very large meshes.
   */
  telemetryProfile?: string;
  /** Share of requests mesh-sim traces, percent (default 100, as Istio's demo profile; 1 for `generated`). */
  tracingSampling?: number;
  /** Extra arguments for the mesh-sim CLI, e.g. `['--disable-metrics', 'REQUEST_SIZE']`. */
  meshSimArgs?: string[];
  scrapeIntervalSeconds?: number;
  /** Start the console server (default true). */
  withConsole?: boolean;
  /** Extra arguments for the console CLI. */
  consoleArgs?: string[];
  /**
   * How people sign in (default `anonymous`: no users). With `token` or `openid`, three users (admin,
   * bookinfo-editor, viewer) get fresh tokens that the demo cluster accepts, their roles and bindings from
   * data/demo/users.yaml, and STATE/users.json lists them; the console signs them in (`--auth-strategy
   * token`: a pasted token) with a session key of STATE (session-key). With `openid` also a password each at the demo's
   * OpenID provider (src/oidc/), which the demo cluster trusts and the console signs people in with
   * (`--auth-strategy openid`, unless consoleArgs say otherwise).
   */
  auth?: AuthStrategy;
  /**
   * Install the console in the demo cluster instead of running it with the admin kubeconfig: `kubectl apply
   * -k deploy/overlays/<auth>`, each pod of its Deployment run as a local process with in-cluster
   * configuration and the ServiceAccount's own token (so the manifests' RBAC applies), and the console
   * reached through `kubectl port-forward svc/meshlens` on consolePort (see inCluster.ts). Needs kubectl.
   * consoleArgs are not used.
   */
  inCluster?: boolean;
  /** Stop every child on SIGINT/SIGTERM/SIGHUP of this process, then exit (default true). */
  handleSignals?: boolean;
  /** Copy the children's logs to stderr (they always go to stateDir/logs/NAME.log). */
  echoLogs?: boolean;
  /** Progress messages ("starting mesh-sim…"). */
  onProgress?: (message: string) => void;
  /** How long each component may take to print READY (default 90 s). */
  startTimeoutMs?: number;
}

export interface StackUrls {
  console: string | null;
  prometheus: string;
  cluster: string;
  meshSim: string;
}

export interface Endpoints extends StackUrls {
  /** Jaeger's query API over mesh-sim's spans (the part before `/api/`), as the console reads it. */
  tracing: string;
  kubeconfig: string;
  auth: AuthStrategy;
  /** STATE/users.json (the demo users and their tokens), or null with `anonymous`. */
  users: string | null;
  /** With `openid`: the demo's OpenID provider (issuer URL) and the console's client id there. */
  oidc?: { issuer: string; clientId: string };
  scenario: ScenarioName;
  /**
   * With a multi-cluster scenario: each demo cluster (the home one first, also `cluster`), reached through
   * the kubeconfig's context of its name.
   */
  clusters?: { name: string; url: string; pid: number; kubeconfig: string }[];
  startedAt: string;
  /** The process that started the stack (the demo launcher): SIGTERM it to stop the demo. */
  pid: number;
  pids: { cluster: number; meshSim: number; prometheus: number; console: number | null; oidc?: number };
  /** With `inCluster`: the overlay applied, each pod's process, and the port-forward's kubectl. */
  inCluster?: {
    overlay: string;
    namespace: string;
    service: string;
    servicePort: number;
    /** Each pod's process, its own URL, and the folder of its ServiceAccount token, CA and namespace. */
    pods: { name: string; pid: number; url: string; serviceAccountDir: string }[];
    portForwardPid: number;
  };
}

export interface Stack {
  urls: StackUrls;
  kubeconfigPath: string;
  stateDir: string;
  endpointsPath: string;
  endpoints: Endpoints;
  /** The demo users (none with `anonymous`), also in STATE/users.json. */
  users: DemoUser[];
  prometheus: PrometheusHandle;
  /** Resolves when a component exits on its own (a crash), naming it; the others keep running. */
  crashed: Promise<{ name: string; code: number | string }>;
  /** Stops every component and waits for each to exit; removes endpoints.json. */
  stop(): Promise<void>;
}

export class ComponentMissingError extends Error {
  constructor(readonly component: ComponentName) {
    super(
      `the ${component} CLI is not available yet (no bin in its package.json, or its src/cli.ts is missing)`,
    );
    this.name = 'ComponentMissingError';
  }
}

/**
 * Starts the whole demo stack on loopback, each component a child process: the demo cluster, mesh-sim
 * creating the scenario in it, Prometheus scraping mesh-sim, and the console pointed at both. Writes
 * stateDir/endpoints.json once every component is ready. On any failure it stops what it started.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const scenario = options.scenario ?? 'bookinfo';
  const stateDir = resolve(options.stateDir ?? '.demo');
  const logDir = join(stateDir, 'logs');
  const kubeconfigPath = join(stateDir, 'kubeconfig');
  const endpointsPath = join(stateDir, 'endpoints.json');
  const timeoutMs = options.startTimeoutMs ?? 90_000;
  const progress = options.onProgress ?? (() => undefined);
  const withConsole = options.withConsole ?? true;
  const auth = options.auth ?? 'anonymous';
  const inCluster = withConsole && options.inCluster === true;
  const clusterNames = scenarioClusters(scenario);
  if (inCluster && clusterNames.length)
    throw new Error(`--in-cluster runs the console in one cluster: not with the ${scenario} scenario`);
  if (inCluster && auth === 'openid')
    // deploy/overlays/openid names a real provider and a client secret Secret; the demo does not fill them in.
    throw new Error(
      '--in-cluster with --auth openid is not supported by the demo: use --auth token, or openid without --in-cluster',
    );

  const commands = {
    cluster: requireCommand('demo-cluster'),
    meshSim: requireCommand('mesh-sim'),
    console: withConsole ? requireCommand('meshlens') : undefined,
    oidc: auth === 'openid' ? requireCommand('demo-oidc') : undefined,
  };

  await mkdir(stateDir, { recursive: true });
  await claimStateDir(stateDir, progress);
  await rm(endpointsPath, { force: true });
  // Tokens are made per run: none of an earlier run stays valid or listed.
  await removeDemoUsers(stateDir);
  const users = auth === 'anonymous' ? [] : makeDemoUsers({ passwords: auth === 'openid' });
  if (users.length) await writeDemoUsers(stateDir, users);
  // Logs of this run only.
  await rm(logDir, { recursive: true, force: true });
  await mkdir(logDir, { recursive: true });
  // A fresh TSDB each run: series of an earlier scenario would otherwise show in the graph.
  await rm(join(stateDir, 'prometheus'), { recursive: true, force: true });

  const children: ReadyProcess[] = [];
  let prometheus: PrometheusHandle | undefined;
  let installed: InClusterConsole | undefined;
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> => {
    stopping ??= (async () => {
      await Promise.allSettled([...children.map((c) => c.stop()), prometheus?.close(), installed?.stop()]);
      await rm(endpointsPath, { force: true });
      await removeDemoUsers(stateDir);
    })();
    return stopping;
  };
  const removeSignalHandlers = options.handleSignals === false ? () => undefined : onSignals(stopAll);

  const started = (name: string, proc: ReadyProcess): ReadyProcess => {
    children.push(proc);
    progress(`${name} ready at ${proc.url}`);
    return proc;
  };
  const run = (
    name: string,
    command: { cmd: string; args: string[] },
    args: string[],
    env?: NodeJS.ProcessEnv,
  ) =>
    spawnReady(command.cmd, [...command.args, ...args], {
      name,
      timeoutMs,
      logFile: join(logDir, `${name}.log`),
      echo: options.echoLogs,
      env: { ...process.env, ...env },
    });

  /**
   * Starts a component on `port`; when the port turns out to be taken at bind time, starts it again with
   * port 0, which the component binds itself and reports (no window for anyone to take it in between).
   */
  const onPortOrFree = async <T>(name: string, port: number, start: (port: number) => Promise<T>) => {
    try {
      return await start(port);
    } catch (err) {
      if (port === 0 || !portTaken(errorText(err), port)) throw err;
      progress(`port ${port} is taken: ${name} gets a free port`);
      return start(0);
    }
  };

  try {
    // With openid, the provider first: the demo cluster and the console are told its issuer URL.
    const oidc = commands.oidc
      ? started(
          'demo-oidc',
          await run('demo-oidc', commands.oidc, [
            '--accounts',
            oidcAccountsFile(stateDir),
            '--client-id',
            DEMO_OIDC_CLIENT_ID,
            '--client-secret-file',
            oidcClientSecretFile(stateDir),
            '--host',
            '127.0.0.1',
            '--port',
            '0',
          ]),
        )
      : undefined;
    const issuer = oidc?.url.replace(/\/+$/, '');
    progress('starting the demo cluster and Prometheus');
    // One demo cluster, or one per cluster of the scenario (the first on clusterPort), each writing its
    // own kubeconfig; then one kubeconfig with a context per cluster, named after it.
    const startCluster = (name: string | undefined, port: number) => {
      const logName = name ? `demo-cluster-${name}` : 'demo-cluster';
      return onPortOrFree(logName, port, (p) =>
        run(logName, commands.cluster, [
          '--host',
          '127.0.0.1',
          '--port',
          String(p),
          '--kubeconfig-out',
          name ? clusterKubeconfig(stateDir, name) : kubeconfigPath,
          ...(users.length ? ['--token-auth-file', tokenFile(stateDir), '--load', DEMO_USERS_MANIFEST] : []),
          // As kube-apiserver's --oidc-* flags: the user is the ID token's `sub` (the account name, no
          // prefix), so data/demo/users.yaml's bindings of admin, bookinfo-editor and viewer apply.
          ...(issuer
            ? [
                '--oidc-issuer-url',
                issuer,
                '--oidc-client-id',
                DEMO_OIDC_CLIENT_ID,
                '--oidc-username-claim',
                'sub',
                '--oidc-username-prefix',
                '-',
                '--oidc-groups-claim',
                'groups',
                '--oidc-groups-prefix',
                'oidc:',
              ]
            : []),
        ]),
      ).then((p) => started(logName, p));
    };
    const [clusters, prom] = await settleAll([
      clusterNames.length
        ? settleAll(clusterNames.map((n, i) => startCluster(n, i === 0 ? (options.clusterPort ?? 0) : 0)))
        : startCluster(undefined, options.clusterPort ?? 0).then((p) => [p]),
      onPortOrFree('Prometheus', options.prometheusPort ?? 0, (port) =>
        startPrometheus({
          scrapeTargets: [],
          scrapeIntervalSeconds: options.scrapeIntervalSeconds ?? 5,
          dataDir: join(stateDir, 'prometheus'),
          port,
          logFile: join(logDir, 'prometheus.log'),
        }),
      ).then((p) => {
        prometheus = p;
        progress(`Prometheus ready at ${p.url}`);
        return p;
      }),
    ]);

    const cluster = clusters[0]!;
    if (clusterNames.length) await writeClustersKubeconfig(stateDir, clusterNames, kubeconfigPath);

    progress(`starting mesh-sim (${scenario})${withConsole ? ' and the console' : ''}`);
    const simArgs = ['--kubeconfig', kubeconfigPath, '--scenario', scenario];
    if (options.services !== undefined) simArgs.push('--services', String(options.services));
    if (options.namespaces !== undefined) simArgs.push('--namespaces', String(options.namespaces));
    if (options.seed !== undefined) simArgs.push('--seed', String(options.seed));
    if (options.rateScale !== undefined) simArgs.push('--rate-scale', String(options.rateScale));
    if (options.telemetryProfile !== undefined) simArgs.push('--telemetry-profile', options.telemetryProfile);
    // Istio's demo profile traces every request; generated (benchmark) meshes keep Istio's default 1 %.
    const sampling = options.tracingSampling ?? (scenario === 'generated' ? 1 : 100);
    simArgs.push('--tracing-sampling', String(sampling));
    simArgs.push(...(options.meshSimArgs ?? []));
    const consoleCommand = inCluster ? undefined : commands.console;
    const overlay = deployOverlay(auth);
    const meshSimUp = onPortOrFree('mesh-sim', options.metricsPort ?? 0, (port) =>
      run('mesh-sim', commands.meshSim, [...simArgs, '--metrics-port', String(port)]),
    ).then(async (p) => {
      started('mesh-sim', p);
      await prom.setScrapeTargets([metricsUrl(p.url)]);
      return p;
    });
    const [meshSim, consoleProc, ic] = await settleAll([
      meshSimUp,
      // The console reads traces from mesh-sim's Jaeger query API, so it starts once mesh-sim's URL is known.
      consoleCommand
        ? meshSimUp.then((sim) =>
            onPortOrFree('the console', options.consolePort ?? 0, (port) =>
              run(
                'meshlens',
                consoleCommand,
                [
                  '--kubeconfig',
                  kubeconfigPath,
                  '--prometheus-url',
                  prom.url,
                  '--port',
                  String(port),
                  // Several clusters: the home one is the kubeconfig's current context; the others by name.
                  ...(clusterNames.length
                    ? ['--cluster-name', clusterNames[0]!, '--clusters', clusterNames.slice(1).join(',')]
                    : []),
                  // Sign-in with the demo's users: sessions sealed with a key of this stack.
                  ...(auth === 'token'
                    ? ['--auth-strategy', 'token', '--session-key-file', sessionKeyFile(stateDir)]
                    : []),
                  ...(issuer
                    ? [
                        '--session-key-file',
                        sessionKeyFile(stateDir),
                        '--auth-strategy',
                        'openid',
                        '--openid-issuer-url',
                        issuer,
                        '--openid-client-id',
                        DEMO_OIDC_CLIENT_ID,
                        '--openid-client-secret-file',
                        oidcClientSecretFile(stateDir),
                        '--openid-scopes',
                        'openid,email,profile,groups',
                        '--openid-provider-name',
                        'the demo identity provider',
                        // The demo's provider is http on loopback.
                        '--openid-allow-insecure-issuer',
                        'true',
                      ]
                    : []),
                  '--tracing-url',
                  tracingUrl(sim.url),
                  ...(options.consoleArgs ?? []),
                ],
                { KUBECONFIG: kubeconfigPath, PROMETHEUS_URL: prom.url },
              ),
            ).then((p) => started('console', p)),
          )
        : Promise.resolve(undefined),
      inCluster
        ? startInClusterConsole({
            overlay,
            kubeconfigPath,
            stateDir,
            logDir,
            // The manifests name Prometheus by its cluster DNS name, which does not resolve here.
            env: { PROMETHEUS_URL: prom.url },
            forwardPort: options.consolePort ?? 0,
            timeoutMs,
            ...(options.echoLogs !== undefined ? { echoLogs: options.echoLogs } : {}),
            onProgress: progress,
          }).then((c) => {
            installed = c;
            progress(
              `console ready at ${c.url} (kubectl port-forward svc/${c.service} through the demo cluster)`,
            );
            return c;
          })
        : Promise.resolve(undefined),
    ]);

    const endpoints: Endpoints = {
      console: consoleProc?.url ?? ic?.url ?? null,
      prometheus: prom.url,
      cluster: cluster.url,
      meshSim: meshSim.url,
      tracing: tracingUrl(meshSim.url),
      kubeconfig: kubeconfigPath,
      auth,
      users: users.length ? usersFile(stateDir) : null,
      ...(issuer ? { oidc: { issuer, clientId: DEMO_OIDC_CLIENT_ID } } : {}),
      scenario,
      ...(clusterNames.length
        ? {
            clusters: clusterNames.map((name, i) => ({
              name,
              url: clusters[i]!.url,
              pid: clusters[i]!.pid,
              kubeconfig: clusterKubeconfig(stateDir, name),
            })),
          }
        : {}),
      startedAt: new Date().toISOString(),
      pid: process.pid,
      pids: {
        cluster: cluster.pid,
        meshSim: meshSim.pid,
        prometheus: prom.pid,
        console: consoleProc?.pid ?? ic?.pods[0]?.pid ?? null,
        ...(oidc ? { oidc: oidc.pid } : {}),
      },
      ...(ic
        ? {
            inCluster: {
              overlay,
              namespace: ic.namespace,
              service: ic.service,
              servicePort: ic.servicePort,
              pods: ic.pods.map(({ name, pid, url, serviceAccountDir }) => ({
                name,
                pid,
                url,
                serviceAccountDir,
              })),
              portForwardPid: ic.portForwardPid,
            },
          }
        : {}),
    };
    await writeFile(endpointsPath, `${JSON.stringify(endpoints, null, 2)}\n`);

    const watched: Array<[string, { exited: Promise<number | string> } | undefined]> = [
      ...clusters.map((c, i): [string, { exited: Promise<number | string> }] => [
        clusterNames.length ? `demo-cluster-${clusterNames[i]}` : 'demo-cluster',
        c,
      ]),
      ['mesh-sim', meshSim],
      ['console', consoleProc],
      ['prometheus', prom],
      ['demo-oidc', oidc],
      ...(ic?.processes.map((p): [string, { exited: Promise<number | string> }] => [p.name, p.proc]) ?? []),
    ];
    const crashed = new Promise<{ name: string; code: number | string }>((resolveCrash) => {
      for (const [name, proc] of watched) {
        void proc?.exited.then((code) => {
          if (!stopping) resolveCrash({ name, code });
        });
      }
    });

    return {
      urls: { console: endpoints.console, prometheus: prom.url, cluster: cluster.url, meshSim: meshSim.url },
      kubeconfigPath,
      stateDir,
      endpointsPath,
      endpoints,
      users,
      prometheus: prom,
      crashed,
      async stop() {
        removeSignalHandlers();
        await stopAll();
      },
    };
  } catch (err) {
    removeSignalHandlers();
    await stopAll();
    throw err;
  }
}

/**
 * Whether a component's start-up failure says that `port` was taken: Node's `listen EADDRINUSE: address
 * already in use 127.0.0.1:PORT`, Go's (Prometheus) `listen tcp 127.0.0.1:PORT: bind: address already in use`.
 */
function portTaken(failure: string, port: number): boolean {
  return /EADDRINUSE|address already in use/.test(failure) && new RegExp(`:${port}\\b`).test(failure);
}

/** The kubeconfig one demo cluster of a multi-cluster stack writes. */
const clusterKubeconfig = (stateDir: string, name: string) => join(stateDir, `kubeconfig-${name}`);

interface KubeconfigFile {
  clusters: { name: string; cluster: unknown }[];
  users: { name: string; user: unknown }[];
  contexts: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
}

/**
 * One kubeconfig for the clusters of a multi-cluster stack: each demo cluster's own entries renamed after
 * the cluster (context, cluster and user `east`, …), the first cluster's context current. The console
 * reads the others as further clusters (`--clusters`), mesh-sim each through the context of its name.
 */
async function writeClustersKubeconfig(
  stateDir: string,
  names: readonly string[],
  out: string,
): Promise<void> {
  const merged: KubeconfigFile = { clusters: [], users: [], contexts: [] };
  for (const name of names) {
    const one = YAML.parse(await readFile(clusterKubeconfig(stateDir, name), 'utf8')) as KubeconfigFile;
    const ctx = one.contexts[0];
    const cluster = one.clusters.find((c) => c.name === ctx?.context.cluster);
    const user = one.users.find((u) => u.name === ctx?.context.user);
    if (!ctx || !cluster || !user)
      throw new Error(`${clusterKubeconfig(stateDir, name)}: no context with its cluster and user`);
    merged.clusters.push({ name, cluster: cluster.cluster });
    merged.users.push({ name, user: user.user });
    merged.contexts.push({ name, context: { ...ctx.context, cluster: name, user: name } });
  }
  const text = YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    ...merged,
    'current-context': names[0],
    preferences: {},
  });
  await writeFile(out, text, { mode: 0o600 });
}

/** Reads stateDir/endpoints.json of a running stack (undefined when there is none). */
export async function readEndpoints(stateDir = '.demo'): Promise<Endpoints | undefined> {
  try {
    return JSON.parse(await readFile(join(resolve(stateDir), 'endpoints.json'), 'utf8')) as Endpoints;
  } catch {
    return undefined;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/**
 * Refuses to start over a stack that is still running in the same state folder; when the process that
 * started an earlier stack is gone (killed with SIGKILL, say), stops the components it left behind (those
 * whose command line still names this state folder).
 */
export async function claimStateDir(stateDir: string, progress: (message: string) => void): Promise<void> {
  const previous = await readEndpoints(stateDir);
  if (!previous) return;
  const leftovers = [
    ...Object.values(previous.pids ?? {}),
    ...(previous.clusters?.map((c) => c.pid) ?? []),
    ...(previous.inCluster?.pods.map((p) => p.pid) ?? []),
    previous.inCluster?.portForwardPid,
  ].filter(
    (pid): pid is number => typeof pid === 'number' && isAlive(pid) && commandLine(pid).includes(stateDir),
  );
  if (leftovers.length === 0) return;
  if (isAlive(previous.pid)) {
    throw new Error(
      `a demo stack is already running with its state in ${stateDir} (pid ${previous.pid}, console ${previous.console}); ` +
        'stop it first, or use another state folder',
    );
  }
  progress(`stopping ${leftovers.length} process(es) left behind by an earlier run in ${stateDir}`);
  for (const pid of leftovers) killGroup(pid, 'SIGTERM');
  const deadline = Date.now() + 5000;
  while (leftovers.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const pid of leftovers.filter(isAlive)) killGroup(pid, 'SIGKILL');
}

/**
 * Like Promise.all for a tuple, but waits for every member to settle before throwing the first error,
 * so nothing that was still starting is left running outside `children`.
 */
async function settleAll<T extends readonly unknown[]>(
  promises: readonly [...{ [K in keyof T]: Promise<T[K]> }],
): Promise<T> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

function requireCommand(name: ComponentName): { cmd: string; args: string[] } {
  const command = componentCommand(name);
  if (!command) throw new ComponentMissingError(name);
  return command;
}

/** mesh-sim's READY url is its base URL; Prometheus scrapes /metrics under it unless a path is given. */
/** mesh-sim's Jaeger query API (the console's --tracing-url). */
export function tracingUrl(meshSimUrl: string): string {
  return `${meshSimUrl.replace(/\/+$/, '')}/jaeger`;
}

export function metricsUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/metrics';
  return parsed.toString();
}

/**
 * On SIGINT/SIGTERM/SIGHUP: stop the stack; then, unless someone else listens for that signal (a test
 * runner, a launcher), exit as the signal would have (130/143/129). Returns the remover.
 */
function onSignals(stop: () => Promise<void>): () => void {
  const codes: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  const handlers = Object.entries(codes).map(([name, code]) => {
    const signal = name as NodeJS.Signals;
    const handler = (): void => {
      void stop().finally(() => {
        if (process.listenerCount(signal) === 0) process.exit(code);
      });
    };
    process.once(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
