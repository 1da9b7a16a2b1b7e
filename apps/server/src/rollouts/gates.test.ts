/** Gate evaluation over Prometheus answers (vector JSON as /api/v1/query returns it). */
import { describe, expect, it } from 'vitest';
import type { VectorSample } from '../prometheus/client';
import { evaluateGates, gateQueries, measuredFrom, quantile } from './gates';

const T = 1_780_000_000;
const req = (version: string, code: string, n: number): VectorSample => ({
  metric: { destination_version: version, response_code: code },
  value: [T, String(n)],
});
/** Cumulative buckets of a version: `counts[i]` requests at or under LES[i]. */
const LES = ['5', '10', '25', '50', '100', '250', '+Inf'];
const buckets = (version: string, counts: number[]): VectorSample[] =>
  LES.map((le, i) => ({ metric: { destination_version: version, le }, value: [T, String(counts[i])] }));

const gates = { maxErrorPercent: 5, maxP95Ms: 100, maxP95IncreasePercent: 50, minRequests: 20 };

describe('gate queries', () => {
  it('asks two queries over the window, destination-reported, for the one service', () => {
    const q = gateQueries({ namespace: 'bookinfo', service: 'reviews', windowSeconds: 15 });
    expect(q.requests).toBe(
      'sum by (destination_version, response_code) (increase(istio_requests_total{reporter="destination",destination_service_namespace="bookinfo",destination_service_name="reviews"}[15s]))',
    );
    expect(q.buckets).toContain(
      'sum by (destination_version, le) (increase(istio_request_duration_milliseconds_bucket{',
    );
    expect(q.buckets).toContain('[15s]');
  });
});

describe('quantile', () => {
  it('interpolates inside the bucket as histogram_quantile does', () => {
    // 100 requests: 50 ≤ 10 ms, 90 ≤ 20 ms, all ≤ 40 ms → rank 95 lies halfway in (20, 40]
    expect(
      quantile(0.95, [
        [10, 50],
        [20, 90],
        [40, 100],
        [Infinity, 100],
      ]),
    ).toBe(30);
    // In the +Inf bucket: the highest finite bound.
    expect(
      quantile(0.95, [
        [10, 10],
        [Infinity, 100],
      ]),
    ).toBe(10);
    expect(quantile(0.95, [[Infinity, 0]])).toBeNull();
  });
});

describe('evaluateGates', () => {
  it('passes a healthy target: enough requests, few errors, p95 near the baseline', () => {
    const m = measuredFrom(
      [req('v1', '200', 900), req('v1', '500', 9), req('v3', '200', 99), req('v3', '503', 1)],
      [
        ...buckets('v1', [100, 500, 880, 900, 909, 909, 909]),
        ...buckets('v3', [10, 50, 95, 99, 100, 100, 100]),
      ],
    );
    const r = evaluateGates(gates, m, 'v3', ['v1']);
    expect(r.map((g) => [g.gate, g.measured, g.pass])).toEqual([
      ['minRequests', 100, true],
      ['errorPercent', 1, true],
      ['p95Ms', 25, true],
      ['p95IncreasePercent', 2.5, true],
    ]);
    expect(r[3]?.baseline).toBe(24.4);
  });

  it('fails the error gate with the measured value, counting only 5xx', () => {
    const m = measuredFrom(
      [req('v3', '200', 40), req('v3', '404', 10), req('v3', '500', 30), req('v3', '503', 20)],
      buckets('v3', [50, 100, 100, 100, 100, 100, 100]),
    );
    const [, err] = evaluateGates(gates, m, 'v3', ['v1']);
    expect(err).toMatchObject({ gate: 'errorPercent', measured: 50, threshold: 5, pass: false });
    expect(err?.message).toBe('v3 answered 50 % 5xx (at most 5 %)');
  });

  it('fails latency gates: absolute p95 and the increase over the baseline', () => {
    const m = measuredFrom(
      [req('v1', '200', 100), req('v3', '200', 100)],
      [...buckets('v1', [50, 96, 100, 100, 100, 100, 100]), ...buckets('v3', [0, 0, 10, 20, 50, 100, 100])],
    );
    const r = evaluateGates(gates, m, 'v3', ['v1']);
    const p95 = r.find((g) => g.gate === 'p95Ms');
    const inc = r.find((g) => g.gate === 'p95IncreasePercent');
    expect(p95).toMatchObject({ measured: 235, pass: false });
    expect(inc).toMatchObject({ baseline: 9.9, pass: false });
    expect(inc?.measured).toBeGreaterThan(2000);
  });

  it('at 100 % (no baseline traffic) measures the increase against the baseline p95 of an earlier step', () => {
    const m = measuredFrom([req('v3', '200', 100)], buckets('v3', [10, 50, 95, 99, 100, 100, 100]));
    const inc = (earlier?: number | null) =>
      evaluateGates(gates, m, 'v3', ['v1'], earlier).find((g) => g.gate === 'p95IncreasePercent');
    expect(inc(20)).toMatchObject({ measured: 25, baseline: 20, pass: true });
    expect(inc(20)?.message).toContain('measured at an earlier step');
    expect(inc(null)).toMatchObject({ measured: null, pass: false });
  });

  it('fails every gate when the target had no traffic (nothing is known)', () => {
    const m = measuredFrom([req('v1', '200', 100)], buckets('v1', [100, 100, 100, 100, 100, 100, 100]));
    const r = evaluateGates({ ...gates, minRequests: 0 }, m, 'v3', ['v1']);
    expect(r.map((g) => [g.gate, g.pass])).toEqual([
      ['minRequests', true],
      ['errorPercent', false],
      ['p95Ms', false],
      ['p95IncreasePercent', false],
    ]);
    expect(r[1]?.message).toBe('no requests to v3: its error % is unknown');
  });

  it('fails minRequests below the bound, and skips latency gates not asked for', () => {
    const m = measuredFrom([req('v3', '200', 7.5)], []);
    const r = evaluateGates({ maxErrorPercent: 1, minRequests: 20 }, m, 'v3', ['v1']);
    expect(r.map((g) => g.gate)).toEqual(['minRequests', 'errorPercent']);
    expect(r[0]).toMatchObject({ measured: 7.5, pass: false });
  });
});
