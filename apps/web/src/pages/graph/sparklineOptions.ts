import type uPlot from 'uplot';
import { formatBytesRate, formatRps } from '../../graph/format';

export interface SparklineColours {
  rate: string;
  errors: string;
  axis: string;
  grid: string;
}

const FONT_PX = 10;
/** Height of the time axis: one line of tick labels and the gap above it (uPlot draws no second line). */
export const TIME_AXIS_SIZE = FONT_PX + 14;
/** Least room between two time ticks labelled with seconds, px: "07:32:30 PM" is about 60 px wide. */
export const TIME_TICK_SPACE = 84;
/** Least room between two ticks a minute or more apart, px: "07:32 PM" is about 45 px wide. */
export const MINUTE_TICK_SPACE = 60;
/**
 * Room right of the plot, px: a time tick that falls on the plot's right edge has its label centred there,
 * and half of an 11 px "02:18:00 AM" (~70 px) would otherwise be cut by the canvas edge.
 */
export const TIME_AXIS_PAD_RIGHT = 40;

/** A moment as the clock time with seconds, on one line (the cursor's value, ticks seconds apart). */
export function timeTick(seconds: number): string {
  return new Date(seconds * 1000).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/**
 * The time axis' tick labels, on one line (uPlot's default adds the date on a second line, which the axis
 * cuts): the day for ticks a day or more apart, hours and minutes for ticks whole minutes apart, seconds
 * only when the ticks are seconds apart.
 */
export function timeTicks(splits: readonly number[], incrSeconds: number): string[] {
  if (incrSeconds >= 86_400)
    return splits.map((t) => new Date(t * 1000).toLocaleDateString([], { month: 'short', day: 'numeric' }));
  if (incrSeconds % 60 === 0)
    return splits.map((t) =>
      new Date(t * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }),
    );
  return splits.map(timeTick);
}

/**
 * The least room between time ticks for a plot `width` px wide showing `rangeSeconds`: ticks half a
 * minute apart would be far enough apart to carry seconds, so leave them the room seconds need; otherwise
 * uPlot picks ticks a minute or more apart, whose shorter labels need less room (a 10-minute chart then
 * gets a tick every 2 minutes rather than one tick in all).
 */
export function timeTickSpace(width: number, rangeSeconds: number): number {
  if (!(rangeSeconds > 0) || !(width > 0)) return TIME_TICK_SPACE;
  return (width / rangeSeconds) * 30 >= MINUTE_TICK_SPACE ? TIME_TICK_SPACE : MINUTE_TICK_SPACE;
}

/**
 * The steps between time ticks uPlot may choose from, seconds: its own list, plus 2 minutes (from 1 minute
 * it goes to 5, which gave a 10-minute chart 2 ticks).
 */
export const TIME_INCRS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 14_400, 21_600, 28_800, 43_200,
  86_400, 172_800, 259_200, 604_800, 1_209_600, 2_592_000,
];

/** uPlot's options of a time axis' ticks: their steps, room (timeTickSpace) and labels (timeTicks). */
export const timeAxisTicks: Pick<uPlot.Axis, 'incrs' | 'space' | 'values'> = {
  incrs: TIME_INCRS,
  space: (_u, _axis, min, max, plotDim) => timeTickSpace(plotDim, max - min),
  values: (_u, splits, _axis, _space, incr) => timeTicks(splits, incr),
};

/** The uPlot options of the side panel's sparkline (rate, and error % for requests). */
export function sparklineOptions(unit: 'rps' | 'B/s', width: number, c: SparklineColours): uPlot.Options {
  const fmt = (v: number) => (unit === 'rps' ? formatRps(v) : formatBytesRate(v));
  const font = `${FONT_PX}px sans-serif`;
  return {
    width,
    height: 110,
    legend: { show: false },
    padding: [null, TIME_AXIS_PAD_RIGHT, null, null],
    cursor: { show: true, points: { show: false } },
    scales: { x: { time: true }, err: { range: [0, 100] } },
    axes: [
      {
        stroke: c.axis,
        grid: { stroke: c.grid, width: 1 },
        ticks: { show: false },
        font,
        size: TIME_AXIS_SIZE,
        ...timeAxisTicks,
      },
      {
        stroke: c.axis,
        grid: { stroke: c.grid, width: 1 },
        ticks: { show: false },
        font,
        size: 56,
        values: (_u, vals) => vals.map(fmt),
      },
    ],
    series: [
      {},
      { label: 'rate', stroke: c.rate, width: 1.5, fill: `${c.rate}22` },
      ...(unit === 'rps' ? [{ label: 'errors %', stroke: c.errors, width: 1, scale: 'err' }] : []),
    ],
  };
}
