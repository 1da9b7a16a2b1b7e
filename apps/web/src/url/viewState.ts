import {
  DURATION_CHOICES_SECONDS,
  formatDuration,
  GRAPH_TYPES,
  REFRESH_CHOICES_MS,
  RATES_GRPC,
  RATES_HTTP,
  RATES_TCP,
  RESPONSE_TIMES,
} from '@meshlens/contract';
import type {
  GraphType,
  RateGrpc,
  RateHttp,
  RateTcp,
  ResponseTimeKind,
  ServerConfigResponse,
} from '@meshlens/contract';

/** Every view setting, as kept in the URL's query string so a view can be bookmarked and shared. */
export interface ViewState {
  namespaces: string[];
  /** Rate window, seconds. */
  duration: number;
  /** Polling interval, ms; 0 = paused. */
  refresh: number;
  graphType: GraphType;
  edgeLabels: EdgeLabelMode;
  responseTime: ResponseTimeKind;
  /** What edges' rates measure per protocol (Kiali's traffic selector). */
  rateHttp: RateHttp;
  rateGrpc: RateGrpc;
  rateTcp: RateTcp;
  serviceNodes: boolean;
  idle: boolean;
  boxNamespaces: boolean;
  security: boolean;
  animation: boolean;
  layout: LayoutChoice;
  find: string;
  hide: string;
  /** Focused node id (double-click), '' for none. */
  focus: string;
  /** A trace whose path the graph marks ('' for none). */
  trace: string;
  /** Selected node or edge id, '' for the whole graph. */
  selected: string;
  /** Replay instant, unix seconds; 0 = live. */
  queryTime: number;
  /** Before/after comparison: the moment (unix seconds) the two windows meet; 0 = off. */
  compare: number;
  /** Each compared window's length, seconds. */
  compareWindow: number;
  /** Graph renderer: auto (WebGL on large graphs with a GPU), canvas or webgl. */
  renderer: RendererSetting;
  /** Aggregate view (one node per namespace): auto (past `aggregateAbove` nodes), on or off. */
  aggregate: AggregateSetting;
  /** Namespaces (group keys) shown with their nodes while the rest stays aggregated. */
  expanded: string[];
  /** Past this many nodes `aggregate=auto` opens on the aggregate view. */
  aggregateAbove: number;
}

/** The lengths a compared window may have (the compare bar's choices). */
export const COMPARE_WINDOWS = [
  { seconds: 30, label: '30 seconds' },
  { seconds: 60, label: '1 minute' },
  { seconds: 300, label: '5 minutes' },
  { seconds: 600, label: '10 minutes' },
  { seconds: 1800, label: '30 minutes' },
  { seconds: 3600, label: '1 hour' },
];

export const AGGREGATES = ['auto', 'on', 'off'] as const;
export type AggregateSetting = (typeof AGGREGATES)[number];

export const RENDERERS = ['auto', 'canvas', 'webgl'] as const;
export type RendererSetting = (typeof RENDERERS)[number];

export const EDGE_LABELS = ['none', 'rate', 'percent', 'rt'] as const;
export type EdgeLabelMode = (typeof EDGE_LABELS)[number];
export const LAYOUTS = ['auto', 'dagre', 'fcose', 'breadthfirst', 'grid', 'circle'] as const;
export type LayoutChoice = (typeof LAYOUTS)[number];

/** `300` → `Last 5m`: a time range as the pickers show it. */
export function durationLabel(seconds: number): string {
  return `Last ${formatDuration(seconds)}`;
}

/** `15000` → `Every 15s`, `0` → `Pause`: a refresh interval as the pickers show it. */
export function refreshLabel(ms: number): string {
  return ms <= 0 ? 'Pause' : `Every ${ms % 1000 === 0 ? formatDuration(ms / 1000) : `${ms}ms`}`;
}

export const DEFAULT_VIEW: ViewState = {
  namespaces: [],
  duration: 300,
  refresh: 15_000,
  graphType: 'versionedApp',
  edgeLabels: 'none',
  responseTime: 'p95',
  rateHttp: 'requests',
  rateGrpc: 'requests',
  rateTcp: 'sent',
  serviceNodes: true,
  idle: false,
  boxNamespaces: true,
  security: false,
  animation: false,
  layout: 'auto',
  find: '',
  hide: '',
  focus: '',
  trace: '',
  selected: '',
  queryTime: 0,
  compare: 0,
  compareWindow: 600,
  renderer: 'auto',
  aggregate: 'auto',
  expanded: [],
  aggregateAbove: 300,
};

/** What the server's `/api/config` says about the view: the choices it offers and its defaults. */
export type UiConfig = Pick<
  ServerConfigResponse,
  'refreshIntervalMs' | 'refreshIntervalsMs' | 'durationSeconds' | 'durationsSeconds' | 'defaultGraphType'
>;

/** The view's defaults and the pickers' choices: the server's when it answered, else the contract's. */
export interface ViewSettings {
  defaults: ViewState;
  durations: { seconds: number; label: string }[];
  refreshes: { ms: number; label: string }[];
}

const ascending = (values: Iterable<number>) => [...new Set(values)].sort((a, b) => a - b);

/** Maps the server's config to the view's defaults and choices (a default is always one of the choices). */
export function viewSettings(config?: UiConfig): ViewSettings {
  const defaults: ViewState = config
    ? {
        ...DEFAULT_VIEW,
        duration: config.durationSeconds,
        refresh: config.refreshIntervalMs,
        graphType: config.defaultGraphType,
      }
    : DEFAULT_VIEW;
  const durations = ascending([...(config?.durationsSeconds ?? DURATION_CHOICES_SECONDS), defaults.duration]);
  const refreshes = ascending([...(config?.refreshIntervalsMs ?? REFRESH_CHOICES_MS), defaults.refresh]);
  return {
    defaults,
    durations: durations.map((seconds) => ({ seconds, label: durationLabel(seconds) })),
    refreshes: refreshes.map((ms) => ({ ms, label: refreshLabel(ms) })),
  };
}

const FALLBACK_SETTINGS = viewSettings();

/** URL parameter name of each setting (short, stable: they are in users' bookmarks). */
const PARAM: Record<keyof ViewState, string> = {
  namespaces: 'namespaces',
  duration: 'duration',
  refresh: 'refresh',
  graphType: 'graphType',
  edgeLabels: 'edges',
  responseTime: 'rt',
  rateHttp: 'rateHttp',
  rateGrpc: 'rateGrpc',
  rateTcp: 'rateTcp',
  serviceNodes: 'services',
  idle: 'idle',
  boxNamespaces: 'boxes',
  security: 'security',
  animation: 'animation',
  layout: 'layout',
  find: 'find',
  hide: 'hide',
  focus: 'focus',
  trace: 'trace',
  selected: 'selected',
  queryTime: 'queryTime',
  compare: 'compare',
  compareWindow: 'compareWindow',
  renderer: 'renderer',
  aggregate: 'aggregate',
  expanded: 'expanded',
  aggregateAbove: 'aggregateAbove',
};

/** The URL parameters that belong to the view (any other parameter belongs to the page, e.g. a list's filters). */
const VIEW_PARAMS: ReadonlySet<string> = new Set(Object.values(PARAM));

const oneOf = <T extends string>(values: readonly T[], raw: string | null, fallback: T): T =>
  raw !== null && (values as readonly string[]).includes(raw) ? (raw as T) : fallback;
const bool = (raw: string | null, fallback: boolean): boolean =>
  raw === null
    ? fallback
    : raw === '1' || raw === 'true'
      ? true
      : raw === '0' || raw === 'false'
        ? false
        : fallback;
const intIn = (raw: string | null, allowed: number[], fallback: number): number => {
  const n = raw === null ? NaN : Number(raw);
  return allowed.includes(n) ? n : fallback;
};

/** Reads the view from a query string; unknown or invalid values fall back to the defaults. */
export function parseViewState(search: string, settings: ViewSettings = FALLBACK_SETTINGS): ViewState {
  const { defaults } = settings;
  const p = new URLSearchParams(search);
  const get = (k: keyof ViewState) => p.get(PARAM[k]);
  const ns = get('namespaces');
  const list = (raw: string | null) =>
    raw === null
      ? null
      : [
          ...new Set(
            raw
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
          ),
        ].sort();
  const above = Number(get('aggregateAbove'));
  const qt = Number(get('queryTime'));
  const cmp = Number(get('compare'));
  return {
    namespaces:
      ns === null
        ? defaults.namespaces
        : [
            ...new Set(
              ns
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean),
            ),
          ].sort(),
    duration: intIn(
      get('duration'),
      settings.durations.map((d) => d.seconds),
      defaults.duration,
    ),
    refresh: intIn(
      get('refresh'),
      settings.refreshes.map((r) => r.ms),
      defaults.refresh,
    ),
    graphType: oneOf(GRAPH_TYPES, get('graphType'), defaults.graphType),
    edgeLabels: oneOf(EDGE_LABELS, get('edgeLabels'), defaults.edgeLabels),
    responseTime: oneOf(RESPONSE_TIMES, get('responseTime'), defaults.responseTime),
    rateHttp: oneOf(RATES_HTTP, get('rateHttp'), defaults.rateHttp),
    rateGrpc: oneOf(RATES_GRPC, get('rateGrpc'), defaults.rateGrpc),
    rateTcp: oneOf(RATES_TCP, get('rateTcp'), defaults.rateTcp),
    serviceNodes: bool(get('serviceNodes'), defaults.serviceNodes),
    idle: bool(get('idle'), defaults.idle),
    boxNamespaces: bool(get('boxNamespaces'), defaults.boxNamespaces),
    security: bool(get('security'), defaults.security),
    animation: bool(get('animation'), defaults.animation),
    layout: oneOf(LAYOUTS, get('layout'), defaults.layout),
    find: get('find') ?? defaults.find,
    hide: get('hide') ?? defaults.hide,
    focus: get('focus') ?? defaults.focus,
    trace: get('trace') ?? defaults.trace,
    selected: get('selected') ?? defaults.selected,
    queryTime: Number.isInteger(qt) && qt > 1_000_000_000 ? qt : 0,
    compare: Number.isInteger(cmp) && cmp > 1_000_000_000 ? cmp : 0,
    compareWindow: intIn(
      get('compareWindow'),
      COMPARE_WINDOWS.map((w) => w.seconds),
      defaults.compareWindow,
    ),
    renderer: oneOf(RENDERERS, get('renderer'), defaults.renderer),
    aggregate: oneOf(AGGREGATES, get('aggregate'), defaults.aggregate),
    expanded: list(get('expanded')) ?? defaults.expanded,
    aggregateAbove: Number.isInteger(above) && above > 0 ? above : defaults.aggregateAbove,
  };
}

/** Writes only what differs from the defaults, in a stable order. */
export function serializeViewState(view: ViewState, defaults: ViewState = DEFAULT_VIEW): string {
  const p = new URLSearchParams();
  for (const key of Object.keys(PARAM) as (keyof ViewState)[]) {
    const value = view[key];
    const def = defaults[key];
    if (Array.isArray(value)) {
      if (value.join(',') !== (def as string[]).join(',')) p.set(PARAM[key], value.join(','));
    } else if (value !== def) {
      p.set(PARAM[key], typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
    }
  }
  return p.toString().replace(/%2C/g, ',');
}

/** The query string with the view patched, keeping the parameters that are not view settings. */
export function patchViewSearch(
  search: string,
  patch: Partial<ViewState>,
  settings: ViewSettings = FALLBACK_SETTINGS,
): string {
  const own = new URLSearchParams([...new URLSearchParams(search)].filter(([key]) => !VIEW_PARAMS.has(key)));
  const view = serializeViewState({ ...parseViewState(search, settings), ...patch }, settings.defaults);
  return [view, own.toString()].filter(Boolean).join('&');
}
