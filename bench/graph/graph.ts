/**
 * Graph API benchmark (`npm run bench -- graph`): the generated scenario at 100, 1,000 and 3,000 services
 * (about five edges each), the whole stack as child processes (demo cluster, mesh-sim, Prometheus, the
 * console CLI). For each size: graph latency p50/p95 as a client sees it, PromQL queries per request, the
 * time Prometheus spends on the same queries issued directly, the server's own share, its peak RSS, and the
 * PromQL cost of 50 clients polling the same graph compared with one. mesh-sim runs with the `large-mesh`
 * telemetry profile at every size (see TELEMETRY below); Prometheus's series count and peak RSS and the
 * scrape's size and time are recorded per size.
 * Beside Kiali's query set: the graph-kiali bench (bench/graph-kiali/kiali.ts).
 * Sizes: MESHLENS_BENCH_GRAPH_SIZES=100,1000 to run fewer; MESHLENS_BENCH_GRAPH_SCRAPE_INTERVAL (s, default 15).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphResponseSchema, type GraphResponse } from '@meshlens/contract';
import { sleep } from '@meshlens/stack';
import { createPrometheusClient } from '../../apps/server/src/prometheus/client';
import { ensureBundle } from '../../apps/server/scripts/bundle.mjs';
import { startMeshStack, TELEMETRY_PROFILE } from '../meshStack';
import {
  benchSizes,
  figuresBySize,
  percentile,
  processMemoryMb,
  round1,
  sizeTable,
  type BenchContext,
  type BenchResult,
} from '../lib';

const ITERATIONS = 15;
const POLL_SECONDS = 12;
const POLL_INTERVAL_MS = 2000;
const CACHE_TTL = '10s';
/**
 * Prometheus's scrape interval at a size: Istio's default, 15 s, up to 1,000 services. mesh-sim serves the
 * whole mesh from one /metrics endpoint (a real mesh is scraped pod by pod, each proxy's few kB at once):
 * at 3,000 services that is ~380 MB of text, 21-69 s per scrape on these 2 cores, so 15 s scrapes time out,
 * and a 60 s window then holds too few samples for rate(): every graph came back empty (see missingMesh).
 * There, 60 s scrapes and windows of 4 intervals, which made it further but still ended on an empty graph
 * (a scrape of 69 s): hence 3,000 only when asked (runGraphBench).
 */
function scrapeIntervalFor(services: number): number {
  const fixed = process.env.MESHLENS_BENCH_GRAPH_SCRAPE_INTERVAL;
  if (fixed) return Number(fixed);
  return services >= 2000 ? 60 : 15;
}

/** Prometheus's own figures: series in the head block, and the last scrapes of mesh-sim. */
async function prometheusFigures(promUrl: string) {
  const text = await (await fetch(`${promUrl}/metrics`)).text();
  const headSeries = Number(/^prometheus_tsdb_head_series (\S+)$/m.exec(text)?.[1] ?? NaN);
  const one = async (promql: string) => {
    const res = (await (
      await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(promql)}`)
    ).json()) as {
      data?: { result?: { value: [number, string] }[] };
    };
    return Number(res.data?.result?.[0]?.value[1] ?? NaN);
  };
  return {
    headSeries,
    scrapeSamples: await one('max_over_time(scrape_samples_scraped{job="mesh"}[5m])'),
    scrapeSecondsMax: await one('max_over_time(scrape_duration_seconds{job="mesh"}[5m])'),
    scrapeSecondsAvg: await one('avg_over_time(scrape_duration_seconds{job="mesh"}[5m])'),
    /** Scrapes since the start that failed (a timeout: `up` 0). */
    scrapeFailures: await one('count_over_time(up{job="mesh"}[1h]) - sum_over_time(up{job="mesh"}[1h])'),
  };
}

/** One GET of mesh-sim's /metrics, as Prometheus does: time to the last byte, and the size. */
async function scrapeOnce(metricsUrl: string): Promise<{ ms: number; mb: number }> {
  const t = performance.now();
  const res = await fetch(metricsUrl);
  let bytes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
  return { ms: performance.now() - t, mb: bytes / 1e6 };
}

async function queriesSent(consoleUrl: string): Promise<number> {
  const text = await (await fetch(`${consoleUrl}/metrics`)).text();
  return [...text.matchAll(/^meshlens_prometheus_queries_total\{outcome="[a-z_]+"\} (\d+)$/gm)].reduce(
    (a, m) => a + Number(m[1]),
    0,
  );
}

async function graph(url: string): Promise<{ g: GraphResponse; ms: number; bytes: number }> {
  const t = performance.now();
  const res = await fetch(url);
  const text = await res.text();
  const ms = performance.now() - t;
  if (res.status !== 200) throw new Error(`graph answered ${res.status}: ${text.slice(0, 300)}`);
  return { g: GraphResponseSchema.parse(JSON.parse(text)), ms, bytes: text.length };
}

async function poll(url: string, clients: number, log: (l: string) => void): Promise<number> {
  const stopAt = Date.now() + POLL_SECONDS * 1000;
  const seen = new Map<string, number>();
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      await sleep((i * POLL_INTERVAL_MS) / clients); // clients out of phase, like real browsers
      while (Date.now() < stopAt) {
        const res = await fetch(url);
        const text = await res.text();
        const what =
          res.status === 200
            ? (JSON.parse(text) as GraphResponse).warnings.map((w) => w.code).join(',') || 'ok'
            : `HTTP ${res.status}`;
        seen.set(what, (seen.get(what) ?? 0) + 1);
        await sleep(POLL_INTERVAL_MS);
      }
    }),
  );
  log(`graph bench: ${clients} client(s) polling got ${JSON.stringify(Object.fromEntries(seen))}`);
  return clients;
}

interface SizeFigures {
  services: number;
  scrapeIntervalS: number;
  windowS: number;
  nodes: number;
  edges: number;
  namespaces: number;
  promqlPerRequest: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
  prometheusP50Ms: number;
  prometheusP95Ms: number;
  serverShareP50Ms: number;
  serverShareP95Ms: number;
  serverSharePctOfPrometheus: number;
  buildP50Ms: number;
  overheadP50Ms: number;
  overheadP95Ms: number;
  answerKb: number;
  peakRssMb: number;
  pollQueriesOneClient: number;
  pollQueries50Clients: number;
  promHeadSeries: number;
  scrapeSamples: number;
  scrapeMB: number;
  scrapeFetchMs: number;
  scrapeSecondsAvg: number;
  scrapeSecondsMax: number;
  scrapeFailures: number;
  promPeakRssMb: number;
  meshSimPeakRssMb: number;
}

async function benchSize(services: number, log: (l: string) => void): Promise<SizeFigures> {
  const stateDir = await mkdtemp(join(tmpdir(), `meshlens-bench-graph-${services}-`));
  log(`graph bench: starting the stack with ${services} services`);
  const interval = scrapeIntervalFor(services);
  /** The shortest window asked: 4 scrapes, at least a minute (Kiali's default graph duration). */
  const window = Math.max(60, 4 * interval);
  const stack = await startMeshStack({
    services,
    stateDir,
    scrapeIntervalSeconds: interval,
    consoleArgs: ['--graph-cache-ttl', CACHE_TTL, '--prometheus-timeout', '120s', '--log-level', 'warn'],
  });
  try {
    const consoleUrl = stack.urls.console!;
    const prom = stack.urls.prometheus;
    const direct = createPrometheusClient({ url: prom, timeoutMs: 120_000 });
    const nsRes = (await (await fetch(`${consoleUrl}/api/namespaces`)).json()) as {
      namespaces: { name: string }[];
    };
    const namespaces = nsRes.namespaces.map((n) => n.name).filter((n) => /^ns-\d+$/.test(n));
    const base = `${consoleUrl}/api/graph?namespaces=${namespaces.join(',')}&graphType=versionedApp&debug=true`;
    const missing = (g: GraphResponse) => missingMesh(g, services, namespaces);
    const warm = await graph(`${base}&duration=${window - 1}s`); // warm-up
    const warmLacking = missing(warm.g);
    if (warmLacking)
      throw new Error(
        `graph bench, ${services} services: ${warmLacking} (${JSON.stringify(warm.g.warnings)})`,
      );
    const latency: number[] = [];
    const promTimes: number[] = [];
    const builds: number[] = [];
    const overhead: number[] = [];
    let last: { g: GraphResponse; bytes: number } | undefined;
    for (let i = 0; i < ITERATIONS; i++) {
      // A different window each time: a cache miss, so every request really runs its queries.
      const { g, ms, bytes } = await graph(`${base}&duration=${window + i}s`);
      // figures of a graph without the mesh would look fast and mean nothing: the run fails instead
      const lacking = missing(g);
      if (lacking) {
        const prom = await prometheusFigures(stack.urls.prometheus);
        throw new Error(
          `graph bench, ${services} services, request ${i + 1}: ${lacking} (Prometheus: ${prom.scrapeFailures} failed scrapes, longest ${round1(prom.scrapeSecondsMax)} s; the graph's warnings: ${JSON.stringify(g.warnings)})`,
        );
      }
      latency.push(ms);
      builds.push(g.debug!.buildMs);
      // Client latency minus the server's own wait on Prometheus (its queries run concurrently).
      overhead.push(ms - Math.max(...g.debug!.queries.map((q) => q.ms)));
      if (g.warnings.length) log(`graph bench: warnings ${JSON.stringify(g.warnings)}`);
      // The same PromQL straight to Prometheus, concurrently as the server issues it.
      const t = performance.now();
      await Promise.all(g.debug!.queries.map((q) => direct.query(q.promql, { time: g.timestamp })));
      promTimes.push(performance.now() - t);
      last = { g, bytes };
    }
    const share = latency.map((l, i) => Math.max(0, l - promTimes[i]!));
    const pollUrl = `${consoleUrl}/api/graph?namespaces=${namespaces.join(',')}&graphType=versionedApp&duration=5m`;
    let before = await queriesSent(consoleUrl);
    await poll(pollUrl, 1, log);
    const one = (await queriesSent(consoleUrl)) - before;
    await sleep(10_500); // let the cached answer expire so both runs start cold
    before = await queriesSent(consoleUrl);
    await poll(pollUrl, 50, log);
    const fifty = (await queriesSent(consoleUrl)) - before;
    const promNow = await prometheusFigures(prom);
    const scrape = await scrapeOnce(`${stack.urls.meshSim}/metrics`);
    const figures: SizeFigures = {
      services,
      scrapeIntervalS: interval,
      windowS: window,
      nodes: last!.g.nodes.length,
      edges: last!.g.edges.length,
      namespaces: namespaces.length,
      promqlPerRequest: last!.g.debug!.queries.length,
      latencyP50Ms: round1(percentile(latency, 50)),
      latencyP95Ms: round1(percentile(latency, 95)),
      prometheusP50Ms: round1(percentile(promTimes, 50)),
      prometheusP95Ms: round1(percentile(promTimes, 95)),
      serverShareP50Ms: round1(percentile(share, 50)),
      serverShareP95Ms: round1(percentile(share, 95)),
      serverSharePctOfPrometheus: round1((percentile(share, 50) / percentile(promTimes, 50)) * 100),
      buildP50Ms: round1(percentile(builds, 50)),
      overheadP50Ms: round1(percentile(overhead, 50)),
      overheadP95Ms: round1(percentile(overhead, 95)),
      answerKb: Math.round(last!.bytes / 1024),
      peakRssMb: processMemoryMb(stack.endpoints.pids.console!),
      pollQueriesOneClient: one,
      pollQueries50Clients: fifty,
      promHeadSeries: promNow.headSeries,
      scrapeSamples: promNow.scrapeSamples,
      scrapeMB: round1(scrape.mb),
      scrapeFetchMs: Math.round(scrape.ms),
      scrapeSecondsAvg: round1(promNow.scrapeSecondsAvg),
      scrapeSecondsMax: round1(promNow.scrapeSecondsMax),
      scrapeFailures: promNow.scrapeFailures,
      promPeakRssMb: processMemoryMb(stack.endpoints.pids.prometheus),
      meshSimPeakRssMb: processMemoryMb(stack.endpoints.pids.meshSim),
    };
    log(`graph bench: ${JSON.stringify(figures)}`);
    return figures;
  } catch (err) {
    for (const name of ['prometheus', 'meshlens', 'mesh-sim']) {
      try {
        const text = readFileSync(join(stateDir, 'logs', `${name}.log`), 'utf8');
        log(`graph bench: last lines of ${name}.log:\n${text.split('\n').slice(-15).join('\n')}`);
      } catch {
        // no log
      }
    }
    throw err;
  } finally {
    await stack.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** What the large-mesh profile changes, and which real Istio features it models. */
const TELEMETRY = [
  `mesh-sim runs with \`--telemetry-profile ${TELEMETRY_PROFILE}\` at every size, as operators of large meshes configure`,
  'Istio to cut the cost of its standard metrics (about 5x fewer series and bytes per scrape):',
  '- Telemetry API `metrics.overrides[]` with `disabled: true` (CLIENT_AND_SERVER): `REQUEST_SIZE`,',
  '  `GRPC_REQUEST_MESSAGES`, `GRPC_RESPONSE_MESSAGES`, `TCP_OPENED_CONNECTIONS`, `TCP_CLOSED_CONNECTIONS`;',
  '  none of them is read by the graph.',
  '- The same with `match.mode: SERVER`: `REQUEST_DURATION` and `RESPONSE_SIZE` are reported by the client',
  '  proxy only (`reporter="source"`), which the graph reads for response time and throughput. What the graph',
  '  then lacks: response time and throughput on edges from callers without a sidecar (the unknown source;',
  "  here the one `outside/load-client -> svc-000` edge), which only the server's proxy reports.",
  '  `istio_requests_total` stays on both reporters (rates, errors, mTLS) and TCP bytes on both.',
  '- The `sidecar.istio.io/statsHistogramBuckets` pod annotation, mesh-wide:',
  '  `{"istiocustom.istio_request_duration_milliseconds":[1,5,10,25,50,100,250,500,1000,2500,5000,10000],',
  '  "istiocustom.istio_response_bytes":[100,1000,10000,100000,1000000]}` (12 and 5 buckets instead of Envoy\'s 19:',
  '  p50/p95/p99 between 1 ms and 10 s keep their resolution; throughput reads only `_sum`).',
];

/**
 * Why graph `g` cannot stand for a mesh of `services` services in `namespaces` namespaces, or null when it
 * can. The generated scenario draws at least one node per service and every namespace has traffic; a
 * graph with fewer means Prometheus lacked data (at 3,000 services it once could not scrape mesh-sim within
 * its interval and the graph came back empty, 0 nodes, and was reported as fast).
 */
export function missingMesh(
  g: Pick<GraphResponse, 'nodes'>,
  services: number,
  namespaces: readonly string[],
): string | null {
  const drawn = g.nodes.filter((n) => n.type !== 'box');
  if (drawn.length < services)
    return `the graph has ${drawn.length} nodes, fewer than the ${services} services of the mesh`;
  const seen = new Set(drawn.map((n) => n.namespace));
  const absent = namespaces.filter((ns) => !seen.has(ns));
  if (absent.length)
    return `the graph lacks ${absent.length} of the ${namespaces.length} namespaces asked (${absent.slice(0, 3).join(', ')}${absent.length > 3 ? ', …' : ''})`;
  return null;
}

export async function runGraphBench({ log }: BenchContext): Promise<BenchResult> {
  // 3,000 services only when asked (MESHLENS_BENCH_GRAPH_SIZES=100,1000,3000): on a 2-core machine that
  // also runs Prometheus and the console, mesh-sim's one /metrics endpoint (~380 MB) took 21-69 s per
  // scrape at 15, 30 and 60 s intervals, and every such run ended on an empty graph (see missingMesh).
  const sizes = benchSizes('MESHLENS_BENCH_GRAPH_SIZES', '100,1000');
  // The console runs from its bundle; build it now if stale, so no run's peak RSS includes the build.
  await ensureBundle({ log });
  const rows: SizeFigures[] = [];
  for (const n of sizes) rows.push(await benchSize(n, log));
  const markdown = [
    'Generated scenario (mesh-sim, ~5 edges per service, 100 services per namespace), Prometheus scraping every',
    "`scrapeIntervalS` (15 s, Istio's default; 60 s from 2,000 services, where mesh-sim's single /metrics endpoint",
    'takes 21-69 s to scrape), graph windows from `windowS` (4 scrapes, at least 60 s); a run whose graph lacks',
    'the mesh (fewer nodes than services, or a namespace missing) fails instead of reporting figures;',
    'the console as a child process (`--graph-cache-ttl 10s`).',
    '',
    ...TELEMETRY,
    '',
    'One versionedApp graph over all namespaces with',
    `service nodes; ${ITERATIONS} requests per size, each with a different window so none is a cache hit.`,
    '"prometheus" is the wall time of the same PromQL sent straight to Prometheus (concurrently, as the server',
    'does); "server share" is client latency minus that (noisy: both run on the same 2 shared cores). "overhead" is',
    'client latency minus the longest query as the server timed it: HTTP, parsing, the pipeline and JSON;',
    '"build" is the pipeline alone (samples → response). Poll rows: PromQL queries sent while 1 or 50 clients',
    `poll the same graph every ${POLL_INTERVAL_MS / 1000} s for ${POLL_SECONDS} s.`,
    '',
    ...sizeTable(rows, [
      'scrapeIntervalS',
      'windowS',
      'namespaces',
      'nodes',
      'edges',
      'promqlPerRequest',
      'latencyP50Ms',
      'latencyP95Ms',
      'prometheusP50Ms',
      'prometheusP95Ms',
      'serverShareP50Ms',
      'serverShareP95Ms',
      'serverSharePctOfPrometheus',
      'buildP50Ms',
      'overheadP50Ms',
      'overheadP95Ms',
      'answerKb',
      'peakRssMb',
      'pollQueriesOneClient',
      'pollQueries50Clients',
      'promHeadSeries',
      'scrapeSamples',
      'scrapeMB',
      'scrapeFetchMs',
      'scrapeSecondsAvg',
      'scrapeSecondsMax',
      'scrapeFailures',
      'promPeakRssMb',
      'meshSimPeakRssMb',
    ]),
    '',
    'Targets (issue 4): server share < 25% of Prometheus time and < 200 ms at 1,000 services; RSS < 300 MB;',
    '50 polling clients cost Prometheus no more queries than one. Prometheus rows: `promHeadSeries` is',
    "`prometheus_tsdb_head_series` at the end; `scrapeSamples`, `scrapeSecondsAvg`/`Max` are Prometheus's own",
    '`scrape_samples_scraped` and `scrape_duration_seconds` over the last 5 minutes (the timeout is the',
    'interval); `scrapeFailures` the scrapes of the run with `up` 0; `scrapeMB` and',
    "`scrapeFetchMs` one extra GET of mesh-sim's /metrics by the bench; `promPeakRssMb` and `meshSimPeakRssMb`",
    "the processes' VmHWM; `peakRssMb` is the console's.",
  ].join('\n');
  return { name: 'graph', figures: figuresBySize(rows), markdown };
}
