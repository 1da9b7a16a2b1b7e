/** TCP connections through the caller's proxy, and calls from workloads without a sidecar. */
import { logInbound } from './logging';
import { recordSpan } from '../tracing/spans';
import {
  circuitBreakerLimits,
  connectionSecurityPolicy,
  evaluateTcp,
  serverAcceptsConnection,
} from '@meshlens/istio';
import type { Fragment } from '../metrics/labels';
import { poolCapacity } from './pool';
import type { CallResult, CallRt, Engine, SimRequest } from './simulate';
import { hasLabels, hopOverhead, jitter } from './util';
import type { WorkloadRt } from './world';

export function tcpCall(e: Engine, w: WorkloadRt, c: CallRt, req: SimRequest, depth: number): CallResult {
  const r = e.random;
  const world = e.world;
  const cfg = world.config;
  const outcome = evaluateTcp(cfg, w.caller, c.spec.to, c.spec.port, r);
  const local = (flag: string, dest: Fragment): CallResult => {
    e.store.recordTcp({
      reporter: 'source',
      source: w.source[0],
      destination: dest,
      flags: flag,
      security: 'unknown',
      sent: 0,
      received: 0,
    });
    return { code: 0, grpc: '', ms: hopOverhead(r), bytes: 0 };
  };
  if (outcome.kind !== 'route') {
    e.countEdge(w, c.authority, 'tcp');
    return local(outcome.kind === 'noCluster' ? 'NC' : 'NR', world.destinationWithoutPeer(c.fqdn, c.fqdn));
  }
  const dest = outcome.destination;
  const svc = world.services.get(dest.host);
  const ext = svc ? undefined : world.externals.get(dest.host);
  const svcId = { fqdn: dest.host, name: svc ? svc.name : dest.host };
  e.countEdge(w, dest.host, 'tcp');
  const noPeer = world.destinationWithoutPeer(svcId.fqdn, svcId.name);
  const sent = jitter(r, c.spec.tcpBytes.sent);
  const received = jitter(r, c.spec.tcpBytes.received);
  if (ext) {
    const ms = ext.latency(r);
    e.store.recordTcp({
      reporter: 'source',
      source: w.source[0],
      destination: noPeer,
      flags: '-',
      security: 'unknown',
      sent,
      received,
    });
    return { code: 0, grpc: '', ms, bytes: sent };
  }
  const pods = svc
    ? outcome.subsetLabels
      ? svc.pods.filter((p) => hasLabels(p, outcome.subsetLabels!))
      : svc.pods
    : [];
  if (pods.length === 0) return local('UH', noPeer);
  const clusterKey = `${w.key}>${dest.host}|${dest.port ?? ''}|${dest.subset ?? ''}`;
  if (
    e.pools.overflows(
      clusterKey,
      poolCapacity(circuitBreakerLimits(outcome.policy), 'tcp'),
      w.pods.length,
      0,
      r,
    )
  )
    return local('UO', noPeer);
  const pod = e.pickPod(pods, new Set());
  const dw = world.workloadOf(pod)!;
  const mtls = outcome.clientMtls && pod.sidecar;
  const mode = pod.sidecar ? e.mode(cfg, pod, dest.port) : 'PERMISSIVE';
  const peer = world.destination(dw, svcId, mtls, pod.sidecar);
  if (pod.sidecar && !serverAcceptsConnection(outcome.clientMtls, mode)) return local('UF', peer);
  const res = e.serve(dw, req, 'tcp', depth);
  const ms = res.ms + hopOverhead(r);
  e.pools.complete(clusterKey, ms);
  e.store.recordTcp({
    reporter: 'source',
    source: w.source[mtls ? 1 : 0],
    destination: peer,
    flags: '-',
    security: 'unknown',
    sent,
    received,
  });
  if (pod.sidecar)
    e.store.recordTcp({
      reporter: 'destination',
      source: w.source[mtls ? 1 : 0],
      destination: peer,
      flags: '-',
      security: connectionSecurityPolicy(mtls, mode),
      sent,
      received,
    });
  return { code: 0, grpc: '', ms, bytes: sent };
}

/** A caller without a sidecar: no routing rules, kube-proxy picks any ready pod; only the server reports. */
export function unmeshedCall(
  e: Engine,
  w: WorkloadRt,
  c: CallRt,
  req: SimRequest,
  depth: number,
): CallResult {
  const r = e.random;
  const svc = e.world.services.get(c.fqdn);
  if (!svc || svc.pods.length === 0) {
    e.stats.refused++;
    return { code: 503, grpc: '', ms: 1, bytes: 0 };
  }
  e.countEdge(w, c.fqdn, c.protocol);
  const pod = e.pickPod(svc.pods, new Set());
  const dw = e.world.workloadOf(pod)!;
  const cfg = e.world.config;
  const mode = pod.sidecar ? e.mode(cfg, pod, c.spec.port) : 'PERMISSIVE';
  if (pod.sidecar && mode === 'STRICT') {
    // Plaintext into a STRICT sidecar: the connection is closed; nothing is recorded anywhere.
    e.stats.refused++;
    return { code: 0, grpc: '', ms: hopOverhead(r), bytes: 0 };
  }
  const protocol = c.protocol;
  const t0 = e.clock;
  // Traced: the callee's proxy records the server span (no client span: the caller has no proxy).
  const trace = e.tracer && req.trace && pod.sidecar && protocol !== 'tcp' ? req.trace : undefined;
  const spanId = trace ? e.tracer!.spanId() : undefined;
  const callerPod = e.servingPod;
  const res = e.serve(
    dw,
    trace ? { ...req, trace: { ...trace, parentId: spanId! } } : req,
    protocol,
    depth,
    pod,
  );
  if (!pod.sidecar) return res;
  const peer = e.world.destination(dw, { fqdn: svc.fqdn, name: svc.name }, false, true);
  const src = e.world.unknownSource;
  if (protocol === 'tcp') {
    e.store.recordTcp({
      reporter: 'destination',
      source: src,
      destination: peer,
      flags: '-',
      security: 'none',
      sent: jitter(r, c.spec.tcpBytes.sent),
      received: jitter(r, c.spec.tcpBytes.received),
    });
  } else {
    const messages = protocol === 'grpc' ? c.spec.messages : undefined;
    const requestBytes = jitter(r, c.spec.requestBytes);
    if (trace)
      recordSpan(e, {
        kind: 'server',
        ctx: trace,
        spanId: spanId!,
        parentId: trace.parentId,
        proxy: dw,
        pod,
        startMs: t0,
        ms: res.ms,
        reply: res,
        flags: [],
        operation: `${svc.fqdn}:${c.spec.port}/*`,
        upstreamCluster: `inbound|${c.spec.port}||`,
        peer: callerPod,
        req,
        authority: c.authority,
        protocol,
        requestBytes,
        responseBytes: res.bytes,
        mtls: false,
      });
    e.sample({
      reporter: 'destination',
      proxy: dw,
      source: src,
      destination: peer,
      protocol,
      reply: res,
      flags: [],
      security: 'none',
      ms: res.ms,
      requestBytes,
      responseBytes: res.bytes,
      ...(messages ? { messages } : {}),
      responseMessages: messages?.response ?? 0,
    });
    if (e.logs)
      logInbound(e, pod, e.servingPod, {
        req,
        authority: c.authority,
        protocol,
        port: c.spec.port,
        requestBytes: c.spec.requestBytes,
        startMs: t0,
        reply: res,
        flags: [],
        ms: res.ms,
        responseBytes: res.bytes,
        mtls: false,
        fqdn: svc.fqdn,
      });
  }
  return res;
}
