import { describe, expect, it } from 'vitest';
import { countsForRates, toSamples } from './samples';

const metric = (reporter: string, srcWl: string) => ({
  reporter,
  source_workload: srcWl,
  source_workload_namespace: srcWl === 'unknown' ? 'unknown' : 'a',
  destination_service_name: 'b',
});

describe('samples', () => {
  it('drops NaN and infinite values and fills missing labels with unknown', () => {
    const s = toSamples([
      { metric: metric('source', 'a-v1'), value: [1, '2.5'] },
      { metric: metric('source', 'a-v1'), value: [1, 'NaN'] },
      { metric: metric('source', 'a-v1'), value: [1, '+Inf'] },
    ]);
    expect(s).toHaveLength(1);
    expect(s[0]).toMatchObject({ value: 2.5, dstWl: 'unknown', flags: '-' });
  });

  it('counts source reports of meshed callers and destination reports of unknown callers only', () => {
    const [a, b, c, d] = toSamples([
      { metric: metric('source', 'a-v1'), value: [1, '1'] },
      { metric: metric('destination', 'a-v1'), value: [1, '1'] },
      { metric: metric('destination', 'unknown'), value: [1, '1'] },
      { metric: metric('waypoint', 'a-v1'), value: [1, '1'] },
    ]);
    expect([a, b, c, d].map((s) => countsForRates(s!))).toEqual([true, false, true, false]);
  });
});
