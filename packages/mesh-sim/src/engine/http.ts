/**
 * One HTTP or gRPC call through the caller's proxy: the evaluator's outcome turned into what Envoy does
 * (TRAFFIC-SEMANTICS.md §8): local replies (NR, NC, UH, UO, FI), attempts with retries, per-try and route
 * timeouts, outlier bookkeeping, authorization at the server, the calling app hanging up, mirroring, and
 * the samples each proxy records.
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
import { UNKNOWN, type Fragment } from '../metrics/labels';
import { pickWeighted } from '../random';
import { poolCapacity } from './pool';
import type { CallResult, CallRt, Engine, HopSample, SimRequest } from './simulate';
import { LOCAL_REPLY_BYTES, failed, hasLabels, hopOverhead, jitter, localReply, type Reply } from './util';
import type { ExternalRt, WorkloadRt } from './world';
import { logInbound, logOutbound } from './logging';
import type { PodView } from './inventory';
import { recordSpan } from '../tracing/spans';

type Route = Extract<HttpOutcome, { kind: 'route' }>;

function serveExternal(e: Engine, ext: ExternalRt, protocol: 'http' | 'grpc'): CallResult {
  const r = e.random;
  const ms = ext.latency(r);
  const spec = ext.spec;
  if (spec && spec.errorRate > 0 && r() < spec.errorRate) {
    const codes = Object.keys(spec.errorCodes);
    const code = Number(codes[pickWeighted(r, Object.values(spec.errorCodes))]);
    return { ...localReply(code, protocol), ms, bytes: jitter(r, 200) };
  }
  const ok = { code: 200, grpc: protocol === 'grpc' ? '0' : '' };
  return { ...ok, ms, bytes: jitter(r, spec?.responseBytes ?? 2000) };
}

const statusFailure = (res: Reply): UpstreamFailure => ({
  kind: 'status',
  status: res.code,
  grpcStatus: res.grpc === '' ? undefined : Number(res.grpc),
});

/** A destination sample waiting for the end of the call (the caller may still hang up). */
interface Pending {
  startMs: number;
  sample: HopSample;
  pod: PodView;
  /** The server span of this attempt, when the request is traced. */
  spanId?: string;
}

export function httpCall(e: Engine, w: WorkloadRt, c: CallRt, req: SimRequest, depth: number): CallResult {
  const r = e.random;
  const world = e.world;
  const protocol = c.protocol === 'grpc' ? 'grpc' : 'http';
  const outcome = evaluateHttp(world.config, w.caller, { host: c.spec.to, port: c.spec.port, ...req }, r);
  const requestBytes = jitter(r, c.spec.requestBytes);
  const messages = protocol === 'grpc' ? c.spec.messages : undefined;
  const base = { protocol, requestBytes, ...(messages ? { messages } : {}) } as const;
  const t0 = e.clock;
  // Envoy's outbound cluster for the routed destination (none without a route).
  const cluster =
    outcome.kind === 'route'
      ? `outbound|${outcome.destination.port ?? c.spec.port}|${outcome.destination.subset ?? ''}|${outcome.destination.host}`
      : undefined;
  // The Service's ClusterIP: where the app sent the request (Envoy's DOWNSTREAM_LOCAL_ADDRESS outbound).
  const serviceIp =
    outcome.kind === 'route' ? world.services.get(outcome.destination.host)?.view.clusterIP : undefined;
  const exchange = {
    req,
    authority: c.authority,
    protocol: protocol as 'http' | 'grpc',
    port: c.spec.port,
    requestBytes,
    startMs: t0,
  };

  // Tracing: one client span in the caller's proxy for the call, one server span per attempt.
  const trace = e.tracer && req.trace ? req.trace : undefined;
  const clientSpanId = trace ? e.tracer!.spanId() : undefined;
  const callerPod = e.servingPod;
  const operation = `${outcome.kind === 'route' ? outcome.destination.host : c.fqdn}:${c.spec.port}/*`;
  const clientSpan = (
    reply: Reply,
    flags: readonly string[],
    ms: number,
    responseBytes: number,
    mtls: boolean,
  ) => {
    if (trace)
      recordSpan(e, {
        kind: 'client',
        ctx: trace,
        spanId: clientSpanId!,
        parentId: trace.parentId,
        proxy: w,
        pod: callerPod,
        startMs: t0,
        ms,
        reply,
        flags,
        operation,
        upstreamCluster: cluster ?? '-',
        peer: callerPod,
        req,
        authority: c.authority,
        protocol,
        requestBytes,
        responseBytes,
        mtls,
      });
  };

  /** A reply the client proxy makes itself: one source sample, no upstream. */
  const local = (
    status: number,
    flags: string[],
    dest: Fragment,
    ms: number,
    grpcName?: string,
  ): CallResult => {
    const reply = localReply(status, protocol, grpcName);
    e.sample({
      ...base,
      reporter: 'source',
      proxy: w,
      source: w.source[0],
      destination: dest,
      reply,
      flags,
      security: 'unknown',
      ms,
      responseBytes: LOCAL_REPLY_BYTES,
      responseMessages: 0,
    });
    if (e.logs)
      logOutbound(e, w, {
        ...exchange,
        reply,
        flags,
        ms,
        responseBytes: LOCAL_REPLY_BYTES,
        local: true,
        ...(cluster ? { cluster } : {}),
        ...(serviceIp ? { serviceIp } : {}),
      });
    clientSpan(reply, flags, ms, LOCAL_REPLY_BYTES, false);
    return { ...reply, ms, bytes: LOCAL_REPLY_BYTES };
  };
  // Without a cluster the filter falls back to the Host header for the service labels.
  if (outcome.kind !== 'route') {
    e.countEdge(w, c.authority, protocol);
    // No route: no cluster was picked, so the stats filter has no service metadata: destination_service
    // falls back to the Host header and destination_service_name stays `unknown`.
    return outcome.kind === 'noRoute'
      ? local(404, ['NR'], world.destinationWithoutPeer(c.authority, UNKNOWN), hopOverhead(r))
      : local(503, ['NC'], world.destinationWithoutPeer(c.authority, c.authority), hopOverhead(r));
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
  const pending: Pending[] = [];
  let elapsed = 0;
  let attempt = 0;
  let reply: Reply = { code: 503, grpc: '' };
  let lastPod: PodView | undefined;
  let upstreamMs: number | undefined;
  let bytes = LOCAL_REPLY_BYTES;
  let peer: Fragment = noPeer;
  let cause: string | undefined;
  let retryLimit = false;
  for (;;) {
    let failure: UpstreamFailure | undefined;
    let attemptMs: number;
    let routeTimeout = false;
    cause = undefined;
    if (ext) {
      const res = serveExternal(e, ext, protocol);
      attemptMs = res.ms;
      reply = res;
      bytes = res.bytes;
      if (failed(res)) failure = statusFailure(res);
    } else {
      const pod = e.pickPod(hosts, retries.retryOtherHosts === false ? new Set() : tried);
      tried.add(pod.name);
      lastPod = pod;
      upstreamMs = undefined;
      const dw = world.workloadOf(pod)!;
      const mode = pod.sidecar ? e.mode(world.config, pod, dest.port) : 'PERMISSIVE';
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
        const serverFlags: string[] = [];
        const spanId = trace && pod.sidecar ? e.tracer!.spanId() : undefined;
        let res: CallResult;
        if (
          pod.sidecar &&
          !world.authz.empty &&
          world.authz.denies(pod.namespace, pod.labels, authzRequest(w, mtls, req, dest.port))
        ) {
          // RBAC at B's sidecar: 403, no flag, on both reporters; B's app never sees it.
          res = { ...localReply(403, protocol), ms: hopOverhead(r), bytes: LOCAL_REPLY_BYTES };
        } else if (dw.spec.appResetRate > 0 && r() < dw.spec.appResetRate) {
          // B's sidecar cannot reach B's app: a real 503 from B's sidecar, the cause on its own sample.
          res = { ...localReply(503, protocol), ms: hopOverhead(r), bytes: LOCAL_REPLY_BYTES };
          serverFlags.push('UC');
        } else {
          e.clock = t0 + delay + elapsed;
          // The app's calls are children of this attempt's server span (of the client span without one).
          const inner = trace ? { ...req, trace: { ...trace, parentId: spanId ?? clientSpanId! } } : req;
          res = e.serve(dw, inner, protocol, depth, pod);
        }
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
        const sample: HopSample = {
          ...base,
          reporter: 'destination',
          proxy: dw,
          source: w.source[mtls ? 1 : 0],
          destination: peer,
          reply: res,
          flags: serverFlags,
          security: connectionSecurityPolicy(mtls, mode),
          ms: res.ms,
          responseBytes: res.bytes,
          responseMessages: failed(res) ? 0 : (messages?.response ?? 0),
        };
        if (cut) {
          // The client gave up: the server sidecar records no response (0) and a downstream disconnect.
          Object.assign(sample, {
            reply: { code: 0, grpc: '' },
            flags: ['DC'],
            ms: attemptMs,
            responseBytes: 0,
          });
          reply = localReply(504, protocol);
          bytes = LOCAL_REPLY_BYTES;
          cause = 'UT';
          if (cut === 'perTry') failure = { kind: 'perTryTimeout' };
          else routeTimeout = true;
        } else {
          reply = res;
          bytes = res.bytes;
          upstreamMs = res.ms;
          if (failed(res)) failure = statusFailure(res);
        }
        if (pod.sidecar)
          pending.push({ startMs: delay + elapsed, sample, pod, ...(spanId ? { spanId } : {}) });
      }
      e.pools.complete(clusterKey, attemptMs);
      // Outlier detection sees HTTP statuses (a gRPC error rides on 200) and local-origin failures.
      if (od)
        e.outliers.record(clusterKey, pod.name, pods.length, reply.code, cause !== undefined, e.now, od);
    }
    elapsed += attemptMs;
    if (routeTimeout || !failure || !isRetriable(retries, failure)) break;
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
  let ms = delay + elapsed + hopOverhead(r);

  // The calling app's own client timeout: it hangs up, both sidecars see the downstream go away.
  const hangUp = c.spec.timeoutMs !== undefined && ms > c.spec.timeoutMs ? c.spec.timeoutMs : undefined;
  for (const p of pending) {
    if (hangUp !== undefined && p.startMs >= hangUp) continue; // never attempted
    if (hangUp !== undefined && p.startMs + p.sample.ms > hangUp)
      Object.assign(p.sample, {
        reply: { code: 0, grpc: '' },
        flags: ['DC'],
        ms: hangUp - p.startMs,
        responseBytes: 0,
        responseMessages: 0,
      });
    e.sample(p.sample);
    if (trace && p.spanId)
      recordSpan(e, {
        kind: 'server',
        ctx: trace,
        spanId: p.spanId,
        parentId: clientSpanId,
        proxy: world.workloadOf(p.pod)!,
        pod: p.pod,
        startMs: t0 + p.startMs,
        ms: p.sample.ms,
        reply: p.sample.reply,
        flags: p.sample.flags,
        operation,
        upstreamCluster: `inbound|${c.spec.port}||`,
        peer: callerPod,
        req,
        authority: c.authority,
        protocol,
        requestBytes,
        responseBytes: p.sample.responseBytes,
        mtls: p.sample.security === 'mutual_tls',
      });
    if (e.logs)
      logInbound(e, p.pod, e.servingPod, {
        ...exchange,
        startMs: t0 + p.startMs,
        reply: p.sample.reply,
        flags: p.sample.flags,
        ms: p.sample.ms,
        responseBytes: p.sample.responseBytes,
        mtls: p.sample.security === 'mutual_tls',
        fqdn: svcId.fqdn,
      });
  }
  if (hangUp !== undefined) {
    ms = hangUp;
    reply = { code: 0, grpc: '' };
    bytes = 0;
    flags.splice(0, flags.length, ...(delay > 0 ? ['DI'] : []), 'DC');
  }
  e.sample({
    ...base,
    reporter: 'source',
    proxy: w,
    source: w.source[mtls && !ext ? 1 : 0],
    destination: peer,
    reply,
    flags,
    security: 'unknown',
    ms,
    responseBytes: bytes,
    responseMessages: failed(reply) ? 0 : (messages?.response ?? 0),
  });
  if (e.logs)
    logOutbound(e, w, {
      ...exchange,
      reply,
      flags,
      ms,
      responseBytes: bytes,
      local: false,
      cluster,
      ...(lastPod ? { upstream: lastPod } : {}),
      ...(serviceIp ? { serviceIp } : {}),
      ...(upstreamMs !== undefined ? { upstreamMs } : {}),
    });
  clientSpan(reply, flags, ms, bytes, mtls && !ext);
  return { ...reply, ms, bytes };
}

/** What B's RBAC filter knows of the request: the peer identity only with mTLS. */
function authzRequest(w: WorkloadRt, mtls: boolean, req: SimRequest, port: number | undefined) {
  return {
    ...(mtls ? { principal: w.principal.replace(/^spiffe:\/\//, ''), namespace: w.namespace } : {}),
    method: req.method,
    path: req.path,
    ...(port !== undefined ? { port } : {}),
  };
}

/** Shadow copies: destination samples at the mirror target only; nobody waits for them. */
function mirror(
  e: Engine,
  w: WorkloadRt,
  c: CallRt,
  outcome: Route,
  req: SimRequest,
  protocol: 'http' | 'grpc',
  depth: number,
) {
  const targets = outcome.mirrors ?? (outcome.mirror ? [outcome.mirror] : []);
  for (const m of targets) {
    const svc = e.world.services.get(m.host);
    if (!svc) continue;
    const cluster = resolveCluster(e.world.config, w.caller, m);
    if (!cluster.ok) continue;
    const pods = cluster.subsetLabels
      ? svc.pods.filter((p) => hasLabels(p, cluster.subsetLabels!))
      : svc.pods;
    if (pods.length === 0) continue;
    const pod = e.pickPod(pods, new Set());
    const dw = e.world.workloadOf(pod)!;
    if (!pod.sidecar) {
      e.serve(dw, req, protocol, depth, pod);
      continue;
    }
    const mode = e.mode(e.world.config, pod, m.port);
    if (!serverAcceptsConnection(cluster.clientMtls, mode)) continue;
    const res = e.serve(dw, req, protocol, depth, pod);
    const messages = protocol === 'grpc' ? c.spec.messages : undefined;
    if (e.logs)
      logInbound(e, pod, e.servingPod, {
        req,
        authority: `${c.authority.replace(/(:\d+)?$/, '-shadow$1')}`,
        protocol,
        port: c.spec.port,
        requestBytes: c.spec.requestBytes,
        startMs: e.clock,
        reply: res,
        flags: [],
        ms: res.ms,
        responseBytes: res.bytes,
        mtls: cluster.clientMtls,
        fqdn: svc.fqdn,
      });
    e.sample({
      reporter: 'destination',
      proxy: dw,
      source: w.source[cluster.clientMtls ? 1 : 0],
      destination: e.world.destination(dw, { fqdn: svc.fqdn, name: svc.name }, cluster.clientMtls, true),
      protocol,
      reply: res,
      flags: [],
      security: connectionSecurityPolicy(cluster.clientMtls, mode),
      ms: res.ms,
      requestBytes: c.spec.requestBytes,
      responseBytes: res.bytes,
      ...(messages ? { messages } : {}),
      responseMessages: messages?.response ?? 0,
    });
  }
}
