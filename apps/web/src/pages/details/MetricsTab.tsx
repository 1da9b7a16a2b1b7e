import { useMemo } from 'react';
import { useLocation, useSearch } from 'wouter';
import { METRIC_QUANTILES, type MetricGroupLabel, type MetricsQuery } from '@meshlens/contract';
import { chartsOf } from '../../charts/metricCharts';
import { MetricChart } from '../../charts/MetricChart';
import { useView } from '../../url/useView';
import { useChangeMarkers } from '../changes/markers';
import { useMetrics, type EntityParams } from './api';
import {
  GROUP_CHOICES,
  metricsQueryOf,
  parseMetricsView,
  patchMetricsSearch,
  type MetricsView,
} from './metricsParams';

const QUANTILE_TEXT: Record<string, string> = { avg: 'Average', '0.5': 'p50', '0.95': 'p95', '0.99': 'p99' };

/** Inbound or outbound metrics: selectors (in the URL), then a chart per series family. */
export function MetricsTab({
  entity,
  direction,
}: {
  entity: EntityParams;
  direction: MetricsQuery['direction'];
}) {
  const [view] = useView();
  const search = useSearch();
  const [location, navigate] = useLocation();
  const mv = useMemo(() => parseMetricsView(search), [search]);
  const set = (patch: Partial<MetricsView>) => {
    const next = patchMetricsSearch(search, patch);
    navigate(`${location}${next ? `?${next}` : ''}`);
  };
  const polling = view.refresh > 0 && !mv.range ? view.refresh : false;
  const metrics = useMetrics(entity, metricsQueryOf(mv, direction, view.duration), polling);
  const charts = useMemo(
    () => (metrics.data ? chartsOf(metrics.data, ['request_count', 'request_error_count']) : []),
    [metrics.data],
  );
  // Changes of the history in this namespace, marked on the charts' time axes.
  const markers = useChangeMarkers(entity.namespace, '30d');
  const groups = GROUP_CHOICES.filter((g) => !g.direction || g.direction === direction);
  const groupValue = mv.byLabels[0] ?? '';

  return (
    <div className="metrics-tab">
      <div className="metrics-controls" role="group" aria-label="Chart options">
        <label>
          Reporter{' '}
          <select
            value={mv.reporter ?? ''}
            onChange={(e) => set({ reporter: (e.target.value || undefined) as MetricsView['reporter'] })}
          >
            <option value="">Default ({metrics.data?.reporter ?? '…'})</option>
            <option value="source">Source</option>
            <option value="destination">Destination</option>
            <option value="both">Both</option>
          </select>
        </label>
        <fieldset className="quantiles">
          <legend>Duration and sizes</legend>
          {METRIC_QUANTILES.map((q) => (
            <label key={q}>
              <input
                type="checkbox"
                checked={mv.quantiles.includes(q)}
                onChange={(e) =>
                  set({
                    quantiles: e.target.checked
                      ? METRIC_QUANTILES.filter((x) => x === q || mv.quantiles.includes(x))
                      : mv.quantiles.filter((x) => x !== q),
                  })
                }
              />{' '}
              {QUANTILE_TEXT[q]}
            </label>
          ))}
        </fieldset>
        <label>
          Group by{' '}
          <select
            value={groupValue}
            onChange={(e) => set({ byLabels: e.target.value ? [e.target.value as MetricGroupLabel] : [] })}
          >
            <option value="">Nothing</option>
            {groups.map((g) => (
              <option key={g.label} value={g.label}>
                {g.text}
              </option>
            ))}
          </select>
        </label>
        {mv.range && (
          <button type="button" className="button" onClick={() => set({ range: undefined })}>
            Back to the last {Math.round(view.duration / 60)} min
          </button>
        )}
        <span className="muted small">
          {metrics.data ? `Every ${metrics.data.step}s, rates over ${metrics.data.rateInterval}s` : ''}
          {metrics.isFetching ? ' · updating…' : ''}
        </span>
      </div>
      {metrics.error && (
        <p className="error-text" role="alert">
          {String((metrics.error as Error).message)}
        </p>
      )}
      {metrics.data?.warnings.map((w) => (
        <p key={w.code} className="warning-text">
          {w.message}
        </p>
      ))}
      {!metrics.data && !metrics.error && <p className="muted">Loading charts…</p>}
      <div className="metric-grid">
        {charts.map((c) => (
          <MetricChart
            key={c.spec.metric}
            chart={c}
            markers={markers}
            onZoom={(from, to) => set({ range: { from, to } })}
          />
        ))}
      </div>
    </div>
  );
}
