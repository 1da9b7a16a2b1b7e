/**
 * The graph-kiali bench's Prometheus side against a real Prometheus (no scrape target: the queries find no
 * series, which is enough to parse and evaluate them): Kiali's documented per-namespace PromQL is PromQL
 * that Prometheus accepts, and `evaluation` reads Prometheus's own timings or says which query failed.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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

  it('names the query when the answer is not JSON (a proxy in front of Prometheus failing)', async () => {
    const proxy = createServer((_req, res) =>
      res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>502</h1>'),
    );
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      await expect(evaluation(url, ['vector(1)'], 0)).rejects.toThrow(
        /answered 502 without evaluation timings to vector\(1\)/,
      );
    } finally {
      await new Promise((r) => proxy.close(r));
    }
  });
});
