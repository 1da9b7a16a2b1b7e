/**
 * Overview API benchmark (`npm run bench -- overview`): the generated scenario with 800 namespaces of 3
 * services each (MESHLENS_BENCH_OVERVIEW_NAMESPACES / _SERVICES to change), the whole stack as child
 * processes. Measures `GET /api/overview` for every namespace (no answer reuse: `--graph-cache-ttl 0s`):
 * latency p50/p95 as a client sees it, PromQL queries per request (read from the console's /metrics),
 * the answer's size. Kiali's published figure for 800 namespaces is 11.8 s.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OverviewResponseSchema } from '@meshlens/contract';
import { startStack, waitForPromQL } from '@meshlens/stack';
import { ensureBundle } from '../../apps/server/scripts/bundle.mjs';
import { percentile, round1, type BenchContext, type BenchResult } from '../lib';

const NAMESPACES = Number(process.env.MESHLENS_BENCH_OVERVIEW_NAMESPACES ?? 800);
const SERVICES = Number(process.env.MESHLENS_BENCH_OVERVIEW_SERVICES ?? NAMESPACES * 3);
const ITERATIONS = 12;
/** Istio's default scrape interval; mesh-sim's `large-mesh` telemetry profile, as the graph bench. */
const SCRAPE_INTERVAL_S = 15;
const TELEMETRY_PROFILE = 'large-mesh';

async function queriesSent(consoleUrl: string): Promise<number> {
  const text = await (await fetch(`${consoleUrl}/metrics`)).text();
  return [...text.matchAll(/^meshlens_prometheus_queries_total\{outcome="[a-z_]+"\} (\d+)$/gm)].reduce(
    (a, m) => a + Number(m[1]),
    0,
  );
}

export async function runOverviewBench({ log }: BenchContext): Promise<BenchResult> {
  await ensureBundle({ log });
  const stateDir = await mkdtemp(join(tmpdir(), 'meshlens-bench-overview-'));
  log(`overview bench: starting the stack with ${SERVICES} services in ${NAMESPACES} namespaces`);
  const stack = await startStack({
    scenario: 'generated',
    services: SERVICES,
    namespaces: NAMESPACES,
    stateDir,
    scrapeIntervalSeconds: SCRAPE_INTERVAL_S,
    telemetryProfile: TELEMETRY_PROFILE,
    handleSignals: false,
    onProgress: (m) => log(`overview bench: ${m}`),
    startTimeoutMs: 300_000,
    consoleArgs: ['--graph-cache-ttl', '0s', '--prometheus-timeout', '60s', '--log-level', 'warn'],
  });
  try {
    const consoleUrl = stack.urls.console!;
    await waitForPromQL(
      stack.urls.prometheus,
      `sum(rate(istio_requests_total[${4 * SCRAPE_INTERVAL_S}s])) > 0`,
      (s) => s.length > 0,
      300_000,
      1000,
    );
    const url = `${consoleUrl}/api/overview?duration=5m&debug=true`;
    const times: number[] = [];
    const queries: number[] = [];
    /** Per query name, the time Prometheus took (ms), and the slowest query of each request. */
    const queryMs = new Map<string, number[]>();
    const slowest: number[] = [];
    let namespaces = 0;
    let bytes = 0;
    let services = 0;
    for (let i = 0; i <= ITERATIONS; i++) {
      const before = await queriesSent(consoleUrl);
      const t = performance.now();
      const res = await fetch(url);
      const text = await res.text();
      const ms = performance.now() - t;
      if (res.status !== 200) throw new Error(`overview answered ${res.status}: ${text.slice(0, 300)}`);
      const o = OverviewResponseSchema.parse(JSON.parse(text));
      queries.push((await queriesSent(consoleUrl)) - before);
      if (i === 0) continue; // warm-up
      times.push(ms);
      for (const q of o.debug?.queries ?? []) queryMs.set(q.name, [...(queryMs.get(q.name) ?? []), q.ms]);
      slowest.push(Math.max(...(o.debug?.queries ?? []).map((q) => q.ms)));
      namespaces = o.namespaces.length;
      bytes = text.length;
      services = o.namespaces.reduce(
        (n, ns) => n + Object.values(ns.health.services).reduce((a, b) => a + b, 0),
        0,
      );
    }
    const figures = {
      namespaces,
      services,
      iterations: ITERATIONS,
      p50Ms: round1(percentile(times, 50)),
      p95Ms: round1(percentile(times, 95)),
      promqlPerRequest: Math.max(...queries),
      answerKb: round1(bytes / 1024),
      slowestQueryP50Ms: round1(percentile(slowest, 50)),
      ...Object.fromEntries(
        [...queryMs].map(([name, v]) => [`${name}QueryP50Ms`, round1(percentile(v, 50))]),
      ),
    };
    log(`overview bench: ${JSON.stringify(figures)}`);
    const markdown = [
      `Generated scenario: ${SERVICES} services in ${NAMESPACES} namespaces (mesh-sim telemetry profile ${TELEMETRY_PROFILE}), Prometheus scraping every ${SCRAPE_INTERVAL_S} s,`,
      'the console as a child process with no answer reuse (`--graph-cache-ttl 0s`). `GET /api/overview?duration=5m`',
      `(every namespace), ${ITERATIONS} requests after one warm-up.`,
      '',
      '| namespaces | services | p50 ms | p95 ms | slowest query p50 ms | PromQL per request | answer KB |',
      '|---|---|---|---|---|---|---|',
      `| ${namespaces} | ${services} | ${figures.p50Ms} | ${figures.p95Ms} | ${figures.slowestQueryP50Ms} | ${figures.promqlPerRequest} | ${figures.answerKb} |`,
      '',
      `Prometheus time per query, p50 (ms): ${[...queryMs].map(([n, v]) => `${n} ${round1(percentile(v, 50))}`).join(', ')}.`,
      '',
      "Kiali's published figure for an 800-namespace overview is 11.8 s.",
    ].join('\n');
    return { name: 'overview', figures, markdown };
  } finally {
    await stack.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}
