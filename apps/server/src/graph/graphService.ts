import { promisify } from 'node:util';
import { constants, gunzipSync, gzip } from 'node:zlib';
import { DEFAULT_COMPARE_WINDOW_SECONDS } from '@meshlens/contract';
import type { GraphDebug, GraphResponse, GraphWarning } from '@meshlens/contract';
import type { Logger } from 'pino';
import type { HealthRule } from '../health/tolerances';
import { clusterWarnings } from '../inventory/clusters';
import type { InventorySnapshot } from '../inventory/types';
import { PrometheusError, type PrometheusClient } from '../prometheus/client';
import { startGraph } from './buildGraph';
import { compareWindows, mergeCompare, windowQuery } from './compare';
import { jsonBytes } from './jsonBytes';
import type { TrafficSample } from './model';
import { toSamples } from './samples';
import type { ComputationLimiter } from './limits';
import { buildGraphQueries, type GraphPromQuery, type PipelineQuery } from './queries';
import { neededQueries } from './steps';

export interface GraphServiceDeps {
  prometheus: PrometheusClient;
  inventory: () => InventorySnapshot;
  healthRules: readonly HealthRule[];
  cluster: string;
  /** Reuse an answer this long (ms); 0 disables the cache (in-flight sharing stays). */
  cacheTtlMs: number;
  logger: Logger;
  onAnswer?: (answer: 'computed' | 'shared' | 'cached', seconds?: number) => void;
  now?: () => number;
  /** Called after each computed answer (the heap trimmer, see ../heap.ts). */
  afterAnswer?: () => void;
  /** Bytes of answers kept at most (default 64 MiB): a large mesh's answer is megabytes. */
  cacheMaxBytes?: number;
  /** Counts each computation (not cached, not in flight) against its client; throws past the limit. */
  limiter?: ComputationLimiter;
}

export const DEFAULT_CACHE_MAX_BYTES = 64 * 1024 * 1024;

const gzipAsync = promisify(gzip);

interface Computed {
  /**
   * The answer serialized and gzipped once, right after it is built, and shared by every client it is
   * sent to. Only these bytes are kept (cached): a large graph's JSON is megabytes, its object tree many
   * times that, gzip a sixth of it — and over `kubectl port-forward` the bytes sent are what users wait on.
   */
  gzip: Buffer;
  /**
   * The same answer as plain JSON, kept (not cached) when the request that computed it asked for `debug`,
   * which is sent unzipped: it need not be gunzipped again.
   */
  json?: Buffer;
  debug: GraphDebug;
  cacheable: boolean;
}

interface Built {
  response: GraphResponse;
  debug: GraphDebug;
  cacheable: boolean;
}

/** How long an answer with Prometheus warnings is reused. */
export const FAILED_ANSWER_TTL_MS = 2000;

const WARNING_CODE: Record<PrometheusError['kind'], string> = {
  timeout: 'PrometheusTimeout',
  unreachable: 'PrometheusUnavailable',
  http: 'PrometheusError',
  bad_data: 'PrometheusError',
};

/**
 * The cache key: the parsed query (durations in seconds, namespaces sorted and de-duplicated, protocols in
 * one order, booleans parsed, appenders in one order), every field in a fixed order, without `debug` (it does not change the
 * computation), and with what a graph type ignores made equal: service graphs always have service nodes.
 * So parameter order and equivalent spellings (`5m` / `300`, `a,b` / `b,a`, `true` / `1`) share one entry.
 * A node graph's focus is part of it: its answer holds only the entity's traffic.
 */
export function graphKey(q: PipelineQuery): string {
  return JSON.stringify([
    q.namespaces,
    q.graphType,
    q.duration,
    q.queryTime ?? null,
    q.graphType === 'service' ? true : q.injectServiceNodes,
    q.includeIdle,
    q.boxBy,
    q.responseTime,
    q.protocols,
    q.rateHttp,
    q.rateGrpc,
    q.rateTcp,
    q.appenders,
    q.focus ? [q.focus.kind, q.focus.namespace, q.focus.name] : null,
    q.compare ?? null,
    q.compare === undefined ? null : (q.compareWindow ?? DEFAULT_COMPARE_WINDOW_SECONDS),
  ]);
}

export interface GraphService {
  /** `client`: who a new computation counts against (see limits.ts). */
  getGraph(q: PipelineQuery, client?: string): Promise<GraphResponse>;
  /**
   * The same answer as bytes: gzipped when the client accepts it (then without `debug` they are the
   * bytes made once per computation, shared by every client), else plain JSON.
   */
  getGraphBody(
    q: PipelineQuery,
    acceptsGzip: boolean,
    client?: string,
  ): Promise<{ body: Buffer; gzipped: boolean }>;
  /** Entries currently cached / in flight, and the bytes the cached answers hold (for tests and /metrics). */
  stats(): { cached: number; inFlight: number; cachedBytes: number };
}

/**
 * Graph answers at a fixed cost: the PromQL of buildGraphQueries that the request's steps need (requests,
 * mTLS, TCP; +1 for gRPC messages; +1 each for the responseTime and throughput appenders, so 5 when
 * `appenders` is absent), identical requests in
 * flight share one computation, and an answer is reused for cacheTtlMs. A failing or slow Prometheus
 * gives the inventory graph with a warning; such answers are reused for 2 s at most.
 */
export function createGraphService(deps: GraphServiceDeps): GraphService {
  const now = deps.now ?? Date.now;
  const cache = new Map<string, { expires: number; value: Computed }>();
  const inFlight = new Map<string, Promise<Computed>>();
  const maxBytes = deps.cacheMaxBytes ?? DEFAULT_CACHE_MAX_BYTES;
  let cachedBytes = 0;
  const drop = (key: string) => {
    const entry = cache.get(key);
    if (!entry) return;
    cachedBytes -= entry.value.gzip.length;
    cache.delete(key);
  };
  /** Makes room for `bytes`: expired answers go first, then the oldest (Map order is insertion order). */
  const makeRoom = (bytes: number, t: number) => {
    for (const [k, v] of cache) if (v.expires <= t) drop(k);
    for (const k of cache.keys()) {
      if (cachedBytes + bytes <= maxBytes && cache.size < 500) break;
      drop(k);
    }
  };

  /**
   * The answer: one pipeline run, or with `compare` two (one per window, the same fixed query set each,
   * run in parallel) merged into one answer (compare.ts).
   */
  async function compute(q: PipelineQuery): Promise<Computed> {
    const started = performance.now();
    let built: Built;
    if (q.compare === undefined) built = await computeResponse(q);
    else {
      const windows = compareWindows(q, now() / 1000);
      const [before, after] = await Promise.all([
        computeResponse(windowQuery(q, windows.before)),
        computeResponse(windowQuery(q, windows.after)),
      ]);
      const t = performance.now();
      const response = mergeCompare(before.response, after.response, windows);
      const prefixed = (label: string, d: GraphDebug) =>
        d.queries.map((x) => ({ ...x, name: `${label}:${x.name}` }));
      built = {
        response,
        debug: {
          queries: [...prefixed('before', before.debug), ...prefixed('after', after.debug)],
          shared: false,
          buildMs: round(before.debug.buildMs + after.debug.buildMs + performance.now() - t),
        },
        cacheable: before.cacheable && after.cacheable,
      };
    }
    const json = jsonBytes(built.response);
    // Fastest level: a few ms per MB, on libuv's thread pool rather than the event loop.
    const body = await gzipAsync(json, { level: constants.Z_BEST_SPEED });
    deps.afterAnswer?.();
    deps.onAnswer?.('computed', (performance.now() - started) / 1000);
    return { gzip: body, json: q.debug ? json : undefined, debug: built.debug, cacheable: built.cacheable };
  }

  /** One pipeline run: the graph of one window. */
  async function computeResponse(q: PipelineQuery): Promise<Built> {
    const time = q.queryTime ?? Math.round(now()) / 1000;
    // Only the queries the request's steps need: no response-time or throughput query unless asked.
    const needed = neededQueries(q);
    const queries = buildGraphQueries(q).filter((pq) => needed.has(pq.name));
    type Answer = { ms: number; series: number; samples: TrafficSample[] };
    // Each answer becomes typed samples as soon as it arrives: its raw JSON objects are dropped at once.
    const ask = (promql: string): Promise<Answer> =>
      deps.prometheus.query(promql, { time }).then((r) => ({
        ms: r.ms,
        series: r.samples.length,
        samples: toSamples(r.samples),
      }));
    /** A query, or its parts in parallel (queries.ts): one answer, as long as the slowest part. */
    const run = (pq: GraphPromQuery): Promise<Answer> =>
      pq.parts
        ? Promise.all(pq.parts.map(ask)).then((rs) => ({
            ms: Math.max(...rs.map((r) => r.ms)),
            series: rs.reduce((n, r) => n + r.series, 0),
            samples: rs.flatMap((r) => r.samples),
          }))
        : ask(pq.promql);
    const pending = new Map<GraphPromQuery['name'], Promise<PromiseSettledResult<Answer>>>(
      queries.map((pq) => [
        pq.name,
        run(pq).then(
          (value): PromiseSettledResult<Answer> => ({ status: 'fulfilled', value }),
          (reason: unknown): PromiseSettledResult<Answer> => ({ status: 'rejected', reason }),
        ),
      ]),
    );
    const debug: GraphDebug = { queries: [], shared: false, buildMs: 0 };
    const failures: { code: string; message: string }[] = [];
    let buildMs = 0;
    const timed = <T>(f: () => T): T => {
      const t = performance.now();
      const out = f();
      buildMs += performance.now() - t;
      return out;
    };
    /** The samples of one query once it has answered (undefined if it failed or was not asked). */
    const read = async (name: GraphPromQuery['name']): Promise<TrafficSample[] | undefined> => {
      const r = await pending.get(name);
      const pq = queries.find((x) => x.name === name);
      const promql = pq?.promql ?? '';
      const parts = pq?.parts ? { parts: pq.parts.length } : {};
      if (!r) return undefined;
      if (r.status === 'fulfilled') {
        debug.queries.push({ name, promql, ms: round(r.value.ms), series: r.value.series, ...parts });
        return r.value.samples;
      }
      const err = r.reason as Error;
      const code = err instanceof PrometheusError ? WARNING_CODE[err.kind] : 'PrometheusError';
      debug.queries.push({ name, promql, ms: 0, series: 0, error: err.message, ...parts });
      if (!failures.some((f) => f.code === code)) failures.push({ code, message: err.message });
      return undefined;
    };
    const reads = new Map<GraphPromQuery['name'], Promise<TrafficSample[] | undefined>>();
    /** `read` once per query, however many steps need it. */
    const answer = (name: GraphPromQuery['name']) => {
      let r = reads.get(name);
      if (!r) reads.set(name, (r = read(name)));
      return r;
    };
    // The traffic map needs the request, TCP and mTLS answers; it is built while Prometheus still
    // computes response times and throughput (usually the slower queries).
    const [requests, tcp, mtls, grpcMessages] = await Promise.all([
      answer('requests'),
      answer('tcp'),
      answer('mtls'),
      answer('grpcMessages'),
    ]);
    const requestsFailed = pending.has('requests')
      ? !requests
      : pending.has('grpcMessages')
        ? !grpcMessages
        : pending.has('tcp') && !tcp;
    const inventory = deps.inventory();
    const context = {
      inventory,
      healthRules: deps.healthRules,
      cluster: deps.cluster,
      timestamp: time,
      forceInventory: requestsFailed,
    };
    const graph = timed(() => startGraph(q, { requests, tcp, mtls, grpcMessages }, inventory));
    // Each step that only sets edge values (response times, throughput) runs when its answers arrive;
    // the other steps run meanwhile.
    const applied = Promise.all(
      graph.deferred.map(async (step) => {
        const got = await Promise.all(step.needs.map(async (n) => [n, await answer(n)] as const));
        timed(() => graph.run(step, Object.fromEntries(got.filter(([, v]) => v !== undefined))));
      }),
    );
    timed(() => graph.prepare(context));
    await applied;
    pending.clear();
    reads.clear();
    // In the order the queries were issued, whatever order they answered in.
    debug.queries.sort((a, b) => order(queries, a.name) - order(queries, b.name));

    const warnings: GraphWarning[] = [];
    for (const f of failures) {
      const effect = requestsFailed ? 'showing the inventory without traffic' : 'some rates are missing';
      warnings.push({ code: f.code, message: `${f.message}; ${effect}` });
    }
    if (failures.length) deps.logger.warn({ warnings }, 'graph built without some Prometheus answers');
    const promWarnings = warnings.length > 0;
    if (!inventory.synced)
      warnings.push({
        code: 'InventoryNotSynced',
        message:
          'the Kubernetes inventory is still loading; idle nodes, badges and sidecar flags may be missing',
      });
    if (inventory.failing.length)
      warnings.push({
        code: 'InventoryWatchBroken',
        message: `watches of ${inventory.failing.join(', ')} are reconnecting; their objects may be stale`,
      });
    warnings.push(...clusterWarnings(inventory));
    if (inventory.synced) {
      const known = new Set(inventory.namespaces.map((n) => n.name));
      const missing = q.namespaces.filter((n) => !known.has(n));
      if (missing.length)
        warnings.push({
          code: 'NamespaceNotFound',
          message: `no such namespace: ${missing.slice(0, 10).join(', ')}`,
        });
    }
    const response = timed(() => graph.finish({ ...context, warnings }));
    debug.buildMs = round(buildMs);
    return { response, debug, cacheable: !promWarnings };
  }

  /** The JSON body, with `debug` as its last key as `{ ...response, debug }` would serialize. */
  function identity(c: Computed, q: PipelineQuery, shared: boolean): Buffer {
    const json = c.json ?? gunzipSync(c.gzip);
    if (!q.debug) return json;
    const debug = Buffer.from(`,"debug":${JSON.stringify({ ...c.debug, shared })}}`);
    return Buffer.concat([json.subarray(0, json.length - 1), debug]);
  }

  /** A cached answer or one in flight, else undefined. */
  function reuse(key: string): Promise<Computed> | Computed | undefined {
    const hit = cache.get(key);
    if (hit && hit.expires > now()) {
      deps.onAnswer?.('cached');
      return hit.value;
    }
    if (hit) drop(key);
    const pending = inFlight.get(key);
    if (pending) deps.onAnswer?.('shared');
    return pending;
  }

  async function answer(q: PipelineQuery, client: string): Promise<{ value: Computed; shared: boolean }> {
    const key = graphKey(q);
    let reused = reuse(key);
    if (reused === undefined && deps.limiter) {
      // Only a new computation counts against the client; the same answer may appear meanwhile.
      await deps.limiter.take(client);
      reused = reuse(key);
    }
    if (reused !== undefined) return { value: await reused, shared: true };
    const promise = compute(q);
    inFlight.set(key, promise);
    try {
      const value = await promise;
      // An answer missing some Prometheus data is kept briefly only: long enough that many clients do not
      // turn a struggling Prometheus into a storm of retries, short enough that traffic is back soon.
      const ttl = value.cacheable ? deps.cacheTtlMs : Math.min(deps.cacheTtlMs, FAILED_ANSWER_TTL_MS);
      if (ttl > 0 && value.gzip.length <= maxBytes) {
        drop(key);
        makeRoom(value.gzip.length, now());
        cache.set(key, { expires: now() + ttl, value: { ...value, json: undefined } });
        cachedBytes += value.gzip.length;
      }
      return { value, shared: false };
    } finally {
      inFlight.delete(key);
    }
  }

  return {
    async getGraph(q, client = 'anonymous') {
      const { value, shared } = await answer(q, client);
      return JSON.parse(identity(value, q, shared).toString('utf8')) as GraphResponse;
    },
    async getGraphBody(q, acceptsGzip, client = 'anonymous') {
      const { value, shared } = await answer(q, client);
      if (acceptsGzip && !q.debug) return { body: value.gzip, gzipped: true };
      return { body: identity(value, q, shared), gzipped: false };
    },
    stats: () => ({ cached: cache.size, inFlight: inFlight.size, cachedBytes }),
  };
}

const round = (ms: number) => Math.round(ms * 100) / 100;
const order = (queries: readonly GraphPromQuery[], name: string) => queries.findIndex((q) => q.name === name);
