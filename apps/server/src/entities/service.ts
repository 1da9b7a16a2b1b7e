/**
 * The overview and list answers: a fixed set of PromQL queries per answer (queries.ts) whatever the
 * number of namespaces, the inventory from the informer cache, health from the health module. Identical
 * requests in flight share one computation and an answer is reused for cacheTtlMs.
 */
import {
  namespaceInjection,
  type EntitiesDebugSchema,
  type EntityKind,
  type EntityListResponse,
  type GraphWarning,
  type NamespaceOverview,
  type OverviewResponse,
} from '@meshlens/contract';
import type { z } from 'zod';
import type { HealthRule } from '../health/index';
import type { Inventory } from '../inventory/informers';
import type { InventorySnapshot } from '../inventory/types';
import type { IstioCrds } from '../istio/crds';
import {
  PrometheusError,
  type PrometheusClient,
  type MatrixSeries,
  type VectorSample,
} from '../prometheus/client';
import { istioIndexOf } from './istioRefs';
import { listQueries, seriesQuery, type EntityPromQuery } from './queries';
import { splitRates, type EntityRates } from './rates';
import { buildRows, emptyCounts, namespaceHealth } from './rows';

export interface EntitiesServiceDeps {
  prometheus: PrometheusClient;
  inventory: () => InventorySnapshot;
  /** Raw objects for Istio references and validations (absent: none are shown). */
  objects?: Pick<Inventory, 'list'>;
  crds?: IstioCrds;
  healthRules: readonly HealthRule[];
  istioNamespace: string;
  cacheTtlMs: number;
  timeoutMs?: number;
  now?: () => number;
}

type Debug = z.infer<typeof EntitiesDebugSchema>;

interface Fetched {
  rates: EntityRates;
  series?: MatrixSeries[];
  warnings: GraphWarning[];
  debug: Debug;
  timestamp: number;
}

const NO_OBJECTS: Pick<Inventory, 'list'> = { list: () => [] };
const WARNING_CODE: Record<PrometheusError['kind'], string> = {
  timeout: 'PrometheusTimeout',
  unreachable: 'PrometheusUnavailable',
  http: 'PrometheusError',
  bad_data: 'PrometheusError',
};

/**
 * Sparkline points per namespace: step = duration / SERIES_POINTS, but at least 30 s once the window has
 * 6 points or more of 30 s (and never under 15 s). Each point is the rate over max(60 s, step) (seriesQuery):
 * a 15 s step over a 60 s window read every sample four times, and at 800 namespaces the sparklines read 3x
 * the samples of the inbound query (Prometheus `stats=all`: 242k vs 79k over 5 min); at 30 s they read
 * 1.7x, from a 60 s step on each sample once. Short windows keep 5 points or more.
 */
export const SERIES_POINTS = 20;
export function seriesStep(duration: number): number {
  return Math.max(15, Math.min(30, Math.round(duration / 6)), Math.round(duration / SERIES_POINTS));
}

export interface EntitiesService {
  list(kind: EntityKind, namespaces: readonly string[], duration: number): Promise<EntityListResponse>;
  overview(namespaces: readonly string[], duration: number): Promise<OverviewResponse>;
}

export function createEntitiesService(deps: EntitiesServiceDeps): EntitiesService {
  const now = deps.now ?? Date.now;
  const cache = new Map<string, { expires: number; value: Promise<Fetched> }>();

  /** `scope` undefined = every namespace (no namespace matcher at all). */
  async function fetchRates(scope: readonly string[] | undefined, duration: number, withSeries: boolean) {
    const queries: EntityPromQuery[] = listQueries(scope, duration);
    const timestamp = Math.floor(now() / 1000);
    const step = seriesStep(duration);
    const series = withSeries ? seriesQuery(scope, step) : undefined;
    const warnings: GraphWarning[] = [];
    const debug: Debug = { queries: [] };
    const run = async (q: EntityPromQuery): Promise<VectorSample[]> => {
      const started = performance.now();
      try {
        const r = await deps.prometheus.query(q.promql, { time: timestamp, timeoutMs: deps.timeoutMs });
        debug.queries.push({ name: q.name, promql: q.promql, ms: r.ms, series: r.samples.length });
        return r.samples;
      } catch (err) {
        fail(q, err, started);
        return [];
      }
    };
    const fail = (q: EntityPromQuery, err: unknown, started: number) => {
      const message = err instanceof Error ? err.message : String(err);
      debug.queries.push({
        name: q.name,
        promql: q.promql,
        ms: performance.now() - started,
        series: 0,
        error: message,
      });
      const code = err instanceof PrometheusError ? WARNING_CODE[err.kind] : 'PrometheusError';
      if (!warnings.some((w) => w.code === code)) warnings.push({ code, message });
    };
    const runRange = async (q: EntityPromQuery): Promise<MatrixSeries[]> => {
      const started = performance.now();
      try {
        if (!deps.prometheus.queryRange) return [];
        const r = await deps.prometheus.queryRange(
          q.promql,
          { start: timestamp - duration, end: timestamp, step },
          { timeoutMs: deps.timeoutMs },
        );
        debug.queries.push({ name: q.name, promql: q.promql, ms: r.ms, series: r.series.length });
        return r.series;
      } catch (err) {
        fail(q, err, started);
        return [];
      }
    };
    const [inbound, outbound, tcp, range] = await Promise.all([
      ...queries.map(run),
      series ? runRange(series) : Promise.resolve(undefined),
    ] as [
      Promise<VectorSample[]>,
      Promise<VectorSample[]>,
      Promise<VectorSample[]>,
      Promise<MatrixSeries[] | undefined>,
    ]);
    const split = performance.now();
    const rates = splitRates(inbound, outbound, tcp);
    debug.splitMs = performance.now() - split;
    return { rates, series: range, warnings, debug, timestamp };
  }

  /** Shared and cached per (namespaces, duration, series). */
  function fetchShared(
    namespaces: readonly string[],
    duration: number,
    withSeries: boolean,
  ): Promise<Fetched> {
    const all = deps.inventory().namespaces;
    // Every namespace of the cluster: no matcher (a shorter query, the same answer).
    const scope =
      namespaces.length === all.length && all.every((n) => namespaces.includes(n.name))
        ? undefined
        : namespaces;
    const keyOf = (series: boolean) => JSON.stringify([scope ?? '*', duration, series]);
    const key = keyOf(withSeries);
    const t = now();
    for (const [k, v] of cache) if (v.expires <= t) cache.delete(k);
    // A list needs no series: the overview's answer for the same namespaces serves it too.
    const hit = cache.get(key) ?? (withSeries ? undefined : cache.get(keyOf(true)));
    if (hit) return hit.value;
    const value = fetchRates(scope, duration, withSeries);
    // In flight: shared until it settles; then kept for cacheTtlMs (answers with warnings for 2 s at most).
    cache.set(key, { expires: Number.POSITIVE_INFINITY, value });
    value.then(
      (f) => {
        const ttl = f.warnings.length ? Math.min(2000, deps.cacheTtlMs) : deps.cacheTtlMs;
        if (ttl > 0) cache.set(key, { expires: now() + ttl, value });
        else cache.delete(key);
      },
      () => cache.delete(key),
    );
    return value;
  }

  function inventoryWarnings(snap: InventorySnapshot): GraphWarning[] {
    return snap.synced
      ? []
      : [
          {
            code: 'InventoryNotSynced',
            message: 'the Kubernetes inventory is still loading; the answer may be partial',
          },
        ];
  }

  /**
   * Built answers, per fetched rates and inventory version: a client polling within the TTL gets the
   * answer already built (rows of 2,400 services and their health take ~100 ms to build at 800 namespaces).
   */
  const built = new WeakMap<Fetched, Map<string, { snap: InventorySnapshot; body: unknown }>>();
  function memoized<T extends { debug?: Debug }>(
    f: Fetched,
    snap: InventorySnapshot,
    key: string,
    build: () => T,
  ): T {
    const answers = built.get(f) ?? built.set(f, new Map()).get(f)!;
    const hit = answers.get(key);
    if (hit?.snap === snap) return hit.body as T;
    const started = performance.now();
    const answer = build();
    const body: T = { ...answer, debug: { ...f.debug, buildMs: performance.now() - started } };
    answers.set(key, { snap, body });
    return body;
  }

  const indexOf = (snap: InventorySnapshot) =>
    istioIndexOf(snap, deps.objects ?? NO_OBJECTS, deps.objects ? deps.crds : undefined);

  const service: EntitiesService = {
    async list(kind, namespaces, duration) {
      const f = await fetchShared(namespaces, duration, false);
      const snap = deps.inventory();
      return memoized(f, snap, JSON.stringify([kind, duration, namespaces]), () =>
        buildList(kind, namespaces, duration, f, snap),
      );
    },

    async overview(namespaces, duration) {
      const f = await fetchShared(namespaces, duration, true);
      const snap = deps.inventory();
      return memoized(f, snap, JSON.stringify(['overview', duration, namespaces]), () =>
        buildOverview(namespaces, duration, f, snap),
      );
    },
  };

  function buildList(
    kind: EntityKind,
    namespaces: readonly string[],
    duration: number,
    f: Fetched,
    snap: InventorySnapshot,
  ): EntityListResponse {
    const rows = buildRows(kind, {
      snapshot: snap,
      rates: f.rates,
      index: indexOf(snap),
      rules: deps.healthRules,
      namespaces: new Set(namespaces),
    });
    return {
      kind,
      namespaces: [...namespaces],
      timestamp: f.timestamp,
      duration,
      rows,
      warnings: [...inventoryWarnings(snap), ...f.warnings],
      debug: f.debug,
    };
  }

  function buildOverview(
    namespaces: readonly string[],
    duration: number,
    f: Fetched,
    snap: InventorySnapshot,
  ): OverviewResponse {
    const index = indexOf(snap);
    const input = {
      snapshot: snap,
      rates: f.rates,
      index,
      rules: deps.healthRules,
      namespaces: new Set(namespaces),
    };
    const counts = namespaceHealth(input);
    const series = new Map<string, [number, number][]>();
    for (const s of f.series ?? [])
      series.set(
        s.metric.destination_service_namespace ?? '',
        s.values.map(([t, v]) => [t, Number(v)]),
      );
    const meshMode = index.mtls.get(deps.istioNamespace);
    const selected = new Set(namespaces);
    const out: NamespaceOverview[] = snap.namespaces
      .filter((n) => selected.has(n.name))
      .map((n) => {
        const nsMode = index.mtls.get(n.name);
        const t = counts.traffic.get(n.name) ?? { rps: 0, errorRate: 0 };
        return {
          name: n.name,
          labels: n.labels,
          injection: namespaceInjection(n.labels),
          mtls: nsMode
            ? { mode: nsMode, source: 'namespace' as const }
            : meshMode
              ? { mode: meshMode, source: 'mesh' as const }
              : { mode: 'PERMISSIVE' as const, source: 'default' as const },
          health: {
            apps: counts.apps.get(n.name) ?? emptyCounts(),
            workloads: counts.workloads.get(n.name) ?? emptyCounts(),
            services: counts.services.get(n.name) ?? emptyCounts(),
          },
          validations: index.counts.get(n.name) ?? { objects: 0, valid: 0, warnings: 0, errors: 0 },
          traffic: {
            inboundRps: t.rps,
            errorRate: t.errorRate,
            series: series.get(n.name) ?? [],
          },
        };
      });
    return {
      timestamp: f.timestamp,
      duration,
      namespaces: out,
      warnings: [...inventoryWarnings(snap), ...f.warnings],
      debug: f.debug,
    };
  }

  return service;
}
