import { describe, expect, it } from 'vitest';
import { parseAccessLog, severityOf } from './accessLog';
import {
  compileFilter,
  makeLine,
  mergeByTime,
  shortTime,
  splitNdjson,
  timeKey,
  type LineFilter,
} from './lines';

// Lines as mesh-sim writes them (Istio's default TEXT access-log format) and as Envoy does in clusters.
const OK =
  '[2026-12-05T21:30:01.123Z] "GET /reviews/0 HTTP/1.1" 200 - via_upstream - "-" 0 295 12 11 "-" "curl/8.5.0" "3f1c2a5e-1b2c-4d5e-8f90-123456789abc" "reviews:9080" "10.244.0.7:9080" inbound|9080|| 127.0.0.6:41234 10.244.0.7:9080 10.244.0.5:52344 outbound_.9080_._.reviews.bookinfo.svc.cluster.local default';
const FAULT =
  '[2026-12-05T21:30:02.000Z] "GET /ratings/0 HTTP/1.1" 503 FI fault_filter_abort - "-" 0 120 0 - "-" "-" "6d0b4c8e-0000-4000-8000-000000000001" "ratings:9080" "-" outbound|9080||ratings.bookinfo.svc.cluster.local - 10.96.0.12:9080 10.244.0.9:40000 - default';
const REAL_ENVOY =
  '[2024-06-02T13:35:27.116Z] "GET /realms/kubeflow/auth HTTP/2" 404 NR route_not_found - "-" 0 0 0 - "192.168.0.24" "Mozilla/5.0" "0b60ced5-f525-45e5-9233-171eb33b7c95" "auth.example.org" "-" - - 10.0.0.196:8443 192.168.0.24:41604 auth.example.org -';

describe('parseAccessLog', () => {
  it("reads Istio's default TEXT format field by field", () => {
    expect(parseAccessLog(OK)).toEqual({
      start: '2026-12-05T21:30:01.123Z',
      method: 'GET',
      path: '/reviews/0',
      protocol: 'HTTP/1.1',
      code: 200,
      flags: '-',
      details: 'via_upstream',
      bytesReceived: 0,
      bytesSent: 295,
      durationMs: 12,
      upstreamServiceMs: 11,
      xff: '-',
      userAgent: 'curl/8.5.0',
      requestId: '3f1c2a5e-1b2c-4d5e-8f90-123456789abc',
      authority: 'reviews:9080',
      upstreamHost: '10.244.0.7:9080',
      upstreamCluster: 'inbound|9080||',
    });
    expect(parseAccessLog(FAULT)).toMatchObject({ code: 503, flags: 'FI', details: 'fault_filter_abort' });
    expect(parseAccessLog(FAULT)).not.toHaveProperty('upstreamServiceMs');
    expect(parseAccessLog(REAL_ENVOY)).toMatchObject({ protocol: 'HTTP/2', code: 404, flags: 'NR' });
    expect(parseAccessLog('2026-12-05T21:30:01.123Z INFO  GET /reviews/0 200 3.0ms')).toBeUndefined();
  });
});

describe('severityOf', () => {
  it('marks 5xx, no response and failure flags as errors, 4xx as warnings', () => {
    expect(severityOf(OK)).toBe('info');
    expect(severityOf(FAULT)).toBe('error');
    expect(severityOf(OK.replace('" 200 -', '" 200 UF,URX'))).toBe('error');
    expect(severityOf(OK.replace('" 200 -', '" 0 DC'))).toBe('error');
    expect(severityOf(OK.replace('" 200 -', '" 200 DI'))).toBe('info');
    expect(severityOf(OK.replace('" 200 -', '" 403 -'))).toBe('warn');
    expect(severityOf(REAL_ENVOY)).toBe('error');
    expect(severityOf('2026-12-05T21:30:01Z ERROR GET /details/0 500')).toBe('error');
    expect(severityOf('2026-12-05T21:30:01Z WARN  call to ratings:9080 failed')).toBe('warn');
    expect(severityOf('2026-12-05T21:30:01Z INFO  GET /details/0 200 (no ERRORS here)')).toBe('info');
  });
});

const line = (container: string, time: string, seq: number, text = `${container} ${seq}`) =>
  makeLine(`p/${container}`, container, time, text, seq);

describe('mergeByTime', () => {
  it('interleaves sorted streams by time, whatever the fraction widths, keeping ties in order', () => {
    const app = [
      line('app', '2026-01-01T00:00:01Z', 0),
      line('app', '2026-01-01T00:00:01.5Z', 1),
      line('app', '2026-01-01T00:00:03.000000001Z', 2),
    ];
    const proxy = [
      line('proxy', '2026-01-01T00:00:01Z', 0),
      line('proxy', '2026-01-01T00:00:01.25Z', 1),
      line('proxy', '2026-01-01T00:00:02.999999999Z', 2),
    ];
    expect(mergeByTime([app, proxy]).map((l) => l.text)).toEqual([
      'app 0',
      'proxy 0',
      'proxy 1',
      'app 1',
      'proxy 2',
      'app 2',
    ]);
    expect(mergeByTime([])).toEqual([]);
    expect(mergeByTime([[], app]).map((l) => l.seq)).toEqual([0, 1, 2]);
    expect(timeKey('2026-01-01T00:00:01.5Z')).toBe('2026-01-01T00:00:01.500000000Z');
  });
});

describe('compileFilter', () => {
  const lines = [
    makeLine('p/c', 'c', 't', OK, 0),
    makeLine('p/c', 'c', 't', FAULT, 1),
    makeLine('p/c', 'c', 't', '… ERROR GET /details/0 500', 2),
  ];
  const run = (f: Partial<LineFilter>) => {
    const c = compileFilter({ search: '', expression: '', mode: 'show', errorsOnly: false, ...f });
    if (!c.ok) throw new Error(c.error);
    return lines.filter(c.test).map((l) => l.seq);
  };
  it('searches text case-insensitively, shows or hides by expression, keeps errors only', () => {
    expect(run({})).toEqual([0, 1, 2]);
    expect(run({ search: 'RATINGS' })).toEqual([1]);
    expect(run({ expression: '" 5\\d\\d ', mode: 'show' })).toEqual([1]);
    expect(run({ expression: '" 5\\d\\d ', mode: 'hide' })).toEqual([0, 2]);
    expect(run({ errorsOnly: true })).toEqual([1, 2]);
    expect(run({ errorsOnly: true, search: 'details' })).toEqual([2]);
  });
  it('reports an expression that does not compile', () => {
    const c = compileFilter({ search: '', expression: '([', mode: 'show', errorsOnly: false });
    expect(c.ok).toBe(false);
    expect(!c.ok && c.error).toMatch(/^Not a regular expression/);
  });
});

describe('splitNdjson and shortTime', () => {
  it('keeps a partial record for the next chunk', () => {
    expect(splitNdjson('', '{"a":1}\n{"b"')).toEqual({ records: ['{"a":1}'], rest: '{"b"' });
    expect(splitNdjson('{"b"', ':2}\n\n')).toEqual({ records: ['{"b":2}'], rest: '' });
    expect(shortTime('2026-01-02T03:04:05.123456789Z')).toBe('03:04:05.123');
    expect(shortTime('2026-01-02T03:04:05Z')).toBe('03:04:05.000');
  });
});
