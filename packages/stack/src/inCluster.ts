/**
 * The console installed in the demo cluster as in a real one, and reached the way users reach it:
 * `kubectl apply -k deploy/overlays/<strategy>` creates its ServiceAccount, RBAC, Deployment and Service;
 * each of the Deployment's pods then runs as a local process given what a kubelet would give its container
 * — in-cluster configuration (KUBERNETES_SERVICE_HOST/PORT, a TokenRequest token of the pod's
 * ServiceAccount bound to the pod, the cluster's CA and the namespace, as files), its environment (values,
 * field and Secret references) and its Secret volumes as files — so that the manifests' RBAC is what the
 * console runs with. Each pod is annotated with its process's address, which the demo cluster's
 * port-forward uses, and `kubectl port-forward svc/meshlens` reaches the console through the cluster.
 *
 * What differs from a pod, because the process runs on this machine: it binds loopback (a pod's 0.0.0.0 is
 * its own network namespace; here it would be every interface), so the port-forward's Host names other
 * ports than its own and the loopback names are allowed hosts; its container port is a free local port;
 * names of the cluster's DNS do not resolve here, so settings naming them are given local addresses
 * (`env` overrides, e.g. PROMETHEUS_URL).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { componentCommand, repoRoot } from './components';
import { freePort } from './net';
import { spawnManaged, spawnReady, type ManagedProcess, type ReadyProcess } from './processes';

/** Where a kubelet mounts the ServiceAccount's token, CA and namespace. */
export const SERVICE_ACCOUNT_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The demo cluster's annotation naming the local address behind a pod's port (its port-forward). */
export const PORT_FORWARD_ANNOTATION = 'demo-cluster/port-forward';
/** The overlays of deploy/, one per sign-in strategy. */
export const deployOverlay = (strategy: string): string => join(repoRoot, 'deploy', 'overlays', strategy);

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
  };
}

export interface ContainerSpec {
  name: string;
  args?: string[];
  env?: EnvVar[];
  ports?: { name?: string; containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean; subPath?: string }[];
}

export interface VolumeSpec {
  name: string;
  secret?: { secretName: string; items?: { key: string; path: string }[]; optional?: boolean };
  configMap?: { name: string; items?: { key: string; path: string }[]; optional?: boolean };
  emptyDir?: unknown;
}

export interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  containers: ContainerSpec[];
  volumes?: VolumeSpec[];
}

export interface PodMeta {
  name: string;
  namespace: string;
  uid: string;
  podIP?: string;
}

/** What a container gets from its pod, made local: environment, files, and where each mount lives. */
export interface PodProcessPlan {
  env: Record<string, string>;
  /** Files to write before the start (Secret and ConfigMap volume items). */
  files: { path: string; content: Buffer }[];
  /** Empty folders to make (emptyDir volumes). */
  dirs: string[];
  /** Container path → local path. */
  mounts: Map<string, string>;
  /** The local folder of the ServiceAccount's files, when they are mounted. */
  serviceAccountDir?: string;
  ports: { name?: string; containerPort: number }[];
}

/** `data` of Secrets (decoded) and ConfigMaps, by name, in the pod's namespace. */
export interface PodSources {
  secrets: Record<string, Record<string, Buffer>>;
  configMaps: Record<string, Record<string, string>>;
}

/**
 * The container `containerName` of `spec` as a local process under `dir`: volumes become folders of `dir`,
 * environment values that name a path under a mount name the local path instead, and references to fields,
 * Secrets and ConfigMaps are resolved. Throws, naming it, on a reference that cannot be (a missing Secret
 * that is not optional: the kubelet would not start the container either).
 */
export function planPodProcess(
  pod: PodMeta,
  spec: PodSpec,
  containerName: string,
  dir: string,
  sources: PodSources,
): PodProcessPlan {
  const container = spec.containers.find((c) => c.name === containerName);
  if (!container) throw new Error(`pod ${pod.name} has no container ${containerName}`);
  const mounts = new Map<string, string>();
  const files: PodProcessPlan['files'] = [];
  const dirs: string[] = [];
  const where = `pod ${pod.namespace}/${pod.name}`;
  for (const m of container.volumeMounts ?? []) {
    const volume = spec.volumes?.find((v) => v.name === m.name);
    if (!volume) throw new Error(`${where}: volumeMount ${m.mountPath} names no volume ${m.name}`);
    const local = join(dir, 'volumes', m.name);
    mounts.set(m.mountPath, local);
    if (volume.emptyDir !== undefined) {
      dirs.push(local);
      continue;
    }
    const source = volume.secret
      ? {
          kind: 'Secret',
          name: volume.secret.secretName,
          optional: volume.secret.optional,
          items: volume.secret.items,
        }
      : volume.configMap
        ? {
            kind: 'ConfigMap',
            name: volume.configMap.name,
            optional: volume.configMap.optional,
            items: volume.configMap.items,
          }
        : undefined;
    if (!source) throw new Error(`${where}: volume ${m.name} is of a kind the demo does not mount`);
    const data: Record<string, Buffer> | undefined =
      source.kind === 'Secret'
        ? sources.secrets[source.name]
        : mapValues(sources.configMaps[source.name], (v) => Buffer.from(v));
    dirs.push(local);
    if (!data) {
      if (source.optional) continue;
      throw new Error(
        `${where}: ${source.kind} ${pod.namespace}/${source.name} (volume ${m.name}) does not exist`,
      );
    }
    const items = source.items ?? Object.keys(data).map((key) => ({ key, path: key }));
    for (const item of items) {
      const content = data[item.key];
      if (content === undefined)
        throw new Error(`${where}: ${source.kind} ${source.name} has no key ${item.key} (volume ${m.name})`);
      files.push({ path: join(local, ...item.path.split('/')), content });
    }
  }
  let serviceAccountDir: string | undefined;
  if (spec.automountServiceAccountToken !== false) {
    serviceAccountDir = join(dir, 'serviceaccount');
    mounts.set(SERVICE_ACCOUNT_MOUNT, serviceAccountDir);
  }
  const local = (value: string): string => {
    if (!value.startsWith('/')) return value;
    for (const [mountPath, path] of mounts) {
      if (value === mountPath) return path;
      if (value.startsWith(`${mountPath.replace(/\/$/, '')}/`))
        return join(path, ...posix.relative(mountPath, value).split('/'));
    }
    return value;
  };
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = local(e.value);
    else if (e.valueFrom?.fieldRef) {
      const field = e.valueFrom.fieldRef.fieldPath;
      const value = {
        'metadata.name': pod.name,
        'metadata.namespace': pod.namespace,
        'metadata.uid': pod.uid,
        'spec.serviceAccountName': spec.serviceAccountName ?? 'default',
        'status.podIP': '127.0.0.1',
      }[field];
      if (value === undefined)
        throw new Error(`${where}: env ${e.name}: field ${field} is not supported here`);
      env[e.name] = value;
    } else if (e.valueFrom?.secretKeyRef || e.valueFrom?.configMapKeyRef) {
      const ref = (e.valueFrom.secretKeyRef ?? e.valueFrom.configMapKeyRef)!;
      const kind = e.valueFrom.secretKeyRef ? 'Secret' : 'ConfigMap';
      const data = e.valueFrom.secretKeyRef ? sources.secrets[ref.name] : sources.configMaps[ref.name];
      const value = data?.[ref.key];
      if (value === undefined) {
        if (ref.optional) continue;
        throw new Error(`${where}: env ${e.name}: ${kind} ${ref.name} has no key ${ref.key}`);
      }
      env[e.name] = value.toString();
    }
  }
  return {
    env,
    files,
    dirs,
    mounts,
    ...(serviceAccountDir ? { serviceAccountDir } : {}),
    ports: container.ports ?? [],
  };
}

function mapValues<T, U>(o: Record<string, T> | undefined, f: (v: T) => U): Record<string, U> | undefined {
  return o ? Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)])) : undefined;
}

/** kubectl on PATH or where Debian's kubernetes-client puts it. */
export function findKubectl(): string {
  return (
    process.env.KUBECTL ??
    ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p)) ??
    'kubectl'
  );
}

export interface InClusterOptions {
  /** A kustomize folder, e.g. deployOverlay('anonymous'). */
  overlay: string;
  /** The cluster's admin kubeconfig (what applies the manifests; the console never sees it). */
  kubeconfigPath: string;
  stateDir: string;
  logDir: string;
  /** Local stand-ins for the pod's settings that name cluster DNS names, e.g. { PROMETHEUS_URL }. */
  env?: Record<string, string>;
  /** Local port of `kubectl port-forward svc/…` (0 = free; a taken port falls back to a free one). */
  forwardPort?: number;
  timeoutMs?: number;
  echoLogs?: boolean;
  onProgress?: (message: string) => void;
}

export interface InClusterPod {
  name: string;
  pid: number;
  /** The process's own address (what the pod's annotation names). */
  url: string;
  serviceAccountDir: string;
}

export interface InClusterConsole {
  /** Through `kubectl port-forward svc/…`, i.e. through the demo cluster. */
  url: string;
  namespace: string;
  service: string;
  /** The Service's port that the port-forward targets. */
  servicePort: number;
  pods: InClusterPod[];
  portForwardPid: number;
  /** Every process this started, for crash watching. */
  processes: { name: string; proc: ManagedProcess }[];
  stop(): Promise<void>;
}

interface K8sObject {
  kind: string;
  metadata: { name: string; namespace?: string; uid?: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  data?: Record<string, string>;
}

/** A ServiceAccount token lives this long; it is renewed at 80 % of it, as the kubelet does. */
const TOKEN_SECONDS = 3600;

/**
 * Applies the overlay to the cluster of `kubeconfigPath` and runs each pod of its Deployment as a local
 * process (see the module comment), then `kubectl port-forward svc/<its Service>`. The overlay's session
 * key Secret (`meshlens-session`) is created with a random key when it does not exist yet, as the README
 * tells users to; any other missing Secret fails the start, naming it.
 */
export async function startInClusterConsole(options: InClusterOptions): Promise<InClusterConsole> {
  const progress = options.onProgress ?? (() => undefined);
  const timeoutMs = options.timeoutMs ?? 90_000;
  const kubectlBin = findKubectl();
  const cacheDir = join(options.stateDir, 'kube-cache');
  const kubectl = (args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile(
        kubectlBin,
        [...args, `--cache-dir=${cacheDir}`],
        {
          env: {
            PATH: process.env.PATH ?? '/usr/bin:/bin',
            HOME: options.stateDir,
            KUBECONFIG: options.kubeconfigPath,
          },
          timeout: 30_000,
          maxBuffer: 16e6,
        },
        (err, stdout, stderr) => {
          const e = err as (Error & { code?: unknown }) | null;
          if (e?.code === 'ENOENT')
            return reject(
              new Error(
                `the in-cluster console needs kubectl (Debian: kubernetes-client); ${kubectlBin} is missing`,
              ),
            );
          if (e) return reject(new Error(`kubectl ${args.join(' ')}: ${stderr.trim() || e.message}`));
          resolve(stdout);
        },
      );
    });
  const getJson = async <T>(args: string[]): Promise<T> =>
    JSON.parse(await kubectl([...args, '-o', 'json'])) as T;
  const command = componentCommand('meshlens');
  if (!command) throw new Error('the console server (apps/server) has no runnable bin');

  // What the overlay ships: the Deployment and the Service to forward to.
  const rendered = parseAllDocuments(await kubectl(['kustomize', options.overlay])).map(
    (d) => d.toJS() as K8sObject,
  );
  const deployment = rendered.find((d) => d.kind === 'Deployment');
  const service = rendered.find((d) => d.kind === 'Service');
  if (!deployment || !service) throw new Error(`${options.overlay} ships no Deployment or no Service`);
  const namespace = deployment.metadata.namespace ?? 'default';
  const template = (deployment.spec as { template: { spec: PodSpec } }).template.spec;
  for (const v of template.volumes ?? []) {
    if (v.secret?.secretName !== 'meshlens-session') continue;
    const exists = await kubectl([
      'get',
      'secret',
      v.secret.secretName,
      '-n',
      namespace,
      '--ignore-not-found',
      '-o',
      'name',
    ]);
    if (exists.trim()) continue;
    progress(`creating Secret ${namespace}/${v.secret.secretName} with a random session key`);
    await kubectl([
      'create',
      'secret',
      'generic',
      v.secret.secretName,
      '-n',
      namespace,
      `--from-literal=key=${randomBytes(32).toString('base64')}`,
    ]);
  }

  progress(`kubectl apply -k ${options.overlay}`);
  await kubectl(['apply', '-k', options.overlay]);

  // The pods, once the Deployment's controller made them all and they run.
  const live = await getJson<K8sObject>(['get', 'deployment', deployment.metadata.name, '-n', namespace]);
  const selector = Object.entries(
    (live.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels,
  )
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const replicas = (live.spec as { replicas?: number }).replicas ?? 1;
  const deadline = Date.now() + timeoutMs;
  let pods: K8sObject[] = [];
  for (;;) {
    const list = await getJson<{ items: K8sObject[] }>(['get', 'pods', '-n', namespace, '-l', selector]);
    pods = list.items
      .filter((p) => (p.status as { phase?: string } | undefined)?.phase === 'Running')
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    if (pods.length >= replicas) break;
    if (Date.now() > deadline)
      throw new Error(
        `${pods.length} of ${replicas} pods of deployment ${namespace}/${deployment.metadata.name} run after ${timeoutMs} ms`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
  pods = pods.slice(0, replicas);

  const kubeconfig = parseYaml(await readFile(options.kubeconfigPath, 'utf8')) as {
    clusters: { cluster: { server: string; 'certificate-authority-data'?: string } }[];
  };
  const apiServer = new URL(kubeconfig.clusters[0]?.cluster.server ?? '');
  const caData = kubeconfig.clusters[0]?.cluster['certificate-authority-data'];
  if (apiServer.protocol !== 'https:' || !caData)
    throw new Error(`${options.kubeconfigPath}: in-cluster configuration needs an https server with its CA`);

  const started: { name: string; proc: ManagedProcess }[] = [];
  const timers: NodeJS.Timeout[] = [];
  const stopAll = async (): Promise<void> => {
    for (const t of timers) clearInterval(t);
    await Promise.allSettled(started.map((s) => s.proc.stop()));
  };
  try {
    const results: InClusterPod[] = [];
    await Promise.all(
      pods.map(async (pod) => {
        const spec = pod.spec as unknown as PodSpec;
        const container = spec.containers[0]!;
        const meta: PodMeta = { name: pod.metadata.name, namespace, uid: pod.metadata.uid ?? '' };
        const dir = join(options.stateDir, 'in-cluster', pod.metadata.name);
        await rm(dir, { recursive: true, force: true });
        const sources: PodSources = { secrets: {}, configMaps: {} };
        const secretNames = [
          ...(spec.volumes ?? []).map((v) => v.secret?.secretName),
          ...(container.env ?? []).map((e) => e.valueFrom?.secretKeyRef?.name),
        ];
        const configMapNames = [
          ...(spec.volumes ?? []).map((v) => v.configMap?.name),
          ...(container.env ?? []).map((e) => e.valueFrom?.configMapKeyRef?.name),
        ];
        for (const n of new Set(secretNames)) {
          const data = n ? await secretData(n) : undefined;
          if (n && data) sources.secrets[n] = data;
        }
        for (const n of new Set(configMapNames)) {
          const data = n ? await configMapData(n) : undefined;
          if (n && data) sources.configMaps[n] = data;
        }
        const plan = planPodProcess(meta, spec, container.name, dir, sources);
        for (const d of plan.dirs) await mkdir(d, { recursive: true });
        for (const f of plan.files) {
          await mkdir(dirname(f.path), { recursive: true });
          await writeFile(f.path, f.content, { mode: 0o400 });
        }
        const saDir = plan.serviceAccountDir;
        if (!saDir) throw new Error(`pod ${pod.metadata.name} mounts no ServiceAccount token`);
        await mkdir(saDir, { recursive: true });
        await writeFile(join(saDir, 'ca.crt'), Buffer.from(caData, 'base64'));
        await writeFile(join(saDir, 'namespace'), namespace);
        const sa = spec.serviceAccountName ?? 'default';
        const renew = async (): Promise<void> => {
          const token = (
            await kubectl([
              'create',
              'token',
              sa,
              '-n',
              namespace,
              '--bound-object-kind=Pod',
              `--bound-object-name=${meta.name}`,
              `--bound-object-uid=${meta.uid}`,
              `--duration=${TOKEN_SECONDS}s`,
            ])
          ).trim();
          // Replaced whole, as the kubelet's atomic writer does: the server re-reads it every minute.
          const tmp = join(saDir, `.token-${process.pid}`);
          await writeFile(tmp, token, { mode: 0o600 });
          await chmod(tmp, 0o400);
          await rename(tmp, join(saDir, 'token'));
        };
        await renew();
        const timer = setInterval(() => {
          renew().catch((e: unknown) =>
            progress(`renewing the token of pod ${meta.name}: ${(e as Error).message}`),
          );
        }, TOKEN_SECONDS * 800);
        timer.unref();
        timers.push(timer);

        const port = await freePort();
        const httpPort = plan.ports[0]?.containerPort;
        const env: NodeJS.ProcessEnv = {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: dir,
          // What the image sets.
          NODE_ENV: 'production',
          ...plan.env,
          // A kubelet's in-cluster configuration: the API server's address, the ServiceAccount's files.
          KUBERNETES_SERVICE_HOST: apiServer.hostname.replace(/^\[|\]$/g, ''),
          KUBERNETES_SERVICE_PORT: apiServer.port || '443',
          // This machine, not the pod's network namespace.
          MESHLENS_HOST: '127.0.0.1',
          MESHLENS_PORT: String(port),
          MESHLENS_ALLOWED_HOSTS: 'localhost,127.0.0.1',
          ...(plan.mounts.get('/tmp') ? { TMPDIR: plan.mounts.get('/tmp') } : {}),
          ...options.env,
        };
        const name = `meshlens-${pod.metadata.name}`;
        // The ServiceAccount's files are where a kubelet would mount them, only elsewhere: the server's
        // --service-account-dir (MESHLENS_SERVICEACCOUNT_DIR). On the command line, so that a later run
        // finds this process by its state folder if the launcher is killed.
        const args = [...command.args, ...(container.args ?? []), '--service-account-dir', saDir];
        const proc: ReadyProcess = await spawnReady(command.cmd, args, {
          name,
          cwd: repoRoot,
          env,
          timeoutMs,
          logFile: join(options.logDir, `${name}.log`),
          echo: options.echoLogs,
        });
        started.push({ name, proc });
        if (httpPort !== undefined)
          await kubectl([
            'annotate',
            '--overwrite',
            'pod',
            meta.name,
            '-n',
            namespace,
            `${PORT_FORWARD_ANNOTATION}=${httpPort}=127.0.0.1:${port}`,
          ]);
        progress(`pod ${namespace}/${meta.name} runs as process ${proc.pid} at ${proc.url}`);
        results.push({ name: meta.name, pid: proc.pid, url: proc.url, serviceAccountDir: saDir });
      }),
    );
    results.sort((a, b) => a.name.localeCompare(b.name));

    const svcPort = (service.spec as { ports: { port: number }[] }).ports[0]?.port;
    if (svcPort === undefined) throw new Error(`service ${service.metadata.name} has no port`);
    const forward = async (local: number) => {
      let out = '';
      let onLine: (line: string) => void = () => undefined;
      const listening = new Promise<number>((resolve) => {
        onLine = (line) => {
          out += `${line}\n`;
          const m = /^Forwarding from 127\.0\.0\.1:(\d+)/.exec(line);
          if (m) resolve(Number(m[1]));
        };
      });
      const proc = spawnManaged(
        kubectlBin,
        [
          'port-forward',
          '-n',
          namespace,
          `svc/${service.metadata.name}`,
          '--address=127.0.0.1',
          `${local}:${svcPort}`,
          `--cache-dir=${cacheDir}`,
        ],
        {
          name: 'port-forward',
          env: {
            PATH: process.env.PATH ?? '/usr/bin:/bin',
            HOME: options.stateDir,
            KUBECONFIG: options.kubeconfigPath,
          },
          logFile: join(options.logDir, 'port-forward.log'),
          echo: options.echoLogs,
          onStdoutLine: onLine,
        },
      );
      const outcome = await Promise.race([
        listening.then((port) => ({ port })),
        proc.exited.then((code) => ({ code })),
        new Promise<{ timeout: true }>((r) => setTimeout(() => r({ timeout: true }), timeoutMs).unref()),
      ]);
      if ('port' in outcome) return { proc, port: outcome.port };
      await proc.stop(1000);
      const why = 'code' in outcome ? `exited (${outcome.code})` : `printed no port within ${timeoutMs} ms`;
      throw new Error(`kubectl port-forward svc/${service.metadata.name} ${why}: ${out}${proc.stderrTail()}`);
    };
    let pf: { proc: ManagedProcess; port: number };
    try {
      pf = await forward(options.forwardPort ?? 0);
    } catch (err) {
      if (!options.forwardPort || !/address already in use|unable to listen/i.test((err as Error).message))
        throw err;
      progress(`port ${options.forwardPort} is taken: kubectl port-forward listens on a free one`);
      pf = await forward(0);
    }
    started.push({ name: 'port-forward', proc: pf.proc });
    return {
      url: `http://127.0.0.1:${pf.port}`,
      namespace,
      service: service.metadata.name,
      servicePort: svcPort,
      pods: results,
      portForwardPid: pf.proc.pid,
      processes: [...started],
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }

  /** A Secret's data, decoded, or undefined when there is no such Secret. */
  async function secretData(name: string): Promise<Record<string, Buffer> | undefined> {
    const text = await kubectl(['get', 'secret', name, '-n', namespace, '--ignore-not-found', '-o', 'json']);
    if (!text.trim()) return undefined;
    return mapValues((JSON.parse(text) as K8sObject).data ?? {}, (v) => Buffer.from(v, 'base64'));
  }
  async function configMapData(name: string): Promise<Record<string, string> | undefined> {
    const text = await kubectl([
      'get',
      'configmap',
      name,
      '-n',
      namespace,
      '--ignore-not-found',
      '-o',
      'json',
    ]);
    return text.trim() ? ((JSON.parse(text) as K8sObject).data ?? {}) : undefined;
  }
}
