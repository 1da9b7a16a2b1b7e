/**
 * The graph-kiali bench's Prometheus side against a real Prometheus (no scrape target: the queries find no
 * series, which is enough to parse and evaluate them): Kiali's documented per-namespace PromQL is PromQL
 * that Prometheus accepts, and `evaluation` reads Prometheus's own timings or says which query failed.
 */
import { startPrometheus, type PrometheusHandle } from '@meshlens/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluation, kialiNamespaceQueries } from './kiali';

describe('graph-kiali bench on a real Prometheus', () => {
  let prometheus: PrometheusHandle;
  beforeAll(async () => {
    prometheus = await startPrometheus({ scrapeTargets: [] });
  });
  afterAll(async () => {
    await prometheus?.close();
  });

  it("evaluates every query of Kiali's per-namespace set, with and without p95", async () => {
    const plain = kialiNamespaceQueries('ns-00', 120, false);
    const p95 = kialiNamespaceQueries('ns-00', 120, true);
    expect(plain).toHaveLength(6);
    expect(p95).toHaveLength(8);
    const e = await evaluation(prometheus.url, p95, Date.now() / 1000);
    expect(e.evalMs).toBeGreaterThan(0);
    expect(e.wallMs).toBeGreaterThanOrEqual(e.evalMs);
  });

  it('names the query Prometheus refused', async () => {
    await expect(evaluation(prometheus.url, ['vector(1)', 'sum(rate(x[5m]) by'], 0)).rejects.toThrow(
      /answered 400 without evaluation timings to sum\(rate\(x\[5m\]\) by/,
    );
  });
});
