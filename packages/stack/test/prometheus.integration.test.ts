import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isAlive,
  PrometheusNotInstalledError,
  prometheusConfig,
  queryPrometheus,
  startPrometheus,
  vectorOf,
  waitForPromQL,
  type PrometheusHandle,
} from '../src/index';

/** A tiny exporter: a counter growing by 10 per second, with a `job` label that honor_labels must keep. */
function startExporter(): Promise<{ server: Server; target: string }> {
  const started = Date.now();
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    const value = ((Date.now() - started) / 1000) * 10;
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(
      '# HELP test_requests_total Requests.\n# TYPE test_requests_total counter\n' +
        `test_requests_total{job="exporter-job",app="demo"} ${value}\n`,
    );
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({ server, target: `127.0.0.1:${port}` });
    });
  });
}

describe('startPrometheus against the real Prometheus', () => {
  let exporter: { server: Server; target: string };
  let prom: PrometheusHandle;

  beforeAll(async () => {
    exporter = await startExporter();
    prom = await startPrometheus({ scrapeTargets: [exporter.target], scrapeIntervalSeconds: 0.5 });
  });

  afterAll(async () => {
    await prom?.close();
    exporter?.server.close();
  });

  it('listens on a loopback port and reports ready', async () => {
    expect(prom.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${prom.url}/-/ready`);
    expect(res.status).toBe(200);
  });

  it('scrapes the target as job mesh with the target labels honoured, and computes its rate', async () => {
    // Wait until the series is older than the rate window, so rate() is not cut short at the series start.
    await waitForPromQL(
      prom.url,
      'count_over_time(test_requests_total[4s])',
      (s) => s.length === 1 && Number(s[0]!.value[1]) >= 7,
      20_000,
    );
    const samples = vectorOf(await queryPrometheus(prom.url, 'rate(test_requests_total[3s])'));
    expect(samples).toHaveLength(1);
    expect(samples[0]!.metric).toMatchObject({ app: 'demo', job: 'exporter-job' });
    expect(Number(samples[0]!.value[1])).toBeGreaterThan(8);
    expect(Number(samples[0]!.value[1])).toBeLessThan(12);
    const up = vectorOf(await queryPrometheus(prom.url, 'up{job="mesh"}'));
    expect(up.map((s) => s.value[1])).toEqual(['1']);
  });

  it('reports a bad query with Prometheus error text', async () => {
    await expect(queryPrometheus(prom.url, 'sum(')).rejects.toThrow(/bad_data/);
  });

  it('switches scrape targets on setScrapeTargets', async () => {
    const other = await startExporter();
    try {
      await prom.setScrapeTargets([exporter.target, `http://${other.target}/metrics`]);
      await waitForPromQL(prom.url, 'up{job="mesh"} == 1', (s) => s.length === 2, 15_000);
    } finally {
      other.server.close();
    }
  });

  it('close() stops the process and removes the temporary data folder', async () => {
    const second = await startPrometheus({ scrapeTargets: [exporter.target] });
    expect(existsSync(second.dataDir)).toBe(true);
    await second.close();
    expect(isAlive(second.pid)).toBe(false);
    expect(existsSync(second.dataDir)).toBe(false);
    await expect(fetch(`${second.url}/-/ready`)).rejects.toThrow();
  });
});

describe('startPrometheus failures', () => {
  it('names the Debian package when Prometheus is missing', async () => {
    const saved = process.env.MESHLENS_PROMETHEUS_BIN;
    process.env.MESHLENS_PROMETHEUS_BIN = '/nonexistent/prometheus';
    try {
      const attempt = startPrometheus({ scrapeTargets: ['127.0.0.1:9'] });
      await expect(attempt).rejects.toBeInstanceOf(PrometheusNotInstalledError);
      await expect(attempt).rejects.toThrow(/Debian's `prometheus` package/);
    } finally {
      if (saved === undefined) delete process.env.MESHLENS_PROMETHEUS_BIN;
      else process.env.MESHLENS_PROMETHEUS_BIN = saved;
    }
  });

  it("reports the process's stderr when Prometheus dies at start", async () => {
    await expect(
      startPrometheus({ scrapeTargets: ['127.0.0.1:9'], extraArgs: ['--no-such-flag'] }),
    ).rejects.toThrow(/exited .*before it was ready[\s\S]*no-such-flag/);
  });

  it('rejects a target that is neither host:port nor a URL', () => {
    expect(() => prometheusConfig(['not a target'], 5, 5)).toThrow(/not a target/);
  });
});
