/**
 * Counters and histograms of the Istio metric families, aggregated in memory. One series object per
 * label set holds every family that shares those labels (requests_total + the three histograms for
 * HTTP/gRPC; the four tcp_* counters; the two gRPC message counters), with its label text pre-rendered.
 */
import type { Fragment } from './labels';
import { DEFAULT_LAYOUT, ENVOY_DEFAULT_BUCKETS, type BucketSet, type HistogramLayout } from './telemetry';

/** Envoy's default histogram buckets (HistogramSettingsImpl::defaultBuckets), +Inf implied. */
export const BUCKETS = ENVOY_DEFAULT_BUCKETS;

export type Reporter = 'source' | 'destination';

export interface Histogram {
  /** The reporting proxy's buckets for this histogram (its statsHistogramBuckets). */
  buckets: BucketSet;
  /** Non-cumulative counts per bucket, +Inf last. */
  counts: Float64Array;
  sum: number;
}

/** Label text of a series, encoded once: `reporter="source",...` (without braces). */
export interface HttpSeries {
  reporter: Reporter;
  labelBytes: Buffer;
  requests: number;
  duration: Histogram;
  requestBytes: Histogram;
  responseBytes: Histogram;
}

export interface TcpSeries {
  reporter: Reporter;
  labelBytes: Buffer;
  opened: number;
  closed: number;
  sent: number;
  received: number;
}

export interface MessageSeries {
  reporter: Reporter;
  labelBytes: Buffer;
  request: number;
  response: number;
}

const histogram = (buckets: BucketSet): Histogram => ({
  buckets,
  counts: new Float64Array(buckets.bounds.length + 1),
  sum: 0,
});

/**
 * Counts `v` into `h`, first switching `h` to `buckets` when the reporting proxy's buckets changed (its
 * pods were replaced with another annotation): a fresh histogram, as the new proxies start from zero.
 */
function observe(h: Histogram, buckets: BucketSet, v: number): void {
  if (h.buckets !== buckets) {
    h.buckets = buckets;
    h.counts = new Float64Array(buckets.bounds.length + 1);
    h.sum = 0;
  }
  const bounds = buckets.bounds;
  let i = 0;
  while (i < bounds.length && v > bounds[i]!) i++;
  h.counts[i]! += 1;
  h.sum += v;
}

export interface HttpSample {
  reporter: Reporter;
  source: Fragment;
  destination: Fragment;
  protocol: 'http' | 'grpc';
  code: number;
  /** gRPC status as a string; '' for plain HTTP. */
  grpcStatus: string;
  /** Envoy flags, '-' when none. */
  flags: string;
  security: 'mutual_tls' | 'none' | 'unknown';
  durationMs: number;
  requestBytes: number;
  responseBytes: number;
  /** The reporting proxy's histogram buckets (default: Envoy's). */
  buckets?: HistogramLayout;
}

export interface TcpSample {
  reporter: Reporter;
  source: Fragment;
  destination: Fragment;
  flags: string;
  security: 'mutual_tls' | 'none' | 'unknown';
  sent: number;
  received: number;
}

const encode = (text: string) => Buffer.from(text, 'utf8');
const peerText = (r: Reporter, s: Fragment, d: Fragment) => `reporter="${r}",${s.text},${d.text}`;

export class MetricsStore {
  readonly http = new Map<string, HttpSeries>();
  readonly tcp = new Map<string, TcpSeries>();
  readonly messages = new Map<string, MessageSeries>();
  /** Samples recorded, by reporter (for the benchmark and /debug/state). */
  readonly recorded = { source: 0, destination: 0 };

  recordHttp(x: HttpSample): void {
    const layout = x.buckets ?? DEFAULT_LAYOUT;
    const key = `${x.reporter[0]}${x.source.id}.${x.destination.id}|${x.protocol}|${x.code}|${x.grpcStatus}|${x.flags}|${x.security}`;
    let s = this.http.get(key);
    if (!s) {
      s = {
        reporter: x.reporter,
        labelBytes: encode(
          `${peerText(x.reporter, x.source, x.destination)},request_protocol="${x.protocol}",response_code="${x.code}",` +
            `grpc_response_status="${x.grpcStatus}",response_flags="${x.flags}",connection_security_policy="${x.security}"`,
        ),
        requests: 0,
        duration: histogram(layout.duration),
        requestBytes: histogram(layout.requestBytes),
        responseBytes: histogram(layout.responseBytes),
      };
      this.http.set(key, s);
    }
    s.requests++;
    // Envoy records whole milliseconds (absl duration / 1ms) and whole bytes.
    observe(s.duration, layout.duration, Math.floor(x.durationMs));
    observe(s.requestBytes, layout.requestBytes, Math.round(x.requestBytes));
    observe(s.responseBytes, layout.responseBytes, Math.round(x.responseBytes));
    this.recorded[x.reporter]++;
  }

  recordTcp(x: TcpSample): void {
    const key = `${x.reporter[0]}${x.source.id}.${x.destination.id}|${x.flags}|${x.security}`;
    let s = this.tcp.get(key);
    if (!s) {
      s = {
        reporter: x.reporter,
        labelBytes: encode(
          `${peerText(x.reporter, x.source, x.destination)},request_protocol="tcp",response_flags="${x.flags}",connection_security_policy="${x.security}"`,
        ),
        opened: 0,
        closed: 0,
        sent: 0,
        received: 0,
      };
      this.tcp.set(key, s);
    }
    s.opened++;
    s.closed++;
    s.sent += Math.round(x.sent);
    s.received += Math.round(x.received);
    this.recorded[x.reporter]++;
  }

  recordMessages(
    reporter: Reporter,
    source: Fragment,
    destination: Fragment,
    request: number,
    response: number,
  ): void {
    const key = `${reporter[0]}${source.id}.${destination.id}`;
    let s = this.messages.get(key);
    if (!s) {
      s = { reporter, labelBytes: encode(peerText(reporter, source, destination)), request: 0, response: 0 };
      this.messages.set(key, s);
    }
    s.request += request;
    s.response += response;
  }

  seriesCount(): number {
    return this.http.size + this.tcp.size + this.messages.size;
  }
}
