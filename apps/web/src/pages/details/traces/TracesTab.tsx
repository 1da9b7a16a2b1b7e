import '../../../tracing/tracing.css';
import { useMemo, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import type { TraceSummary } from '@meshlens/contract';
import { useView, useGlobalSearch } from '../../../url/useView';
import { useMetrics, type EntityParams } from '../api';
import { useSpanStats, useTraces } from '../../../tracing/api';
import { SpanStatsTable } from '../../../tracing/SpanStatsTable';
import { TraceScatter } from '../../../tracing/TraceScatter';
import { formatUs, scatterData } from '../../../tracing/waterfall';
import { traceHref } from '../../../tracing/links';
import { isTag, parseTracesView, patchTracesSearch, TRACE_LIMITS, type TracesView } from './tracesView';

/** The latest value of the entity's inbound p95 request duration (ms), from the metrics API. */
function useP95(entity: EntityParams, duration: number, enabled: boolean): number | undefined {
  const m = useMetrics(
    entity,
    { direction: 'inbound', duration, quantiles: ['0.95'], metrics: ['request_duration_millis'] },
    false,
    enabled,
  );
  const series = m.data?.metrics.request_duration_millis?.find((s) => s.stat === '0.95');
  const values = series?.values.filter((v): v is number => v !== null && Number.isFinite(v)) ?? [];
  return values.length ? values[values.length - 1] : undefined;
}

/** An entity's recent traces: filters (in the URL), a scatter of durations, a list linking to each trace. */
export function TracesTab({ entity }: { entity: EntityParams }) {
  const [view] = useView();
  const global = useGlobalSearch();
  const search = useSearch();
  const [location, navigate] = useLocation();
  const tv = useMemo(() => parseTracesView(search), [search]);
  const set = (patch: Partial<TracesView>) => {
    const next = patchTracesSearch(search, patch);
    navigate(`${location}${next ? `?${next}` : ''}`);
  };
  const polling = view.refresh > 0 ? view.refresh : false;
  const filters = {
    duration: view.duration,
    minDurationMs: tv.minDurationMs,
    errorsOnly: tv.errorsOnly,
    tag: tv.tag,
    limit: tv.limit,
  };
  const traces = useTraces(entity, filters, polling);
  const enabled = traces.data?.tracing.enabled ?? false;
  const stats = useSpanStats(entity, filters, polling, enabled);
  const p95 = useP95(entity, view.duration, enabled);
  const scatter = useMemo(() => scatterData(traces.data?.traces ?? []), [traces.data]);
  const [min, setMin] = useState(tv.minDurationMs ? String(tv.minDurationMs) : '');
  const [tag, setTag] = useState(tv.tag ?? '');
  const tagBad = tag !== '' && !isTag(tag);
  const d = traces.data;

  if (d && !d.tracing.enabled)
    return (
      <div className="empty-state" data-testid="tracing-disabled">
        <h2>Tracing is not enabled</h2>
        <p className="muted">{d.tracing.message ?? 'This console has no tracing backend configured.'}</p>
      </div>
    );

  const sorted = [...(d?.traces ?? [])].sort((a, b) => b.startUs - a.startUs);
  return (
    <div className="traces-tab">
      <form
        className="metrics-controls traces-controls"
        aria-label="Trace filters"
        onSubmit={(e) => {
          e.preventDefault();
          if (tagBad) return;
          const n = Number(min);
          set({ minDurationMs: min && Number.isFinite(n) && n > 0 ? n : undefined, tag: tag || undefined });
        }}
      >
        <label>
          Min duration{' '}
          <input
            type="number"
            min={0}
            step="any"
            inputMode="decimal"
            className="traces-min"
            value={min}
            placeholder="ms"
            onChange={(e) => setMin(e.target.value)}
          />{' '}
          ms
        </label>
        <label>
          Tag{' '}
          <input
            type="text"
            className="traces-tag"
            value={tag}
            placeholder="http.status_code:503"
            aria-invalid={tagBad || undefined}
            title={tagBad ? 'expected key:value, e.g. http.status_code:503' : undefined}
            onChange={(e) => setTag(e.target.value)}
          />
        </label>
        <button type="submit" className="button" disabled={tagBad}>
          Apply
        </button>
        <label>
          <input
            type="checkbox"
            checked={tv.errorsOnly}
            onChange={(e) => set({ errorsOnly: e.target.checked })}
          />{' '}
          Errors only
        </label>
        <label>
          Limit{' '}
          <select value={tv.limit} onChange={(e) => set({ limit: Number(e.target.value) })}>
            {TRACE_LIMITS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <span className="muted small">
          {d ? `${d.traces.length} traces${d.service ? ` of ${d.service}` : ''}` : ''}
          {traces.isFetching ? ' · updating…' : ''}
        </span>
      </form>
      {tagBad && <p className="error-text small">Tag: expected key:value, e.g. http.status_code:503</p>}
      {traces.error && (
        <p className="error-text" role="alert">
          {String((traces.error as Error).message)}
        </p>
      )}
      {d?.warnings.map((w) => (
        <p key={w} className="warning-text">
          {w}
        </p>
      ))}
      {!d && !traces.error && <p className="muted">Loading traces…</p>}
      {d && (
        <TraceScatter data={scatter} p95Ms={p95} onOpen={(id) => navigate(`${traceHref(id)}${global}`)} />
      )}
      {d && d.traces.length === 0 && (
        <p className="muted" data-testid="traces-none">
          No traces in this range{tv.errorsOnly || tv.minDurationMs || tv.tag ? ' with these filters' : ''}.
        </p>
      )}
      {stats.data && <SpanStatsTable stats={stats.data.stats} traces={stats.data.traces} />}
      {sorted.length > 0 && (
        <TraceList traces={sorted} search={global} externalUrl={d?.tracing.externalUrl} />
      )}
    </div>
  );
}

function TraceList({
  traces,
  search,
  externalUrl,
}: {
  traces: TraceSummary[];
  search: string;
  externalUrl?: string;
}) {
  return (
    <table className="table traces-table" data-testid="traces-table">
      <thead>
        <tr>
          <th>Time</th>
          <th>Root operation</th>
          <th className="num">Duration</th>
          <th className="num">This span</th>
          <th className="num">Spans</th>
          <th className="num">Errors</th>
          <th>Status</th>
          {externalUrl && <th />}
        </tr>
      </thead>
      <tbody>
        {traces.map((t) => {
          const failed = t.errors > 0;
          return (
            <tr
              key={t.id}
              className={failed ? 'trace-row failed' : 'trace-row'}
              data-testid="trace-row"
              data-start-us={t.startUs}
            >
              <td className="nowrap">{new Date(t.startUs / 1000).toLocaleTimeString()}</td>
              <td>
                <Link href={`${traceHref(t.id)}${search}`} className="trace-link">
                  {t.rootOperation}
                </Link>{' '}
                <span className="muted small">{t.rootService}</span>
              </td>
              <td className="num">{formatUs(t.durationUs)}</td>
              <td className="num">{t.entity ? formatUs(t.entity.durationUs) : '–'}</td>
              <td className="num">{t.spans}</td>
              <td className={t.errors ? 'num error-text' : 'num'}>{t.errors}</td>
              <td>
                {t.entity ? (
                  <span className={t.entity.error ? 'status-pill failed' : 'status-pill'}>
                    {t.entity.statusCode ?? '–'}
                    {t.entity.responseFlags && t.entity.responseFlags !== '-'
                      ? ` ${t.entity.responseFlags}`
                      : ''}
                  </span>
                ) : (
                  '–'
                )}
              </td>
              {externalUrl && (
                <td>
                  <a
                    href={`${externalUrl.replace(/\/$/, '')}/trace/${t.id}`}
                    target="_blank"
                    rel="noreferrer noopener"
                  >
                    Jaeger ↗
                  </a>
                </td>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
