import { readdirSync, readFileSync } from 'node:fs';
import { constants, getPriority, setPriority } from 'node:os';
import type { Page } from '@playwright/test';

/** What a benchmark module exports: an async function returning its figures and a Markdown section. */
export interface BenchResult {
  /** Report name: bench/reports/<name>.md and .json */
  name: string;
  /** Flat figures, printed and stored in the JSON report (numbers in the unit their key names, e.g. p95Ms). */
  figures: Record<string, unknown>;
  /** The report body (Markdown, without the machine header the runner adds). */
  markdown: string;
}

export interface BenchContext {
  /** Progress output (stderr). */
  log(line: string): void;
  /** Where reports go; a bench may write extra files here (e.g. <name>.trace.json). */
  reportsDir: string;
}

export type BenchFunction = (context: BenchContext) => Promise<BenchResult>;

/** The p-th percentile (nearest rank) of `values`; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

/** The time (page clock, ms) of the next frame the page draws: what is on screen now has been painted. */
export const nextFrame = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<number>((resolve) =>
        requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now()))),
      ),
  );

/** One decimal, for figures in reports. */
export const round1 = (n: number) => Math.round(n * 10) / 10;

/** A process's resident memory (VmRSS) or its high-water mark (VmHWM), MB, from /proc (Linux). */
export function processMemoryMb(pid: number, field: 'VmHWM' | 'VmRSS' = 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024);
}

/**
 * Lowest CPU priority (nice 19) for every thread of process `pid` (Linux: a priority is per thread, and a
 * Node process has several). The benches give it to mesh-sim: it stands in for the sidecars of a mesh,
 * which run on other machines, and on these 2 cores it took 0.5-1 core of what the console and Prometheus
 * are measured on. It still runs whenever a core is idle (its traffic is simulated against the clock, so
 * it catches up). Returns the threads' priorities, read back.
 */
export function deprioritize(pid: number): number[] {
  const tids = readdirSync(`/proc/${pid}/task`).map(Number);
  for (const tid of tids) setPriority(tid, constants.priority.PRIORITY_LOW);
  return tids.map((tid) => getPriority(tid));
}

/** The sizes a per-size bench runs: the comma list in environment variable `envVar`, else `fallback`. */
export function benchSizes(envVar: string, fallback = '100,1000,3000'): number[] {
  return (process.env[envVar] ?? fallback).split(',').map(Number);
}

/** Rows measured per size as the report's flat figures: `s<services>_<key>`. */
export function figuresBySize<R extends { services: number }>(rows: readonly R[]): Record<string, unknown> {
  const figures: Record<string, unknown> = {};
  for (const r of rows)
    for (const [k, v] of Object.entries(r)) if (k !== 'services') figures[`s${r.services}_${k}`] = v;
  return figures;
}

/** Rows per size as a Markdown table, a line per figure: `keys` in that order, else the rows' own. */
export function sizeTable<R extends { services: number }>(
  rows: readonly R[],
  keys: readonly (keyof R & string)[] = Object.keys(rows[0] ?? {}).filter(
    (k) => k !== 'services',
  ) as (keyof R & string)[],
): string[] {
  return [
    `| services | ${rows.map((r) => r.services).join(' | ')} |`,
    `|---|${rows.map(() => '---|').join('')}`,
    ...keys.map((k) => `| ${k} | ${rows.map((r) => r[k]).join(' | ')} |`),
  ];
}
