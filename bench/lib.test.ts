import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { getPriority } from 'node:os';
import { benchSizes, deprioritize, figuresBySize, percentile, sizeTable } from './lib';

const rows = [
  { services: 100, nodes: 211, latencyMs: 24.5 },
  { services: 1000, nodes: 2110, latencyMs: 210.8 },
];

describe('per-size bench reports', () => {
  it('flattens rows into s<services>_<figure> keys', () => {
    expect(figuresBySize(rows)).toEqual({
      s100_nodes: 211,
      s100_latencyMs: 24.5,
      s1000_nodes: 2110,
      s1000_latencyMs: 210.8,
    });
  });

  it('writes a Markdown table a line per figure, in the rows’ order or the one given', () => {
    expect(sizeTable(rows)).toEqual([
      '| services | 100 | 1000 |',
      '|---|---|---|',
      '| nodes | 211 | 2110 |',
      '| latencyMs | 24.5 | 210.8 |',
    ]);
    expect(sizeTable(rows, ['latencyMs'])).toEqual([
      '| services | 100 | 1000 |',
      '|---|---|---|',
      '| latencyMs | 24.5 | 210.8 |',
    ]);
  });

  it('reads the sizes from the environment, else the default, and takes nearest-rank percentiles', () => {
    process.env.MESHLENS_TEST_SIZES = '10,20';
    expect(benchSizes('MESHLENS_TEST_SIZES')).toEqual([10, 20]);
    delete process.env.MESHLENS_TEST_SIZES;
    expect(benchSizes('MESHLENS_TEST_SIZES')).toEqual([100, 1000, 3000]);
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('deprioritize', () => {
  it('puts every thread of a Node process at nice 19', async () => {
    const child = spawn(process.execPath, ['-e', 'console.log("up"); setInterval(() => {}, 1000)'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      // up and running: its threads have started
      await new Promise((r) => child.stdout.once('data', r));
      expect(getPriority(child.pid!)).toBe(0);
      const priorities = deprioritize(child.pid!);
      // Node runs its main thread plus V8's and libuv's threads
      expect(priorities.length).toBeGreaterThan(1);
      expect(new Set(priorities)).toEqual(new Set([19]));
    } finally {
      child.kill();
    }
  });
});
