/**
 * meshlens's graph beside Kiali's query set (`npm run bench -- graph-kiali`, issue 13): the scenario the
 * issue measured — mesh-sim's generated scenario, 1,000 services in 100 namespaces, `large-mesh` telemetry
 * profile, Prometheus scraping every 15 s — with the whole stack as child processes. In each round, one
 * after another on the same Prometheus: Kiali's documented per-namespace PromQL run serially as Kiali
 * runs it (without, then with its p95 queries), and meshlens's graph as the web page asks it (gzip, no
 * debug), by default (`appenders=`: no response-time or throughput query) and with p95 edge labels. Each
 * uses a window no request asked before (no cache hit). Reports the medians, the spread, and the ratios
 * (round by round and of the medians); then, in a few more rounds, what Prometheus itself computes for
 * each side of each graph (`stats=all` evaluation time, each query sent alone).
 * MESHLENS_BENCH_KIALI_SIZES="1000x100,300x3" (services x namespaces) to run other scenarios;
 * MESHLENS_BENCH_KIALI_ROUNDS (default 9).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphResponseSchema } from '@meshlens/contract';
import { createPrometheusClient } from '../../apps/server/src/prometheus/client';
import { ensureBundle } from '../../apps/server/scripts/bundle.mjs';
import { percentile, round1, type BenchContext, type BenchResult } from '../lib';
import { startMeshStack } from '../meshStack';

const SCRAPE_INTERVAL_S = 15;
const ROUNDS = Number(process.env.MESHLENS_BENCH_KIALI_ROUNDS ?? 9);
/** Rounds of Prometheus's evaluation timings (`stats=all`) after the timed rounds. */
const EVALUATION_ROUNDS = 3;
const SIZES = (process.env.MESHLENS_BENCH_KIALI_SIZES ?? '1000x100').split(',').map((s) => {
  const [services, namespaces] = s.split('x').map(Number);
  return { services: services!, namespaces: namespaces! };
});

/** Kiali's label sets (KIALI.md §4): L17 for request rates, L13 its first 13 labels. */
const KIALI_L17 = [
  'source_cluster',
  'source_workload_namespace',
  'source_workload',
  'source_canonical_service',
  'source_canonical_revision',
  'destination_cluster',
  'destination_service_namespace',
  'destination_service',
  'destination_service_name',
  'destination_workload_namespace',
  'destination_workload',
  'destination_canonical_service',
  'destination_canonical_revision',
  'request_protocol',
  'response_code',
  'grpc_response_status',
  'response_flags',
].join(',');
const KIALI_L13 = KIALI_L17.split(',').slice(0, 13).join(',');

/**
 * Kiali's graph PromQL for one namespace as KIALI.md §4 documents it (sidecar mesh, no ambient, idle
 * edges left out): the three request-rate queries (outside callers to services that reached no
 * workload, destination-reported into the namespace, source-reported out of it), the same three on TCP
 * bytes sent, and with `p95` the two response-time quantile queries (destination-, then
 * source-reported). Each wrapped in `round(Q,0.001)` as Kiali sends it.
 */
export function kialiNamespaceQueries(ns: string, durationS: number, p95: boolean): string[] {
  const d = `[${durationS}s]`;
  const selectors = [
    `reporter="source",source_workload_namespace!="${ns}",destination_workload_namespace="unknown",destination_workload="unknown",destination_service=~"^.+\\\\.${ns}\\\\..+$"`,
    `reporter="destination",destination_workload_namespace="${ns}"`,
    `reporter="source",source_workload_namespace="${ns}"`,
  ];
  const out = [
    ...selectors.map((sel) => `sum(rate(istio_requests_total{${sel}} ${d})) by (${KIALI_L17}) > 0`),
    ...selectors.map(
      (sel) =>
        `sum(rate(istio_tcp_received_bytes_total{${sel}} ${d})) by (app,${KIALI_L13},response_flags) > 0`,
    ),
  ];
  if (p95)
    for (const sel of [
      `reporter="destination",destination_service_namespace="${ns}"`,
      `reporter="source",source_workload_namespace="${ns}"`,
    ])
      out.push(
        `histogram_quantile(0.95, sum(rate(istio_request_duration_milliseconds_bucket{${sel}}${d})) by (le,${KIALI_L13},request_protocol)) > 0`,
      );
  return out.map((q) => `round(${q},0.001)`);
}

/** Kiali's query set over `namespaces`, run one query after another as Kiali runs it; wall time (ms). */
export async function kialiStyle(
  prom: ReturnType<typeof createPrometheusClient>,
  namespaces: readonly string[],
  durationS: number,
  p95: boolean,
): Promise<{ ms: number; queries: number }> {
  const time = Date.now() / 1000;
  const t = performance.now();
  let queries = 0;
  for (const ns of namespaces)
    for (const q of kialiNamespaceQueries(ns, durationS, p95)) {
      await prom.query(q, { time });
      queries++;
    }
  return { ms: performance.now() - t, queries };
}

/**
 * Prometheus's own evaluation time for `queries` (ms, summed over them), from the `stats=all` timings of
 * each answer; asked one after another at `time` so none runs beside another, with the wall time of the
 * whole (ms). What Prometheus computes, without HTTP, encoding or queueing.
 */
export async function evaluation(
  prometheusUrl: string,
  queries: readonly string[],
  time: number,
): Promise<{ evalMs: number; wallMs: number }> {
  const t = performance.now();
  let evalMs = 0;
  for (const query of queries) {
    const res = await fetch(`${prometheusUrl}/api/v1/query`, {
      method: 'POST',
      body: new URLSearchParams({ query, time: String(time), stats: 'all' }),
    });
    // A body that is not JSON (a proxy's error page) falls to the check below, which names the query.
    const json = (await res.json().catch(() => ({}))) as {
      data?: { stats?: { timings?: { evalTotalTime?: number } } };
    };
    const seconds = json.data?.stats?.timings?.evalTotalTime;
    if (res.status !== 200 || seconds === undefined)
      throw new Error(
        `Prometheus answered ${res.status} without evaluation timings to ${query.slice(0, 200)}`,
      );
    evalMs += seconds * 1000;
  }
  return { evalMs, wallMs: performance.now() - t };
}

const med = (xs: readonly number[]) => percentile(xs, 50);
const spread = (xs: readonly number[]) =>
  `${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))} (median ${Math.round(med(xs))})`;
const ratios = (a: readonly number[], b: readonly number[]) => a.map((x, i) => x / b[i]!);
const fmtRatios = (xs: readonly number[]) =>
  `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)} (median ${med(xs).toFixed(2)})`;

interface Evaluations {
  /** meshlens's queries counted whole (a query sent in parts counts once). */
  meshlensQueries: number;
  meshlens: number[];
  meshlensWall: number[];
  kiali: number[];
  kialiWall: number[];
}
const noEvaluations = (): Evaluations => ({
  meshlensQueries: 0,
  meshlens: [],
  meshlensWall: [],
  kiali: [],
  kialiWall: [],
});

interface Row {
  services: number;
  namespaces: number;
  nodes: number;
  edges: number;
  kialiQueries: number;
  kialiP95Queries: number;
  defaultQueries: number;
  p95Queries: number;
  kiali: number[];
  kialiP95: number[];
  plain: number[];
  p95: number[];
  /** Prometheus's evaluation (ms, summed) and the wall time of the same queries sent one by one. */
  evaluation: Record<'plain' | 'p95', Evaluations>;
  load: [number, number];
}

/** Time to the last byte of one graph answer, as a browser gets it (gzip, no debug). */
async function timeGraph(url: string): Promise<number> {
  const t = performance.now();
  const res = await fetch(url, { headers: { 'accept-encoding': 'gzip' } });
  const body = await res.arrayBuffer();
  if (res.status !== 200)
    throw new Error(`graph answered ${res.status}: ${Buffer.from(body).toString().slice(0, 300)}`);
  return performance.now() - t;
}

async function measure(services: number, namespaceCount: number, log: (l: string) => void): Promise<Row> {
  const stateDir = await mkdtemp(join(tmpdir(), `meshlens-bench-kiali-${services}-`));
  log(`graph-kiali bench: starting the stack with ${services} services in ${namespaceCount} namespaces`);
  const stack = await startMeshStack({
    services,
    namespaces: namespaceCount,
    stateDir,
    scrapeIntervalSeconds: SCRAPE_INTERVAL_S,
    consoleArgs: ['--graph-cache-ttl', '10s', '--prometheus-timeout', '120s', '--log-level', 'warn'],
  });
  try {
    const consoleUrl = stack.urls.console!;
    const prom = stack.urls.prometheus;
    // Kiali's side asks for gzipped answers, as Kiali's Go client does (Go's HTTP transport asks for gzip
    // unless told not to); the console decides for itself (--prometheus-compression, auto: plain here).
    const direct = createPrometheusClient({ url: prom, timeoutMs: 120_000, gzip: true });
    const nsRes = (await (await fetch(`${consoleUrl}/api/namespaces`)).json()) as {
      namespaces: { name: string }[];
    };
    const namespaces = nsRes.namespaces.map((n) => n.name).filter((n) => /^ns-\d+$/.test(n));
    const base = `${consoleUrl}/api/graph?namespaces=${namespaces.join(',')}&graphType=versionedApp`;
    const plainUrl = (w: number) => `${base}&duration=${w}s&appenders=`;
    const p95Url = (w: number) => `${base}&duration=${w}s&appenders=responseTime&responseTime=p95`;
    // The query counts and the graph's size, from one debug answer each (not timed).
    const debugOf = async (url: string) =>
      GraphResponseSchema.parse(await (await fetch(`${url}&debug=true`)).json());
    const plainDebug = await debugOf(plainUrl(59));
    const p95Debug = await debugOf(p95Url(59));
    const sent = (g: typeof plainDebug) => g.debug!.queries.reduce((n, q) => n + (q.parts ?? 1), 0);
    const row: Row = {
      services,
      namespaces: namespaces.length,
      nodes: plainDebug.nodes.length,
      edges: plainDebug.edges.length,
      kialiQueries: 0,
      kialiP95Queries: 0,
      defaultQueries: sent(plainDebug),
      p95Queries: sent(p95Debug),
      kiali: [],
      kialiP95: [],
      plain: [],
      p95: [],
      evaluation: { plain: noEvaluations(), p95: noEvaluations() },
      load: [loadavg()[0]!, 0],
    };
    for (let i = 0; i < ROUNDS; i++) {
      const window = 120 + i;
      const k = await kialiStyle(direct, namespaces, window, false);
      row.kiali.push(k.ms);
      row.kialiQueries = k.queries;
      row.plain.push(await timeGraph(plainUrl(window)));
      const kp = await kialiStyle(direct, namespaces, window, true);
      row.kialiP95.push(kp.ms);
      row.kialiP95Queries = kp.queries;
      row.p95.push(await timeGraph(p95Url(window)));
      log(
        `graph-kiali bench: round ${i + 1}: kiali ${Math.round(k.ms)} default ${Math.round(row.plain.at(-1)!)} ` +
          `| kiali p95 ${Math.round(kp.ms)} p95 graph ${Math.round(row.p95.at(-1)!)} ms (load ${loadavg()[0]!.toFixed(1)})`,
      );
    }
    row.load[1] = loadavg()[0]!;
    // What Prometheus itself computes for each side of each graph, on windows not asked before: meshlens's
    // queries (each whole, as its debug answer gives them) and Kiali's set, one by one.
    for (let i = 0; i < EVALUATION_ROUNDS; i++) {
      const window = 120 + ROUNDS + i;
      for (const p95 of [false, true]) {
        const time = Date.now() / 1000;
        const ours = (await debugOf((p95 ? p95Url : plainUrl)(window))).debug!.queries.map((q) => q.promql);
        const m = await evaluation(prom, ours, time);
        const k = await evaluation(
          prom,
          namespaces.flatMap((ns) => kialiNamespaceQueries(ns, window, p95)),
          time,
        );
        const e = row.evaluation[p95 ? 'p95' : 'plain'];
        e.meshlensQueries = ours.length;
        e.meshlens.push(m.evalMs);
        e.meshlensWall.push(m.wallMs);
        e.kiali.push(k.evalMs);
        e.kialiWall.push(k.wallMs);
        log(
          `graph-kiali bench: evaluation ${i + 1}${p95 ? ' (p95)' : ''}: meshlens ${Math.round(m.evalMs)} ms ` +
            `(wall ${Math.round(m.wallMs)}) | kiali ${Math.round(k.evalMs)} ms (wall ${Math.round(k.wallMs)})`,
        );
      }
    }
    return row;
  } finally {
    await stack.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

export async function runGraphKialiBench({ log }: BenchContext): Promise<BenchResult> {
  await ensureBundle({ log });
  const rows: Row[] = [];
  for (const s of SIZES) rows.push(await measure(s.services, s.namespaces, log));
  const figures: Record<string, unknown> = {};
  const lines: string[] = [];
  for (const r of rows) {
    const key = `s${r.services}n${r.namespaces}`;
    const defaultVsKiali = med(r.plain) / med(r.kiali);
    const p95VsKiali = med(r.p95) / med(r.kialiP95);
    Object.assign(figures, {
      [`${key}_kialiMs`]: round1(med(r.kiali)),
      [`${key}_defaultGraphMs`]: round1(med(r.plain)),
      [`${key}_defaultVsKiali`]: Math.round(defaultVsKiali * 100) / 100,
      [`${key}_kialiP95Ms`]: round1(med(r.kialiP95)),
      [`${key}_p95GraphMs`]: round1(med(r.p95)),
      [`${key}_p95VsKiali`]: Math.round(p95VsKiali * 100) / 100,
      [`${key}_meshlensEvalMs`]: round1(med(r.evaluation.plain.meshlens)),
      [`${key}_kialiEvalMs`]: round1(med(r.evaluation.plain.kiali)),
      [`${key}_meshlensP95EvalMs`]: round1(med(r.evaluation.p95.meshlens)),
      [`${key}_kialiP95EvalMs`]: round1(med(r.evaluation.p95.kiali)),
    });
    const { plain, p95 } = r.evaluation;
    lines.push(
      `### ${r.services.toLocaleString('en')} services in ${r.namespaces} namespaces (${r.nodes} nodes, ${r.edges} edges)`,
      '',
      `${ROUNDS} rounds; load average (1 min) ${r.load[0].toFixed(1)} before, ${r.load[1].toFixed(1)} after. Times in ms, min–max (median).`,
      '',
      '| | queries | time, ms | meshlens / Kiali, round by round | of the medians | target |',
      '|---|---:|---|---|---:|---|',
      `| Kiali, no response times | ${r.kialiQueries} | ${spread(r.kiali)} | | | |`,
      `| meshlens default graph | ${r.defaultQueries} | ${spread(r.plain)} | ${fmtRatios(ratios(r.plain, r.kiali))} | ${defaultVsKiali.toFixed(2)} | ≤ 0.3: ${defaultVsKiali <= 0.3 ? 'met' : 'not met'} |`,
      `| Kiali with p95 | ${r.kialiP95Queries} | ${spread(r.kialiP95)} | | | |`,
      `| meshlens with p95 labels | ${r.p95Queries} | ${spread(r.p95)} | ${fmtRatios(ratios(r.p95, r.kialiP95))} | ${p95VsKiali.toFixed(2)} | ≤ 0.5: ${p95VsKiali <= 0.5 ? 'met' : 'not met'} |`,
      '',
      `What Prometheus itself computes (${EVALUATION_ROUNDS} rounds after the timed ones, each query sent alone, meshlens's`,
      'whole rather than in parts; `stats=all` evaluation time summed over the queries, and the wall time of sending',
      'them one by one):',
      '',
      '| | queries | evaluation, ms | wall time one by one, ms |',
      '|---|---:|---|---|',
      `| Kiali, no response times | ${r.kialiQueries} | ${spread(plain.kiali)} | ${spread(plain.kialiWall)} |`,
      `| meshlens default graph | ${plain.meshlensQueries} | ${spread(plain.meshlens)} | ${spread(plain.meshlensWall)} |`,
      `| Kiali with p95 | ${r.kialiP95Queries} | ${spread(p95.kiali)} | ${spread(p95.kialiWall)} |`,
      `| meshlens with p95 labels | ${p95.meshlensQueries} | ${spread(p95.meshlens)} | ${spread(p95.meshlensWall)} |`,
      '',
    );
  }
  const markdown = [
    "meshlens's graph beside Kiali's query set on the same live Prometheus, the scenario of issue 13: mesh-sim's",
    'generated scenario with the `large-mesh` telemetry profile (see the graph bench), Prometheus scraping every',
    `${SCRAPE_INTERVAL_S} s. Each round, one after another: Kiali's documented per-namespace PromQL (KIALI.md §4: 3`,
    'request-rate and 3 TCP queries per namespace; with p95 2 more) sent one after another as Kiali sends them,',
    "then meshlens's graph of every namespace as the web page asks it (gzip; `appenders=`: no response-time or",
    'throughput query; or `appenders=responseTime&responseTime=p95`), time to the last byte. Every request uses',
    'a window not asked before, so nothing comes from a cache. Both run on the same 2 cores as Prometheus, mesh-sim',
    "and the demo cluster: the round-by-round ratios show how much the machine's load moves the figures. mesh-sim",
    'runs at nice 19 (it stands in for the sidecars of a mesh, which run on other machines).',
    '',
    ...lines,
  ].join('\n');
  return { name: 'graph-kiali', figures, markdown };
}
