/** One span of a hop, recorded from what the proxies saw (the same numbers their samples export). */
import type { PodView } from '../engine/inventory';
import { ipOf } from '../engine/logging';
import type { Engine, SimRequest } from '../engine/simulate';
import type { Reply } from '../engine/util';
import { canonicalRevision, canonicalService, type WorkloadRt } from '../engine/world';
import type { TraceContext } from './tracer';

export interface HopSpan {
  kind: 'client' | 'server';
  ctx: TraceContext;
  spanId: string;
  parentId: string | undefined;
  /** The workload and pod whose proxy records the span. */
  proxy: WorkloadRt;
  pod: PodView | undefined;
  /** Wall-clock ms. */
  startMs: number;
  ms: number;
  reply: Reply;
  flags: readonly string[];
  operation: string;
  upstreamCluster: string;
  /** The downstream peer's pod (the app itself for a client span, the caller's pod for a server span). */
  peer: PodView | undefined;
  req: SimRequest;
  authority: string;
  protocol: 'http' | 'grpc';
  requestBytes: number;
  responseBytes: number;
  mtls: boolean;
}

export function recordSpan(e: Engine, x: HopSpan): void {
  const tracer = e.tracer;
  const pod = x.pod ?? x.proxy.pods[0];
  if (!tracer || !pod) return;
  const ip = ipOf(pod)!;
  tracer.record({
    traceId: x.ctx.traceId,
    spanId: x.spanId,
    parentId: x.parentId,
    kind: x.kind,
    proxy: tracer.proxy(pod, ip, canonicalService(pod), canonicalRevision(pod), x.proxy.gateway),
    operation: x.operation,
    startUs: Math.round(x.startMs * 1000),
    durationUs: Math.max(1, Math.round(x.ms * 1000)),
    code: x.reply.code,
    grpcStatus: x.reply.grpc,
    flags: x.flags.length ? x.flags.join(',') : '-',
    upstreamCluster: x.upstreamCluster,
    peerAddress: ipOf(x.peer) ?? '10.244.0.1',
    requestId: x.ctx.requestId,
    method: x.req.method,
    url: `http://${x.authority}${x.req.path}`,
    protocol: x.protocol,
    requestBytes: x.requestBytes,
    responseBytes: x.responseBytes,
    mtls: x.mtls,
  });
}
