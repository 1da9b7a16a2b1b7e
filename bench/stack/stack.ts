// Benchmark: how long the demo stack takes to start and to show traffic, and to stop.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { componentAvailable, startStack, waitForPromQL } from '@meshlens/stack';
import type { BenchContext, BenchResult } from '../lib';

const RUNS = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

export async function runStackBench({ log }: BenchContext): Promise<BenchResult> {
  const withConsole = componentAvailable('meshlens');
  const ready: number[] = [];
  const firstSample: number[] = [];
  const stopped: number[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const stateDir = await mkdtemp(join(tmpdir(), 'meshlens-bench-stack-'));
    const t0 = performance.now();
    const stack = await startStack({ scenario: 'bookinfo', stateDir, withConsole, handleSignals: false });
    try {
      ready.push((performance.now() - t0) / 1000);
      await waitForPromQL(
        stack.urls.prometheus,
        'count(istio_requests_total)',
        (s) => s.length > 0,
        60_000,
        200,
      );
      firstSample.push((performance.now() - t0) / 1000);
    } finally {
      const t1 = performance.now();
      await stack.stop();
      stopped.push((performance.now() - t1) / 1000);
      await rm(stateDir, { recursive: true, force: true });
    }
    log(
      `run ${run}: ready ${ready.at(-1)!.toFixed(2)} s, first sample ${firstSample.at(-1)!.toFixed(2)} s, stop ${stopped.at(-1)!.toFixed(2)} s`,
    );
  }
  const figures = {
    withConsole,
    runs: RUNS,
    readySecondsMedian: median(ready),
    readySecondsMax: Math.max(...ready),
    firstIstioSampleSecondsMedian: median(firstSample),
    stopSecondsMedian: median(stopped),
  };
  const row = (label: string, values: number[]) =>
    `| ${label} | ${values.map((v) => v.toFixed(2)).join(' | ')} |`;
  const markdown = [
    `startStack({ scenario: 'bookinfo'${withConsole ? '' : ', withConsole: false'} }) with the default 5 s scrape`,
    `interval, ${RUNS} runs, each in a fresh state folder. "ready" is when every component printed READY and`,
    'endpoints.json was written; "first sample" is when `count(istio_requests_total)` first answers in',
    'Prometheus (bounded below by the scrape interval).',
    '',
    `| seconds | ${Array.from({ length: RUNS }, (_, i) => `run ${i + 1}`).join(' | ')} |`,
    `|---|${'---|'.repeat(RUNS)}`,
    row('ready (all READY, endpoints.json)', ready),
    row('first istio_requests_total sample', firstSample),
    row('stop() until every process exited', stopped),
  ].join('\n');
  return { name: 'stack', figures, markdown };
}
