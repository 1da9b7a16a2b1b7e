import { describe, expect, it } from 'vitest';
import {
  MINUTE_TICK_SPACE,
  sparklineOptions,
  timeTick,
  timeTicks,
  timeTickSpace,
  TIME_AXIS_SIZE,
  TIME_INCRS,
  TIME_TICK_SPACE,
} from './sparklineOptions';

const colours = { rate: '#0066cc', errors: '#c9190b', axis: '#5f6b7a', grid: '#d5dae1' };

describe('the side panel sparkline', () => {
  it('labels time ticks with the clock time on one line, across a change of day too', () => {
    const opts = sparklineOptions('rps', 300, colours);
    const values = opts.axes?.[0]?.values as (
      u: unknown,
      splits: number[],
      axis: number,
      space: number,
      incr: number,
    ) => string[];
    // 23:59:40 → 00:00:20: uPlot's default would add the date on a second line under the first tick
    const midnight = new Date(2026, 11, 5, 23, 59, 40).getTime() / 1000;
    const ticks = values(null, [midnight, midnight + 20, midnight + 40], 0, TIME_TICK_SPACE, 20);
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

  it('drops the seconds from ticks whole minutes apart, and the time from ticks days apart', () => {
    const t = new Date(2026, 11, 7, 21, 44, 0).getTime() / 1000;
    const minutes = timeTicks([t, t + 120], 120);
    expect(minutes).toEqual(
      [t, t + 120].map((x) =>
        new Date(x * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }),
      ),
    );
    for (const m of minutes) expect(m).not.toMatch(/\d{2}.\d{2}.\d{2}/);
    expect(timeTicks([t + 30], 30)).toEqual([timeTick(t + 30)]);
    const days = timeTicks([t, t + 86_400], 86_400);
    expect(days[0]).not.toEqual(days[1]);
    expect(days[0]).toContain('7');
  });

  it('gives a 10-minute chart a tick every few minutes, seconds ticks the room their labels need', () => {
    // 383 px for 600 s: 1 minute is 38 px, so with 84 px between ticks uPlot found only 5-minute ticks
    // (one label in all); minute labels need 60
    expect(timeTickSpace(383, 600)).toBe(MINUTE_TICK_SPACE);
    // uPlot takes the first step whose ticks are at least that far apart: 2 minutes, 5 ticks
    const step = (width: number, range: number) =>
      TIME_INCRS.find((i) => (width / range) * i >= timeTickSpace(width, range));
    expect(step(383, 600)).toBe(120);
    expect(step(383, 3600)).toBe(600);
    // 30-second ticks would be 95 px apart on a 2-minute chart: they carry seconds, and get their room
    expect(timeTickSpace(383, 120)).toBe(TIME_TICK_SPACE);
    expect(timeTickSpace(0, 600)).toBe(TIME_TICK_SPACE);
    const axis = sparklineOptions('rps', 300, colours).axes?.[0];
    const space = axis?.space as (u: unknown, a: number, min: number, max: number, dim: number) => number;
    expect(space(null, 0, 1000, 1600, 383)).toBe(MINUTE_TICK_SPACE);
  });

  it('draws the error share only for requests', () => {
    expect(sparklineOptions('rps', 300, colours).series).toHaveLength(3);
    expect(sparklineOptions('B/s', 300, colours).series).toHaveLength(2);
  });
});
