import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import '../charts/charts.css';
import { useThemeName } from '../shell/theme';
import {
  timeTick,
  TIME_AXIS_PAD_RIGHT,
  TIME_AXIS_SIZE,
  timeAxisTicks,
} from '../pages/graph/sparklineOptions';
import { formatMs } from '../graph/format';
import type { ScatterData } from './waterfall';

export interface TraceScatterProps {
  data: ScatterData;
  /** The entity's p95 from the metrics (ms), drawn as a dashed line; undefined: none. */
  p95Ms?: number;
  /** Called with the trace id of the point clicked. */
  onOpen: (id: string) => void;
  height?: number;
}

/** Trace durations over time (uPlot points, no lines): failed traces red, the metrics' p95 dashed. */
export function TraceScatter({ data, p95Ms, onOpen, height = 200 }: TraceScatterProps) {
  const ref = useRef<HTMLDivElement>(null);
  const open = useRef(onOpen);
  open.current = onOpen;
  const theme = useThemeName();

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const css = getComputedStyle(el);
    const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
    const ok = v('--accent', '#0066cc');
    const failed = v('--graph-failure', '#c9190b');
    const axis = v('--text-muted', '#666');
    const grid = v('--border', '#ddd');
    const font = '11px sans-serif';
    const noPath = () => null;
    const fmt = (x: number | null) => (x == null ? '' : formatMs(x));
    const hasP95 = p95Ms !== undefined && data.x.length > 0;
    const u = new uPlot(
      {
        width: el.clientWidth || 420,
        height,
        scales: {
          x: { time: true },
          y: { range: (_u, _min, max) => [0, Math.max(max, p95Ms ?? 0) * 1.1 || 1] },
        },
        padding: [null, TIME_AXIS_PAD_RIGHT, null, null],
        cursor: { drag: { x: false, y: false }, points: { size: 10 } },
        legend: { live: true },
        axes: [
          {
            stroke: axis,
            grid: { stroke: grid, width: 1 },
            font,
            size: TIME_AXIS_SIZE,
            ...timeAxisTicks,
          },
          { stroke: axis, grid: { stroke: grid, width: 1 }, font, size: 70, values: (_u, s) => s.map(fmt) },
        ],
        series: [
          { value: (_u, t) => (t == null ? '' : timeTick(t)) },
          {
            label: 'Trace',
            stroke: ok,
            fill: ok,
            paths: noPath,
            points: { show: true, size: 7, fill: ok },
            value: (_u, x) => fmt(x),
          },
          {
            label: 'Failed',
            stroke: failed,
            fill: failed,
            paths: noPath,
            points: { show: true, size: 8, fill: failed },
            value: (_u, x) => fmt(x),
          },
          ...(hasP95
            ? [
                {
                  label: 'p95 (metrics)',
                  stroke: axis,
                  width: 1.5,
                  dash: [6, 4],
                  points: { show: false },
                  value: (_u: uPlot, x: number | null) => fmt(x),
                },
              ]
            : []),
        ],
      },
      [data.x, data.ok, data.failed, ...(hasP95 ? [data.x.map(() => p95Ms)] : [])] as uPlot.AlignedData,
      el,
    );
    const click = () => {
      const i = u.cursor.idx;
      const id = i == null ? undefined : data.ids[i];
      if (id) open.current(id);
    };
    u.over.addEventListener('click', click);
    u.over.style.cursor = 'pointer';
    const resize = new ResizeObserver(() => u.setSize({ width: el.clientWidth, height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.over.removeEventListener('click', click);
      u.destroy();
    };
  }, [data, p95Ms, theme, height]);

  return (
    <figure className="metric-chart trace-scatter" data-testid="trace-scatter" data-points={data.x.length}>
      <figcaption>
        <span className="metric-chart-title">Trace durations</span>
        <span className="muted small">click a point to open its trace</span>
      </figcaption>
      <div ref={ref} className="metric-chart-plot" />
    </figure>
  );
}
