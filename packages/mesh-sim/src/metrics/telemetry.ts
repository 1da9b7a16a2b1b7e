/**
 * The Istio features operators use to cut the cost of the standard metrics, as the simulated sidecars
 * honour them:
 * - Telemetry API `metrics.overrides[]` with `disabled: true`: a metric left out for CLIENT (the caller's
 *   proxy, `reporter="source"`), SERVER (`reporter="destination"`) or CLIENT_AND_SERVER (`match.mode`);
 * - the pod annotation `sidecar.istio.io/statsHistogramBuckets`: a JSON map from Envoy stat-name prefix to
 *   bucket bounds, e.g. `{"istiocustom":[1,5,10,50]}` (Istio's stats live under Envoy's `istiocustom`
 *   namespace, so `istiocustom` covers the three histograms and `istiocustom.istio_response_bytes` one).
 * Plus named profiles bundling both.
 */
import type { Reporter } from './store';

/**
 * Istio's Telemetry API names for the standard metrics (`metrics.overrides[].match.metric`) and the
 * Prometheus family each names.
 */
export const TELEMETRY_METRICS = {
  REQUEST_COUNT: 'istio_requests_total',
  REQUEST_DURATION: 'istio_request_duration_milliseconds',
  REQUEST_SIZE: 'istio_request_bytes',
  RESPONSE_SIZE: 'istio_response_bytes',
  GRPC_REQUEST_MESSAGES: 'istio_request_messages_total',
  GRPC_RESPONSE_MESSAGES: 'istio_response_messages_total',
  TCP_OPENED_CONNECTIONS: 'istio_tcp_connections_opened_total',
  TCP_CLOSED_CONNECTIONS: 'istio_tcp_connections_closed_total',
  TCP_SENT_BYTES: 'istio_tcp_sent_bytes_total',
  TCP_RECEIVED_BYTES: 'istio_tcp_received_bytes_total',
} as const;
export type TelemetryMetric = keyof typeof TELEMETRY_METRICS;
const METRIC_NAMES = Object.keys(TELEMETRY_METRICS) as TelemetryMetric[];

/** `match.mode` of a Telemetry metrics override: which side's proxy the override applies to. */
export const METRIC_MODES = ['CLIENT', 'SERVER', 'CLIENT_AND_SERVER'] as const;
export type MetricMode = (typeof METRIC_MODES)[number];

/** One `overrides[]` entry with `disabled: true`. `ALL_METRICS` is the Telemetry API's wildcard. */
export interface DisabledMetric {
  metric: TelemetryMetric | 'ALL_METRICS';
  /** Default CLIENT_AND_SERVER, as in the Telemetry API. */
  mode?: MetricMode;
}

/** What each reporter leaves out. */
export type DisabledByReporter = Record<Reporter, ReadonlySet<TelemetryMetric>>;

/**
 * Parses `REQUEST_SIZE,RESPONSE_SIZE:SERVER,REQUEST_DURATION:CLIENT`: metric names, each optionally
 * followed by `:MODE` (a plain name means CLIENT_AND_SERVER). Case-insensitive; throws naming the bad item.
 */
export function parseDisabledMetrics(text: string): DisabledMetric[] {
  return text
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map((item) => {
      const [name = '', mode, ...rest] = item.toUpperCase().split(':');
      if (rest.length > 0) throw new Error(`"${item}": expected METRIC or METRIC:MODE`);
      if (name !== 'ALL_METRICS' && !(name in TELEMETRY_METRICS))
        throw new Error(
          `unknown metric ${name} in "${item}"; one of ALL_METRICS, ${METRIC_NAMES.join(', ')}`,
        );
      if (mode !== undefined && !(METRIC_MODES as readonly string[]).includes(mode))
        throw new Error(`unknown mode ${mode} in "${item}"; one of ${METRIC_MODES.join(', ')}`);
      return {
        metric: name as DisabledMetric['metric'],
        ...(mode !== undefined ? { mode: mode as MetricMode } : {}),
      };
    });
}

/** The override list as two sets: what the client proxy (source) and the server proxy leave out. */
export function disabledByReporter(
  list: readonly (TelemetryMetric | DisabledMetric)[] = [],
): DisabledByReporter {
  const source = new Set<TelemetryMetric>();
  const destination = new Set<TelemetryMetric>();
  for (const entry of list) {
    const { metric, mode = 'CLIENT_AND_SERVER' } = typeof entry === 'string' ? { metric: entry } : entry;
    const metrics = metric === 'ALL_METRICS' ? METRIC_NAMES : [metric];
    for (const m of metrics) {
      if (mode !== 'SERVER') source.add(m);
      if (mode !== 'CLIENT') destination.add(m);
    }
  }
  return { source, destination };
}

/** Envoy's default histogram buckets (HistogramSettingsImpl::defaultBuckets), +Inf implied. */
export const ENVOY_DEFAULT_BUCKETS = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000,
  3600000,
] as const;

/** A histogram's bucket bounds (ascending, +Inf implied) and their `le` label values, interned. */
export interface BucketSet {
  readonly bounds: readonly number[];
  /** `le` values, `+Inf` last (one more than bounds). */
  readonly le: readonly string[];
}

const bucketSets = new Map<string, BucketSet>();

export function bucketSet(bounds: readonly number[]): BucketSet {
  const key = bounds.join(',');
  let set = bucketSets.get(key);
  if (!set) {
    set = { bounds: [...bounds], le: [...bounds.map(String), '+Inf'] };
    bucketSets.set(key, set);
  }
  return set;
}

export const DEFAULT_BUCKET_SET = bucketSet(ENVOY_DEFAULT_BUCKETS);

/** The annotation's content: Envoy stat-name prefix -> bucket bounds. */
export type HistogramBucketsSpec = Readonly<Record<string, readonly number[]>>;

/** The annotation Istio reads from a pod to set its proxy's histogram buckets. */
export const HISTOGRAM_BUCKETS_ANNOTATION = 'sidecar.istio.io/statsHistogramBuckets';

/** Envoy's custom stat namespace of Istio's metrics: stat names are `istiocustom.<family>`. */
export const ISTIO_STAT_NAMESPACE = 'istiocustom';

/**
 * Reads the annotation's JSON (`{"istiocustom":[1,5,10]}`) or, for the command line, a plain list
 * `1,5,10` (= `{"istiocustom":[1,5,10]}`). Bounds must be positive numbers, as Envoy requires; they are
 * sorted and de-duplicated. Throws with what was wrong.
 */
export function parseHistogramBuckets(text: string): HistogramBucketsSpec {
  const trimmed = text.trim();
  let raw: unknown;
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      raw = JSON.parse(trimmed);
    } catch (err) {
      throw new Error(`not valid JSON: ${(err as Error).message}`);
    }
  } else {
    raw = { [ISTIO_STAT_NAMESPACE]: trimmed.split(',').map((x) => (x.trim() === '' ? NaN : Number(x))) };
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new Error('expected a JSON object from stat prefix to a list of bucket bounds');
  const out: Record<string, number[]> = {};
  for (const [prefix, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!Array.isArray(value) || value.length === 0)
      throw new Error(`"${prefix}": expected a non-empty list of bucket bounds`);
    for (const b of value)
      if (typeof b !== 'number' || !Number.isFinite(b) || b <= 0)
        throw new Error(`"${prefix}": bucket bound ${JSON.stringify(b)} is not a positive number`);
    out[prefix] = [...new Set(value as number[])].sort((a, b) => a - b);
  }
  return out;
}

/** The bucket sets of a proxy's three histograms. */
export interface HistogramLayout {
  duration: BucketSet;
  requestBytes: BucketSet;
  responseBytes: BucketSet;
}

export const DEFAULT_LAYOUT: HistogramLayout = {
  duration: DEFAULT_BUCKET_SET,
  requestBytes: DEFAULT_BUCKET_SET,
  responseBytes: DEFAULT_BUCKET_SET,
};

const layouts = new Map<string, HistogramLayout>();

/**
 * The buckets each histogram gets from a spec, as Envoy applies `histogram_bucket_settings`: Istio
 * sorts the annotation's prefixes (pkg/bootstrap/config.go), and the first prefix a stat name starts with
 * wins; no match keeps Envoy's defaults. (So `istiocustom` shadows `istiocustom.istio_response_bytes`.)
 */
export function histogramLayout(spec: HistogramBucketsSpec | undefined): HistogramLayout {
  if (!spec || Object.keys(spec).length === 0) return DEFAULT_LAYOUT;
  const key = JSON.stringify(Object.entries(spec).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  let layout = layouts.get(key);
  if (!layout) {
    const prefixes = Object.keys(spec).sort();
    const pick = (family: string) => {
      const stat = `${ISTIO_STAT_NAMESPACE}.${family}`;
      const prefix = prefixes.find((p) => stat.startsWith(p));
      return prefix ? bucketSet(spec[prefix]!) : DEFAULT_BUCKET_SET;
    };
    layout = {
      duration: pick(TELEMETRY_METRICS.REQUEST_DURATION),
      requestBytes: pick(TELEMETRY_METRICS.REQUEST_SIZE),
      responseBytes: pick(TELEMETRY_METRICS.RESPONSE_SIZE),
    };
    layouts.set(key, layout);
  }
  return layout;
}

/** A named bundle of the settings above. */
export interface TelemetryProfile {
  readonly description: string;
  readonly disabledMetrics: readonly DisabledMetric[];
  /** As if every pod carried this statsHistogramBuckets annotation (a pod's own annotation wins). */
  readonly histogramBuckets: HistogramBucketsSpec;
}

/**
 * `large-mesh`: what operators of big meshes commonly configure, keeping every series a topology graph
 * reads (requests on both reporters; duration and response size from the client; TCP bytes):
 * - REQUEST_SIZE, the gRPC message counters and the TCP connection counters disabled (CLIENT_AND_SERVER);
 * - REQUEST_DURATION and RESPONSE_SIZE disabled for SERVER: the client's report of the same request
 *   remains (lost: both on edges from callers without a sidecar, which only the server reports);
 * - duration buckets 1 ms .. 10 s (12 instead of Envoy's 19), response-size buckets 100 B .. 1 MB (5).
 * About 25 series per HTTP label-set pair instead of 134; TCP 2 per label set instead of 4.
 */
export const TELEMETRY_PROFILES = {
  'large-mesh': {
    description:
      'disable REQUEST_SIZE, GRPC_*_MESSAGES, TCP_*_CONNECTIONS; REQUEST_DURATION and RESPONSE_SIZE client-side only; fewer buckets',
    disabledMetrics: [
      { metric: 'REQUEST_SIZE' },
      { metric: 'GRPC_REQUEST_MESSAGES' },
      { metric: 'GRPC_RESPONSE_MESSAGES' },
      { metric: 'TCP_OPENED_CONNECTIONS' },
      { metric: 'TCP_CLOSED_CONNECTIONS' },
      { metric: 'REQUEST_DURATION', mode: 'SERVER' },
      { metric: 'RESPONSE_SIZE', mode: 'SERVER' },
    ],
    histogramBuckets: {
      [`${ISTIO_STAT_NAMESPACE}.${TELEMETRY_METRICS.REQUEST_DURATION}`]: [
        1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
      ],
      [`${ISTIO_STAT_NAMESPACE}.${TELEMETRY_METRICS.RESPONSE_SIZE}`]: [100, 1000, 10000, 100000, 1000000],
    },
  },
} as const satisfies Record<string, TelemetryProfile>;
export type TelemetryProfileName = keyof typeof TELEMETRY_PROFILES;
export const TELEMETRY_PROFILE_NAMES = Object.keys(TELEMETRY_PROFILES) as TelemetryProfileName[];

/** The mesh's telemetry settings: the metrics switched off and the buckets pods get by default. */
export interface TelemetrySettings {
  disabled: DisabledByReporter;
  /** Mesh-wide statsHistogramBuckets; undefined = Envoy's defaults. */
  histogramBuckets?: HistogramBucketsSpec;
}

/** Combines a profile with explicit settings: disabled metrics add up, explicit buckets replace the profile's. */
export function telemetrySettings(options: {
  profile?: TelemetryProfileName;
  disabledMetrics?: readonly (TelemetryMetric | DisabledMetric)[];
  histogramBuckets?: HistogramBucketsSpec;
}): TelemetrySettings {
  const profile: TelemetryProfile | undefined = options.profile
    ? TELEMETRY_PROFILES[options.profile]
    : undefined;
  if (options.profile && !profile)
    throw new Error(
      `unknown telemetry profile ${options.profile}; one of ${TELEMETRY_PROFILE_NAMES.join(', ')}`,
    );
  const buckets = options.histogramBuckets ?? profile?.histogramBuckets;
  return {
    disabled: disabledByReporter([...(profile?.disabledMetrics ?? []), ...(options.disabledMetrics ?? [])]),
    ...(buckets ? { histogramBuckets: buckets } : {}),
  };
}
