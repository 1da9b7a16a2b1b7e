import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatBytesRate, formatRps } from '../../graph/format';
import { useThemeName } from '../../shell/theme';
import type { Series } from './history';

/** A small uPlot chart of rate (and error %) over the refreshes seen so far. */
export function Sparkline({ series }: { series: Series }) {
  const ref = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const unit = series.unit;
  // the colours come from the theme's CSS variables: a new theme builds the chart again
  const theme = useThemeName();

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const css = getComputedStyle(el);
    const rateColor = css.getPropertyValue('--accent').trim() || '#0066cc';
    const errColor = css.getPropertyValue('--graph-failure').trim() || '#c9190b';
    const axis = css.getPropertyValue('--text-muted').trim() || '#666';
    const grid = css.getPropertyValue('--border').trim() || '#ddd';
    const fmt = (v: number) => (unit === 'rps' ? formatRps(v) : formatBytesRate(v));
    const opts: uPlot.Options = {
      width: el.clientWidth || 300,
      height: 110,
      legend: { show: false },
      cursor: { show: true, points: { show: false } },
      scales: { x: { time: true }, err: { range: [0, 100] } },
      axes: [
        {
          stroke: axis,
          grid: { stroke: grid, width: 1 },
          ticks: { show: false },
          font: '10px sans-serif',
          size: 24,
        },
        {
          stroke: axis,
          grid: { stroke: grid, width: 1 },
          ticks: { show: false },
          font: '10px sans-serif',
          size: 56,
          values: (_u, vals) => vals.map(fmt),
        },
      ],
      series: [
        {},
        { label: 'rate', stroke: rateColor, width: 1.5, fill: `${rateColor}22` },
        ...(unit === 'rps' ? [{ label: 'errors %', stroke: errColor, width: 1, scale: 'err' }] : []),
      ],
    };
    const u = new uPlot(opts, [[], [], ...(unit === 'rps' ? [[]] : [])] as uPlot.AlignedData, el);
    plot.current = u;
    return () => {
      u.destroy();
      plot.current = null;
    };
  }, [unit, theme]);

  useEffect(() => {
    plot.current?.setData([
      series.t,
      series.rate,
      ...(series.unit === 'rps' ? [series.err] : []),
    ] as uPlot.AlignedData);
  });

  return (
    <figure className="sparkline">
      <div ref={ref} />
      <figcaption className="muted small">
        {unit === 'rps' ? 'Requests/s (blue) and error % (red)' : 'Bytes/s'} over the {series.t.length}{' '}
        refreshes since this page opened
      </figcaption>
    </figure>
  );
}
