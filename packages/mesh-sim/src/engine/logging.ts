/**
 * What the simulated containers write: each proxy's access-log line for the very sample it records
 * (same code, flags, duration and sizes as the metric), and the app's own lines. Nothing here draws from
 * the engine's random source, so turning logs on or off leaves the simulated traffic unchanged.
 */
import { codeDetails, type AccessRecord } from '../logs/format';
import { PROXY_CONTAINER } from '../logs/store';
import type { PodView } from './inventory';
import type { Engine, SimRequest } from './simulate';
import type { Reply } from './util';
import type { WorkloadRt } from './world';

/** The request's identity across hops (x-request-id, propagated by the apps as Istio asks them to). */
export interface RequestMeta {
  requestId: string;
  userAgent?: string;
  /** X-Forwarded-For, as the ingress gateway sets it (only on its hop). */
  xff?: string;
}

/** The app container of a pod: the first that is not the sidecar. */
export const appContainer = (pod: PodView) => pod.containers?.find((c) => c !== PROXY_CONTAINER);

/** A stable made-up IP for a pod the inventory gives none (static inventories in tests). */
const madeUp = new WeakMap<PodView, string>();
export const ipOf = (pod: PodView | undefined) => {
  if (!pod) return undefined;
  if (pod.ip) return pod.ip;
  let ip = madeUp.get(pod);
  if (!ip) {
    let h = 0;
    for (const ch of pod.name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    madeUp.set(pod, (ip = `10.244.${(h >>> 8) & 0xff}.${(h & 0xfe) + 1}`));
  }
  return ip;
};

interface Exchange {
  req: SimRequest;
  authority: string;
  protocol: 'http' | 'grpc';
  port: number;
  reply: Reply;
  flags: readonly string[];
  startMs: number;
  ms: number;
  requestBytes: number;
  responseBytes: number;
}

function record(x: Exchange, local: boolean, extra: Partial<AccessRecord>): AccessRecord {
  const flags = x.flags.length ? x.flags.join(',') : '-';
  return {
    kind: 'access',
    startMs: x.startMs,
    method: x.req.method,
    path: x.req.path,
    protocol: x.protocol === 'grpc' ? 'HTTP/2' : 'HTTP/1.1',
    code: x.reply.code,
    flags,
    details: codeDetails(x.reply.code, x.flags, local),
    bytesReceived: x.requestBytes,
    bytesSent: x.responseBytes,
    durationMs: x.ms,
    requestId: x.req.meta?.requestId ?? '-',
    authority: x.authority,
    ...(x.req.meta?.userAgent ? { userAgent: x.req.meta.userAgent } : {}),
    ...extra,
  };
}

/**
 * The caller's proxy (outbound): one line per call, written when it ends. `upstream` is the pod of the
 * last attempt (none for a local reply), `cluster` Envoy's outbound cluster name.
 */
export function logOutbound(
  e: Engine,
  w: WorkloadRt,
  x: Exchange & {
    upstream?: PodView;
    cluster?: string;
    serviceIp?: string;
    local: boolean;
    upstreamMs?: number;
  },
): void {
  const pod = e.servingPod;
  if (!e.logs || !pod || !(w.sidecar || w.gateway)) return;
  const ip = ipOf(pod);
  const upstreamIp = ipOf(x.upstream);
  const rec = record(x, x.local, {
    ...(w.gateway && x.req.meta?.xff ? { xff: x.req.meta.xff } : {}),
    ...(upstreamIp
      ? { upstreamHost: `${upstreamIp}:${x.port}`, upstreamLocal: `${ip}:${e.ephemeralPort()}` }
      : {}),
    ...(x.cluster ? { upstreamCluster: x.cluster } : {}),
    ...(x.upstreamMs !== undefined && !x.local ? { upstreamServiceMs: x.upstreamMs } : {}),
    ...(w.gateway || x.serviceIp || upstreamIp
      ? { downstreamLocal: w.gateway ? `${ip}:8080` : `${x.serviceIp ?? upstreamIp}:${x.port}` }
      : {}),
    downstreamRemote: w.gateway
      ? `${x.req.meta?.xff ?? '10.244.0.1'}:${e.ephemeralPort()}`
      : `${ip}:${e.ephemeralPort()}`,
    route: x.flags.includes('NR') ? undefined : 'default',
  });
  e.logs.write(pod.namespace, pod.name, PROXY_CONTAINER, x.startMs + x.ms, rec);
}

/** The server's proxy (inbound): one line per attempt that reached it. */
export function logInbound(
  e: Engine,
  pod: PodView,
  caller: PodView | undefined,
  x: Exchange & { mtls: boolean; fqdn: string },
): void {
  if (!e.logs || !pod.sidecar) return;
  const ip = ipOf(pod);
  const reachedApp = x.reply.code !== 0 && !x.flags.includes('UC') && x.reply.code !== 403;
  const rec = record(x, x.reply.code === 403, {
    upstreamHost: reachedApp ? `${ip}:${x.port}` : undefined,
    upstreamCluster: `inbound|${x.port}||`,
    upstreamLocal: reachedApp ? `127.0.0.6:${e.ephemeralPort()}` : undefined,
    ...(reachedApp ? { upstreamServiceMs: x.ms } : {}),
    downstreamLocal: `${ip}:${x.port}`,
    downstreamRemote: `${ipOf(caller) ?? '10.244.0.1'}:${e.ephemeralPort()}`,
    sni: x.mtls ? `outbound_.${x.port}_._.${x.fqdn}` : undefined,
    route: 'default',
  });
  e.logs.write(pod.namespace, pod.name, PROXY_CONTAINER, x.startMs + x.ms, rec);
}

/** An app line in the container of `pod` that is not the sidecar (gateways write none). */
export function logApp(
  e: Engine,
  w: WorkloadRt,
  pod: PodView | undefined,
  t: number,
  level: 'INFO' | 'WARN' | 'ERROR',
  message: string,
): void {
  if (!e.logs || !pod || w.gateway) return;
  const container = appContainer(pod);
  if (container) e.logs.write(pod.namespace, pod.name, container, t, { kind: 'app', level, message });
}
