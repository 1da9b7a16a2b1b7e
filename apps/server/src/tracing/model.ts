/**
 * Jaeger's traces in the console's model: spans with their proxy's Istio tags read out (status, flags,
 * upstream cluster, peer, request id), a trace's summary for a list, this entity's own span in it, and
 * span statistics per peer.
 */
import type { Span, SpanStat, Trace, TraceSummary } from '@meshlens/contract';
import type { JaegerTrace } from './jaegerClient';

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

/** A Jaeger trace as the console shows it; spans in start order. */
export function toTrace(t: JaegerTrace): Trace {
  const spans: Span[] = t.spans.map((s) => {
    const tags: Record<string, string> = {};
    for (const tag of s.tags) tags[tag.key] = str(tag.value);
    const process = t.processes[s.processID];
    const hostname = process?.tags.find((x) => x.key === 'hostname');
    const parent = s.references.find((r) => r.refType === 'CHILD_OF') ?? s.references[0];
    const kind = tags['span.kind'];
    const code = Number(tags['http.status_code']);
    const grpc = tags['grpc.status_code'];
    const span: Span = {
      spanId: s.spanID,
      parentId: parent?.spanID ?? s.parentSpanID ?? null,
      service: process?.serviceName ?? 'unknown',
      kind: kind === 'client' || kind === 'server' ? kind : 'other',
      operation: s.operationName,
      startUs: s.startTime,
      durationUs: s.duration,
      error: tags.error === 'true',
      tags,
    };
    if (tags['istio.canonical_service']) span.app = tags['istio.canonical_service'];
    if (tags['istio.namespace']) span.namespace = tags['istio.namespace'];
    if (hostname) span.pod = str(hostname.value);
    if (tags['http.status_code'] !== undefined && Number.isFinite(code)) span.statusCode = code;
    if (grpc !== undefined) span.grpcStatus = grpc;
    if (tags.response_flags) span.responseFlags = tags.response_flags;
    if (tags.upstream_cluster) span.upstreamCluster = tags.upstream_cluster;
    if (tags['peer.address']) span.peerAddress = tags['peer.address'];
    if (tags['guid:x-request-id']) span.requestId = tags['guid:x-request-id'];
    return span;
  });
  // Start order; a parent before its children when they start in the same microsecond.
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const depth = new Map<string, number>();
  // Walked up without recursion: a trace may be deep (one span under another, thousands of times).
  const depthOf = (s: Span): number => {
    const known = depth.get(s.spanId);
    if (known !== undefined) return known;
    const chain: Span[] = [];
    const onChain = new Set<string>();
    let at: Span | undefined = s;
    let d = -1;
    while (at) {
      const k = depth.get(at.spanId);
      if (k !== undefined) {
        d = k;
        break;
      }
      if (onChain.has(at.spanId)) break; // a cycle in bad data ends here
      chain.push(at);
      onChain.add(at.spanId);
      at = at.parentId ? byId.get(at.parentId) : undefined;
    }
    for (let i = chain.length - 1; i >= 0; i--) depth.set((chain[i] as Span).spanId, ++d);
    return depth.get(s.spanId) as number;
  };
  spans.sort((a, b) => a.startUs - b.startUs || depthOf(a) - depthOf(b));
  // (a loop, not Math.min(...spans): a spread of very many arguments overflows the stack)
  let start = Infinity;
  let end = -Infinity;
  for (const s of spans) {
    start = Math.min(start, s.startUs);
    end = Math.max(end, s.startUs + s.durationUs);
  }
  return {
    id: t.traceID,
    startUs: spans.length ? start : 0,
    durationUs: spans.length ? end - start : 0,
    spans,
  };
}

/** Which spans are this entity's own: its proxies' server spans (a service: those into it). */
export interface EntitySpans {
  /** Tracing service name, `<app>.<namespace>`. */
  service: string;
  /** A workload: its pods' names start with `<workload>-`. */
  podPrefix?: string;
  /** A service: the operation of requests into it starts with `<svc>.<ns>.svc.`. */
  operationPrefix?: string;
  /**
   * Tags every one of its spans carries, for the backend to search on (a workload whose version is its
   * own within its app: `istio.canonical_revision`), so the search needs no more than the list's limit.
   */
  tags?: Record<string, string>;
}

export function isEntitySpan(s: Span, e: EntitySpans): boolean {
  if (s.service !== e.service) return false;
  if (e.podPrefix && !(s.pod ?? '').startsWith(e.podPrefix)) return false;
  if (e.operationPrefix && !s.operation.startsWith(e.operationPrefix)) return false;
  if (e.tags) for (const [k, v] of Object.entries(e.tags)) if (s.tags[k] !== v) return false;
  return true;
}

/** The entity's first server span in the trace (else its first span), as the list shows it. */
export function entitySpan(t: Trace, e: EntitySpans): Span | undefined {
  const own = t.spans.filter((s) => isEntitySpan(s, e));
  return own.find((s) => s.kind === 'server') ?? own[0];
}

export function summarize(t: Trace, e: EntitySpans): TraceSummary {
  const ids = new Set(t.spans.map((s) => s.spanId));
  const root = t.spans.find((s) => !s.parentId || !ids.has(s.parentId)) ?? t.spans[0];
  const own = entitySpan(t, e);
  return {
    id: t.id,
    startUs: t.startUs,
    durationUs: t.durationUs,
    spans: t.spans.length,
    errors: t.spans.filter((s) => s.error).length,
    rootService: root?.service ?? 'unknown',
    rootOperation: root?.operation ?? '',
    services: [...new Set(t.spans.map((s) => s.service))].sort(),
    entity: own
      ? {
          spanId: own.spanId,
          durationUs: own.durationUs,
          error: own.error,
          ...(own.statusCode !== undefined ? { statusCode: own.statusCode } : {}),
          ...(own.responseFlags ? { responseFlags: own.responseFlags } : {}),
          operation: own.operation,
        }
      : null,
  };
}

const quantile = (sorted: number[], q: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : 0;

/**
 * Span statistics of the entity per peer: inbound, its server spans by calling service (the parent client
 * span's service); outbound, its client spans by the operation called (the callee host and port).
 */
export function spanStats(traces: Trace[], e: EntitySpans): SpanStat[] {
  const groups = new Map<
    string,
    { direction: 'inbound' | 'outbound'; peer: string; d: number[]; errors: number }
  >();
  const add = (direction: 'inbound' | 'outbound', peer: string, s: Span) => {
    const k = `${direction}|${peer}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { direction, peer, d: [], errors: 0 }));
    g.d.push(s.durationUs / 1000);
    if (s.error) g.errors++;
  };
  for (const t of traces) {
    const byId = new Map(t.spans.map((s) => [s.spanId, s]));
    for (const s of t.spans) {
      if (!isEntitySpan(s, e)) continue;
      if (s.kind === 'server') add('inbound', (s.parentId && byId.get(s.parentId)?.service) || 'unknown', s);
      else if (s.kind === 'client') add('outbound', s.operation, s);
    }
  }
  return [...groups.values()]
    .map((g) => {
      const sorted = [...g.d].sort((a, b) => a - b);
      return {
        direction: g.direction,
        peer: g.peer,
        count: sorted.length,
        errorPercent: (g.errors / sorted.length) * 100,
        p50Ms: quantile(sorted, 0.5),
        p95Ms: quantile(sorted, 0.95),
      };
    })
    .sort((a, b) => a.direction.localeCompare(b.direction) || b.count - a.count);
}
