/**
 * The request simulation: each request entering the mesh is followed through every hop it causes. At each
 * hop the caller's proxy routes it with the evaluator (./http.ts, ./tcp.ts) and the outcome becomes the
 * samples real sidecars would record (TRAFFIC-SEMANTICS.md §8). This file holds the engine: ticks, entry
 * traffic, a workload's app behaviour (own latency, calls, errors) and the shared per-hop helpers.
 * Callers' latency includes their callees'. Time is simulated; nothing sleeps and nothing goes on the wire.
 */
import { randomUUID } from 'node:crypto';
import { peerAuthMode, resolveHost, type MeshConfig } from '@meshlens/istio';
import { LogStore, type LogStoreOptions } from '../logs/store';
import { FragmentTable, type Fragment } from '../metrics/labels';
import { MetricsStore } from '../metrics/store';
import type { HistogramBucketsSpec } from '../metrics/telemetry';
import { countWithMean, pickWeighted, poisson, seededRandom, type Random } from '../random';
import type { CallSpec, EntrySpec, Protocol, Scenario } from '../scenario/schema';
import type { Inventory, PodView } from './inventory';
import { ConnectionPools, OutlierDetector } from './pool';
import { failed, jitter, type Reply } from './util';
import { httpCall } from './http';
import { tcpCall, unmeshedCall } from './tcp';
import { World, type WorkloadRt } from './world';
import { logApp, type RequestMeta } from './logging';
import { Tracer, type TraceContext, type TracingOptions } from '../tracing/tracer';

export interface SimRequest {
  path: string;
  method: string;
  headers: Record<string, string>;
  /** x-request-id and friends, for the logs. */
  meta?: RequestMeta;
  /** Set when the request is traced: its trace and the span the next hop is a child of. */
  trace?: TraceContext;
}

/** What the calling application sees. */
export interface CallResult extends Reply {
  ms: number;
  bytes: number;
}

export interface CallRt {
  spec: CallSpec;
  fqdn: string;
  protocol: Protocol;
  /** Host header as the app sends it. */
  authority: string;
}

/** One HTTP/gRPC sample as a proxy records it. */
export interface HopSample {
  reporter: 'source' | 'destination';
  /** The workload whose proxy reports the sample (its histogram buckets apply). */
  proxy: WorkloadRt;
  source: Fragment;
  destination: Fragment;
  protocol: 'http' | 'grpc';
  reply: Reply;
  flags: string[];
  security: 'mutual_tls' | 'none' | 'unknown';
  ms: number;
  requestBytes: number;
  responseBytes: number;
  /** gRPC: messages of this call (request count, and `responseMessages` actually sent back). */
  messages?: { request: number; response: number };
  responseMessages?: number;
}

export interface EngineOptions {
  seed?: number;
  rateScale?: number;
  /** Mesh-wide statsHistogramBuckets (as if on every pod; a pod's own annotation wins). */
  histogramBuckets?: HistogramBucketsSpec;
  /** Container logs (access and app lines) kept per container; `false`: none. Default: on. */
  logs?: LogStoreOptions | false;
  /** Spans of sampled requests (Istio's tracing); `false`: none. Default: on, 1 % sampled. */
  tracing?: TracingOptions | false;
}

const USER_AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'curl/8.5.0',
];

const MAX_DEPTH = 16;

export class Engine {
  readonly store = new MetricsStore();
  readonly fragments = new FragmentTable();
  readonly pools = new ConnectionPools();
  readonly outliers = new OutlierDetector();
  readonly random: Random;
  rateScale: number;
  world: World;
  now = 0;
  readonly stats = { entryRequests: 0, calls: 0, ticks: 0, refused: 0 };
  /** Calls per edge (`caller -> service (protocol)`) since the last roll, and their rates. */
  private readonly edgeCounts = new Map<string, number>();
  readonly edgeRates = new Map<string, number>();
  private callCache = new Map<string, CallRt>();
  private paCache = new Map<string, ReturnType<typeof peerAuthMode>>();
  private readonly histogramBuckets: HistogramBucketsSpec | undefined;
  /** Container logs; undefined when switched off. */
  readonly logs: LogStore | undefined;
  /** Tracing (sampling, span ids, the span store); undefined when switched off. */
  readonly tracer: Tracer | undefined;
  /** Wall-clock time of the hop being simulated (ms), for log timestamps. */
  clock = 0;
  /** The pod whose app is handling the current request (its proxy makes the outbound calls). */
  servingPod: PodView | undefined;
  private counter = 0;

  constructor(
    readonly scenario: Scenario,
    inventory: Inventory,
    options: EngineOptions = {},
  ) {
    this.random = seededRandom(options.seed ?? 1);
    this.rateScale = options.rateScale ?? 1;
    this.histogramBuckets = options.histogramBuckets;
    this.world = new World(scenario, inventory, this.fragments, this.histogramBuckets);
    this.logs = options.logs === false ? undefined : new LogStore(options.logs);
    this.logs?.setPods(podContainers(inventory));
    this.tracer =
      options.tracing === false ? undefined : new Tracer({ seed: options.seed ?? 1, ...options.tracing });
  }

  /** A source port for a log line (counts through the ephemeral range; draws nothing random). */
  ephemeralPort(): number {
    return 32768 + ((this.counter++ * 7919) % 28232);
  }

  /** Swaps in a new view of the cluster; the next request sees it. */
  setInventory(inventory: Inventory): void {
    this.world = new World(this.scenario, inventory, this.fragments, this.histogramBuckets);
    this.callCache = new Map();
    this.paCache = new Map();
    this.logs?.setPods(podContainers(inventory));
  }

  /** Advances simulated time by `dtMs` and runs the entry traffic due in it (Poisson arrivals). */
  tick(now: number, dtMs: number): void {
    this.now = now;
    this.stats.ticks++;
    this.pools.roll(dtMs);
    for (const [k, n] of this.edgeCounts) {
      const rate = (n * 1000) / dtMs;
      const prev = this.edgeRates.get(k);
      this.edgeRates.set(k, prev === undefined ? rate : 0.8 * prev + 0.2 * rate);
      this.edgeCounts.set(k, 0);
    }
    for (const entry of this.scenario.entry) {
      const n = poisson(this.random, (entry.rate * this.rateScale * dtMs) / 1000);
      for (let i = 0; i < n; i++) {
        // Arrivals spread over the tick's interval, for the logs' timestamps.
        this.clock = now - dtMs + ((i + 0.5) * dtMs) / n;
        this.entryRequest(entry);
      }
    }
    this.logs?.flush();
  }

  /** One request entering the mesh at `entry.workload` (a gateway, an unmeshed client, a job). */
  entryRequest(entry: EntrySpec, request?: Partial<SimRequest>): CallResult | undefined {
    const w = this.world.workloads.get(entry.workload);
    if (!w || w.pods.length === 0) {
      this.stats.refused++;
      return undefined;
    }
    this.stats.entryRequests++;
    const r = this.random;
    const path =
      request?.path ??
      entry.paths[
        pickWeighted(
          r,
          entry.paths.map((p) => p.weight),
        )
      ]!.path;
    let headers: Record<string, string> = {};
    let x = r();
    for (const h of entry.headers) {
      x -= h.weight;
      if (x < 0) {
        headers = { ...h.set };
        break;
      }
    }
    const n = this.counter++;
    const meta: RequestMeta | undefined = this.logs
      ? {
          requestId: randomUUID(),
          userAgent: USER_AGENTS[n % USER_AGENTS.length]!,
          xff: `203.0.113.${(n % 250) + 1}`,
        }
      : undefined;
    const reqHeaders = request?.headers ?? headers;
    const trace = this.tracer?.begin(reqHeaders, meta?.requestId);
    return this.serve(
      w,
      {
        path,
        method: request?.method ?? entry.method,
        headers: reqHeaders,
        ...(meta ? { meta } : {}),
        ...(trace ? { trace } : {}),
      },
      'http',
      0,
      w.pods[n % w.pods.length],
    );
  }

  /** A workload's app handling one request (on `pod`, when known): its own time, its calls, its errors. */
  serve(w: WorkloadRt, req: SimRequest, protocol: Protocol, depth: number, pod?: PodView): CallResult {
    const spec = w.spec;
    const r = this.random;
    let ms = w.latency(r);
    let sequential = 0;
    let parallel = 0;
    let dependencyFailed = false;
    let failedCall: string | undefined;
    const start = this.clock;
    const outer = this.servingPod;
    this.servingPod =
      pod ?? (this.logs && w.pods.length ? w.pods[this.counter++ % w.pods.length] : undefined);
    if (depth < MAX_DEPTH) {
      for (const call of spec.calls) {
        if (call.onPaths && !call.onPaths.some((p) => req.path.startsWith(p))) continue;
        const n = countWithMean(r, call.perRequest);
        for (let i = 0; i < n; i++) {
          this.clock = start + sequential;
          const res = this.call(w, call, req, depth + 1);
          if (call.parallel) parallel = Math.max(parallel, res.ms);
          else sequential += res.ms;
          if (failed(res)) {
            const what = `${call.to}:${call.port} failed with ${res.code === 0 ? 'no response' : res.grpc && res.grpc !== '0' ? `grpc-status ${res.grpc}` : res.code}`;
            if (call.propagateErrors) {
              dependencyFailed = true;
              failedCall ??= what;
            } else if (this.logs)
              logApp(
                this,
                w,
                this.servingPod,
                start + sequential,
                'WARN',
                `call to ${what}; going on without it (request_id=${req.meta?.requestId ?? '-'})`,
              );
          }
        }
      }
    }
    ms += sequential + parallel;
    const error = dependencyFailed || (spec.errorRate > 0 && r() < spec.errorRate);
    const res = this.reply(spec, protocol, error, dependencyFailed, ms);
    if (this.logs && protocol !== 'tcp') {
      const status = res.grpc && res.grpc !== '0' ? `${res.code} grpc-status ${res.grpc}` : String(res.code);
      const line = `${req.method} ${req.path} ${status} ${ms.toFixed(1)}ms request_id=${req.meta?.requestId ?? '-'}`;
      logApp(
        this,
        w,
        this.servingPod,
        start + ms,
        error ? 'ERROR' : 'INFO',
        error
          ? `${line} ${failedCall ? `upstream call to ${failedCall}` : 'internal error while handling the request'}`
          : line,
      );
    }
    this.clock = start;
    this.servingPod = outer;
    return res;
  }

  private reply(
    spec: WorkloadRt['spec'],
    protocol: Protocol,
    error: boolean,
    dependencyFailed: boolean,
    ms: number,
  ): CallResult {
    const r = this.random;
    if (protocol === 'tcp') return { code: 0, grpc: '', ms, bytes: 0 };
    if (!error)
      return { code: 200, grpc: protocol === 'grpc' ? '0' : '', ms, bytes: jitter(r, spec.responseBytes) };
    if (protocol === 'grpc') {
      const codes = Object.keys(spec.grpcErrorCodes);
      const grpc = dependencyFailed ? '13' : codes[pickWeighted(r, Object.values(spec.grpcErrorCodes))]!;
      return { code: 200, grpc, ms, bytes: jitter(r, 150) };
    }
    const codes = Object.keys(spec.errorCodes);
    const code = dependencyFailed ? 500 : Number(codes[pickWeighted(r, Object.values(spec.errorCodes))]);
    return { code, grpc: '', ms, bytes: jitter(r, 250) };
  }

  private callRt(w: WorkloadRt, call: CallSpec): CallRt {
    const key = `${w.key}|${call.to}|${call.port}|${call.protocol ?? ''}`;
    let c = this.callCache.get(key);
    if (!c) {
      const cfg = this.world.config;
      const fqdn = resolveHost(cfg, call.to, w.namespace);
      c = {
        spec: call,
        fqdn,
        protocol: this.world.callProtocol(call, fqdn),
        authority: call.port === 80 ? call.to : `${call.to}:${call.port}`,
      };
      this.callCache.set(key, c);
    }
    return c;
  }

  /** One outbound call of workload `w`, made while serving `inbound`. */
  call(w: WorkloadRt, spec: CallSpec, inbound: SimRequest, depth: number): CallResult {
    this.stats.calls++;
    const c = this.callRt(w, spec);
    const r = this.random;
    const req: SimRequest = spec.paths
      ? {
          path: spec.paths[
            pickWeighted(
              r,
              spec.paths.map((p) => p.weight),
            )
          ]!.path,
          method: spec.method,
          headers: {},
        }
      : { path: inbound.path, method: inbound.method, headers: {} };
    if (spec.forwardHeaders) req.headers = inbound.headers;
    if (inbound.trace) req.trace = inbound.trace;
    if (inbound.meta)
      req.meta = w.gateway
        ? inbound.meta
        : { requestId: inbound.meta.requestId, userAgent: inbound.meta.userAgent ?? '' };
    if (!w.sidecar && !w.gateway) return unmeshedCall(this, w, c, req, depth);
    if (c.protocol === 'tcp') return tcpCall(this, w, c, req, depth);
    return httpCall(this, w, c, req, depth);
  }

  /** @internal */
  countEdge(w: WorkloadRt, service: string, protocol: Protocol): void {
    const k = `${w.key} -> ${service} (${protocol})`;
    this.edgeCounts.set(k, (this.edgeCounts.get(k) ?? 0) + 1);
  }

  /** @internal */
  mode(cfg: MeshConfig, pod: PodView, port: number | undefined) {
    const k = `${pod.namespace}/${pod.workload}|${port ?? ''}`;
    let m = this.paCache.get(k);
    if (!m) this.paCache.set(k, (m = peerAuthMode(cfg, pod.namespace, pod.labels, port)));
    return m;
  }

  /** @internal */
  pickPod(pods: PodView[], avoid: Set<string>): PodView {
    const fresh = avoid.size ? pods.filter((p) => !avoid.has(p.name)) : pods;
    const from = fresh.length ? fresh : pods;
    return from[Math.floor(this.random() * from.length)]!;
  }

  /** Records one HTTP/gRPC sample (and the gRPC message counters). @internal */
  sample(x: HopSample): void {
    this.store.recordHttp({
      reporter: x.reporter,
      source: x.source,
      destination: x.destination,
      protocol: x.protocol,
      code: x.reply.code,
      grpcStatus: x.protocol === 'grpc' ? x.reply.grpc : '',
      flags: x.flags.length ? x.flags.join(',') : '-',
      security: x.security,
      durationMs: x.ms,
      requestBytes: x.requestBytes,
      responseBytes: x.responseBytes,
      buckets: x.proxy.histograms,
    });
    if (x.messages)
      this.store.recordMessages(
        x.reporter,
        x.source,
        x.destination,
        x.messages.request,
        x.responseMessages ?? 0,
      );
  }
}

/** Pods (`namespace/name`) and their containers, for the log store. */
function podContainers(inventory: Inventory): Map<string, string[]> {
  return new Map(inventory.pods.map((p) => [`${p.namespace}/${p.name}`, p.containers ?? []]));
}
