/**
 * Prometheus text exposition (format 0.0.4) of a MetricsStore, written by hand for speed. Each series'
 * label text is encoded once (see store.ts); a scrape copies those bytes into 1 MB buffers that stream to
 * the client, so a large mesh (hundreds of MB of text) neither builds one huge string nor re-encodes.
 */
import { BUCKETS, type Histogram, type MetricsStore } from './store';

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const ISTIO_VERSION = '1.30.3';
const CHUNK = 1 << 20;

const enc = (s: string) => Buffer.from(s, 'utf8');
const LE = [...BUCKETS.map((b) => enc(`,le="${b}"} `)), enc(',le="+Inf"} ')];
const CLOSE = enc('} ');

/**
 * Istio's Telemetry API names for the standard metrics (`metrics.overrides[].match.metric`); a metric
 * can be disabled there (`disabled: true`), which the simulator honours through `disabled` below.
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

const HTTP_HISTOGRAMS = [
  ['REQUEST_DURATION', 'duration'],
  ['REQUEST_SIZE', 'requestBytes'],
  ['RESPONSE_SIZE', 'responseBytes'],
] as const;

const TCP_COUNTERS = [
  ['TCP_OPENED_CONNECTIONS', 'opened'],
  ['TCP_CLOSED_CONNECTIONS', 'closed'],
  ['TCP_SENT_BYTES', 'sent'],
  ['TCP_RECEIVED_BYTES', 'received'],
] as const;

const MESSAGE_COUNTERS = [
  ['GRPC_REQUEST_MESSAGES', 'request'],
  ['GRPC_RESPONSE_MESSAGES', 'response'],
] as const;

/** Appends bytes to 1 MB buffers, handing each full one out. */
class Writer {
  private buf = Buffer.allocUnsafe(CHUNK);
  private pos = 0;
  readonly full: Buffer[] = [];

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    if (this.pos > 0) this.full.push(this.buf.subarray(0, this.pos));
    this.buf = Buffer.allocUnsafe(Math.max(CHUNK, n));
    this.pos = 0;
  }

  bytes(b: Buffer): void {
    this.pos += b.copy(this.buf, this.pos);
  }

  /** ASCII text (metric values, names). */
  ascii(s: string): void {
    this.pos += this.buf.write(s, this.pos, 'latin1');
  }

  finish(): Buffer[] {
    if (this.pos > 0) this.full.push(this.buf.subarray(0, this.pos));
    this.pos = 0;
    this.buf = Buffer.allocUnsafe(0);
    return this.full.splice(0);
  }

  take(): Buffer[] {
    return this.full.splice(0);
  }
}

interface Labelled {
  labelBytes: Buffer;
}

/** Produces the exposition as a sequence of buffers (about 1 MB each). */
export function* renderBuffers(
  store: MetricsStore,
  disabled: ReadonlySet<TelemetryMetric> = new Set(),
): Generator<Buffer> {
  const w = new Writer();
  const http = [...store.http.values()];
  const tcp = [...store.tcp.values()];
  const messages = [...store.messages.values()];

  function* counter<T extends Labelled>(name: string, list: T[], value: (s: T) => number) {
    const open = enc(`${name}{`);
    w.reserve(64);
    w.ascii(`# TYPE ${name} counter\n`);
    for (const s of list) {
      w.reserve(open.length + s.labelBytes.length + 32);
      w.bytes(open);
      w.bytes(s.labelBytes);
      w.bytes(CLOSE);
      w.ascii(`${value(s)}\n`);
      if (w.full.length) yield* w.take();
    }
  }

  if (!disabled.has('REQUEST_COUNT'))
    yield* counter(TELEMETRY_METRICS.REQUEST_COUNT, http, (s) => s.requests);
  for (const [metric, field] of HTTP_HISTOGRAMS) {
    if (disabled.has(metric)) continue;
    const name = TELEMETRY_METRICS[metric];
    const bucket = enc(`${name}_bucket{`);
    const sum = enc(`${name}_sum{`);
    const count = enc(`${name}_count{`);
    w.reserve(64);
    w.ascii(`# TYPE ${name} histogram\n`);
    for (const s of http) {
      const h: Histogram = s[field];
      const labels = s.labelBytes;
      w.reserve((bucket.length + labels.length + 40) * 22);
      let cumulative = 0;
      for (let i = 0; i < LE.length; i++) {
        cumulative += h.counts[i]!;
        w.bytes(bucket);
        w.bytes(labels);
        w.bytes(LE[i]!);
        w.ascii(`${cumulative}\n`);
      }
      w.bytes(sum);
      w.bytes(labels);
      w.bytes(CLOSE);
      w.ascii(`${h.sum}\n`);
      w.bytes(count);
      w.bytes(labels);
      w.bytes(CLOSE);
      w.ascii(`${cumulative}\n`);
      if (w.full.length) yield* w.take();
    }
  }
  for (const [metric, field] of MESSAGE_COUNTERS)
    if (!disabled.has(metric)) yield* counter(TELEMETRY_METRICS[metric], messages, (s) => s[field]);
  for (const [metric, field] of TCP_COUNTERS)
    if (!disabled.has(metric)) yield* counter(TELEMETRY_METRICS[metric], tcp, (s) => s[field]);
  w.reserve(256);
  w.ascii(`# TYPE istio_build gauge\nistio_build{component="proxy",tag="${ISTIO_VERSION}"} 1\n`);
  yield* w.finish();
}

export function renderText(store: MetricsStore, disabled?: ReadonlySet<TelemetryMetric>): string {
  return Buffer.concat([...renderBuffers(store, disabled)]).toString('utf8');
}
