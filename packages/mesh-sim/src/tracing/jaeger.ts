/**
 * Jaeger's query HTTP API (the one Jaeger's UI and Grafana Tempo's Jaeger-compatible endpoint serve), over
 * the simulator's spans: `/api/services`, `/api/services/{service}/operations`, `/api/operations`,
 * `/api/traces` (search) and `/api/traces/{id}`. Answers are shaped as Jaeger's (`data`, `total`, `limit`,
 * `offset`, `errors`), parameters parsed and refused as Jaeger's query service does.
 */
import { spanTags, type RecordedSpan, type SpanStore, type StoredTrace, type TraceQuery } from './store';

export interface JaegerAnswer {
  status: number;
  body: unknown;
}

/** Jaeger's default search limit and look-back. */
const DEFAULT_LIMIT = 100;
const DEFAULT_LOOKBACK_US = 3600 * 1e6;

const ok = (data: unknown, total = Array.isArray(data) ? data.length : 0): JaegerAnswer => ({
  status: 200,
  body: { data, total, limit: 0, offset: 0, errors: null },
});

const fail = (status: number, msg: string): JaegerAnswer => ({
  status,
  body: { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: status, msg }] },
});

class BadParam extends Error {}

const UNITS: Record<string, number> = { ns: 1e-3, us: 1, µs: 1, μs: 1, ms: 1e3, s: 1e6, m: 60e6, h: 3600e6 };

/** A Go duration (`1.5s`, `250ms`, `1h30m`) in microseconds, as Jaeger's minDuration/maxDuration take. */
export function parseGoDuration(v: string): number {
  const m = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(v);
  if (!m && v !== '0') throw new BadParam(`time: invalid duration "${v}"`);
  if (v === '0') return 0;
  let total = 0;
  for (const part of v.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g))
    total += Number(part[1]) * UNITS[part[2]!]!;
  return m![1] === '-' ? -total : total;
}

function int(params: URLSearchParams, name: string): number | undefined {
  const v = params.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v))
    throw new BadParam(`unable to parse param '${name}': strconv.ParseInt: parsing "${v}": invalid syntax`);
  return Number(v);
}

function duration(params: URLSearchParams, name: string): number | undefined {
  const v = params.get(name);
  if (v === null || v === '') return undefined;
  try {
    return parseGoDuration(v);
  } catch (err) {
    throw new BadParam(`unable to parse param '${name}': ${(err as Error).message}`);
  }
}

/** `tags` (a JSON object) and `tag=key:value` parameters, as Jaeger merges them. */
function tags(params: URLSearchParams): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const t of params.getAll('tag')) {
    const i = t.indexOf(':');
    if (i <= 0) throw new BadParam(`malformed 'tag' parameter, expecting key:value, received: ${t}`);
    out[t.slice(0, i)] = t.slice(i + 1);
  }
  const json = params.get('tags');
  if (json) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      parsed = undefined;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new BadParam(
        `malformed 'tags' parameter, expecting JSON object of string values, received: ${json}`,
      );
    for (const [k, v] of Object.entries(parsed)) {
      if (typeof v !== 'string')
        throw new BadParam(
          `malformed 'tags' parameter, expecting JSON object of string values, received: ${json}`,
        );
      out[k] = v;
    }
  }
  return Object.keys(out).length ? out : undefined;
}

function traceQuery(params: URLSearchParams, nowUs: number): TraceQuery {
  const service = params.get('service');
  if (!service) throw new BadParam("parameter 'service' is required");
  const endUs = int(params, 'end') ?? nowUs;
  const startUs = int(params, 'start') ?? endUs - DEFAULT_LOOKBACK_US;
  const limit = int(params, 'limit') ?? DEFAULT_LIMIT;
  if (limit < 0) throw new BadParam(`unable to parse param 'limit': must be a non-negative integer`);
  const minDurationUs = duration(params, 'minDuration');
  const maxDurationUs = duration(params, 'maxDuration');
  if (minDurationUs !== undefined && maxDurationUs !== undefined && maxDurationUs < minDurationUs)
    throw new BadParam("'maxDuration' should be greater than 'minDuration'");
  const operation = params.get('operation') || undefined;
  const t = tags(params);
  return {
    service,
    startUs,
    endUs,
    limit: limit === 0 ? DEFAULT_LIMIT : limit,
    ...(operation ? { operation } : {}),
    ...(t ? { tags: t } : {}),
    ...(minDurationUs !== undefined ? { minDurationUs } : {}),
    ...(maxDurationUs !== undefined ? { maxDurationUs } : {}),
  };
}

const stringTag = (key: string, value: string | boolean) =>
  typeof value === 'boolean' ? { key, type: 'bool', value } : { key, type: 'string', value };

/** A trace in Jaeger's JSON (the UI model): spans with references, processes keyed p1, p2, … */
export function jaegerTrace(t: StoredTrace): unknown {
  const processes = new Map<string, { id: string; span: RecordedSpan }>();
  const processOf = (s: RecordedSpan) => {
    const key = s.proxy.nodeId;
    let p = processes.get(key);
    if (!p) processes.set(key, (p = { id: `p${processes.size + 1}`, span: s }));
    return p.id;
  };
  const spans = t.spans.map((s) => ({
    traceID: s.traceId,
    spanID: s.spanId,
    flags: 1,
    operationName: s.operation,
    references: s.parentId ? [{ refType: 'CHILD_OF', traceID: s.traceId, spanID: s.parentId }] : [],
    startTime: s.startUs,
    duration: s.durationUs,
    tags: Object.entries(spanTags(s)).map(([k, v]) => stringTag(k, v)),
    logs: [],
    processID: processOf(s),
    warnings: null,
  }));
  return {
    traceID: t.id,
    spans,
    processes: Object.fromEntries(
      [...processes.values()].map(({ id, span }) => [
        id,
        {
          serviceName: span.proxy.service,
          tags: [
            { key: 'hostname', type: 'string', value: span.proxy.pod },
            { key: 'ip', type: 'string', value: span.proxy.ip },
          ],
        },
      ]),
    ),
    warnings: null,
  };
}

/** Answers one GET of Jaeger's query API; `path` starts at `/api/`. */
export function jaegerQuery(
  store: SpanStore,
  path: string,
  params: URLSearchParams,
  nowUs: number,
): JaegerAnswer {
  try {
    if (path === '/api/services') return ok(store.services());
    const opsOf = /^\/api\/services\/([^/]+)\/operations$/.exec(path);
    if (opsOf) return ok(store.operations(decodeURIComponent(opsOf[1]!)).map((o) => o.name));
    if (path === '/api/operations') {
      const service = params.get('service');
      if (!service) throw new BadParam("parameter 'service' is required");
      const kind = params.get('spanKind');
      return ok(store.operations(service).filter((o) => !kind || o.spanKind === kind));
    }
    const one = /^\/api\/traces\/([^/]+)$/.exec(path);
    if (one) {
      const id = decodeURIComponent(one[1]!);
      if (!/^[0-9a-f]{1,32}$/i.test(id)) throw new BadParam(`cannot parse traceID param: ${id}`);
      const t = store.get(id.toLowerCase().padStart(32, '0'));
      return t ? ok([jaegerTrace(t)]) : fail(404, 'trace not found');
    }
    if (path === '/api/traces') {
      const ids = params.getAll('traceID');
      if (ids.length) {
        const found = ids
          .map((id) => store.get(id.toLowerCase().padStart(32, '0')))
          .filter((t) => t !== undefined);
        return ok(found.map(jaegerTrace));
      }
      return ok(store.find(traceQuery(params, nowUs)).map(jaegerTrace));
    }
    return fail(404, `404 page not found: ${path}`);
  } catch (err) {
    if (err instanceof BadParam) return fail(400, err.message);
    throw err;
  }
}
