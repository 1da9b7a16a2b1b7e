// `npm run bench [-- NAME…]`: runs the registered benchmarks, prints their figures and writes
// bench/reports/<name>.md and .json plus the bench/reports/README.md index.
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { findPrometheus, repoRoot } from '@meshlens/stack';
import type { BenchFunction, BenchResult } from './lib';
import { benches, type BenchEntry } from './registry';

const reportsDir = join(repoRoot, 'bench', 'reports');
const log = (line: string): void => void process.stderr.write(`${line}\n`);

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  prometheus: string;
}

function machine(): Machine {
  const bin = findPrometheus();
  const version = bin ? spawnSync(bin, ['--version'], { encoding: 'utf8' }) : undefined;
  const prometheus =
    /version (\S+)/.exec(`${version?.stdout ?? ''}${version?.stderr ?? ''}`)?.[1] ?? 'not installed';
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    prometheus,
  };
}

function machineLine(m: Machine): string {
  return `${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}, Prometheus ${m.prometheus}`;
}

/** The entry's BenchFunction; throws when its module cannot be loaded or exports no function. */
async function load(entry: BenchEntry): Promise<BenchFunction> {
  const fn = await entry.load();
  if (typeof fn !== 'function') throw new Error(`${entry.module} exports no benchmark function`);
  return fn;
}

function formatFigure(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(3);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

interface StoredReport {
  name: string;
  date: string;
  durationSeconds: number;
  machine: Machine;
  figures: Record<string, unknown>;
}

async function writeReport(
  result: BenchResult,
  entry: BenchEntry,
  m: Machine,
  seconds: number,
): Promise<void> {
  const date = new Date().toISOString();
  const stored: StoredReport = {
    name: result.name,
    date,
    durationSeconds: seconds,
    machine: m,
    figures: result.figures,
  };
  await writeFile(join(reportsDir, `${result.name}.json`), `${JSON.stringify(stored, null, 2)}\n`);
  const header = [
    `# Benchmark: ${result.name}`,
    '',
    `${entry.description}.`,
    '',
    `- Date: ${date}`,
    `- Machine: ${machineLine(m)}`,
    `- Run time: ${seconds.toFixed(1)} s`,
    `- Command: \`npm run bench -- ${entry.name}\``,
    '',
  ];
  await writeFile(join(reportsDir, `${result.name}.md`), `${header.join('\n')}\n${result.markdown.trim()}\n`);
}

/** bench/reports/README.md: one row per stored report, whichever run wrote it. */
async function writeIndex(): Promise<void> {
  const rows: string[] = [];
  for (const file of (await readdir(reportsDir)).filter((f) => f.endsWith('.json')).sort()) {
    const report = JSON.parse(await readFile(join(reportsDir, file), 'utf8')) as StoredReport;
    const entry = benches.find((b) => b.name === report.name);
    rows.push(
      `| [${report.name}](${report.name}.md) | ${entry?.description ?? ''} | ${report.date.slice(0, 16).replace('T', ' ')} UTC | ${machineLine(report.machine)} |`,
    );
  }
  const text = [
    '# Benchmark reports',
    '',
    'Written by `npm run bench` (all benchmarks) or `npm run bench -- NAME` (one). Each report has a',
    'Markdown page and a JSON file with the raw figures. Figures depend on the machine; compare runs on the',
    'same machine.',
    '',
    '| report | what it measures | date | machine |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  await writeFile(join(reportsDir, 'README.md'), text);
}

async function main(): Promise<number> {
  const program = new Command('npm run bench --')
    .description('Run the benchmarks and write their reports under bench/reports/.')
    .argument('[names...]', `benchmarks to run (default: all of ${benches.map((b) => b.name).join(', ')})`)
    .option('--list', 'list the benchmarks (loading each: a module that fails to load is an error)')
    .showHelpAfterError();
  program.parse(process.argv.slice(2), { from: 'user' });
  const names = program.args;
  const unknown = names.filter((n) => !benches.some((b) => b.name === n));
  if (unknown.length) {
    log(`unknown benchmark ${unknown.join(', ')}; known: ${benches.map((b) => b.name).join(', ')}`);
    return 2;
  }
  const selected = names.length ? benches.filter((b) => names.includes(b.name)) : benches;
  if (program.opts<{ list?: boolean }>().list) {
    let broken = 0;
    for (const entry of benches) {
      try {
        await load(entry);
        log(`${entry.name.padEnd(14)} ${entry.module} — ${entry.description}`);
      } catch (err) {
        broken++;
        log(`${entry.name.padEnd(14)} ${entry.module} — FAILED TO LOAD: ${(err as Error).message}`);
      }
    }
    return broken ? 1 : 0;
  }

  await mkdir(reportsDir, { recursive: true });
  const m = machine();
  log(`machine: ${machineLine(m)}`);
  let failures = 0;
  for (const entry of selected) {
    let fn: BenchFunction;
    try {
      fn = await load(entry);
    } catch (err) {
      failures++;
      log(`\n== ${entry.name}: FAILED TO LOAD ${entry.module}: ${(err as Error).stack ?? String(err)}`);
      continue;
    }
    log(`\n== ${entry.name}: ${entry.description}`);
    const t0 = performance.now();
    try {
      const result = await fn({ log: (line) => log(`  ${line}`), reportsDir });
      const seconds = (performance.now() - t0) / 1000;
      for (const [key, value] of Object.entries(result.figures)) {
        process.stdout.write(`${result.name}\t${key}\t${formatFigure(value)}\n`);
      }
      await writeReport(result, entry, m, seconds);
      log(`  report: bench/reports/${result.name}.md (${seconds.toFixed(1)} s)`);
    } catch (err) {
      failures++;
      log(`  FAILED: ${(err as Error).stack ?? String(err)}`);
    }
  }
  await writeIndex();
  log(`\nindex: bench/reports/README.md${failures ? `; ${failures} benchmark(s) failed` : ''}`);
  return failures ? 1 : 0;
}

process.exit(await main());
