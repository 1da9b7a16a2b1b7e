/**
 * Spans as Envoy with Istio's tracing records them (one client span in the caller's proxy, one server span
 * in the callee's proxy per attempt), held in memory, bounded, for the Jaeger query API (./jaeger.ts).
 * Spans are kept compact (shared strings for the proxy and the route); Jaeger's tags are built when a
 * trace is read.
 */

/** The proxy that recorded a span: one object per pod, shared by its spans. */
export interface ProxyInfo {
  /** Istio's tracing service name: `<canonical service>.<namespace>`. */
  service: string;
  canonicalService: string;
  canonicalRevision: string;
  namespace: string;
  pod: string;
  ip: string;
  /** Envoy's node id: `sidecar~<ip>~<pod>.<ns>~<ns>.svc.cluster.local` (`router~` for gateways). */
  nodeId: string;
}

export interface RecordedSpan {
  traceId: string;
  spanId: string;
  parentId: string | undefined;
  kind: 'client' | 'server';
  proxy: ProxyInfo;
  /** Envoy's operation name for the route: `<host>:<port>/*`. */
  operation: string;
  /** Microseconds since the epoch. */
  startUs: number;
  durationUs: number;
  /** HTTP status (0: no response) and gRPC status ('' for HTTP). */
  code: number;
  grpcStatus: string;
  /** Envoy response flags, comma-joined, `-` for none. */
  flags: string;
  upstreamCluster: string;
  peerAddress: string;
  requestId: string;
  method: string;
  url: string;
  protocol: 'http' | 'grpc';
  requestBytes: number;
  responseBytes: number;
  mtls: boolean;
}

export interface StoredTrace {
  id: string;
  spans: RecordedSpan[];
}

export interface TraceQuery {
  service: string;
  operation?: string;
  /** Every tag must be on one span of the service (string comparison of the values). */
  tags?: Record<string, string>;
  startUs: number;
  endUs: number;
  minDurationUs?: number;
  maxDurationUs?: number;
  limit: number;
}

export interface SpanStoreOptions {
  /** Traces kept (oldest go first). Default 20,000. */
  maxTraces?: number;
  /** Spans kept over all traces. Default 250,000. */
  maxSpans?: number;
}

/** Envoy marks a span errored on a 5xx or no response, and a gRPC span on a non-OK status. */
export function isError(s: Pick<RecordedSpan, 'code' | 'grpcStatus'>): boolean {
  return s.code === 0 || s.code >= 500 || (s.grpcStatus !== '' && s.grpcStatus !== '0');
}

/** Jaeger's tags of a span, as Istio's proxies set them. */
export function spanTags(s: RecordedSpan): Record<string, string | boolean> {
  const tags: Record<string, string | boolean> = {
    component: 'proxy',
    'span.kind': s.kind,
    node_id: s.proxy.nodeId,
    'istio.canonical_service': s.proxy.canonicalService,
    'istio.canonical_revision': s.proxy.canonicalRevision,
    'istio.namespace': s.proxy.namespace,
    'istio.mesh_id': 'cluster.local',
    'guid:x-request-id': s.requestId,
    'http.method': s.method,
    'http.url': s.url,
    'http.protocol': s.protocol === 'grpc' ? 'HTTP/2' : 'HTTP/1.1',
    'http.status_code': String(s.code),
    response_flags: s.flags,
    request_size: String(s.requestBytes),
    response_size: String(s.responseBytes),
    upstream_cluster: s.upstreamCluster,
    'upstream_cluster.name': s.upstreamCluster,
    downstream_cluster: '-',
    'peer.address': s.peerAddress,
  };
  if (s.protocol === 'grpc' && s.grpcStatus !== '') tags['grpc.status_code'] = s.grpcStatus;
  if (isError(s)) tags.error = true;
  return tags;
}

export class SpanStore {
  private readonly traces = new Map<string, StoredTrace>();
  private readonly ops = new Map<string, Map<string, 'client' | 'server'>>();
  private spanCount = 0;
  readonly maxTraces: number;
  readonly maxSpans: number;

  constructor(options: SpanStoreOptions = {}) {
    this.maxTraces = options.maxTraces ?? 20_000;
    this.maxSpans = options.maxSpans ?? 250_000;
  }

  get size(): number {
    return this.traces.size;
  }

  get spans(): number {
    return this.spanCount;
  }

  add(span: RecordedSpan): void {
    let t = this.traces.get(span.traceId);
    if (!t) {
      t = { id: span.traceId, spans: [] };
      this.traces.set(span.traceId, t);
    }
    t.spans.push(span);
    this.spanCount++;
    let ops = this.ops.get(span.proxy.service);
    if (!ops) this.ops.set(span.proxy.service, (ops = new Map()));
    if (!ops.has(span.operation)) ops.set(span.operation, span.kind);
    this.evict(span.traceId);
  }

  /** Drops the oldest traces past the bounds (never the one being written). */
  private evict(keep: string): void {
    while (this.traces.size > this.maxTraces || this.spanCount > this.maxSpans) {
      const oldest = this.traces.keys().next().value;
      if (oldest === undefined || oldest === keep) return;
      this.spanCount -= this.traces.get(oldest)!.spans.length;
      this.traces.delete(oldest);
    }
  }

  get(id: string): StoredTrace | undefined {
    return this.traces.get(id);
  }

  services(): string[] {
    return [...this.ops.keys()].sort();
  }

  operations(service: string): { name: string; spanKind: 'client' | 'server' }[] {
    return [...(this.ops.get(service) ?? [])]
      .map(([name, spanKind]) => ({ name, spanKind }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Traces with a span of `q.service` matching every condition, newest first, at most `q.limit`. */
  find(q: TraceQuery): StoredTrace[] {
    const out: StoredTrace[] = [];
    const all = [...this.traces.values()];
    for (let i = all.length - 1; i >= 0 && out.length < q.limit; i--) {
      const t = all[i]!;
      if (t.spans.some((s) => matches(s, q))) out.push(t);
    }
    return out;
  }
}

function matches(s: RecordedSpan, q: TraceQuery): boolean {
  if (s.proxy.service !== q.service) return false;
  if (q.operation !== undefined && s.operation !== q.operation) return false;
  if (s.startUs < q.startUs || s.startUs > q.endUs) return false;
  if (q.minDurationUs !== undefined && s.durationUs < q.minDurationUs) return false;
  if (q.maxDurationUs !== undefined && s.durationUs > q.maxDurationUs) return false;
  if (q.tags) {
    const tags = spanTags(s);
    for (const [k, v] of Object.entries(q.tags)) if (String(tags[k]) !== v) return false;
  }
  return true;
}
