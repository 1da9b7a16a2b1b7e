import { GRAPH_TYPES, RESPONSE_TIMES } from '@meshlens/contract';
import type { GraphType, ResponseTimeKind } from '@meshlens/contract';

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
  /** Selected node or edge id, '' for the whole graph. */
  selected: string;
  /** Replay instant, unix seconds; 0 = live. */
  queryTime: number;
  /** Graph renderer: auto (WebGL on large graphs with a GPU), canvas or webgl. */
  renderer: RendererSetting;
}

export const RENDERERS = ['auto', 'canvas', 'webgl'] as const;
export type RendererSetting = (typeof RENDERERS)[number];

export const EDGE_LABELS = ['none', 'rate', 'percent', 'rt'] as const;
export type EdgeLabelMode = (typeof EDGE_LABELS)[number];
export const LAYOUTS = ['auto', 'dagre', 'fcose', 'breadthfirst', 'grid'] as const;
export type LayoutChoice = (typeof LAYOUTS)[number];

export const DURATIONS: { seconds: number; label: string }[] = [
  // 30 s: watch a routing change land within half a minute (needs a scrape interval of 15 s or less).
  { seconds: 30, label: 'Last 30s' },
  { seconds: 60, label: 'Last 1m' },
  { seconds: 300, label: 'Last 5m' },
  { seconds: 600, label: 'Last 10m' },
  { seconds: 1800, label: 'Last 30m' },
  { seconds: 3600, label: 'Last 1h' },
  { seconds: 10_800, label: 'Last 3h' },
  { seconds: 21_600, label: 'Last 6h' },
  { seconds: 43_200, label: 'Last 12h' },
  { seconds: 86_400, label: 'Last 1d' },
];
export const REFRESHES: { ms: number; label: string }[] = [
  { ms: 0, label: 'Pause' },
  { ms: 10_000, label: 'Every 10s' },
  { ms: 15_000, label: 'Every 15s' },
  { ms: 30_000, label: 'Every 30s' },
  { ms: 60_000, label: 'Every 1m' },
  { ms: 300_000, label: 'Every 5m' },
];

export const DEFAULT_VIEW: ViewState = {
  namespaces: [],
  duration: 300,
  refresh: 15_000,
  graphType: 'versionedApp',
  edgeLabels: 'none',
  responseTime: 'p95',
  serviceNodes: true,
  idle: false,
  boxNamespaces: true,
  security: false,
  animation: false,
  layout: 'auto',
  find: '',
  hide: '',
  focus: '',
  selected: '',
  queryTime: 0,
  renderer: 'auto',
};

/** URL parameter name of each setting (short, stable: they are in users' bookmarks). */
const PARAM: Record<keyof ViewState, string> = {
  namespaces: 'namespaces',
  duration: 'duration',
  refresh: 'refresh',
  graphType: 'graphType',
  edgeLabels: 'edges',
  responseTime: 'rt',
  serviceNodes: 'services',
  idle: 'idle',
  boxNamespaces: 'boxes',
  security: 'security',
  animation: 'animation',
  layout: 'layout',
  find: 'find',
  hide: 'hide',
  focus: 'focus',
  selected: 'selected',
  queryTime: 'queryTime',
  renderer: 'renderer',
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
export function parseViewState(search: string, defaults: ViewState = DEFAULT_VIEW): ViewState {
  const p = new URLSearchParams(search);
  const get = (k: keyof ViewState) => p.get(PARAM[k]);
  const ns = get('namespaces');
  const qt = Number(get('queryTime'));
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
      DURATIONS.map((d) => d.seconds),
      defaults.duration,
    ),
    refresh: intIn(
      get('refresh'),
      REFRESHES.map((r) => r.ms),
      defaults.refresh,
    ),
    graphType: oneOf(GRAPH_TYPES, get('graphType'), defaults.graphType),
    edgeLabels: oneOf(EDGE_LABELS, get('edgeLabels'), defaults.edgeLabels),
    responseTime: oneOf(RESPONSE_TIMES, get('responseTime'), defaults.responseTime),
    serviceNodes: bool(get('serviceNodes'), defaults.serviceNodes),
    idle: bool(get('idle'), defaults.idle),
    boxNamespaces: bool(get('boxNamespaces'), defaults.boxNamespaces),
    security: bool(get('security'), defaults.security),
    animation: bool(get('animation'), defaults.animation),
    layout: oneOf(LAYOUTS, get('layout'), defaults.layout),
    find: get('find') ?? defaults.find,
    hide: get('hide') ?? defaults.hide,
    focus: get('focus') ?? defaults.focus,
    selected: get('selected') ?? defaults.selected,
    queryTime: Number.isInteger(qt) && qt > 1_000_000_000 ? qt : 0,
    renderer: oneOf(RENDERERS, get('renderer'), defaults.renderer),
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
export function patchViewSearch(search: string, patch: Partial<ViewState>): string {
  const own = new URLSearchParams([...new URLSearchParams(search)].filter(([key]) => !VIEW_PARAMS.has(key)));
  const view = serializeViewState({ ...parseViewState(search), ...patch });
  return [view, own.toString()].filter(Boolean).join('&');
}
