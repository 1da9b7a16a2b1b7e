/**
 * Tracing routes: an entity's traces and span statistics, and one trace. Traces come from a Jaeger query
 * API (Jaeger, or Tempo's Jaeger-compatible endpoint); without one configured, the answers say how to
 * enable it. A trace's spans in namespaces the user may not read keep their timing and lose everything
 * else (service, operation, tags).
 */
import {
  ENTITY_KINDS,
  type SpanStatsResponse,
  TRACING_ROUTES,
  TracesQuerySchema,
  type EntityKind,
  type Span,
  type Trace,
  type TraceResponse,
  type TracesQuery,
  type TracesResponse,
  type TracingInfo,
} from '@meshlens/contract';
import express, { type Request, type Router } from 'express';
import { z } from 'zod';
import { InputError, NotFoundError, UpstreamError } from '../errors';
import { parseQuery } from '../http/errors';
import { checkParams } from '../http/params';
import type { InventorySnapshot, WorkloadInfo } from '../inventory/types';
import type { PrometheusClient } from '../prometheus/client';
import { TracingError, type JaegerClient } from './jaegerClient';
import { withCallSecurity } from './mtls';
import { isEntitySpan, spanStats, summarize, toTrace, type EntitySpans } from './model';

export interface TracingDeps {
  /** Undefined when no tracing backend is configured. */
  client: JaegerClient | undefined;
  /** The backend's own UI, for links to a trace. */
  externalUrl?: string;
  snapshot: () => InventorySnapshot;
  readable: (req: Request, namespaces: readonly string[]) => Promise<'all' | ReadonlySet<string>>;
  /** Where a trace's calls get their mTLS (the metrics' `connection_security_policy`); none: not shown. */
  prometheus?: PrometheusClient;
  now?: () => number;
}

export const TRACING_DISABLED_MESSAGE =
  'Tracing is not configured: start the console with --tracing-url pointing at a Jaeger query service ' +
  "(or Grafana Tempo's Jaeger-compatible endpoint), or set TRACING_URL or tracing.url in the config file.";

const isEntityKind = (k: string): k is EntityKind => (ENTITY_KINDS as readonly string[]).includes(k);

/** Istio's canonical service of a workload (the tracing service name is `<it>.<namespace>`). */
const canonical = (w: WorkloadInfo) =>
  w.labels['service.istio.io/canonical-name'] ?? w.labels['app.kubernetes.io/name'] ?? w.app ?? w.name;

/** Istio's canonical revision of a workload (its spans' `istio.canonical_revision`), when labelled. */
const revisionOf = (w: WorkloadInfo) =>
  w.labels['service.istio.io/canonical-revision'] ?? w.labels['app.kubernetes.io/version'] ?? w.version;

const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** The entity's spans: which tracing service, narrowed to a workload's pods or a service's route. */
export function entitySpans(
  snap: InventorySnapshot,
  kind: EntityKind,
  namespace: string,
  name: string,
): EntitySpans | undefined {
  if (kind === 'apps') {
    const w = snap.workloads.find((x) => x.namespace === namespace && x.app === name);
    return w ? { service: `${canonical(w)}.${namespace}` } : undefined;
  }
  if (kind === 'workloads') {
    const w = snap.workloads.find((x) => x.namespace === namespace && x.name === name);
    if (!w) return undefined;
    const app = canonical(w);
    const revision = revisionOf(w);
    // The version names this workload alone within its app: the backend can search on it.
    const own =
      revision !== undefined &&
      !snap.workloads.some(
        (x) => x !== w && x.namespace === namespace && canonical(x) === app && revisionOf(x) === revision,
      );
    return {
      service: `${app}.${namespace}`,
      podPrefix: `${name}-`,
      ...(own ? { tags: { 'istio.canonical_revision': revision } } : {}),
    };
  }
  const svc = snap.services.find((x) => x.namespace === namespace && x.name === name);
  if (!svc) return undefined;
  const w = snap.workloads.find((x) => x.namespace === namespace && selects(svc.selector, x.labels));
  return {
    service: `${w ? canonical(w) : name}.${namespace}`,
    operationPrefix: `${name}.${namespace}.svc.`,
  };
}

/**
 * As Jaeger matches a search: one of the entity's own spans meets every condition (Jaeger answers for the
 * whole app; a workload's or a service's spans are a part of them).
 */
export const ownSpanMatches =
  (e: EntitySpans, q: Pick<TracesQuery, 'errorsOnly' | 'minDurationMs' | 'tag' | 'peer'>) => (sp: Span) =>
    isEntitySpan(sp, e) &&
    (!q.peer || (sp.kind === 'client' && sp.operation.startsWith(`${q.peer}.svc.`))) &&
    (!q.errorsOnly || sp.error) &&
    (q.minDurationMs === undefined || sp.durationUs >= q.minDurationMs * 1000) &&
    (!q.tag || sp.tags[q.tag.key] === q.tag.value);

const query = parseQuery;

function upstream(err: unknown): never {
  if (err instanceof TracingError)
    throw new UpstreamError(err.message, err.kind === 'unreachable' || err.kind === 'timeout');
  throw err;
}

/** Hides what a user may not read: spans of other namespaces keep their place and timing only. */
export function redact(trace: Trace, readable: 'all' | ReadonlySet<string>): Trace {
  if (readable === 'all') return trace;
  const hidden = (s: Span) => s.namespace === undefined || !readable.has(s.namespace);
  return {
    ...trace,
    spans: trace.spans.map((s) =>
      hidden(s)
        ? {
            spanId: s.spanId,
            parentId: s.parentId,
            service: 'no access',
            kind: s.kind,
            operation: '',
            startUs: s.startUs,
            durationUs: s.durationUs,
            error: s.error,
            tags: {},
          }
        : s,
    ),
  };
}

export function tracingRouter(deps: TracingDeps): Router {
  const router = checkParams(express.Router());
  const now = deps.now ?? Date.now;
  const info: TracingInfo = deps.client
    ? { enabled: true, ...(deps.externalUrl ? { externalUrl: deps.externalUrl } : {}) }
    : { enabled: false, message: TRACING_DISABLED_MESSAGE };

  const entityOf = (req: Request) => {
    const kind = String(req.params.kind);
    if (!isEntityKind(kind)) return undefined;
    const namespace = String(req.params.namespace);
    const name = String(req.params.name);
    const spans = entitySpans(deps.snapshot(), kind, namespace, name);
    if (!spans) throw new NotFoundError(`no ${kind.slice(0, -1)} ${name} in namespace ${namespace}`);
    return spans;
  };

  /** The entity's traces in the window, newest first, filtered on its own span. */
  async function find(e: EntitySpans, q: TracesQuery) {
    const end = q.end ?? Math.floor(now() / 1000);
    const start = end - q.duration;
    if (!deps.client) return { start, end, traces: [] as Trace[] };
    const tags: Record<string, string> = { ...e.tags };
    if (q.errorsOnly) tags.error = 'true';
    if (q.tag) tags[q.tag.key] = q.tag.value;
    // Spans the backend cannot tell apart from the rest of the app's are kept here: ask it for more.
    const narrowed = Boolean((e.podPrefix && !e.tags) || e.operationPrefix || q.peer);
    const raw = await deps.client
      .traces({
        service: e.service,
        startUs: start * 1e6,
        endUs: end * 1e6,
        ...(Object.keys(tags).length ? { tags } : {}),
        ...(q.minDurationMs !== undefined ? { minDurationUs: q.minDurationMs * 1000 } : {}),
        // A workload's or a service's spans are a part of its app's: ask for more, keep theirs.
        limit: narrowed ? Math.min(q.limit * 3, 1500) : q.limit,
      })
      .catch(upstream);
    const traces = raw
      .map(toTrace)
      .filter((t) => t.spans.some(ownSpanMatches(e, q)))
      .sort((a, b) => b.startUs - a.startUs)
      .slice(0, q.limit);
    return { start, end, traces };
  }

  /** The traces as this user may see them: spans of namespaces they may not read redacted, as in one trace. */
  async function visible(req: Request, traces: Trace[]): Promise<Trace[]> {
    const namespaces = new Set<string>();
    for (const t of traces)
      for (const s of t.spans) if (s.namespace !== undefined) namespaces.add(s.namespace);
    const readable = await deps.readable(req, [...namespaces]);
    return traces.map((t) => redact(t, readable));
  }

  router.get(TRACING_ROUTES.traces, async (req, res, next) => {
    const e = entityOf(req);
    if (!e) return next();
    const q = query(TracesQuerySchema, req);
    const found = await find(e, q);
    const { start, end } = found;
    const traces = await visible(req, found.traces);
    const body: TracesResponse = {
      tracing: info,
      service: e.service,
      start,
      end,
      traces: traces.map((t) => summarize(t, e)),
      warnings: [],
    };
    res.json(body);
  });

  router.get(TRACING_ROUTES.spanStats, async (req, res, next) => {
    const e = entityOf(req);
    if (!e) return next();
    const q = query(TracesQuerySchema, req);
    const found = await find(e, q);
    const { start, end } = found;
    const traces = await visible(req, found.traces);
    const body: SpanStatsResponse = {
      tracing: info,
      start,
      end,
      traces: traces.length,
      stats: spanStats(traces, e),
      warnings: [],
    };
    res.json(body);
  });

  router.get(TRACING_ROUTES.trace, async (req, res) => {
    const id = String(req.params.id);
    if (!/^[0-9a-fA-F]{1,32}$/.test(id))
      throw new InputError(
        `trace id: expected 1 to 32 hexadecimal digits, got ${JSON.stringify(id.slice(0, 40))}`,
        {
          issues: [{ param: 'id', message: 'expected 1 to 32 hexadecimal digits' }],
        },
      );
    query(z.strictObject({}), req);
    if (!deps.client) throw new NotFoundError(TRACING_DISABLED_MESSAGE);
    const raw = await deps.client.trace(id.toLowerCase()).catch(upstream);
    if (!raw) throw new NotFoundError(`no trace ${id} in the tracing backend (it may have expired)`);
    const trace = toTrace(raw);
    const namespaces = [...new Set(trace.spans.map((s) => s.namespace).filter((n) => n !== undefined))];
    const readable = await deps.readable(req, namespaces);
    const shown = redact(trace, readable);
    const secured = deps.prometheus
      ? await withCallSecurity(deps.prometheus, shown, now() / 1000)
      : { trace: shown };
    const body: TraceResponse = {
      tracing: info,
      trace: secured.trace,
      ...(secured.warning ? { warnings: [secured.warning] } : {}),
    };
    res.json(body);
  });
  return router;
}
