/**
 * Benchmark (run by `npm run bench`): the `generated` scenario at 1,000 services / ~5,000 edges.
 * Measures the request rate kept against the nominal one, the simulator's CPU use (process.cpuUsage over
 * wall time) and the time and size of one /metrics scrape while the simulation runs.
 */
import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import { Engine, inventoryFromObjects, loadScenario, scenarioObjects } from '@meshlens/mesh-sim';
import { sleep } from '@meshlens/stack';
import { runSimulation } from '../../packages/mesh-sim/src/runtime';
import type { BenchContext } from '../lib';

export interface MeshSimBenchOptions {
  services?: number;
  namespaces?: number;
  seed?: number;
  /** Seconds of real-time simulation measured per rate (default 20). */
  seconds?: number;
}

const round = (x: number, d = 2) => Number(x.toFixed(d));

/** Scraper run in its own process, as Prometheus is: GET the URL, read the whole body, print figures. */
const SCRAPER = `
const { get } = require('node:http');
const t0 = performance.now();
get(process.argv[1], (res) => {
  let bytes = 0;
  res.on('data', (c) => { bytes += c.length; });
  res.on('end', () => { console.log(JSON.stringify({ status: res.statusCode, ms: performance.now() - t0, bytes })); });
}).on('error', (e) => { console.error(e.message); process.exit(1); });
`;

function timeScrape(url: string): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', SCRAPER, url], { maxBuffer: 1 << 20 }, (err, stdout) => {
      if (err) return reject(err);
      const r = JSON.parse(stdout) as { status: number; ms: number; bytes: number };
      if (r.status !== 200) return reject(new Error(`scrape of ${url} answered ${r.status}`));
      resolve(r);
    });
  });
}

/** Real-time run: CPU cores used and calls per wall-clock second over `seconds`. */
async function measure(engine: Engine, seconds: number) {
  const calls0 = engine.stats.calls;
  const entries0 = engine.stats.entryRequests;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return {
    cpuCores: (cpu.user + cpu.system) / 1e6 / wall,
    callsPerSec: (engine.stats.calls - calls0) / wall,
    entriesPerSec: (engine.stats.entryRequests - entries0) / wall,
  };
}

export async function runMeshSimBench(
  context: Pick<BenchContext, 'log'> = { log: (l) => process.stderr.write(`${l}\n`) },
  options: MeshSimBenchOptions = {},
) {
  const services = options.services ?? 1000;
  const namespaces = options.namespaces ?? 10;
  const seconds = options.seconds ?? 20;
  const { log } = context;
  const scenario = loadScenario('generated', { services, namespaces, seed: options.seed ?? 1 });
  const objects = scenarioObjects(scenario);
  const inventory = inventoryFromObjects(objects);
  // Call edges between services (the gateway's and the unmeshed client's entry calls not counted).
  const edges = new Set(
    scenario.workloads
      .filter((w) => w.app.startsWith('svc-'))
      .flatMap((w) => w.calls.map((c) => `${w.namespace}/${w.app}>${c.to}`)),
  ).size;
  log(`mesh-sim bench: ${services} services, ${edges} edges, ${inventory.pods.length} pods`);

  // Nominal rate: the same engine run offline over 100 simulated seconds (no wall-clock constraint).
  const offline = new Engine(scenario, inventory, { seed: 11 });
  const offCpu0 = process.cpuUsage();
  for (let i = 0; i < 500; i++) offline.tick(i * 200, 200);
  const offCpu = process.cpuUsage(offCpu0);
  const nominalCallsPerSec = offline.stats.calls / 100;
  const nominalEntriesPerSec = offline.stats.entryRequests / 100;

  const engine = new Engine(scenario, inventory, { seed: 7 });
  const runtime = await runSimulation(engine, { tickMs: 200, log });
  try {
    await sleep(5000); // warm-up: caches, series creation
    log(`measuring ${seconds} s at nominal rate`);
    const base = await measure(engine, seconds);
    log('scraping /metrics three times');
    const scrapes = [];
    for (let i = 0; i < 3; i++) scrapes.push(await timeScrape(`${runtime.url}/metrics`));
    const scrapeMs = scrapes.map((s) => s.ms).sort((a, b) => a - b);
    engine.rateScale = 5;
    await sleep(3000);
    log(`measuring ${seconds} s at 5x the nominal rate`);
    const x5 = await measure(engine, seconds);
    const last = scrapes[scrapes.length - 1]!;
    const figures = {
      services,
      namespaces,
      edges,
      workloads: engine.world.workloads.size,
      pods: inventory.pods.length,
      nominalCallsPerSec: round(nominalCallsPerSec, 1),
      nominalEntryRequestsPerSec: round(nominalEntriesPerSec, 1),
      achievedCallsPerSec: round(base.callsPerSec, 1),
      achievedRatio: round(base.callsPerSec / nominalCallsPerSec, 3),
      simulatorCpuCores: round(base.cpuCores, 3),
      cpuMicrosecondsPerCall: round((offCpu.user + offCpu.system) / offline.stats.calls, 1),
      x5AchievedCallsPerSec: round(x5.callsPerSec, 1),
      x5AchievedRatio: round(x5.callsPerSec / (5 * nominalCallsPerSec), 3),
      x5SimulatorCpuCores: round(x5.cpuCores, 3),
      scrapeMsMedian: round(scrapeMs[1]!, 0),
      scrapeMsMax: round(scrapeMs[2]!, 0),
      scrapeMB: round(last.bytes / 1e6, 1),
      // Lines of the exposition: per HTTP/gRPC label set 1 counter + 3 histograms of 22 lines.
      scrapeLines:
        engine.store.http.size * 67 + engine.store.messages.size * 2 + engine.store.tcp.size * 4 + 12,
      series: engine.store.seriesCount(),
      rssMB: round(process.memoryUsage().rss / 1e6, 0),
      /** The machine's 1-minute load average at the end (other work on it inflates the timings). */
      loadAverage1m: round(loadavg()[0] ?? 0, 2),
    };
    const markdown = [
      `Generated scenario: ${services} services in ${namespaces} namespaces, ${edges} call edges, ${figures.workloads} workloads, seed ${options.seed ?? 1}.`,
      '',
      '| figure | value |',
      '|---|---|',
      `| nominal calls/s (offline run, 100 simulated s) | ${figures.nominalCallsPerSec} |`,
      `| achieved calls/s (real time, ${seconds} s) | ${figures.achievedCallsPerSec} (${(100 * figures.achievedRatio).toFixed(1)}% of nominal) |`,
      `| simulator CPU (cores, cpuUsage / wall) | ${figures.simulatorCpuCores} |`,
      `| CPU per simulated call (µs) | ${figures.cpuMicrosecondsPerCall} |`,
      `| at 5x nominal: achieved calls/s | ${figures.x5AchievedCallsPerSec} (${(100 * figures.x5AchievedRatio).toFixed(1)}%) |`,
      `| at 5x nominal: CPU (cores) | ${figures.x5SimulatorCpuCores} |`,
      `| one /metrics scrape (median / max of 3, ms) | ${figures.scrapeMsMedian} / ${figures.scrapeMsMax} |`,
      `| /metrics size | ${figures.scrapeMB} MB, ${figures.scrapeLines} lines, ${figures.series} label sets |`,
      `| RSS | ${figures.rssMB} MB |`,
      `| machine load average (1 min) at the end | ${figures.loadAverage1m} |`,
      '',
      'Targets (issue 3): nominal rates kept on at most one core; one scrape under 1 s. The scrape is timed',
      'by a separate Node process (as Prometheus is separate) reading the whole body over loopback while the',
      'simulation keeps ticking, from sending the request to the last byte. CPU figures are measured over',
      'windows without scrapes. A "call" is one hop (one outbound request or TCP connection of a workload).',
    ].join('\n');
    return { name: 'mesh-sim', figures, markdown };
  } finally {
    await runtime.close();
  }
}
