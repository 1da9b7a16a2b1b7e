import { accessSync, constants } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';
import { errorText, freePort, sleep } from './net';
import { spawnManaged, type ManagedProcess } from './processes';

/**
 * Prometheus's `--web.config.file`: https and/or basic auth on every endpoint. The helper's own requests
 * (ready check, reload) trust `tls.ca` and send the basic-auth user.
 */
export interface PrometheusWebOptions {
  /** PEM server certificate and key; `ca`: the PEM CA the helper trusts for it. */
  tls?: { cert: string; key: string; ca: string };
  /** One basic-auth user: Prometheus keeps only `bcryptHash`; the helper sends `password`. */
  basicAuth?: { username: string; password: string; bcryptHash: string };
}

export interface PrometheusOptions {
  /** `host:port` or URLs (`http://host:port/metrics`, another path or https allowed) to scrape as job `mesh`. */
  scrapeTargets: string[];
  scrapeIntervalSeconds?: number;
  /** Rule evaluation interval in seconds (default: the scrape interval). */
  evaluationIntervalSeconds?: number;
  /** TSDB folder; a temporary one (removed by close()) when omitted. A given folder is kept. */
  dataDir?: string;
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  host?: string;
  /** --storage.tsdb.retention.time, e.g. '2h' (default '1d'). */
  retention?: string;
  extraArgs?: string[];
  /** How long to wait for /-/ready (default 60 s). */
  readyTimeoutMs?: number;
  /** Append Prometheus's log to this file. */
  logFile?: string;
  /** The binary; default $MESHLENS_PROMETHEUS_BIN, /usr/bin/prometheus, or `prometheus` on PATH. */
  binary?: string;
  /** TLS and basic auth (written as web.yml beside the config); plain http without auth when absent. */
  web?: PrometheusWebOptions;
}

export interface PrometheusHandle {
  /** Base URL, e.g. http://127.0.0.1:41234 (https:// with `web.tls`) */
  url: string;
  port: number;
  dataDir: string;
  configPath: string;
  pid: number;
  /** Resolves with the exit code or signal once the process has exited. */
  exited: Promise<number | string>;
  /** Rewrites the config with new targets and reloads it. */
  setScrapeTargets(targets: string[]): Promise<void>;
  /** POST /-/reload (after editing configPath by hand, say). */
  reload(): Promise<void>;
  /** Stops Prometheus, waits for it to exit, and removes the data folder if it made it. */
  close(): Promise<void>;
}

export class PrometheusNotInstalledError extends Error {
  constructor() {
    super(
      'Prometheus is not installed: no /usr/bin/prometheus and no `prometheus` on PATH. ' +
        "Install Debian's `prometheus` package (as root: apt-get update && apt-get install -y prometheus), " +
        'or set MESHLENS_PROMETHEUS_BIN to a Prometheus 2.x binary.',
    );
    this.name = 'PrometheusNotInstalledError';
  }
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The Prometheus binary to run, or undefined when none is installed. */
export function findPrometheus(): string | undefined {
  const fromEnv = process.env.MESHLENS_PROMETHEUS_BIN;
  if (fromEnv) return executable(fromEnv) ? fromEnv : undefined;
  if (executable('/usr/bin/prometheus')) return '/usr/bin/prometheus';
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, 'prometheus'))) return join(dir, 'prometheus');
  }
  return undefined;
}

interface ParsedTarget {
  address: string;
  scheme: string;
  path: string;
}

export function parseScrapeTarget(target: string): ParsedTarget {
  if (/^https?:\/\//.test(target)) {
    const url = new URL(target);
    const path = url.pathname === '/' || url.pathname === '' ? '/metrics' : url.pathname;
    return { address: url.host, scheme: url.protocol.replace(':', ''), path };
  }
  if (!/^[^/\s]+:\d+$/.test(target)) {
    throw new Error(`scrape target "${target}" is neither host:port nor an http(s) URL`);
  }
  return { address: target, scheme: 'http', path: '/metrics' };
}

/** Prometheus durations take no fractions: 0.5 s is written 500ms. */
function duration(seconds: number): string {
  if (!(seconds > 0)) throw new Error(`interval must be a positive number of seconds, got ${seconds}`);
  return Number.isInteger(seconds) ? `${seconds}s` : `${Math.round(seconds * 1000)}ms`;
}

/** The generated prometheus.yml: one job `mesh`, honor_labels, one static group per scheme and path. */
export function prometheusConfig(
  targets: string[],
  scrapeIntervalSeconds: number,
  evaluationIntervalSeconds: number,
): string {
  const groups = new Map<string, { targets: string[]; labels: Record<string, string> }>();
  for (const parsed of targets.map(parseScrapeTarget)) {
    const key = `${parsed.scheme} ${parsed.path}`;
    let group = groups.get(key);
    if (!group) {
      group = { targets: [], labels: { __scheme__: parsed.scheme, __metrics_path__: parsed.path } };
      groups.set(key, group);
    }
    group.targets.push(parsed.address);
  }
  const config = {
    global: {
      scrape_interval: duration(scrapeIntervalSeconds),
      scrape_timeout: duration(scrapeIntervalSeconds),
      evaluation_interval: duration(evaluationIntervalSeconds),
    },
    scrape_configs: [{ job_name: 'mesh', honor_labels: true, static_configs: [...groups.values()] }],
  };
  return `# Generated by @meshlens/stack; rewritten on every start.\n${stringify(config)}`;
}

/**
 * Starts Debian's Prometheus on loopback with a generated config scraping `scrapeTargets` and resolves once
 * /-/ready answers. Lifecycle API enabled (reload). Throws PrometheusNotInstalledError when it is missing.
 */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusHandle> {
  const binary = options.binary ?? findPrometheus();
  if (!binary) throw new PrometheusNotInstalledError();
  const host = options.host ?? '127.0.0.1';
  const interval = options.scrapeIntervalSeconds ?? 5;
  const evaluation = options.evaluationIntervalSeconds ?? interval;
  const ownDir = !options.dataDir;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'meshlens-prometheus-')));
  await mkdir(dataDir, { recursive: true });
  const configPath = join(dataDir, 'prometheus.yml');
  await writeFile(configPath, prometheusConfig(options.scrapeTargets, interval, evaluation));
  const web = options.web;
  const webArgs: string[] = [];
  if (web?.tls || web?.basicAuth) {
    const tlsDir = join(dataDir, 'web');
    await mkdir(tlsDir, { recursive: true });
    const webConfig: Record<string, unknown> = {};
    if (web.tls) {
      await writeFile(join(tlsDir, 'cert.pem'), web.tls.cert);
      await writeFile(join(tlsDir, 'key.pem'), web.tls.key, { mode: 0o600 });
      webConfig.tls_server_config = {
        cert_file: join(tlsDir, 'cert.pem'),
        key_file: join(tlsDir, 'key.pem'),
      };
    }
    if (web.basicAuth) webConfig.basic_auth_users = { [web.basicAuth.username]: web.basicAuth.bcryptHash };
    const webPath = join(tlsDir, 'web.yml');
    await writeFile(webPath, stringify(webConfig));
    webArgs.push(`--web.config.file=${webPath}`);
  }
  const scheme = web?.tls ? 'https' : 'http';

  const fixedPort = options.port !== undefined && options.port !== 0;
  let lastError: Error | undefined;
  // A free port can be taken between probing and binding; pick another one a few times.
  for (let attempt = 0; attempt < (fixedPort ? 1 : 3); attempt++) {
    const port = fixedPort ? options.port! : await freePort(host);
    const url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const proc = spawnManaged(
      binary,
      [
        `--config.file=${configPath}`,
        `--storage.tsdb.path=${join(dataDir, 'data')}`,
        `--storage.tsdb.retention.time=${options.retention ?? '1d'}`,
        `--web.listen-address=${host}:${port}`,
        '--web.enable-lifecycle',
        '--log.level=warn',
        ...webArgs,
        ...(options.extraArgs ?? []),
      ],
      { name: 'prometheus', logFile: options.logFile, graceMs: 10_000 },
    );
    try {
      await waitUntilReady(url, proc, options.readyTimeoutMs ?? 60_000, web);
    } catch (err) {
      await proc.stop(2000);
      lastError = err as Error;
      if (/address already in use/.test(lastError.message) && !fixedPort) continue;
      break;
    }
    return makeHandle({ url, port, dataDir, configPath, ownDir, proc, interval, evaluation, web });
  }
  if (ownDir) await rm(dataDir, { recursive: true, force: true });
  throw lastError ?? new Error('Prometheus did not start');
}

/** One request of the helper's own (node:http/https, so a CA and basic auth can be given): status and body. */
function call(
  url: string,
  method: string,
  timeoutMs: number,
  web: PrometheusWebOptions | undefined,
): Promise<{ status: number; body: string }> {
  const auth = web?.basicAuth;
  const headers: Record<string, string> = auth
    ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` }
    : {};
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      { method, headers, timeout: timeoutMs, ...(web?.tls ? { ca: web.tls.ca } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

async function waitUntilReady(
  url: string,
  proc: ManagedProcess,
  timeoutMs: number,
  web?: PrometheusWebOptions,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let died: number | string | undefined;
  void proc.exited.then((code) => (died = code));
  let last = 'no answer yet';
  for (;;) {
    if (died !== undefined) {
      throw new Error(`Prometheus exited (${died}) before it was ready:\n${proc.stderrTail()}`);
    }
    try {
      const res = await call(`${url}/-/ready`, 'GET', 2000, web);
      if (res.status >= 200 && res.status < 300) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = errorText(err);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Prometheus at ${url} was not ready within ${timeoutMs} ms (last: ${last}):\n${proc.stderrTail()}`,
      );
    }
    await sleep(100);
  }
}

interface HandleParts {
  url: string;
  port: number;
  dataDir: string;
  configPath: string;
  ownDir: boolean;
  proc: ManagedProcess;
  interval: number;
  evaluation: number;
  web?: PrometheusWebOptions;
}

function makeHandle(parts: HandleParts): PrometheusHandle {
  const { url, port, dataDir, configPath, ownDir, proc } = parts;
  const reload = async (): Promise<void> => {
    const res = await call(`${url}/-/reload`, 'POST', 10_000, parts.web);
    if (res.status < 200 || res.status >= 300)
      throw new Error(`Prometheus reload failed: HTTP ${res.status} ${res.body}`);
  };
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    dataDir,
    configPath,
    pid: proc.pid,
    exited: proc.exited,
    reload,
    async setScrapeTargets(targets) {
      await writeFile(configPath, prometheusConfig(targets, parts.interval, parts.evaluation));
      await reload();
    },
    close() {
      closing ??= (async () => {
        await proc.stop();
        if (ownDir) await rm(dataDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
