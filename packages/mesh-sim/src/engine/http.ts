/**
 * One HTTP or gRPC call through the caller's proxy: the evaluator's outcome turned into what Envoy does
 * (TRAFFIC-SEMANTICS.md §8): local replies (NR, NC, UH, UO, FI), attempts with retries, per-try and route
 * timeouts, outlier bookkeeping, mirroring, and the samples each proxy records.
 */
import {
  circuitBreakerLimits,
  connectionSecurityPolicy,
  evaluateHttp,
  isRetriable,
  outlierDetectionSettings,
  resolveCluster,
  retryBackoffMs,
  serverAcceptsConnection,
  type HttpOutcome,
  type UpstreamFailure,
} from '@meshlens/istio';
import type { Fragment } from '../metrics/labels';
import { pickWeighted } from '../random';
import { poolCapacity } from './pool';
import type { CallResult, CallRt, Engine, SimRequest } from './simulate';
import { LOCAL_REPLY_BYTES, failed, hasLabels, hopOverhead, jitter, localReply, type Reply } from './util';
import type { ExternalRt, WorkloadRt } from './world';

function serveExternal(e: Engine, ext: ExternalRt, protocol: 'http' | 'grpc'): CallResult {
  const r = e.random;
  const ms = ext.latency(r);
  const spec = ext.spec;
  if (spec && spec.errorRate > 0 && r() < spec.errorRate) {
    const codes = Object.keys(spec.errorCodes);
    const code = Number(codes[pickWeighted(r, Object.values(spec.errorCodes))]);
    return { ...localReply(code, protocol), ms, bytes: jitter(r, 200) };
  }
  return {
    code: 200,
    grpc: protocol === 'grpc' ? '0' : '',
    ms,
    bytes: jitter(r, spec?.responseBytes ?? 2000),
  };
}

export function httpCall(e: Engine, w: WorkloadRt, c: CallRt, req: SimRequest, depth: number): CallResult {
  const r = e.random;
  const world = e.world;
  const protocol = c.protocol === 'grpc' ? 'grpc' : 'http';
  const cfg = world.config;
  const outcome = evaluateHttp(cfg, w.caller, { host: c.spec.to, port: c.spec.port, ...req }, r);
  const requestBytes = jitter(r, c.spec.requestBytes);
  const messages = protocol === 'grpc' ? c.spec.messages : undefined;
  const source = (mtls: boolean) => w.source[mtls ? 1 : 0];
  const local = (
    status: number,
    flags: string[],
    dest: Fragment,
    ms: number,
    grpcName?: string,
  ): CallResult => {
    const reply = localReply(status, protocol, grpcName);
    e.sample(
      'source',
      source(false),
      dest,
      protocol,
      reply,
      flags,
      'unknown',
      ms,
      requestBytes,
      LOCAL_REPLY_BYTES,
      messages,
      0,
    );
    return { ...reply, ms, bytes: LOCAL_REPLY_BYTES };
  };
  // Without a cluster the filter falls back to the Host header for the service labels.
  if (outcome.kind === 'noRoute') {
    e.countEdge(w, c.authority, protocol);
    return local(404, ['NR'], world.destinationWithoutPeer(c.authority, c.authority), hopOverhead(r));
  }
  if (outcome.kind === 'noCluster') {
    e.countEdge(w, c.authority, protocol);
    return local(503, ['NC'], world.destinationWithoutPeer(c.authority, c.authority), hopOverhead(r));
  }
  const dest = outcome.destination;
  const svc = world.services.get(dest.host);
  const ext = svc ? undefined : world.externals.get(dest.host);
  const svcId = { fqdn: dest.host, name: svc ? svc.name : ext ? dest.host : dest.host.split('.')[0]! };
  e.countEdge(w, dest.host, protocol);
  const noPeer = world.destinationWithoutPeer(svcId.fqdn, svcId.name);
  if (outcome.directResponse) return local(outcome.directResponse.status, [], noPeer, hopOverhead(r));
  if (outcome.redirect) return local(outcome.redirect.status, [], noPeer, hopOverhead(r));

  const flags: string[] = [];
  const delay = outcome.fault.delayMs ?? 0;
  if (delay > 0) flags.push('DI');
  if (outcome.fault.abortStatus !== undefined) {
    flags.push('FI');
    return local(
      outcome.fault.abortStatus,
      flags,
      noPeer,
      delay + hopOverhead(r),
      outcome.fault.abortGrpcStatus,
    );
  }
  mirror(e, w, c, outcome, req, protocol, depth);

  const pods = svc
    ? outcome.subsetLabels
      ? svc.pods.filter((p) => hasLabels(p, outcome.subsetLabels!))
      : svc.pods
    : [];
  const clusterKey = `${w.key}>${dest.host}|${dest.port ?? ''}|${dest.subset ?? ''}`;
  const od = outlierDetectionSettings(outcome.policy);
  const hosts = od ? e.outliers.available(clusterKey, pods, e.now, od) : pods;
  if (!ext && hosts.length === 0) return local(503, [...flags, 'UH'], noPeer, delay + hopOverhead(r));
  const limits = circuitBreakerLimits(outcome.policy);
  const extraMs = limits.maxRequestsPerConnection === 1 ? 1 : 0;
  if (e.pools.overflows(clusterKey, poolCapacity(limits, protocol), w.pods.length, extraMs, r))
    return local(503, [...flags, 'UO'], noPeer, delay + hopOverhead(r));

  // Attempts: one destination sample per attempt that reaches a sidecar; one source sample in the end.
  const mtls = ext ? false : outcome.clientMtls;
  const retries = outcome.retries;
  const timeout = outcome.timeoutMs;
  const tried = new Set<string>();
  let elapsed = 0;
  let attempt = 0;
  let reply: Reply = { code: 503, grpc: '' };
  let bytes = LOCAL_REPLY_BYTES;
  let peer: Fragment = noPeer;
  let cause: string | undefined;
  let retryLimit = false;
  for (;;) {
    let failure: UpstreamFailure | undefined;
    let attemptMs: number;
    let globalTimeout = false;
    cause = undefined;
    if (ext) {
      const res = serveExternal(e, ext, protocol);
      attemptMs = res.ms;
      reply = res;
      bytes = res.bytes;
      if (failed(res))
        failure = {
          kind: 'status',
          status: res.code,
          grpcStatus: res.grpc === '' ? undefined : Number(res.grpc),
        };
    } else {
      const pod = e.pickPod(hosts, retries.retryOtherHosts === false ? new Set() : tried);
      tried.add(pod.name);
      const dw = world.workloadOf(pod)!;
      const mode = pod.sidecar ? e.mode(cfg, pod, dest.port) : 'PERMISSIVE';
      peer = world.destination(dw, svcId, mtls && pod.sidecar, pod.sidecar);
      if (dw.spec.unreachableRate > 0 && r() < dw.spec.unreachableRate) {
        // A's proxy cannot connect to B's pod: no destination sample; retried on connect-failure.
        attemptMs = 1 + hopOverhead(r);
        failure = { kind: 'connectFailure' };
        reply = localReply(503, protocol);
        bytes = LOCAL_REPLY_BYTES;
        cause = 'UF';
      } else if (pod.sidecar && !serverAcceptsConnection(mtls, mode)) {
        // The server sidecar closes the connection during the handshake: reset before headers.
        attemptMs = hopOverhead(r);
        failure = { kind: 'reset' };
        reply = localReply(503, protocol);
        bytes = LOCAL_REPLY_BYTES;
        cause = 'UC';
      } else {
        // B's sidecar may fail to reach B's app: a real 503 from B's sidecar, the cause on its own sample.
        const appReset = dw.spec.appResetRate > 0 && r() < dw.spec.appResetRate;
        const res: CallResult = appReset
          ? { ...localReply(503, protocol), ms: hopOverhead(r), bytes: LOCAL_REPLY_BYTES }
          : e.serve(dw, req, protocol, depth);
        const csp = pod.sidecar ? connectionSecurityPolicy(mtls, mode) : undefined;
        const src = source(mtls);
        const full = res.ms + hopOverhead(r);
        let cut: 'perTry' | 'route' | undefined;
        attemptMs = full;
        const perTry = retries.perTryTimeoutMs;
        if (perTry !== undefined && full > perTry) {
          attemptMs = perTry;
          cut = 'perTry';
        }
        if (timeout !== undefined && elapsed + attemptMs > timeout) {
          attemptMs = Math.max(0, timeout - elapsed);
          cut = 'route';
        }
        if (cut) {
          // The client gave up: the server sidecar records no response (0) and a downstream disconnect.
          if (csp)
            e.sample(
              'destination',
              src,
              peer,
              protocol,
              { code: 0, grpc: '' },
              ['DC'],
              csp,
              attemptMs,
              requestBytes,
              0,
              messages,
              0,
            );
          reply = localReply(504, protocol);
          bytes = LOCAL_REPLY_BYTES;
          cause = 'UT';
          if (cut === 'perTry') failure = { kind: 'perTryTimeout' };
          else globalTimeout = true;
        } else {
          if (csp)
            e.sample(
              'destination',
              src,
              peer,
              protocol,
              res,
              appReset ? ['UC'] : [],
              csp,
              res.ms,
              requestBytes,
              res.bytes,
              messages,
              failed(res) ? 0 : (messages?.response ?? 0),
            );
          reply = res;
          bytes = res.bytes;
          if (failed(res))
            failure = {
              kind: 'status',
              status: res.code,
              grpcStatus: res.grpc === '' ? undefined : Number(res.grpc),
            };
        }
      }
      e.pools.complete(clusterKey, attemptMs);
      // Outlier detection sees HTTP statuses (a gRPC error rides on 200) and local-origin failures.
      if (od)
        e.outliers.record(clusterKey, pod.name, pods.length, reply.code, cause !== undefined, e.now, od);
    }
    elapsed += attemptMs;
    if (globalTimeout || !failure || !isRetriable(retries, failure)) break;
    if (attempt >= retries.attempts) {
      retryLimit = true;
      break;
    }
    attempt++;
    const backoff = retryBackoffMs(retries, attempt, r);
    if (timeout !== undefined && elapsed + backoff >= timeout) {
      // The route timeout covers retries and back-off.
      elapsed = timeout;
      reply = localReply(504, protocol);
      bytes = LOCAL_REPLY_BYTES;
      cause = 'UT';
      break;
    }
    elapsed += backoff;
  }
  if (cause) flags.push(cause);
  if (retryLimit) flags.push('URX');
  const ms = delay + elapsed + hopOverhead(r);
  e.sample(
    'source',
    source(mtls && !ext),
    peer,
    protocol,
    reply,
    flags,
    'unknown',
    ms,
    requestBytes,
    bytes,
    messages,
    failed(reply) ? 0 : (messages?.response ?? 0),
  );
  return { ...reply, ms, bytes };
}

/** Shadow copies: destination samples at the mirror target only; nobody waits for them. */
function mirror(
  e: Engine,
  w: WorkloadRt,
  c: CallRt,
  outcome: Extract<HttpOutcome, { kind: 'route' }>,
  req: SimRequest,
  protocol: 'http' | 'grpc',
  depth: number,
) {
  const targets = outcome.mirrors ?? (outcome.mirror ? [outcome.mirror] : []);
  for (const m of targets) {
    const svc = e.world.services.get(m.host);
    if (!svc) continue;
    const cfg = e.world.config;
    const cluster = resolveCluster(cfg, w.caller, m);
    if (!cluster.ok) continue;
    const pods = cluster.subsetLabels
      ? svc.pods.filter((p) => hasLabels(p, cluster.subsetLabels!))
      : svc.pods;
    if (pods.length === 0) continue;
    const pod = e.pickPod(pods, new Set());
    const dw = e.world.workloadOf(pod)!;
    const res = e.serve(dw, req, protocol, depth);
    if (!pod.sidecar) continue;
    const mode = e.mode(cfg, pod, m.port);
    if (!serverAcceptsConnection(cluster.clientMtls, mode)) continue;
    const peer = e.world.destination(dw, { fqdn: svc.fqdn, name: svc.name }, cluster.clientMtls, true);
    const messages = protocol === 'grpc' ? c.spec.messages : undefined;
    e.sample(
      'destination',
      w.source[cluster.clientMtls ? 1 : 0],
      peer,
      protocol,
      res,
      [],
      connectionSecurityPolicy(cluster.clientMtls, mode),
      res.ms,
      c.spec.requestBytes,
      res.bytes,
      messages,
      messages?.response ?? 0,
    );
  }
}
