/**
 * A service's live load for the routing wizards' preview of the effect: requests/s per version now and at
 * its peak over the last hour, per caller now, and each version's pods. Two PromQL queries whatever the
 * mesh's size (one per figure, grouped once); pods from the informer cache. Reads of a namespace are
 * gated by the app (the user must be able to read it) before this runs.
 */
import {
  LOAD_PEAK_SPAN_SECONDS,
  LOAD_RATE_WINDOW_SECONDS,
  SERVICE_LOAD_ROUTE,
  type ServiceLoadResponse,
  type SourceLoad,
  type VersionLoad,
} from '@meshlens/contract';
import express, { type Request, type Router } from 'express';
import { z } from 'zod';
import { NotFoundError } from '../errors';
import { parseQuery } from '../http/errors';
import { checkParams } from '../http/params';
import type { InventorySnapshot } from '../inventory/types';
import type { PrometheusClient } from '../prometheus/client';
import { eq } from '../prometheus/escape';

export interface ServiceLoadDeps {
  prometheus: PrometheusClient;
  snapshot: () => InventorySnapshot;
  /** Which of `namespaces` the request's user may read (absent: all, as for the console's own identity). */
  readable?: (req: Request, namespaces: readonly string[]) => Promise<'all' | ReadonlySet<string>>;
  now?: () => number;
}

/** The one caller standing for those in namespaces the user may not read (as the graph's `inaccessible`). */
export const NO_ACCESS_SOURCE = {
  namespace: 'unknown',
  workload: 'no access',
  app: 'no access',
  version: 'unknown',
};

/**
 * The load as one user may see it: callers in namespaces they may not read become one `no access`
 * caller carrying their requests/s (so the callers still add up to the versions' load).
 */
export function withReadableSources(
  load: ServiceLoadResponse,
  readable: 'all' | ReadonlySet<string>,
): ServiceLoadResponse {
  if (readable === 'all') return load;
  const hidden = load.sources.filter((s) => s.namespace !== 'unknown' && !readable.has(s.namespace));
  if (hidden.length === 0) return load;
  const shown = load.sources.filter((s) => !hidden.includes(s));
  const rps = r4(hidden.reduce((n, s) => n + s.rps, 0));
  return {
    ...load,
    sources: [...shown, { ...NO_ACCESS_SOURCE, rps }].sort(
      (a, b) => b.rps - a.rps || a.workload.localeCompare(b.workload),
    ),
  };
}

const SOURCE_LABELS = [
  'source_workload_namespace',
  'source_workload',
  'source_canonical_service',
  'source_canonical_revision',
];

/** The two queries of one service's load (exported for tests). */
export function loadQueries(namespace: string, service: string): { current: string; peak: string } {
  const sel = `{reporter="destination",${eq('destination_service_namespace', namespace)},${eq('destination_service_name', service)}}`;
  const rate = `rate(istio_requests_total${sel}[${LOAD_RATE_WINDOW_SECONDS}s])`;
  return {
    current: `sum by (${[...SOURCE_LABELS, 'destination_canonical_revision'].join(',')}) (${rate})`,
    peak: `max_over_time((sum by (destination_canonical_revision) (${rate}))[${LOAD_PEAK_SPAN_SECONDS}s:${LOAD_RATE_WINDOW_SECONDS}s])`,
  };
}

const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

const r4 = (n: number) => Math.round(n * 10_000) / 10_000;

export async function serviceLoad(
  deps: ServiceLoadDeps,
  namespace: string,
  service: string,
): Promise<ServiceLoadResponse> {
  const snap = deps.snapshot();
  const svc = snap.services.find((s) => s.namespace === namespace && s.name === service);
  if (!svc && snap.synced) throw new NotFoundError(`service ${namespace}/${service} not found`);
  const time = Math.floor((deps.now ?? Date.now)() / 1000);
  const q = loadQueries(namespace, service);
  const warnings: ServiceLoadResponse['warnings'] = [];
  const [current, peak] = await Promise.all(
    [q.current, q.peak].map((promql) =>
      deps.prometheus.query(promql, { time }).then(
        (r) => r.samples,
        (err: unknown) => {
          const message = `Prometheus: ${(err as Error).message}; the live load is unknown`;
          if (!warnings.some((w) => w.message === message))
            warnings.push({ code: 'PrometheusError', message });
          return [];
        },
      ),
    ),
  );
  const versions = new Map<string, VersionLoad>();
  const version = (v: string) => {
    let out = versions.get(v);
    if (!out) versions.set(v, (out = { version: v, rps: 0, peakRps: 0, pods: null, podsReady: null }));
    return out;
  };
  for (const w of snap.workloads) {
    if (w.namespace !== namespace || !svc || !selects(svc.selector, w.labels)) continue;
    const v = version(w.version ?? w.labels.version ?? 'unknown');
    v.pods = (v.pods ?? 0) + w.pods;
    v.podsReady = (v.podsReady ?? 0) + (w.podsReady ?? w.available ?? w.pods);
  }
  const sources = new Map<string, SourceLoad>();
  for (const s of current!) {
    const value = Number(s.value[1]);
    if (!Number.isFinite(value)) continue;
    const m = s.metric;
    version(m.destination_canonical_revision || 'unknown').rps += value;
    const src = {
      namespace: m.source_workload_namespace || 'unknown',
      workload: m.source_workload || 'unknown',
      app: m.source_canonical_service || 'unknown',
      version: m.source_canonical_revision || 'unknown',
    };
    const key = `${src.namespace}/${src.workload}/${src.app}/${src.version}`;
    const known = sources.get(key);
    if (known) known.rps += value;
    else sources.set(key, { ...src, rps: value });
  }
  for (const s of peak!) {
    const value = Number(s.value[1]);
    if (Number.isFinite(value)) version(s.metric.destination_canonical_revision || 'unknown').peakRps = value;
  }
  return {
    namespace,
    service,
    timestamp: time,
    rateWindowSeconds: LOAD_RATE_WINDOW_SECONDS,
    peakSpanSeconds: LOAD_PEAK_SPAN_SECONDS,
    versions: [...versions.values()]
      .map((v) => ({ ...v, rps: r4(v.rps), peakRps: r4(Math.max(v.peakRps, v.rps)) }))
      .sort((a, b) => a.version.localeCompare(b.version)),
    sources: [...sources.values()]
      .map((s) => ({ ...s, rps: r4(s.rps) }))
      .sort((a, b) => b.rps - a.rps || a.workload.localeCompare(b.workload)),
    warnings,
  };
}

/**
 * `GET …/services/:service/load` (params checked: 400 naming a malformed one; it takes no query
 * parameter: one is a 400 naming it). Callers the user may not read are one `no access` caller.
 */
export function serviceLoadRouter(deps: ServiceLoadDeps): Router {
  const router = checkParams(express.Router());
  router.get(SERVICE_LOAD_ROUTE, async (req, res) => {
    parseQuery(z.strictObject({}), req);
    const load = await serviceLoad(deps, String(req.params.namespace), String(req.params.service));
    const callers = [...new Set(load.sources.map((s) => s.namespace).filter((ns) => ns !== 'unknown'))];
    const readable = deps.readable && callers.length ? await deps.readable(req, callers) : 'all';
    res.json(withReadableSources(load, readable));
  });
  return router;
}
