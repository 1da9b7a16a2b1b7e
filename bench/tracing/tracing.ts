/**
 * Tracing benchmark (`npm run bench -- tracing`): the demo stack on Bookinfo at 40x its rates, every
 * request traced, until mesh-sim's Jaeger query API holds 10,000 traces; then the console's tracing routes
 * as a client sees them: an app's trace list (limit 100), a workload's (narrowed from its app's, so the
 * console asks for 300), one trace by id, and the same search sent straight to the Jaeger API (the
 * backend's share). Each request is timed ITERATIONS times with another window end (no cache anywhere).
 * Target (issue 14): the trace list for a service answers under 500 ms with 10,000 traces held.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceResponseSchema, TracesResponseSchema } from '@meshlens/contract';
import { sleep, startStack } from '@meshlens/stack';
import { percentile, processMemoryMb, round1, type BenchContext, type BenchResult } from '../lib';

const ITERATIONS = 20;
const TRACES_HELD = Number(process.env.MESHLENS_BENCH_TRACES ?? 10_000);

/** The first request (cold: JIT, connections) apart, then ITERATIONS timed ones. */
async function timed(url: (i: number) => string, check: (body: unknown) => void) {
  const ms: number[] = [];
  let bytes = 0;
  let cold = 0;
  for (let i = -1; i < ITERATIONS; i++) {
    const t = performance.now();
    const res = await fetch(url(i));
    const text = await res.text();
    if (i < 0) cold = performance.now() - t;
    else ms.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`${url(i)} answered ${res.status}: ${text.slice(0, 300)}`);
    bytes = text.length;
    check(JSON.parse(text));
  }
  return {
    p50: round1(percentile(ms, 50)),
    p95: round1(percentile(ms, 95)),
    cold: round1(cold),
    kb: Math.round(bytes / 1024),
  };
}

async function held(meshSim: string): Promise<{ traces: number; spans: number }> {
  const state = (await (await fetch(`${meshSim}/debug/state`)).json()) as {
    tracing: { traces: number; spans: number } | null;
  };
  if (!state.tracing) throw new Error('mesh-sim records no spans (tracing off)');
  return state.tracing;
}

export async function runTracingBench({ log }: BenchContext): Promise<BenchResult> {
  const stateDir = await mkdtemp(join(tmpdir(), 'meshlens-bench-tracing-'));
  log('tracing bench: starting the stack (bookinfo x40, every request traced)');
  const stack = await startStack({
    scenario: 'bookinfo',
    rateScale: 40,
    tracingSampling: 100,
    stateDir,
    handleSignals: false,
    consoleArgs: ['--log-level', 'warn'],
  });
  try {
    const c = stack.urls.console!;
    const sim = stack.urls.meshSim;
    const fillStart = performance.now();
    for (let h = await held(sim); h.traces < TRACES_HELD; h = await held(sim)) {
      log(`tracing bench: ${h.traces} traces held`);
      await sleep(2000);
    }
    const fillS = round1((performance.now() - fillStart) / 1000);
    const h = await held(sim);
    log(`tracing bench: ${h.traces} traces, ${h.spans} spans held; measuring`);
    const end = Math.floor(Date.now() / 1000) + 5;
    let listed = 0;
    const appList = await timed(
      (i) => `${c}/api/namespaces/bookinfo/apps/reviews/traces?duration=1h&limit=100&end=${end - i}`,
      (b) => {
        listed = TracesResponseSchema.parse(b).traces.length;
        if (listed !== 100) throw new Error(`expected 100 traces of reviews, got ${listed}`);
      },
    );
    const workloadList = await timed(
      (i) => `${c}/api/namespaces/bookinfo/workloads/reviews-v2/traces?duration=1h&limit=100&end=${end - i}`,
      (b) => {
        if (TracesResponseSchema.parse(b).traces.length === 0) throw new Error('no traces of reviews-v2');
      },
    );
    const ids = TracesResponseSchema.parse(
      await (
        await fetch(`${c}/api/namespaces/bookinfo/apps/reviews/traces?duration=1h&limit=${ITERATIONS}`)
      ).json(),
    ).traces.map((t) => t.id);
    let spans = 0;
    const one = await timed(
      (i) => `${c}/api/traces/${ids[(i + ids.length) % ids.length]}`,
      (b) => {
        spans = TraceResponseSchema.parse(b).trace.spans.length;
      },
    );
    const backend = await timed(
      (i) =>
        `${stack.endpoints.tracing}/api/traces?service=reviews.bookinfo&limit=100&start=${(end - 3600) * 1e6}&end=${(end - i) * 1e6}`,
      () => undefined,
    );
    const figures = {
      tracesHeld: h.traces,
      spansHeld: h.spans,
      fillSeconds: fillS,
      appListP50Ms: appList.p50,
      appListP95Ms: appList.p95,
      appListColdMs: appList.cold,
      appListKb: appList.kb,
      workloadListP50Ms: workloadList.p50,
      workloadListP95Ms: workloadList.p95,
      traceP50Ms: one.p50,
      traceP95Ms: one.p95,
      traceSpans: spans,
      jaegerSearchP50Ms: backend.p50,
      jaegerSearchP95Ms: backend.p95,
      jaegerSearchKb: backend.kb,
      meshSimPeakRssMb: processMemoryMb(stack.endpoints.pids.meshSim),
      consolePeakRssMb: stack.endpoints.pids.console ? processMemoryMb(stack.endpoints.pids.console) : null,
    };
    const markdown = [
      "Bookinfo at 40x its rates, every request traced, served by mesh-sim's Jaeger query API; the console",
      `started with --tracing-url at it. Measured once ${h.traces} traces (${h.spans} spans) were held, ${ITERATIONS}`,
      'requests each after one cold request (reported for the app list), each with another window end.',
      '',
      '| figure | value |',
      '|---|---|',
      ...Object.entries(figures).map(([k, v]) => `| ${k} | ${v} |`),
      '',
      `Target (issue 14): an app's trace list (limit 100) under 500 ms with 10,000 traces held — ${appList.p95 < 500 ? 'met' : 'NOT met'} (p95 ${appList.p95} ms).`,
      "The workload list asks the backend for 3x the limit (its spans are a part of its app's) and keeps its pods'.",
      '"jaegerSearch" is the same search sent straight to the backend: the rest of the list time is the console.',
    ].join('\n');
    return { name: 'tracing', figures, markdown };
  } finally {
    await stack.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}
