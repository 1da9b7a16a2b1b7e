import { describe, expect, it } from 'vitest';
import { sparklineOptions, timeTick, TIME_AXIS_SIZE, TIME_TICK_SPACE } from './sparklineOptions';

const colours = { rate: '#0066cc', errors: '#c9190b', axis: '#5f6b7a', grid: '#d5dae1' };

describe('the side panel sparkline', () => {
  it('labels time ticks with the clock time on one line, across a change of day too', () => {
    const opts = sparklineOptions('rps', 300, colours);
    const values = opts.axes?.[0]?.values as (u: unknown, splits: number[]) => string[];
    // 23:59:40 → 00:00:20: uPlot's default would add the date on a second line under the first tick
    const midnight = new Date(2026, 11, 5, 23, 59, 40).getTime() / 1000;
    const ticks = values(null, [midnight, midnight + 20, midnight + 40]);
    expect(ticks).toEqual([midnight, midnight + 20, midnight + 40].map(timeTick));
    for (const t of ticks) {
      expect(t).not.toContain('\n');
      expect(t).toMatch(/\d{1,2}.\d{2}.\d{2}/);
    }
  });

  it('leaves the time axis room for one line and its ticks room for their labels', () => {
    const axis = sparklineOptions('B/s', 300, colours).axes?.[0];
    expect(axis?.size).toBe(TIME_AXIS_SIZE);
    expect(TIME_AXIS_SIZE).toBeGreaterThanOrEqual(10 * 1.2 + 8);
    // "07:32:30 PM", 11 characters of a 10 px font (~6 px each)
    expect(TIME_TICK_SPACE).toBeGreaterThan(timeTick(1_800_000_000).length * 6);
  });

  it('draws the error share only for requests', () => {
    expect(sparklineOptions('rps', 300, colours).series).toHaveLength(3);
    expect(sparklineOptions('B/s', 300, colours).series).toHaveLength(2);
  });
});
