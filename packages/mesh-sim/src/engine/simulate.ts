/**
 * The request simulation: each request entering the mesh is followed through every hop it causes. At each
 * hop the caller's proxy routes it with the evaluator and the outcome is turned into the samples real
 * sidecars would record (TRAFFIC-SEMANTICS.md §8): source and destination samples, local replies (NR, NC,
 * UH, UO, FI), retries with one destination sample per attempt, timeouts, mirroring, mTLS.
 * Callers' latency includes their callees'. Time is simulated; nothing sleeps and nothing goes on the wire.
 */
import {
  circuitBreakerLimits,
  connectionSecurityPolicy,
  evaluateHttp,
  evaluateTcp,
  isRetriable,
  outlierDetectionSettings,
  peerAuthMode,
  resolveCluster,
  resolveHost,
  retryBackoffMs,
  serverAcceptsConnection,
  type HttpOutcome,
  type MeshConfig,
  type UpstreamFailure,
} from '@meshlens/istio';
import { FragmentTable, type Fragment } from '../metrics/labels';
import { MetricsStore } from '../metrics/store';
import { countWithMean, pickWeighted, poisson, seededRandom, type Random } from '../random';
import type { CallSpec, EntrySpec, Protocol, Scenario } from '../scenario/schema';
import type { Inventory, PodView } from './inventory';
import { ConnectionPools, OutlierDetector, poolCapacity } from './pool';
import { LOCAL_REPLY_BYTES, failed, hopOverhead, jitter, localReply, type Reply } from './util';
import { World, type ExternalRt, type WorkloadRt } from './world';

export interface SimRequest {
  path: string;
  method: string;
  headers: Record<string, string>;
}

/** What the calling application sees. */
export interface CallResult extends Reply {
  ms: number;
  bytes: number;
}

interface CallRt {
  spec: CallSpec;
  fqdn: string;
  protocol: Protocol;
  /** Host header as the app sends it. */
  authority: string;
}

export interface EngineOptions {
  seed?: number;
  rateScale?: number;
}

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

  constructor(
    readonly scenario: Scenario,
    inventory: Inventory,
    options: EngineOptions = {},
  ) {
    this.random = seededRandom(options.seed ?? 1);
    this.rateScale = options.rateScale ?? 1;
    this.world = new World(scenario, inventory, this.fragments);
  }

  /** Swaps in a new view of the cluster; the next request sees it. */
  setInventory(inventory: Inventory): void {
    this.world = new World(this.scenario, inventory, this.fragments);
    this.callCache = new Map();
    this.paCache = new Map();
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
      for (let i = 0; i < n; i++) this.entryRequest(entry);
    }
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
    return this.serve(
      w,
      { path, method: request?.method ?? entry.method, headers: request?.headers ?? headers },
      'http',
      0,
    );
  }

  /** A workload's app handling one request: its own time, its calls, its errors. */
  serve(w: WorkloadRt, req: SimRequest, protocol: Protocol, depth: number): CallResult {
    const spec = w.spec;
    const r = this.random;
    let ms = w.latency(r);
    let sequential = 0;
    let parallel = 0;
    let dependencyFailed = false;
    if (depth < MAX_DEPTH) {
      for (const call of spec.calls) {
        if (call.onPaths && !call.onPaths.some((p) => req.path.startsWith(p))) continue;
        const n = countWithMean(r, call.perRequest);
        for (let i = 0; i < n; i++) {
          const res = this.call(w, call, req, depth + 1);
          if (call.parallel) parallel = Math.max(parallel, res.ms);
          else sequential += res.ms;
          if (call.propagateErrors && failed(res)) dependencyFailed = true;
        }
      }
    }
    ms += sequential + parallel;
    const error = dependencyFailed || (spec.errorRate > 0 && r() < spec.errorRate);
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
    if (!w.sidecar && !w.gateway) return this.unmeshedCall(w, c, req, depth);
    if (c.protocol === 'tcp') return this.tcpCall(w, c, req, depth);
    return this.httpCall(w, c, req, depth);
  }

  private countEdge(w: WorkloadRt, service: string, protocol: Protocol): void {
    const k = `${w.key} -> ${service} (${protocol})`;
    this.edgeCounts.set(k, (this.edgeCounts.get(k) ?? 0) + 1);
  }

  private mode(cfg: MeshConfig, pod: PodView, port: number | undefined) {
    const k = `${pod.namespace}/${pod.workload}|${port ?? ''}`;
    let m = this.paCache.get(k);
    if (!m) this.paCache.set(k, (m = peerAuthMode(cfg, pod.namespace, pod.labels, port)));
    return m;
  }

  private pickPod(pods: PodView[], avoid: Set<string>): PodView {
    const fresh = avoid.size ? pods.filter((p) => !avoid.has(p.name)) : pods;
    const from = fresh.length ? fresh : pods;
    return from[Math.floor(this.random() * from.length)]!;
  }

  private serveExternal(ext: ExternalRt, protocol: 'http' | 'grpc'): CallResult {
    const r = this.random;
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

  private httpCall(w: WorkloadRt, c: CallRt, req: SimRequest, depth: number): CallResult {
    const r = this.random;
    const world = this.world;
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
      this.sample(
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
      this.countEdge(w, c.authority, protocol);
      return local(404, ['NR'], world.destinationWithoutPeer(c.authority, c.authority), hopOverhead(r));
    }
    if (outcome.kind === 'noCluster') {
      this.countEdge(w, c.authority, protocol);
      return local(503, ['NC'], world.destinationWithoutPeer(c.authority, c.authority), hopOverhead(r));
    }
    const dest = outcome.destination;
    const svc = world.services.get(dest.host);
    const ext = svc ? undefined : world.externals.get(dest.host);
    const svcId = { fqdn: dest.host, name: svc ? svc.name : ext ? dest.host : dest.host.split('.')[0]! };
    this.countEdge(w, dest.host, protocol);
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
    this.mirror(w, c, outcome, req, protocol, depth);

    const pods = svc
      ? outcome.subsetLabels
        ? svc.pods.filter((p) => hasLabels(p, outcome.subsetLabels!))
        : svc.pods
      : [];
    const clusterKey = `${w.key}>${dest.host}|${dest.port ?? ''}|${dest.subset ?? ''}`;
    const od = outlierDetectionSettings(outcome.policy);
    const hosts = od ? this.outliers.available(clusterKey, pods, this.now, od) : pods;
    if (!ext && hosts.length === 0) return local(503, [...flags, 'UH'], noPeer, delay + hopOverhead(r));
    const limits = circuitBreakerLimits(outcome.policy);
    const extraMs = limits.maxRequestsPerConnection === 1 ? 1 : 0;
    if (this.pools.overflows(clusterKey, poolCapacity(limits, protocol), w.pods.length, extraMs, r))
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
        const res = this.serveExternal(ext, protocol);
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
        const pod = this.pickPod(hosts, retries.retryOtherHosts === false ? new Set() : tried);
        tried.add(pod.name);
        const dw = world.workloadOf(pod)!;
        const mode = pod.sidecar ? this.mode(cfg, pod, dest.port) : 'PERMISSIVE';
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
            : this.serve(dw, req, protocol, depth);
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
              this.sample(
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
              this.sample(
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
        this.pools.complete(clusterKey, attemptMs);
        // Outlier detection sees HTTP statuses (a gRPC error rides on 200) and local-origin failures.
        if (od)
          this.outliers.record(
            clusterKey,
            pod.name,
            pods.length,
            reply.code,
            cause !== undefined,
            this.now,
            od,
          );
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
    this.sample(
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
  private mirror(
    w: WorkloadRt,
    c: CallRt,
    outcome: Extract<HttpOutcome, { kind: 'route' }>,
    req: SimRequest,
    protocol: 'http' | 'grpc',
    depth: number,
  ) {
    const targets = outcome.mirrors ?? (outcome.mirror ? [outcome.mirror] : []);
    for (const m of targets) {
      const svc = this.world.services.get(m.host);
      if (!svc) continue;
      const cfg = this.world.config;
      const cluster = resolveCluster(cfg, w.caller, m);
      if (!cluster.ok) continue;
      const pods = cluster.subsetLabels
        ? svc.pods.filter((p) => hasLabels(p, cluster.subsetLabels!))
        : svc.pods;
      if (pods.length === 0) continue;
      const pod = this.pickPod(pods, new Set());
      const dw = this.world.workloadOf(pod)!;
      const res = this.serve(dw, req, protocol, depth);
      if (!pod.sidecar) continue;
      const mode = this.mode(cfg, pod, m.port);
      if (!serverAcceptsConnection(cluster.clientMtls, mode)) continue;
      const peer = this.world.destination(dw, { fqdn: svc.fqdn, name: svc.name }, cluster.clientMtls, true);
      const messages = protocol === 'grpc' ? c.spec.messages : undefined;
      this.sample(
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

  private tcpCall(w: WorkloadRt, c: CallRt, req: SimRequest, depth: number): CallResult {
    const r = this.random;
    const world = this.world;
    const cfg = world.config;
    const outcome = evaluateTcp(cfg, w.caller, c.spec.to, c.spec.port, r);
    const local = (flag: string, dest: Fragment): CallResult => {
      this.store.recordTcp({
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
      this.countEdge(w, c.authority, 'tcp');
      return local(outcome.kind === 'noCluster' ? 'NC' : 'NR', world.destinationWithoutPeer(c.fqdn, c.fqdn));
    }
    const dest = outcome.destination;
    const svc = world.services.get(dest.host);
    const ext = svc ? undefined : world.externals.get(dest.host);
    const svcId = { fqdn: dest.host, name: svc ? svc.name : dest.host };
    this.countEdge(w, dest.host, 'tcp');
    const noPeer = world.destinationWithoutPeer(svcId.fqdn, svcId.name);
    const sent = jitter(r, c.spec.tcpBytes.sent);
    const received = jitter(r, c.spec.tcpBytes.received);
    if (ext) {
      const ms = ext.latency(r);
      this.store.recordTcp({
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
      this.pools.overflows(
        clusterKey,
        poolCapacity(circuitBreakerLimits(outcome.policy), 'tcp'),
        w.pods.length,
        0,
        r,
      )
    )
      return local('UO', noPeer);
    const pod = this.pickPod(pods, new Set());
    const dw = world.workloadOf(pod)!;
    const mtls = outcome.clientMtls && pod.sidecar;
    const mode = pod.sidecar ? this.mode(cfg, pod, dest.port) : 'PERMISSIVE';
    const peer = world.destination(dw, svcId, mtls, pod.sidecar);
    if (pod.sidecar && !serverAcceptsConnection(outcome.clientMtls, mode)) return local('UF', peer);
    const res = this.serve(dw, req, 'tcp', depth);
    const ms = res.ms + hopOverhead(r);
    this.pools.complete(clusterKey, ms);
    this.store.recordTcp({
      reporter: 'source',
      source: w.source[mtls ? 1 : 0],
      destination: peer,
      flags: '-',
      security: 'unknown',
      sent,
      received,
    });
    if (pod.sidecar)
      this.store.recordTcp({
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
  private unmeshedCall(w: WorkloadRt, c: CallRt, req: SimRequest, depth: number): CallResult {
    const r = this.random;
    const svc = this.world.services.get(c.fqdn);
    if (!svc || svc.pods.length === 0) {
      this.stats.refused++;
      return { code: 503, grpc: '', ms: 1, bytes: 0 };
    }
    this.countEdge(w, c.fqdn, c.protocol);
    const pod = this.pickPod(svc.pods, new Set());
    const dw = this.world.workloadOf(pod)!;
    const cfg = this.world.config;
    const mode = pod.sidecar ? this.mode(cfg, pod, c.spec.port) : 'PERMISSIVE';
    if (pod.sidecar && mode === 'STRICT') {
      // Plaintext into a STRICT sidecar: the connection is closed; nothing is recorded anywhere.
      this.stats.refused++;
      return { code: 0, grpc: '', ms: hopOverhead(r), bytes: 0 };
    }
    const protocol = c.protocol;
    const res = this.serve(dw, req, protocol, depth);
    if (!pod.sidecar) return res;
    const peer = this.world.destination(dw, { fqdn: svc.fqdn, name: svc.name }, false, true);
    const src = this.world.unknownSource;
    if (protocol === 'tcp') {
      this.store.recordTcp({
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
      this.sample(
        'destination',
        src,
        peer,
        protocol,
        res,
        [],
        'none',
        res.ms,
        jitter(r, c.spec.requestBytes),
        res.bytes,
        messages,
        messages?.response ?? 0,
      );
    }
    return res;
  }

  private sample(
    reporter: 'source' | 'destination',
    source: Fragment,
    destination: Fragment,
    protocol: 'http' | 'grpc',
    reply: Reply,
    flags: string[],
    security: 'mutual_tls' | 'none' | 'unknown',
    ms: number,
    requestBytes: number,
    responseBytes: number,
    messages: { request: number; response: number } | undefined,
    responseMessages: number,
  ): void {
    this.store.recordHttp({
      reporter,
      source,
      destination,
      protocol,
      code: reply.code,
      grpcStatus: protocol === 'grpc' ? reply.grpc : '',
      flags: flags.length ? flags.join(',') : '-',
      security,
      durationMs: ms,
      requestBytes,
      responseBytes,
    });
    if (messages)
      this.store.recordMessages(reporter, source, destination, messages.request, responseMessages);
  }
}

function hasLabels(p: PodView, labels: Record<string, string>): boolean {
  for (const k in labels) if (p.labels[k] !== labels[k]) return false;
  return true;
}
