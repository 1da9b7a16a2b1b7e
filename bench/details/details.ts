/**
 * Detail page benchmark (`npm run bench -- details`): the generated scenario at 1,000 services (the whole
 * stack as child processes, mesh-sim with the large-mesh telemetry profile as in the graph bench), and the
 * detail page's API as a client sees it: the metrics of a service's Inbound Metrics tab (every chart,
 * 30 minutes, the server's step), a workload's Outbound Metrics grouped by remote app, the facts and the
 * node-centred graph. Each request is timed ITERATIONS times, each with another range end (no cache).
 * Sizes: MESHLENS_BENCH_DETAILS_SIZES=1000 (default); MESHLENS_BENCH_DETAILS_SCRAPE_INTERVAL (s, default 15).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricsResponseSchema } from '@meshlens/contract';
import { sleep, startStack, waitForPromQL } from '@meshlens/stack';
import { ensureBundle } from '../../apps/server/scripts/bundle.mjs';
import { launchChromium } from '../../e2e/support/browser';
import { buildTestWeb } from '../../e2e/support/buildWeb';
import {
  benchSizes,
  figuresBySize,
  nextFrame,
  percentile,
  round1,
  sizeTable,
  type BenchContext,
  type BenchResult,
} from '../lib';

const ITERATIONS = 10;
const SCRAPE_INTERVAL_S = Number(process.env.MESHLENS_BENCH_DETAILS_SCRAPE_INTERVAL ?? 15);

async function queriesSent(consoleUrl: string): Promise<number> {
  const text = await (await fetch(`${consoleUrl}/metrics`)).text();
  return [...text.matchAll(/^meshlens_prometheus_queries_total\{outcome="[a-z_]+"\} (\d+)$/gm)].reduce(
    (a, m) => a + Number(m[1]),
    0,
  );
}

/** p50/p95 of ITERATIONS timed GETs of `url(i)`, and the PromQL queries one request cost. */
async function timed(consoleUrl: string, url: (i: number) => string, check: (body: unknown) => void) {
  const ms: number[] = [];
  let queries = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const before = await queriesSent(consoleUrl);
    const t = performance.now();
    const res = await fetch(url(i));
    const text = await res.text();
    ms.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`${url(i)} answered ${res.status}: ${text.slice(0, 300)}`);
    check(JSON.parse(text));
    queries = (await queriesSent(consoleUrl)) - before;
  }
  return { p50: round1(percentile(ms, 50)), p95: round1(percentile(ms, 95)), queries };
}

interface Row {
  services: number;
  inboundMetricsP50Ms: number;
  inboundMetricsP95Ms: number;
  inboundMetricsQueries: number;
  inboundPoints: number;
  outboundMetricsP50Ms: number;
  outboundMetricsP95Ms: number;
  detailP50Ms: number;
  detailP95Ms: number;
  nodeGraphP50Ms: number;
  nodeGraphP95Ms: number;
  nodeGraphQueries: number;
  /** Browser: navigation → every chart of the Inbound Metrics tab drawn (median of BROWSER_LOADS). */
  chartsDrawnP50Ms: number;
  chartsDrawnMaxMs: number;
  charts: number;
  /** When the detail answer (facts, health) and the metrics answer arrived, ms after navigation. */
  detailAnswerP50Ms: number;
  metricsAnswerP50Ms: number;
}

const BROWSER_LOADS = 5;

/**
 * The Inbound Metrics tab in headless Chromium, served by the console: navigation start → the charts
 * (one uPlot per series family) in the DOM and a frame drawn after them, BROWSER_LOADS loads after a
 * warm-up; with the times the detail and the metrics answers arrived (Resource Timing).
 */
async function chartsDrawn(consoleUrl: string, path: string) {
  const browser = await launchChromium();
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const runs: { drawn: number; charts: number; detail: number; metrics: number }[] = [];
    for (let i = 0; i <= BROWSER_LOADS; i++) {
      await page.goto(`${consoleUrl}${path}?refresh=0`);
      await page.waitForFunction(
        () => document.querySelectorAll('.metric-grid .uplot').length > 0,
        undefined,
        {
          timeout: 60_000,
          polling: 'raf',
        },
      );
      const drawn = await nextFrame(page);
      // The detail answer usually arrives after the charts are drawn: wait for it, to say when it came.
      await page.waitForFunction(
        () => performance.getEntriesByType('resource').some((e) => /\/services\/svc-000(\?|$)/.test(e.name)),
        undefined,
        { timeout: 60_000 },
      );
      // A string, not a function: tsx would wrap the helper in a `__name` call the page does not have.
      const [charts, detail, metrics] = (await page.evaluate(
        "(() => { const end = (re) => performance.getEntriesByType('resource').find((e) => re.test(e.name))?.responseEnd ?? NaN;" +
          " return [document.querySelectorAll('.metric-grid .uplot').length, end(/\\/services\\/svc-000(\\?|$)/), end(/\\/metrics\\?/)]; })()",
      )) as [number, number, number];
      if (i > 0) runs.push({ drawn, charts, detail, metrics });
    }
    const p50 = (f: (r: (typeof runs)[number]) => number) => round1(percentile(runs.map(f), 50));
    return {
      chartsDrawnP50Ms: p50((r) => r.drawn),
      chartsDrawnMaxMs: round1(Math.max(...runs.map((r) => r.drawn))),
      charts: runs[0]!.charts,
      detailAnswerP50Ms: p50((r) => r.detail),
      metricsAnswerP50Ms: p50((r) => r.metrics),
    };
  } finally {
    await browser.close();
  }
}

async function benchSize(services: number, webDir: string, log: (l: string) => void): Promise<Row> {
  const stateDir = await mkdtemp(join(tmpdir(), `meshlens-bench-details-${services}-`));
  log(`details bench: starting the stack with ${services} services`);
  const stack = await startStack({
    scenario: 'generated',
    services,
    stateDir,
    telemetryProfile: 'large-mesh',
    scrapeIntervalSeconds: SCRAPE_INTERVAL_S,
    handleSignals: false,
    startTimeoutMs: 180_000,
    // No answer reuse: every node graph and detail request computes.
    consoleArgs: [
      '--graph-cache-ttl',
      '0s',
      '--prometheus-timeout',
      '60s',
      '--log-level',
      'warn',
      '--web-dir',
      webDir,
    ],
  });
  try {
    const c = stack.urls.console!;
    await waitForPromQL(
      stack.urls.prometheus,
      `sum(rate(istio_requests_total[${4 * SCRAPE_INTERVAL_S}s])) > 0`,
      (s) => s.length > 0,
      300_000,
      1000,
    );
    await sleep(3 * SCRAPE_INTERVAL_S * 1000);
    // svc-000 (a root, called by the ingress gateway) in ns-0, and its workload.
    const svc = `${c}/api/namespaces/ns-0/services/svc-000`;
    const wl = `${c}/api/namespaces/ns-0/workloads/svc-000-v1`;
    const now = Math.floor(Date.now() / 1000);
    let points = 0;
    const inbound = await timed(
      c,
      (i) => `${svc}/metrics?direction=inbound&duration=30m&end=${now - i}`,
      (b) => {
        const m = MetricsResponseSchema.parse(b);
        points = m.timestamps.length;
        if (!m.metrics.request_count?.some((s) => s.values.some((v) => (v ?? 0) > 0)))
          throw new Error('no inbound requests for svc-000');
      },
    );
    const outbound = await timed(
      c,
      (i) =>
        `${wl}/metrics?direction=outbound&duration=30m&byLabels=destination_canonical_service&end=${now - i}`,
      (b) => MetricsResponseSchema.parse(b),
    );
    const detail = await timed(
      c,
      () => svc,
      () => undefined,
    );
    const graph = await timed(
      c,
      (i) => `${svc}/graph?duration=${60 + i}s`,
      () => undefined,
    );
    const browser = await chartsDrawn(c, '/namespaces/ns-0/services/svc-000/inbound');
    const row: Row = {
      services,
      inboundMetricsP50Ms: inbound.p50,
      inboundMetricsP95Ms: inbound.p95,
      inboundMetricsQueries: inbound.queries,
      inboundPoints: points,
      outboundMetricsP50Ms: outbound.p50,
      outboundMetricsP95Ms: outbound.p95,
      detailP50Ms: detail.p50,
      detailP95Ms: detail.p95,
      nodeGraphP50Ms: graph.p50,
      nodeGraphP95Ms: graph.p95,
      nodeGraphQueries: graph.queries,
      ...browser,
    };
    log(`details bench: ${JSON.stringify(row)}`);
    return row;
  } finally {
    await stack.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

export async function runDetailsBench({ log }: BenchContext): Promise<BenchResult> {
  const sizes = benchSizes('MESHLENS_BENCH_DETAILS_SIZES', '1000');
  await ensureBundle({ log });
  log('building the web app (test mode)');
  const webDir = buildTestWeb();
  const rows: Row[] = [];
  for (const n of sizes) rows.push(await benchSize(n, webDir, log));
  const markdown = [
    `Generated scenario (~5 edges per service, 100 services per namespace, mesh-sim's large-mesh telemetry`,
    `profile), Prometheus scraping every ${SCRAPE_INTERVAL_S} s, the console as a child process with no answer cache.`,
    `Latencies of ${ITERATIONS} requests each, as a client sees them: \`svc-000\`'s Inbound Metrics tab (every`,
    "chart, last 30 minutes, the step the server chooses), `svc-000-v1`'s Outbound Metrics grouped by remote",
    'app, the detail (facts, Istio objects, health) and the node-centred graph (1 minute window).',
    `Browser: \`svc-000\`'s Inbound Metrics tab in headless Chromium (1280×900, the console serving the web app's test`,
    `build, the shell's default window), ${BROWSER_LOADS} loads after a warm-up: *charts drawn* = navigation start → every`,
    'uPlot chart in the DOM and a frame drawn after them; the detail and metrics answers = when each arrived',
    '(the charts no longer wait for the detail answer: before, they were drawn after detail answer + metrics answer).',
    '',
    ...sizeTable(rows),
    '',
    `Target (issue 12): a detail page's metrics tab drawn under 1.5 s at 1,000 services — ${rows.every((r) => r.chartsDrawnP50Ms < 1500) ? 'met' : 'not met'}`,
    `(${rows.map((r) => `${r.chartsDrawnP50Ms} ms at ${r.services}`).join(', ')}).`,
  ].join('\n');
  return { name: 'details', figures: figuresBySize(rows), markdown };
}
