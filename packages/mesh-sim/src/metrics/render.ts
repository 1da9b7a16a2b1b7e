/**
 * Prometheus text exposition (format 0.0.4) of a MetricsStore, written by hand for speed: label text is
 * pre-rendered per series, and the output is produced in ~1 MB chunks so that a scrape of a large mesh
 * streams instead of building one huge string.
 */
import { BUCKETS, type Histogram, type MetricsStore } from './store';

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const ISTIO_VERSION = '1.30.3';
const CHUNK = 1 << 20;

const LE = [...BUCKETS.map((b) => `,le="${b}"} `), ',le="+Inf"} '];

const HTTP_HISTOGRAMS = [
  ['istio_request_duration_milliseconds', 'duration'],
  ['istio_request_bytes', 'requestBytes'],
  ['istio_response_bytes', 'responseBytes'],
] as const;

const TCP_COUNTERS = [
  ['istio_tcp_connections_opened_total', 'opened'],
  ['istio_tcp_connections_closed_total', 'closed'],
  ['istio_tcp_sent_bytes_total', 'sent'],
  ['istio_tcp_received_bytes_total', 'received'],
] as const;

/** Produces the exposition as a sequence of text chunks. */
export function* renderChunks(store: MetricsStore): Generator<string> {
  let out = '';
  const http = [...store.http.values()];
  const tcp = [...store.tcp.values()];
  const messages = [...store.messages.values()];

  out += '# TYPE istio_requests_total counter\n';
  for (const s of http) {
    out += `istio_requests_total{${s.labels}} ${s.requests}\n`;
    if (out.length > CHUNK) {
      yield out;
      out = '';
    }
  }
  for (const [name, field] of HTTP_HISTOGRAMS) {
    out += `# TYPE ${name} histogram\n`;
    const bucket = `${name}_bucket{`;
    for (const s of http) {
      const h: Histogram = s[field];
      let cumulative = 0;
      for (let i = 0; i < LE.length; i++) {
        cumulative += h.counts[i]!;
        out += bucket + s.labels + LE[i] + cumulative + '\n';
      }
      out += `${name}_sum{${s.labels}} ${h.sum}\n${name}_count{${s.labels}} ${cumulative}\n`;
      if (out.length > CHUNK) {
        yield out;
        out = '';
      }
    }
  }
  for (const [name, field] of [
    ['istio_request_messages_total', 'request'],
    ['istio_response_messages_total', 'response'],
  ] as const) {
    out += `# TYPE ${name} counter\n`;
    for (const s of messages) out += `${name}{${s.labels}} ${s[field]}\n`;
  }
  for (const [name, field] of TCP_COUNTERS) {
    out += `# TYPE ${name} counter\n`;
    for (const s of tcp) {
      out += `${name}{${s.labels}} ${s[field]}\n`;
      if (out.length > CHUNK) {
        yield out;
        out = '';
      }
    }
  }
  out += `# TYPE istio_build gauge\nistio_build{component="proxy",tag="${ISTIO_VERSION}"} 1\n`;
  yield out;
}

export function renderText(store: MetricsStore): string {
  let text = '';
  for (const chunk of renderChunks(store)) text += chunk;
  return text;
}
