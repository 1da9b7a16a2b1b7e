/**
 * The engine's side of tracing: the sampling decision at the first proxy (Istio's random sampling, forced
 * by `x-b3-sampled: 1` or a sampled `traceparent`, refused by `x-b3-sampled: 0`), trace and span ids
 * (from a generator of its own, so tracing never changes the traffic the seed gives), and the proxies'
 * identities for the spans.
 */
import { seededRandom, type Random } from '../random';
import type { PodView } from '../engine/inventory';
import { SpanStore, type ProxyInfo, type RecordedSpan, type SpanStoreOptions } from './store';

export interface TracingOptions extends SpanStoreOptions {
  /** Share of requests traced, in percent (Istio's `tracing.sampling`). Default 1. */
  samplingPercent?: number;
  seed?: number;
}

/** What travels with a traced request: its trace, the span the next hop is a child of, its request id. */
export interface TraceContext {
  traceId: string;
  /** The span the next span is a child of (none at the root). */
  parentId?: string;
  requestId: string;
}

const hex = (random: Random, chars: number) => {
  let s = '';
  while (s.length < chars)
    s += Math.floor(random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return s.slice(0, chars);
};

export class Tracer {
  readonly store: SpanStore;
  readonly samplingPercent: number;
  private readonly random: Random;
  private readonly proxies = new Map<string, ProxyInfo>();

  constructor(options: TracingOptions = {}) {
    this.store = new SpanStore(options);
    this.samplingPercent = options.samplingPercent ?? 1;
    if (!(this.samplingPercent >= 0 && this.samplingPercent <= 100))
      throw new Error(`tracing sampling must be between 0 and 100 %, got ${options.samplingPercent}`);
    this.random = seededRandom((options.seed ?? 1) ^ 0x7ace);
  }

  /**
   * The first proxy's decision for a request entering the mesh. Headers that carry a trace keep its id
   * (W3C `traceparent` or B3 `x-b3-traceid`); undefined when the request is not traced.
   */
  begin(headers: Record<string, string>, requestId?: string): TraceContext | undefined {
    const h = (name: string) => headers[name] ?? headers[name.toLowerCase()];
    const tp = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(h('traceparent') ?? '');
    const b3 = h('x-b3-sampled');
    let sampled: boolean;
    if (b3 === '1' || b3 === 'true' || h('x-b3-flags') === '1') sampled = true;
    else if (b3 === '0' || b3 === 'false') sampled = false;
    else if (tp) sampled = (parseInt(tp[3]!, 16) & 1) === 1;
    else sampled = this.random() * 100 < this.samplingPercent;
    if (!sampled) return undefined;
    const b3Trace = h('x-b3-traceid');
    const traceId =
      tp?.[1] ??
      (b3Trace && /^[0-9a-f]{16,32}$/.test(b3Trace) ? b3Trace.padStart(32, '0') : hex(this.random, 32));
    const parentId = tp?.[2] ?? h('x-b3-spanid');
    return {
      traceId,
      ...(parentId ? { parentId } : {}),
      requestId: requestId ?? this.uuid(),
    };
  }

  spanId(): string {
    return hex(this.random, 16);
  }

  private uuid(): string {
    const x = hex(this.random, 32);
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-4${x.slice(13, 16)}-a${x.slice(17, 20)}-${x.slice(20)}`;
  }

  /** The identity of `pod`'s proxy, for its spans. */
  proxy(
    pod: PodView,
    ip: string,
    canonicalService: string,
    canonicalRevision: string,
    gateway: boolean,
  ): ProxyInfo {
    let p = this.proxies.get(pod.name + '/' + pod.namespace);
    if (!p) {
      p = {
        service: `${canonicalService}.${pod.namespace}`,
        canonicalService,
        canonicalRevision,
        namespace: pod.namespace,
        pod: pod.name,
        ip,
        nodeId: `${gateway ? 'router' : 'sidecar'}~${ip}~${pod.name}.${pod.namespace}~${pod.namespace}.svc.cluster.local`,
      };
      this.proxies.set(pod.name + '/' + pod.namespace, p);
    }
    return p;
  }

  record(span: RecordedSpan): void {
    this.store.add(span);
  }
}
