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
/** Least room between two time ticks, px: a label such as "07:32:30 PM" is about 60 px wide. */
export const TIME_TICK_SPACE = 84;
/**
 * Room right of the plot, px: a time tick that falls on the plot's right edge has its label centred there,
 * and half of an 11 px "02:18:00 AM" (~70 px) would otherwise be cut by the canvas edge.
 */
export const TIME_AXIS_PAD_RIGHT = 40;

/** A time tick: the clock time only, on one line (uPlot's default adds the date on a second line, which the axis cuts). */
export function timeTick(seconds: number): string {
  return new Date(seconds * 1000).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

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
        space: TIME_TICK_SPACE,
        values: (_u, splits) => splits.map(timeTick),
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
