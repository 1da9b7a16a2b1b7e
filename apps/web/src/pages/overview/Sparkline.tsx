import { sparklinePath } from './overviewState';

/** Inbound requests/s over the window, as a small line with its range in words for screen readers. */
export function Sparkline({
  series,
  width = 140,
  height = 28,
}: {
  series: [number, number][];
  width?: number;
  height?: number;
}) {
  const path = sparklinePath(series, width, height);
  const max = series.reduce((m, [, v]) => Math.max(m, v), 0);
  const label =
    series.length < 2 ? 'No traffic series' : `Inbound requests over the window, up to ${max.toFixed(2)}/s`;
  return (
    <svg
      className="sparkline"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label}
    >
      <title>{label}</title>
      {path ? (
        <path d={path} />
      ) : (
        <line x1="0" x2={width} y1={height - 1} y2={height - 1} className="sparkline-empty" />
      )}
    </svg>
  );
}
