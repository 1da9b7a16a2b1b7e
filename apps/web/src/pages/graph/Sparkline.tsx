import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useThemeName } from '../../shell/theme';
import type { Series } from './history';
import { sparklineOptions } from './sparklineOptions';

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
    const opts = sparklineOptions(unit, el.clientWidth || 300, {
      rate: rateColor,
      errors: errColor,
      axis,
      grid,
    });
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
