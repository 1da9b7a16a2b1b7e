import { describe, expect, it } from 'vitest';
import { BUCKETS } from '../src/metrics/store';
import { renderText } from '../src/metrics/render';
import { HTTP_LABELS, PEER_LABELS, TCP_LABELS } from '../src/metrics/labels';
import { parseExposition } from './helpers';
import { simulation } from './helpers';

function travelsText(): string {
  const { engine } = simulation({ scenario: 'travels' });
  for (let i = 0; i < 50; i++) engine.tick(i * 200, 200);
  return renderText(engine.store);
}

describe('metrics exposition', () => {
  const text = travelsText();
  const series = parseExposition(text);

  it('every family is declared once with its type, samples grouped under it', () => {
    const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(types).toEqual([
      'istio_requests_total counter',
      'istio_request_duration_milliseconds histogram',
      'istio_request_bytes histogram',
      'istio_response_bytes histogram',
      'istio_request_messages_total counter',
      'istio_response_messages_total counter',
      'istio_tcp_connections_opened_total counter',
      'istio_tcp_connections_closed_total counter',
      'istio_tcp_sent_bytes_total counter',
      'istio_tcp_received_bytes_total counter',
      'istio_build gauge',
    ]);
    expect(text.endsWith('\n')).toBe(true);
  });

  it("carries exactly Istio's label sets: 25 for requests, 23 for TCP, 20 for gRPC messages", () => {
    const keys = (name: string) =>
      new Set(series.filter((s) => s.name === name).map((s) => Object.keys(s.labels).sort().join(',')));
    expect([...keys('istio_requests_total')]).toEqual([[...HTTP_LABELS].sort().join(',')]);
    expect([...keys('istio_tcp_sent_bytes_total')]).toEqual([[...TCP_LABELS].sort().join(',')]);
    expect([...keys('istio_request_messages_total')]).toEqual([[...PEER_LABELS].sort().join(',')]);
    expect(HTTP_LABELS).toHaveLength(25);
    expect(TCP_LABELS).toHaveLength(23);
    expect(PEER_LABELS).toHaveLength(20);
    const protocols = new Set(
      series.filter((s) => s.name === 'istio_requests_total').map((s) => s.labels.request_protocol),
    );
    expect([...protocols].sort()).toEqual(['grpc', 'http']);
  });

  it("histograms use Envoy's default buckets, cumulative, +Inf equal to _count and to requests_total", () => {
    const les = [
      '0.5',
      '1',
      '5',
      '10',
      '25',
      '50',
      '100',
      '250',
      '500',
      '1000',
      '2500',
      '5000',
      '10000',
      '30000',
      '60000',
      '300000',
      '600000',
      '1800000',
      '3600000',
      '+Inf',
    ];
    expect(BUCKETS.map(String)).toEqual(les.slice(0, -1));
    const key = (l: Record<string, string>) =>
      JSON.stringify(
        Object.entries(l)
          .filter(([k]) => k !== 'le')
          .sort(),
      );
    const buckets = new Map<string, number[]>();
    for (const s of series.filter((x) => x.name === 'istio_request_duration_milliseconds_bucket')) {
      const k = key(s.labels);
      const list = buckets.get(k) ?? [];
      expect(s.labels.le).toBe(les[list.length]);
      list.push(s.value);
      buckets.set(k, list);
    }
    expect(buckets.size).toBeGreaterThan(10);
    const counts = new Map(
      series
        .filter((x) => x.name === 'istio_request_duration_milliseconds_count')
        .map((s) => [key(s.labels), s.value]),
    );
    const totals = new Map(
      series.filter((x) => x.name === 'istio_requests_total').map((s) => [key(s.labels), s.value]),
    );
    for (const [k, list] of buckets) {
      expect(list).toHaveLength(20);
      for (let i = 1; i < list.length; i++) expect(list[i]!).toBeGreaterThanOrEqual(list[i - 1]!);
      expect(list[19]).toBe(counts.get(k));
      expect(list[19]).toBe(totals.get(k));
    }
  });

  it('tcp counters open and close each connection and count bytes both ways', () => {
    const tcp = series.filter((s) => s.name === 'istio_tcp_connections_opened_total');
    expect(tcp.length).toBeGreaterThan(0);
    for (const s of tcp) {
      const closed = series.find(
        (x) =>
          x.name === 'istio_tcp_connections_closed_total' &&
          JSON.stringify(x.labels) === JSON.stringify(s.labels),
      )!;
      expect(closed.value).toBe(s.value);
    }
    expect(total('istio_tcp_received_bytes_total')).toBeGreaterThan(0);
    function total(name: string) {
      return series.filter((x) => x.name === name).reduce((a, b) => a + b.value, 0);
    }
  });

  it('leaves out metrics disabled as with the Telemetry API', () => {
    const { engine } = simulation();
    engine.tick(0, 1000);
    const names = (t: string) =>
      new Set(parseExposition(t).map((x) => x.name.replace(/_(bucket|sum|count)$/, '')));
    const full = names(renderText(engine.store));
    const lean = names(renderText(engine.store, new Set(['REQUEST_SIZE', 'RESPONSE_SIZE'] as const)));
    expect(full.has('istio_request_bytes')).toBe(true);
    expect(lean.has('istio_request_bytes')).toBe(false);
    expect(lean.has('istio_response_bytes')).toBe(false);
    expect(lean.has('istio_request_duration_milliseconds')).toBe(true);
    expect(lean.has('istio_requests_total')).toBe(true);
  });

  it('escapes label values', async () => {
    const { escapeLabelValue } = await import('../src/metrics/labels');
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
  });
});
