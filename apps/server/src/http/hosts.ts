/**
 * Which `Host` a request may name (against DNS rebinding: a page on attacker.example whose name is made to
 * resolve to 127.0.0.1 reaches the console with `Host: attacker.example`). Allowed:
 * - the loopback names `localhost`, `127.0.0.1` and `[::1]`: with the port the request came in on when
 *   the console listens on loopback; with any port otherwise (`kubectl port-forward` sends
 *   `Host: localhost:<local port>`);
 * - the address the console listens on, when it is one address (not 0.0.0.0 / ::);
 * - in a cluster, the Service's names: `meshlens`, `meshlens.<ns>`, `meshlens.<ns>.svc`,
 *   `meshlens.<ns>.svc.cluster.local` (any port; <ns> from POD_NAMESPACE or the ServiceAccount's
 *   namespace file);
 * - the configured `server.allowedHosts` (`--allowed-hosts`, MESHLENS_ALLOWED_HOSTS): `name` (any port),
 *   `name:port`, `.example.com` (example.com and every name under it), or `*` (any Host: only behind a
 *   proxy that checks it).
 * Probes (`/healthz`, `/readyz`, `/metrics`) are not checked: the kubelet and Prometheus name the pod IP.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { RequestHandler } from 'express';
import { MisdirectedError } from '../errors';

const SA_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';
/** The Service name of deploy/ (other names: `server.allowedHosts`). */
export const SERVICE_NAME = 'meshlens';
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1']);

/** Running in a Kubernetes pod (the kubelet sets the service host of the API server). */
export const inCluster = (env: NodeJS.ProcessEnv = process.env) => Boolean(env.KUBERNETES_SERVICE_HOST);

/** The address the console binds: the configured one, else 0.0.0.0 in a cluster, else 127.0.0.1. */
export function bindHost(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return configured ?? (inCluster(env) ? '0.0.0.0' : '127.0.0.1');
}

export const isLoopback = (address: string) => {
  const a = address.replace(/^\[|\]$/g, '').toLowerCase();
  return LOOPBACK_NAMES.has(a) || /^127\.\d+\.\d+\.\d+$/.test(a) || a === '::ffff:127.0.0.1';
};
const isWildcard = (address: string) => ['0.0.0.0', '::', '[::]', ''].includes(address);

/** The pod's namespace: POD_NAMESPACE, else the ServiceAccount's namespace file. */
export function podNamespace(
  env: NodeJS.ProcessEnv = process.env,
  file = SA_NAMESPACE_FILE,
): string | undefined {
  const fromEnv = env.POD_NAMESPACE?.trim();
  if (fromEnv) return fromEnv;
  try {
    return existsSync(file) ? readFileSync(file, 'utf8').trim() || undefined : undefined;
  } catch {
    return undefined;
  }
}

/** `name[:port]` / `[v6]:port` → lower-case name (no brackets, no trailing dot) and port; undefined if malformed. */
export function parseHost(value: string): { name: string; port?: number } | undefined {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(value.trim());
  if (!m) return undefined;
  const name = (m[1] as string)
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (name === '' || (m[1]?.startsWith('[') && isIP(name) !== 6)) return undefined;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && port > 65535) return undefined;
  return port === undefined ? { name } : { name, port };
}

export interface HostPolicyOptions {
  /** The address the console listens on (see bindHost). */
  listenHost: string;
  /** `server.allowedHosts`. */
  allowedHosts: readonly string[];
  /** Set in a cluster: the Service's names in this namespace are allowed. */
  namespace?: string;
  /** Whether to allow the Service's names (default: running in a cluster). */
  cluster?: boolean;
}

/** The allowed names, for the log line at start and the error message. */
export interface HostPolicy {
  allows(host: string | undefined, localPort: number | undefined): boolean;
  describe(): string;
}

export function hostPolicy(options: HostPolicyOptions): HostPolicy {
  const loopbackOnly = isLoopback(options.listenHost);
  const any = options.allowedHosts.includes('*');
  const exact = new Map<string, number | undefined>();
  const suffixes: string[] = [];
  const addExact = (entry: string) => {
    const h = parseHost(entry);
    if (h) exact.set(`${h.name}:${h.port ?? '*'}`, h.port);
  };
  for (const entry of options.allowedHosts) {
    if (entry === '*') continue;
    if (entry.startsWith('.')) suffixes.push(entry.toLowerCase().replace(/\.$/, ''));
    else addExact(entry);
  }
  if (!isWildcard(options.listenHost) && !loopbackOnly) addExact(options.listenHost);
  // A loopback address other than the usual ones (127.0.0.2, …) is a loopback name too.
  const loopbackNames = new Set(LOOPBACK_NAMES);
  if (loopbackOnly) loopbackNames.add(parseHost(options.listenHost)?.name ?? 'localhost');
  const service: string[] = [];
  if (options.cluster && options.namespace) {
    const ns = options.namespace;
    service.push(SERVICE_NAME, `${SERVICE_NAME}.${ns}`, `${SERVICE_NAME}.${ns}.svc`);
    service.push(`${SERVICE_NAME}.${ns}.svc.cluster.local`);
    for (const s of service) addExact(s);
  }
  return {
    allows(value, localPort) {
      if (any) return true;
      if (!value) return false;
      const h = parseHost(value);
      if (!h) return false;
      if (exact.has(`${h.name}:*`) || exact.has(`${h.name}:${h.port ?? 80}`)) return true;
      if (suffixes.some((s) => h.name === s.slice(1) || h.name.endsWith(s))) return true;
      return loopbackNames.has(h.name) && (!loopbackOnly || (h.port ?? 80) === localPort);
    },
    describe: () =>
      any
        ? 'any'
        : [
            loopbackOnly
              ? 'localhost, 127.0.0.1, [::1] (on the port listened on)'
              : 'localhost, 127.0.0.1, [::1]',
            ...[...exact.keys()].map((k) => k.replace(/:\*$/, '')),
            ...suffixes.map((s) => `*${s}`),
          ].join(', '),
  };
}

const PROBES = /\/(healthz|readyz|metrics)$/;

/** 421 for a request whose Host is not allowed (probes excepted). */
export function hostCheck(policy: HostPolicy): RequestHandler {
  return (req, _res, next) => {
    if (PROBES.test(req.path)) return next();
    if (policy.allows(req.headers.host, req.socket.localPort)) return next();
    const shown = JSON.stringify((req.headers.host ?? '').slice(0, 100));
    next(
      new MisdirectedError(
        `Host ${shown} is not a name of this console. Open it by one of its names, or add the name to ` +
          'server.allowedHosts (--allowed-hosts, MESHLENS_ALLOWED_HOSTS).',
      ),
    );
  };
}
