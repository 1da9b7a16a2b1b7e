import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './charts.css';
import { useThemeName } from '../shell/theme';
import {
  timeTick,
  TIME_AXIS_PAD_RIGHT,
  TIME_AXIS_SIZE,
  timeAxisTicks,
} from '../pages/graph/sparklineOptions';
import { formatValue, latest, valueBounds, type ChartData } from './metricCharts';

/** A moment to mark on the time axis (a change of the history): a thin vertical line with a tooltip. */
export interface ChartMarker {
  /** Unix seconds. */
  time: number;
  label: string;
}

const NO_MARKERS: readonly ChartMarker[] = [];

/** Series colours after the first (theme variables, with fallbacks). */
const PALETTE_VARS = ['--accent', '--graph-healthy', '--graph-degraded', '--graph-find', '--graph-tcp'];
const FALLBACK = ['#0066cc', '#3e8635', '#c06f00', '#8b5cf6', '#2b6cb0'];

export interface MetricChartProps {
  chart: ChartData;
  /** Called with the range (unix seconds) the user dragged across. */
  onZoom: (from: number, to: number) => void;
  /** Plot height, px (default 180). */
  height?: number;
  /** Changes to mark on the time axis. */
  markers?: readonly ChartMarker[];
}

/** The markers as elements over the plot (uPlot's `over`), each at its time; those outside the range left out. */
function drawMarkers(u: uPlot, markers: readonly ChartMarker[]) {
  u.over.querySelectorAll('.chart-marker').forEach((el) => el.remove());
  const { min, max } = u.scales.x ?? {};
  if (min == null || max == null) return;
  // The last sample may be a scrape interval or a step older than now: a change since then is marked at
  // the right edge rather than left out.
  const slack = (max - min) * 0.05;
  // Marks closer than 6 px are one, its tooltip naming each change.
  const marks: { left: number; label: string }[] = [];
  for (const m of [...markers].sort((a, b) => a.time - b.time)) {
    if (m.time < min || m.time > max + slack) continue;
    const left = u.valToPos(Math.min(m.time, max), 'x');
    const last = marks.at(-1);
    if (last && left - last.left < 6) last.label = `${last.label}\n${m.label}`;
    else marks.push({ left, label: m.label });
  }
  for (const m of marks) {
    const el = document.createElement('div');
    el.className = 'chart-marker';
    el.style.left = `${m.left}px`;
    el.title = m.label;
    el.setAttribute('data-testid', 'chart-marker');
    // a labelled mark: role img, so its label is announced (a bare div may not carry aria-label)
    el.setAttribute('role', 'img');
    el.setAttribute('aria-label', m.label);
    u.over.appendChild(el);
  }
}

/**
 * One uPlot chart: its legend toggles series (click a name), a drag across it narrows the range.
 * Rebuilt when the theme or the set of series changes, otherwise only its data is replaced.
 */
export function MetricChart({ chart, onZoom, height = 180, markers = NO_MARKERS }: MetricChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const marks = useRef(markers);
  marks.current = markers;
  const plot = useRef<uPlot | null>(null);
  const zoom = useRef(onZoom);
  zoom.current = onZoom;
  // The series the user hid (by legend text): kept when the chart is rebuilt (a new theme, a series that
  // came or went with a refresh).
  const hidden = useRef(new Set<string>());
  const theme = useThemeName();
  const { spec, labels } = chart;
  const shape = labels.join('\u0000');

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const css = getComputedStyle(el);
    const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
    const failure = v('--graph-failure', '#c9190b');
    const colours = spec.danger
      ? [failure, v('--graph-degraded', '#c06f00')]
      : PALETTE_VARS.map((n, i) => v(n, FALLBACK[i]!));
    const axis = v('--text-muted', '#666');
    const grid = v('--border', '#ddd');
    const font = '11px sans-serif';
    const fmt = (x: number | null) => formatValue(spec.unit, x);
    const u = new uPlot(
      {
        width: el.clientWidth || 420,
        height,
        scales: {
          x: { time: true },
          // uPlot's own range (10 % of room, 0 kept as a floor) around what the chart must show
          y: { range: (_u, min, max) => uPlot.rangeNum(...valueBounds(spec.unit, min, max), 0.1, true) },
        },
        padding: [null, TIME_AXIS_PAD_RIGHT, null, null],
        cursor: { drag: { x: true, y: false, setScale: false } },
        legend: { live: true },
        axes: [
          {
            stroke: axis,
            grid: { stroke: grid, width: 1 },
            font,
            size: TIME_AXIS_SIZE,
            ...timeAxisTicks,
          },
          {
            stroke: axis,
            grid: { stroke: grid, width: 1 },
            font,
            size: 70,
            values: (_u, vals) => vals.map(fmt),
          },
        ],
        series: [
          { value: (_u, t) => (t == null ? '' : timeTick(t)) },
          ...labels.map((label, i) => ({
            label,
            show: !hidden.current.has(label),
            stroke: colours[i % colours.length],
            width: 1.5,
            spanGaps: false,
            value: (_u: uPlot, x: number | null) => fmt(x),
          })),
        ],
        hooks: {
          draw: [(self: uPlot) => drawMarkers(self, marks.current)],
          setSeries: [
            (self: uPlot, i: number | null) => {
              const s = i == null ? undefined : self.series[i];
              if (typeof s?.label !== 'string') return;
              if (s.show === false) hidden.current.add(s.label);
              else hidden.current.delete(s.label);
            },
          ],
          setSelect: [
            (self: uPlot) => {
              // A plot rebuilt during a drag still hears the mouse-up (uPlot listens on the document) and
              // would zoom to the part dragged before the rebuild: only the plot on the page zooms.
              if (plot.current !== self || self.select.width < 4) return;
              const from = self.posToVal(self.select.left, 'x');
              const to = self.posToVal(self.select.left + self.select.width, 'x');
              self.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
              zoom.current(Math.floor(from), Math.ceil(to));
            },
          ],
        },
      },
      chart.data as uPlot.AlignedData,
      el,
    );
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: el.clientWidth, height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- rebuilt on a new shape or theme only
  }, [shape, theme, spec, height]);

  useEffect(() => {
    plot.current?.setData(chart.data as uPlot.AlignedData);
  }, [chart.data]);

  useEffect(() => {
    if (plot.current) drawMarkers(plot.current, markers);
  }, [markers]);

  const now = chart.data.slice(1).reduce<number>((n, s) => n + (latest(s) ?? 0), 0);
  return (
    <figure
      className={`metric-chart${spec.danger && !chart.empty ? ' metric-chart-danger' : ''}`}
      data-testid={`chart-${spec.metric}`}
      data-empty={chart.empty}
    >
      <figcaption>
        <span className="metric-chart-title">{spec.title}</span>
        <span className="muted small" data-testid="chart-latest">
          {spec.unit === 'ms' || spec.unit === 'bytes' ? '' : `now ${formatValue(spec.unit, now)}`}
        </span>
      </figcaption>
      <div className="metric-chart-body">
        {/* over the empty plot, which keeps its place: the chart lines up with its neighbours */}
        {labels.length === 0 && (
          <p className="muted small metric-chart-note" style={{ top: Math.round(height * 0.4) }}>
            {spec.danger ? 'No errors in this range.' : 'No traffic in this range.'}
          </p>
        )}
        <div ref={ref} className="metric-chart-plot" />
      </div>
    </figure>
  );
}
