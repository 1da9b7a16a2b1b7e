import { z } from 'zod';
import { MAX_DURATION_SECONDS, MIN_DURATION_SECONDS, parseDuration } from './duration';

export const GRAPH_TYPES = ['app', 'versionedApp', 'workload', 'service'] as const;
export type GraphType = (typeof GRAPH_TYPES)[number];

export const BOX_BY = ['namespace', 'app', 'none'] as const;
export type BoxBy = (typeof BOX_BY)[number];

export const RESPONSE_TIMES = ['avg', 'p50', 'p95', 'p99'] as const;
export type ResponseTimeKind = (typeof RESPONSE_TIMES)[number];

export const PROTOCOLS = ['http', 'grpc', 'tcp'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/**
 * What an edge's rate measures, per protocol (Kiali's `rateHttp`, `rateGrpc`, `rateTcp`, same defaults).
 * gRPC `sent` / `received` are request / response messages per second (`istio_request_messages_total`,
 * `istio_response_messages_total`); TCP `sent` is the bytes the caller sent (Istio's
 * `istio_tcp_received_bytes_total`, named from the server side), `received` the bytes it got back.
 * `none` leaves the protocol out of the graph.
 */
export const RATES_HTTP = ['none', 'requests'] as const;
export type RateHttp = (typeof RATES_HTTP)[number];
export const RATES_GRPC = ['none', 'requests', 'sent', 'received', 'total'] as const;
export type RateGrpc = (typeof RATES_GRPC)[number];
export const RATES_TCP = ['none', 'sent', 'received', 'total'] as const;
export type RateTcp = (typeof RATES_TCP)[number];

/**
 * The optional steps of the graph pipeline a client may name with `appenders` (Kiali's parameter): each
 * costs a Prometheus query of its own, so a view that shows no response times or throughput leaves them
 * out. Absent = all of them (what clients before the parameter got); empty (`appenders=`) = none.
 * The steps every graph needs (traffic, idle nodes, flags, badges, health, boxes) always run.
 */
export const GRAPH_APPENDERS = ['responseTime', 'throughput'] as const;
export type GraphAppender = (typeof GRAPH_APPENDERS)[number];

/** RFC 1123 label, as Kubernetes requires for namespace names. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const MAX_NAMESPACES = 1000;

const BOOL = z.stringbool({ truthy: ['true', '1', 'yes', 'on'], falsy: ['false', '0', 'no', 'off'] });

/** Accepts `a,b,c` (or repeated `?namespaces=a&namespaces=b`); yields a sorted, de-duplicated list. */
export const namespacesParam = z.union([z.string(), z.array(z.string())]).transform((value, ctx) => {
  const parts = (Array.isArray(value) ? value.join(',') : value)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (parts.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'at least one namespace is required' });
    return z.NEVER;
  }
  const bad = parts.filter((s) => !DNS_LABEL.test(s));
  if (bad.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `not a DNS label (lowercase letters, digits and '-', at most 63): ${bad
        .slice(0, 3)
        .map((s) => JSON.stringify(s.slice(0, 80)))
        .join(', ')}`,
    });
    return z.NEVER;
  }
  const unique = [...new Set(parts)].sort();
  if (unique.length > MAX_NAMESPACES) {
    ctx.addIssue({ code: 'custom', message: `at most ${MAX_NAMESPACES} namespaces` });
    return z.NEVER;
  }
  return unique;
});

/** `5m`, `1h`, `600` (seconds) … → seconds, within [MIN_DURATION_SECONDS, MAX_DURATION_SECONDS]. */
export const durationParam = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const seconds = typeof value === 'number' ? (Number.isInteger(value) ? value : null) : parseDuration(value);
  if (seconds === null) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a whole number of seconds or an amount with a unit s|m|h|d|w (e.g. 5m), got ${JSON.stringify(String(value).slice(0, 40))}`,
    });
    return z.NEVER;
  }
  if (seconds < MIN_DURATION_SECONDS || seconds > MAX_DURATION_SECONDS) {
    ctx.addIssue({
      code: 'custom',
      message: `must be between ${MIN_DURATION_SECONDS}s and ${MAX_DURATION_SECONDS / 86_400}d, got ${seconds}s`,
    });
    return z.NEVER;
  }
  return seconds;
});

/** Unix seconds (integer), between 2001-09-09 and 2286-11-20: replay of a past instant. */
const queryTimeParam = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const n = typeof value === 'number' ? value : /^\d{1,12}$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1_000_000_000 || n > 9_999_999_999) {
    ctx.addIssue({ code: 'custom', message: 'expected unix time in whole seconds (10 digits)' });
    return z.NEVER;
  }
  return n;
});

const protocolsParam = z.union([z.string(), z.array(z.string())]).transform((value, ctx) => {
  const parts = (Array.isArray(value) ? value.join(',') : value)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const bad = parts.filter((p) => !(PROTOCOLS as readonly string[]).includes(p));
  if (bad.length > 0 || parts.length === 0) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a comma list of ${PROTOCOLS.join('|')}${bad.length ? `, got ${JSON.stringify(bad[0]?.slice(0, 40))}` : ''}`,
    });
    return z.NEVER;
  }
  return PROTOCOLS.filter((p) => parts.includes(p));
});

/** `responseTime,throughput` (or repeated) → the named steps in GRAPH_APPENDERS order; `` → none. */
const appendersParam = z.union([z.string(), z.array(z.string())]).transform((value, ctx) => {
  const parts = (Array.isArray(value) ? value.join(',') : value)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const bad = parts.filter((p) => !(GRAPH_APPENDERS as readonly string[]).includes(p));
  if (bad.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `unknown appender ${bad
        .slice(0, 3)
        .map((s) => JSON.stringify(s.slice(0, 40)))
        .join(', ')}; expected a comma list of ${GRAPH_APPENDERS.join('|')}`,
    });
    return z.NEVER;
  }
  return GRAPH_APPENDERS.filter((a) => parts.includes(a));
});

const enumParam = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: () => `expected one of ${values.join('|')}` });

/**
 * Query string of `GET /api/graph`. Parse `req.query` with it: the output has typed, defaulted values.
 * Unknown parameters are rejected, so a misspelt option is an error rather than silently ignored.
 */
export const GraphQuerySchema = z.strictObject({
  namespaces: namespacesParam,
  graphType: enumParam(GRAPH_TYPES).default('versionedApp'),
  /** Range of the rate() window, e.g. `5m`; output in seconds. */
  duration: durationParam.default(300),
  /** Evaluate at this unix time (seconds) instead of now. */
  queryTime: queryTimeParam.optional(),
  /** Put a service node between callers and the workloads behind a service (always on for `service`). */
  injectServiceNodes: BOOL.default(true),
  /** Add workloads/services of the selected namespaces that had no traffic, and idle edges. */
  includeIdle: BOOL.default(false),
  boxBy: enumParam(BOX_BY).default('none'),
  responseTime: enumParam(RESPONSE_TIMES).default('p95'),
  protocols: protocolsParam.default([...PROTOCOLS]),
  /** HTTP edges' rate: requests/s, or none (no HTTP edges). */
  rateHttp: enumParam(RATES_HTTP).default('requests'),
  /** gRPC edges' rate: requests/s, or messages/s sent (request), received (response) or both. */
  rateGrpc: enumParam(RATES_GRPC).default('requests'),
  /** TCP edges' rate: bytes/s the caller sent (default), received, or both. */
  rateTcp: enumParam(RATES_TCP).default('sent'),
  /** The optional steps to run (see GRAPH_APPENDERS); absent = all. */
  appenders: appendersParam.default([...GRAPH_APPENDERS]),
  /** Adds `debug.queries` (the PromQL issued and each one's time) to the answer. */
  debug: BOOL.default(false),
  /**
   * Before/after comparison: the unix time (seconds) two windows meet at. The answer is the graph of the
   * window after it, `[compare, compare + compareWindow]` (ending now at the latest), each node and edge
   * carrying its figures of the window before it, `[compare − compareWindow, compare]` too (`cmp*`
   * fields); nodes and edges of the window before only are kept, marked vanished. Not with `queryTime`.
   */
  compare: queryTimeParam.optional(),
  /** Length of each compared window (default 10m); only with `compare`. */
  compareWindow: durationParam.optional(),
});
/** Each compared window's length when `compareWindow` is absent, seconds. */
export const DEFAULT_COMPARE_WINDOW_SECONDS = 600;
/** What a client may send (strings as in a URL, or the parsed values). */
export type GraphQueryInput = z.input<typeof GraphQuerySchema>;
/** What the server works with after parsing. */
export type GraphQuery = z.output<typeof GraphQuerySchema>;

/** Builds the URL query for `GET /api/graph` from typed options (for the web client and tests). */
export function graphSearchParams(query: Partial<GraphQuery> & { namespaces: string[] }): URLSearchParams {
  const params = new URLSearchParams();
  params.set('namespaces', query.namespaces.join(','));
  if (query.graphType !== undefined) params.set('graphType', query.graphType);
  if (query.duration !== undefined) params.set('duration', String(query.duration));
  if (query.queryTime !== undefined) params.set('queryTime', String(query.queryTime));
  if (query.injectServiceNodes !== undefined)
    params.set('injectServiceNodes', String(query.injectServiceNodes));
  if (query.includeIdle !== undefined) params.set('includeIdle', String(query.includeIdle));
  if (query.boxBy !== undefined) params.set('boxBy', query.boxBy);
  if (query.responseTime !== undefined) params.set('responseTime', query.responseTime);
  if (query.protocols !== undefined) params.set('protocols', query.protocols.join(','));
  if (query.rateHttp !== undefined) params.set('rateHttp', query.rateHttp);
  if (query.rateGrpc !== undefined) params.set('rateGrpc', query.rateGrpc);
  if (query.rateTcp !== undefined) params.set('rateTcp', query.rateTcp);
  if (query.appenders !== undefined) params.set('appenders', query.appenders.join(','));
  if (query.debug) params.set('debug', 'true');
  if (query.compare !== undefined) params.set('compare', String(query.compare));
  if (query.compareWindow !== undefined) params.set('compareWindow', String(query.compareWindow));
  return params;
}
