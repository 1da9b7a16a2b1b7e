/**
 * Prometheus text exposition (format 0.0.4) of a MetricsStore, written by hand for speed. Each series'
 * label text is encoded once (see store.ts); a scrape copies those bytes into 1 MB buffers that stream to
 * the client, so a large mesh (hundreds of MB of text) neither builds one huge string nor re-encodes.
 */
import type { Histogram, HttpSeries, MessageSeries, MetricsStore, Reporter, TcpSeries } from './store';
import {
  TELEMETRY_METRICS,
  disabledByReporter,
  type BucketSet,
  type DisabledByReporter,
  type TelemetryMetric,
} from './telemetry';

export { TELEMETRY_METRICS, type TelemetryMetric } from './telemetry';

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const ISTIO_VERSION = '1.30.3';
const CHUNK = 1 << 20;

const enc = (s: string) => Buffer.from(s, 'utf8');
const CLOSE = enc('} ');

/** `,le="…"} ` per bucket of a set, encoded once per set. */
const leBytes = new WeakMap<BucketSet, Buffer[]>();
function leOf(set: BucketSet): Buffer[] {
  let out = leBytes.get(set);
  if (!out) leBytes.set(set, (out = set.le.map((le) => enc(`,le="${le}"} `))));
  return out;
}

/**
 * Metrics switched off (Istio Telemetry API `disabled: true`): a set of metrics (off on both reporters,
 * CLIENT_AND_SERVER) or, per reporter, what the client (source) and server (destination) proxies leave out.
 */
export type DisabledMetrics = ReadonlySet<TelemetryMetric> | DisabledByReporter;

function perReporter(d: DisabledMetrics | undefined): DisabledByReporter {
  if (!d) return disabledByReporter();
  return d instanceof Set ? { source: d, destination: d } : (d as DisabledByReporter);
}

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
export function* renderBuffers(store: MetricsStore, disabledMetrics?: DisabledMetrics): Generator<Buffer> {
  const w = new Writer();
  const disabled = perReporter(disabledMetrics);
  /** The series of one family: those whose reporter has it on; none when both have it off. */
  const reported = <T extends { reporter: Reporter }>(metric: TelemetryMetric, all: Iterable<T>): T[] => {
    const offSource = disabled.source.has(metric);
    const offDestination = disabled.destination.has(metric);
    if (offSource && offDestination) return [];
    const list = [...all];
    if (!offSource && !offDestination) return list;
    return list.filter((s) => (s.reporter === 'source' ? !offSource : !offDestination));
  };

  function* counter<T extends Labelled>(name: string, list: T[], value: (s: T) => number) {
    if (list.length === 0) return;
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

  yield* counter(
    TELEMETRY_METRICS.REQUEST_COUNT,
    reported('REQUEST_COUNT', store.http.values()),
    (s) => s.requests,
  );
  for (const [metric, field] of HTTP_HISTOGRAMS) {
    const http: HttpSeries[] = reported(metric, store.http.values());
    if (http.length === 0) continue;
    const name = TELEMETRY_METRICS[metric];
    const bucket = enc(`${name}_bucket{`);
    const sum = enc(`${name}_sum{`);
    const count = enc(`${name}_count{`);
    w.reserve(64);
    w.ascii(`# TYPE ${name} histogram\n`);
    for (const s of http) {
      const h: Histogram = s[field];
      const labels = s.labelBytes;
      const le = leOf(h.buckets);
      w.reserve((bucket.length + labels.length + 48) * (le.length + 2));
      let cumulative = 0;
      for (let i = 0; i < le.length; i++) {
        cumulative += h.counts[i]!;
        w.bytes(bucket);
        w.bytes(labels);
        w.bytes(le[i]!);
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
    yield* counter(
      TELEMETRY_METRICS[metric],
      reported<MessageSeries>(metric, store.messages.values()),
      (s) => s[field],
    );
  for (const [metric, field] of TCP_COUNTERS)
    yield* counter(
      TELEMETRY_METRICS[metric],
      reported<TcpSeries>(metric, store.tcp.values()),
      (s) => s[field],
    );
  w.reserve(256);
  w.ascii(`# TYPE istio_build gauge\nistio_build{component="proxy",tag="${ISTIO_VERSION}"} 1\n`);
  yield* w.finish();
}

export function renderText(store: MetricsStore, disabled?: DisabledMetrics): string {
  return Buffer.concat([...renderBuffers(store, disabled)]).toString('utf8');
}

/** Number of samples (Prometheus series) a scrape exposes, without rendering it. */
export function exposedSeries(store: MetricsStore, disabledMetrics?: DisabledMetrics): number {
  const disabled = perReporter(disabledMetrics);
  const on = (r: Reporter, m: TelemetryMetric) => !disabled[r].has(m);
  let n = 1; // istio_build
  for (const s of store.http.values()) {
    if (on(s.reporter, 'REQUEST_COUNT')) n++;
    for (const [metric, field] of HTTP_HISTOGRAMS)
      if (on(s.reporter, metric)) n += s[field].buckets.le.length + 2;
  }
  for (const s of store.messages.values())
    for (const [metric] of MESSAGE_COUNTERS) if (on(s.reporter, metric)) n++;
  for (const s of store.tcp.values()) for (const [metric] of TCP_COUNTERS) if (on(s.reporter, metric)) n++;
  return n;
}
