import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { mark, measure } from './marks';

afterEach(() => {
  performance.clearMarks();
  performance.clearMeasures();
});

describe('performance marks', () => {
  it('keeps only the latest mark of each name, however often it is set', () => {
    for (let i = 0; i < 50; i++) {
      mark('meshlens:sync-start');
      mark('meshlens:sync-end');
    }
    const starts = performance.getEntriesByName('meshlens:sync-start', 'mark');
    expect(starts).toHaveLength(1);
    expect(performance.getEntriesByName('meshlens:sync-end', 'mark')).toHaveLength(1);
    // the one kept is the newest: after every sync-start set before it
    const [end] = performance.getEntriesByName('meshlens:sync-end', 'mark');
    expect(end?.startTime).toBeGreaterThanOrEqual(starts[0]?.startTime ?? Infinity);
  });

  it('leaves marks of other names (and other pages) alone', () => {
    performance.mark('someone-else');
    mark('meshlens:a');
    mark('meshlens:a');
    mark('meshlens:b');
    expect(performance.getEntriesByName('someone-else')).toHaveLength(1);
    expect(performance.getEntriesByType('mark').map((e) => e.name)).toEqual([
      'someone-else',
      'meshlens:a',
      'meshlens:b',
    ]);
  });

  it('keeps only the latest measure of each name', () => {
    measure('meshlens:worker-layout', { start: 0, duration: 5 });
    measure('meshlens:worker-layout', { start: 10, duration: 7 });
    const entries = performance.getEntriesByName('meshlens:worker-layout', 'measure');
    expect(entries.map((e) => [e.startTime, e.duration])).toEqual([[10, 7]]);
  });
});

describe('the page sets its marks through mark() and measure()', () => {
  const src = fileURLToPath(new URL('..', import.meta.url));
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : [],
    );

  it('no product file calls performance.mark or performance.measure itself (its entries would pile up)', () => {
    const direct = files(src)
      .filter((f) => !/\.test\.tsx?$/.test(f) && !f.endsWith(join('perf', 'marks.ts')))
      .filter((f) => /performance\s*\.\s*(mark|measure)\s*\(/.test(readFileSync(f, 'utf8')))
      .map((f) => f.slice(src.length));
    expect(direct).toEqual([]);
  });
});
