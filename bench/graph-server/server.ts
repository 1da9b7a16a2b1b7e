/**
 * The console server on its own (`npm run bench -- graph-server`): the real `meshlens` process against the
 * demo cluster holding mesh-sim's `generated` scenario, with Prometheus replaced by a loopback stub that
 * answers the five graph queries at once with the synthetic answers of ../graph-pipeline/synthetic.ts.
 * Prometheus's own time is then ~0, so the latency is the server's own share (HTTP, JSON parse, the
 * pipeline, serialization) without the noise of a Prometheus sharing the 2 cores, and the RSS is the
 * server's at 100 / 1,000 / 3,000 services. The live stack is measured by the `graph` bench.
 * Sizes: MESHLENS_BENCH_GRAPH_SERVER_SIZES=100,1000 to run fewer.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { GraphQuerySchema, GraphResponseSchema, type GraphResponse } from '@meshlens/contract';
import { startDemoCluster } from '@meshlens/demo-cluster';
import { loadScenario, scenarioObjects } from '@meshlens/mesh-sim';
import { componentCommand, spawnReady } from '@meshlens/stack';
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
import { syntheticInput, type SyntheticInput } from '../graph-pipeline/synthetic';
import { ensureBundle } from '../../apps/server/scripts/bundle.mjs';
import { buildGraphQueries } from '../../apps/server/src/graph/queries';

const ITERATIONS = 20;
const POLLERS = 50;

/** Which of the five graph queries a PromQL text is (see apps/server/src/graph/queries.ts). */
export function queryName(promql: string): keyof SyntheticInput['bodies'] | undefined {
  if (promql.includes('istio_tcp_')) return 'tcp';
  if (promql.includes('istio_request_duration_milliseconds')) return 'responseTime';
  if (promql.includes('istio_response_bytes')) return 'throughput';
  // The requests query carries connection_security_policy too (the mTLS folded in), and response codes.
  if (promql.includes('response_code')) return 'requests';
  if (promql.includes('connection_security_policy')) return 'mtls';
  if (promql.includes('istio_requests_total')) return 'requests';
  return undefined;
}

const EMPTY = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } });

/** A PromQL text without its range durations: the bench asks each window once. */
const withoutWindows = (promql: string) => promql.replace(/\[\d+s\]/g, '[]');

/**
 * The parts after the first of each query the bench's graph sends in parts (queries.ts): the stub answers
 * a query's whole synthetic answer to its first part and nothing to the others, so no series comes twice.
 */
export function laterParts(namespaces: readonly string[]): Set<string> {
  const q = GraphQuerySchema.parse({ namespaces: namespaces.join(','), graphType: 'versionedApp' });
  return new Set(buildGraphQueries(q).flatMap((pq) => (pq.parts ?? []).slice(1).map(withoutWindows)));
}

/** A loopback stand-in for Prometheus's /api/v1/query that answers from memory. */
async function startStubPrometheus(
  bodies: SyntheticInput['bodies'],
  namespaces: readonly string[],
): Promise<{ url: string; server: Server }> {
  const encoded = Object.fromEntries(Object.entries(bodies).map(([k, v]) => [k, Buffer.from(v)]));
  const later = laterParts(namespaces);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stub');
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const promql = form.get('query') ?? url.searchParams.get('query') ?? '';
      const name = later.has(withoutWindows(promql)) ? undefined : queryName(promql);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(name ? encoded[name] : EMPTY);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** The server's V8 heap and external memory, from its own /metrics (prom-client's default metrics). */
async function logHeap(url: string, when: string, log: (l: string) => void): Promise<void> {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const mb = (name: string) =>
    Math.round(
      Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN) / 1048576,
    );
  log(
    `graph-server bench: ${when}: heap used ${mb('meshlens_nodejs_heap_size_used_bytes')} MB of ` +
      `${mb('meshlens_nodejs_heap_size_total_bytes')} MB, external ${mb('meshlens_nodejs_external_memory_bytes')} MB`,
  );
}

/**
 * CPU time the process has used (user + system, every thread: the event loop, the GC's helpers, zlib on
 * libuv's pool), in ms: stat(5) fields 14 and 15, in clock ticks of 10 ms. Less disturbed than latency by
 * other processes sharing the cores.
 */
function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function graph(url: string): Promise<{ g: GraphResponse; ms: number; bytes: number }> {
  const t = performance.now();
  const res = await fetch(url);
  const text = await res.text();
  const ms = performance.now() - t;
  if (res.status !== 200) throw new Error(`graph answered ${res.status}: ${text.slice(0, 300)}`);
  return { g: GraphResponseSchema.parse(JSON.parse(text)), ms, bytes: text.length };
}

export interface ServerFigures {
  services: number;
  nodes: number;
  edges: number;
  series: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
  buildP50Ms: number;
  overheadP50Ms: number;
  /** The server's CPU time per sequential request (everything it does for it, GC included). */
  cpuPerAnswerMs: number;
  answerKb: number;
  rssIdleMb: number;
  rssAfterMb: number;
  /** VmHWM after the sequential requests, before the pollers. */
  peakSequentialRssMb: number;
  peakRssMb: number;
  pollersP50Ms: number;
}

async function benchSize(services: number, log: (l: string) => void): Promise<ServerFigures> {
  const dir = await mkdtemp(join(tmpdir(), `meshlens-bench-server-${services}-`));
  const input = syntheticInput(services);
  const objects = scenarioObjects(loadScenario('generated', { services, seed: 1 }));
  const manifest = join(dir, 'objects.yaml');
  await writeFile(manifest, objects.map((o) => stringify(o)).join('---\n'));
  const cluster = await startDemoCluster({ host: '127.0.0.1', port: 0, load: [manifest] });
  const stub = await startStubPrometheus(input.bodies, input.namespaces);
  let server: Awaited<ReturnType<typeof spawnReady>> | undefined;
  try {
    await cluster.settled();
    const kubeconfig = join(dir, 'kubeconfig');
    await cluster.writeKubeconfig(kubeconfig);
    const cmd = componentCommand('meshlens');
    if (!cmd) throw new Error('the meshlens CLI is not available');
    server = await spawnReady(
      cmd.cmd,
      [
        ...cmd.args,
        '--kubeconfig',
        kubeconfig,
        '--prometheus-url',
        stub.url,
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--log-level',
        'warn',
        '--graph-cache-ttl',
        '10s',
        // Extra console flags to compare settings, e.g. `--config heap.yaml`.
        ...(process.env.MESHLENS_BENCH_SERVER_ARGS?.split(' ').filter(Boolean) ?? []),
      ],
      {
        name: 'meshlens',
        timeoutMs: 120_000,
        // V8 flags for the server alone (e.g. --max-old-space-size=256), to compare settings.
        env: { ...process.env, NODE_OPTIONS: process.env.MESHLENS_BENCH_SERVER_NODE_OPTIONS ?? '' },
      },
    );
    const url = server.url;
    // Wait for the inventory: every namespace of the scenario listed.
    const deadline = Date.now() + 120_000;
    for (;;) {
      const ready = await fetch(`${url}/readyz`);
      const ns = (await (await fetch(`${url}/api/namespaces`)).json()) as { namespaces?: unknown[] };
      if (ready.status === 200 && (ns.namespaces?.length ?? 0) >= input.namespaces.length) break;
      if (Date.now() > deadline) throw new Error('the console did not sync its inventory within 120 s');
      await new Promise((r) => setTimeout(r, 500));
    }
    const rssIdleMb = processMemoryMb(server.pid, 'VmRSS');
    await logHeap(url, `idle (peak so far ${processMemoryMb(server.pid, 'VmHWM')} MB)`, log);
    const base = `${url}/api/graph?namespaces=${input.namespaces.join(',')}&graphType=versionedApp&debug=true`;
    for (let i = 0; i < 3; i++) await graph(`${base}&duration=${50 + i}s`); // warm-up (JIT)
    const latency: number[] = [];
    const builds: number[] = [];
    const overhead: number[] = [];
    let last: { g: GraphResponse; bytes: number } | undefined;
    const cpuBefore = processCpuMs(server.pid);
    for (let i = 0; i < ITERATIONS; i++) {
      const { g, ms, bytes } = await graph(`${base}&duration=${60 + i}s`); // a new window: no cache hit
      latency.push(ms);
      builds.push(g.debug!.buildMs);
      overhead.push(ms - Math.max(...g.debug!.queries.map((q) => q.ms)));
      last = { g, bytes };
    }
    const cpuPerAnswerMs = Math.round((processCpuMs(server.pid) - cpuBefore) / ITERATIONS);
    const peakBeforePollersMb = processMemoryMb(server.pid, 'VmHWM');
    // 50 clients asking for one graph at once: one computation, one serialization, 50 answers.
    const pollUrl = `${url}/api/graph?namespaces=${input.namespaces.join(',')}&graphType=versionedApp&duration=5m`;
    const pollers = await Promise.all(
      Array.from({ length: POLLERS }, async () => {
        const t = performance.now();
        const res = await fetch(pollUrl);
        const bytes = (await res.arrayBuffer()).byteLength; // the body only: no client-side parsing
        if (res.status !== 200 || bytes === 0) throw new Error(`graph answered ${res.status}`);
        return { ms: performance.now() - t };
      }),
    );
    await logHeap(url, 'after', log);
    const figures: ServerFigures = {
      services,
      nodes: last!.g.nodes.length,
      edges: last!.g.edges.length,
      series: Object.values(input.bodies).reduce(
        (a, b) => a + (JSON.parse(b) as { data: { result: unknown[] } }).data.result.length,
        0,
      ),
      latencyP50Ms: round1(percentile(latency, 50)),
      latencyP95Ms: round1(percentile(latency, 95)),
      buildP50Ms: round1(percentile(builds, 50)),
      overheadP50Ms: round1(percentile(overhead, 50)),
      cpuPerAnswerMs,
      answerKb: Math.round(last!.bytes / 1024),
      rssIdleMb,
      rssAfterMb: processMemoryMb(server.pid, 'VmRSS'),
      peakSequentialRssMb: peakBeforePollersMb,
      peakRssMb: processMemoryMb(server.pid, 'VmHWM'),
      pollersP50Ms: round1(
        percentile(
          pollers.map((p) => p.ms),
          50,
        ),
      ),
    };
    log(`graph-server bench: ${JSON.stringify(figures)}`);
    return figures;
  } catch (err) {
    if (server) log(`graph-server bench: console stderr:\n${server.stderrTail()}`);
    throw err;
  } finally {
    await server?.stop();
    await new Promise((r) => stub.server.close(r));
    await cluster.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function runGraphServerBench({ log }: BenchContext): Promise<BenchResult> {
  const sizes = benchSizes('MESHLENS_BENCH_GRAPH_SERVER_SIZES');
  // The console runs from its bundle; build it now if stale, so no run's peak RSS includes the build.
  await ensureBundle({ log });
  const rows: ServerFigures[] = [];
  for (const n of sizes) rows.push(await benchSize(n, log));
  const markdown = [
    "The console server process (`npx meshlens`, as deployed) against the demo cluster holding mesh-sim's",
    '`generated` scenario (seed 1, ~5 edges per service, 100 services per namespace), with Prometheus replaced',
    'by a loopback stub that returns the synthetic answers of the `graph-pipeline` bench at once. So the',
    "latency is the server's own share (receiving and parsing the five answers, the pipeline, serializing,",
    "HTTP) without a Prometheus competing for the machine's 2 cores; the `graph` bench measures the live stack.",
    `One versionedApp graph over all namespaces with service nodes, ${ITERATIONS} requests per size, each with a`,
    'new window (no cache hit), after 3 warm-up requests. "overhead" is latency minus the longest query as the',
    'server timed it; "cpuPerAnswer" the CPU time of the server process (all threads, GC included) per',
    'request; "rssIdle" is after the inventory synced, "peakRss" the high-water mark (VmHWM) over the',
    `whole run including ${POLLERS} clients asking for one graph at once ("pollersP50": their latency to the`,
    'last byte, gzip decoded but not parsed). The server collects garbage after an answer when its heap is',
    'above `graph.heapSoftLimitMb` (96 MB by default). To compare settings: MESHLENS_BENCH_SERVER_ARGS passes',
    'console flags (e.g. `--config heap.yaml`), MESHLENS_BENCH_SERVER_NODE_OPTIONS V8 flags.',
    '',
    ...sizeTable(rows),
    '',
    "Targets (issue 4): the server's own share < 200 ms at 1,000 services; RSS < 300 MB.",
  ].join('\n');
  return { name: 'graph-server', figures: figuresBySize(rows), markdown };
}
