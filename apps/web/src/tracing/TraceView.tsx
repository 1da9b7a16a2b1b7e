import './tracing.css';
import { useMemo, type CSSProperties } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import type { Span } from '@meshlens/contract';
import { useGlobalSearch } from '../url/useView';
import { detailHref } from '../pages/details/links';
import { useTrace } from './api';
import { showOnGraphHref, traceHref } from './links';
import { formatUs, serviceHue, waterfallRows } from './waterfall';

/** `/traces/{id}[?span=…]`: one trace as a waterfall, its critical path marked, a span's details. */
export function TraceView({ id }: { id: string }) {
  const trace = useTrace(id);
  const search = useSearch();
  const global = useGlobalSearch();
  const [, navigate] = useLocation();
  const rows = useMemo(() => (trace.data ? waterfallRows(trace.data.trace) : []), [trace.data]);
  const spanParam = new URLSearchParams(search).get('span');
  const selected = rows.find((r) => r.span.spanId === spanParam)?.span;
  const select = (spanId: string) => {
    const g = new URLSearchParams(global);
    g.set('span', spanId);
    navigate(`/traces/${encodeURIComponent(id)}?${g.toString()}`, { replace: true });
  };
  const t = trace.data?.trace;
  const external = trace.data?.tracing.externalUrl;
  const services = t ? [...new Set(t.spans.map((s) => s.service))] : [];
  const errors = t ? t.spans.filter((s) => s.error).length : 0;
  const onGraph = t ? showOnGraphHref(id, t.spans, global) : null;

  return (
    <section className="page trace-page">
      <div className="page-header">
        <div>
          <p className="muted small">
            <Link href={`/graph${global}`}>Graph</Link> › Trace
          </p>
          <h1 className="trace-title">
            Trace <code>{id.slice(0, 16)}</code>
          </h1>
          {t && (
            <p className="muted small trace-facts">
              {new Date(t.startUs / 1000).toLocaleString()} · {formatUs(t.durationUs)} · {t.spans.length}{' '}
              spans · {services.length} services ·{' '}
              <span className={errors ? 'trace-errors' : undefined}>
                {errors} error{errors === 1 ? '' : 's'}
              </span>
            </p>
          )}
        </div>
        <div className="trace-actions">
          {onGraph && (
            <Link className="button" href={onGraph} data-testid="show-on-graph">
              Show on graph
            </Link>
          )}
          {external && (
            <a
              className="button"
              href={`${external.replace(/\/$/, '')}/trace/${encodeURIComponent(id)}`}
              target="_blank"
              rel="noreferrer noopener"
            >
              Open in Jaeger ↗
            </a>
          )}
        </div>
      </div>
      {trace.error && (
        <div className="empty-state" role="alert">
          <h2>{(trace.error as Error).message}</h2>
          <Link className="button primary" href={`/graph${global}`}>
            Back to the graph
          </Link>
        </div>
      )}
      {!t && !trace.error && <p className="page-loading">Loading…</p>}
      {trace.data?.warnings?.map((w) => (
        <div key={w} className="inline-error" role="status">
          {w}
        </div>
      ))}
      {t && (
        <div className={selected ? 'trace-body with-detail' : 'trace-body'}>
          <div className="waterfall" role="tree" aria-label="Spans" data-testid="waterfall">
            <div className="waterfall-head">
              <span>Service and operation</span>
              <span className="waterfall-scale">
                <span>0</span>
                <span>{formatUs(t.durationUs / 2)}</span>
                <span>{formatUs(t.durationUs)}</span>
              </span>
            </div>
            {rows.map((r) => {
              const s = r.span;
              const cls = [
                'waterfall-row',
                s.error ? 'error' : '',
                r.critical ? 'critical' : '',
                s.spanId === selected?.spanId ? 'selected' : '',
              ]
                .filter(Boolean)
                .join(' ');
              return (
                <button
                  key={s.spanId}
                  type="button"
                  role="treeitem"
                  aria-level={r.depth + 1}
                  aria-selected={s.spanId === selected?.spanId}
                  className={cls}
                  data-testid="span-row"
                  data-service={s.service}
                  data-error={s.error}
                  data-critical={r.critical}
                  onClick={() => select(s.spanId)}
                  title={`${s.service} ${s.operation}: ${formatUs(s.durationUs)}${r.critical ? ' (critical path)' : ''}`}
                >
                  <span className="waterfall-label" style={{ paddingLeft: `${r.depth * 14 + 6}px` }}>
                    <span
                      className="service-chip"
                      style={{ background: `hsl(${serviceHue(s.service)} 55% 50%)` }}
                    />
                    <span className="waterfall-service">{s.app ?? s.service}</span>
                    <span className="waterfall-op">
                      {s.kind === 'client' ? '→ ' : s.kind === 'server' ? '⇢ ' : ''}
                      {shortOperation(s.operation)}
                    </span>
                    {s.mtls && s.kind === 'server' && (
                      <span
                        className={`span-mtls ${s.mtls}`}
                        data-testid="span-mtls"
                        title={`${MTLS_WORDS[s.mtls]} (from the metrics)`}
                      >
                        {s.mtls === 'mutual_tls' ? 'mTLS' : s.mtls === 'none' ? 'no mTLS' : 'mixed'}
                      </span>
                    )}
                  </span>
                  <span className="waterfall-track">
                    <span
                      className="waterfall-bar"
                      style={{
                        left: `${r.leftPct}%`,
                        width: `max(${r.widthPct}%, 2px)`,
                        background: s.error ? undefined : `hsl(${serviceHue(s.service)} 55% 50%)`,
                      }}
                    />
                    <span
                      className={`waterfall-duration ${durationPlace(r.leftPct, r.widthPct)}`}
                      style={durationStyle(r.leftPct, r.widthPct)}
                    >
                      {formatUs(s.durationUs)}
                      {s.statusCode !== undefined ? ` · ${s.statusCode}` : ''}
                    </span>
                  </span>
                </button>
              );
            })}
            <p className="muted small waterfall-legend">
              <span className="legend-critical" /> critical path (the spans that decide when the trace ends)
              <span className="legend-error" /> failed span
            </p>
          </div>
          {selected && (
            <SpanDetail
              span={selected}
              search={global}
              onClose={() => navigate(`${traceHref(id)}${global}`, { replace: true })}
            />
          )}
        </div>
      )}
    </section>
  );
}

/** Where a bar's duration label goes: after the bar, before it, or inside its end when neither fits. */
function durationPlace(left: number, width: number): 'after' | 'before' | 'inside' {
  if (left + width <= 78) return 'after';
  return left >= 22 ? 'before' : 'inside';
}

function durationStyle(left: number, width: number): CSSProperties {
  const place = durationPlace(left, width);
  if (place === 'after') return { left: `calc(${left + width}% + 4px)` };
  if (place === 'before') return { right: `calc(${100 - left}% + 4px)` };
  return { right: `calc(${Math.max(100 - left - width, 0)}% + 6px)` };
}

const MTLS_WORDS: Record<NonNullable<Span['mtls']>, string> = {
  mutual_tls: 'mutual TLS',
  none: 'plain text (no mTLS)',
  mixed: 'both mutual TLS and plain text reported for this call',
};

/** `reviews.bookinfo.svc.cluster.local:9080/*` → `reviews.bookinfo:9080/*`. */
function shortOperation(op: string): string {
  return op.replace('.svc.cluster.local', '');
}

function SpanDetail({ span: s, search, onClose }: { span: Span; search: string; onClose: () => void }) {
  const facts: [string, string | undefined][] = [
    ['Service', s.service],
    ['Operation', s.operation],
    ['Kind', s.kind],
    ['Duration', formatUs(s.durationUs)],
    ['Status code', s.statusCode?.toString()],
    ['gRPC status', s.grpcStatus],
    ['Response flags', s.responseFlags],
    ['Upstream cluster', s.upstreamCluster],
    ['Peer address', s.peerAddress],
    ['mTLS (from metrics)', s.mtls ? MTLS_WORDS[s.mtls] : undefined],
    ['Request id', s.requestId],
    ['Pod', s.pod],
  ];
  const tags = Object.entries(s.tags).sort(([a], [b]) => a.localeCompare(b));
  return (
    <aside className="span-detail" aria-label="Span details" data-testid="span-detail">
      <div className="span-detail-head">
        <h2 className={s.error ? 'error-text' : undefined}>{s.error ? 'Failed span' : 'Span'}</h2>
        <button type="button" className="button" onClick={onClose} aria-label="Close span details">
          ✕
        </button>
      </div>
      {s.app && s.namespace && (
        <p>
          <Link href={`${detailHref('apps', s.namespace, s.app)}${search}`} data-testid="span-app-link">
            App {s.app} in {s.namespace} →
          </Link>
        </p>
      )}
      <table className="kv">
        <tbody>
          {facts
            .filter(([, v]) => v !== undefined && v !== '')
            .map(([k, v]) => (
              <tr key={k}>
                <th>{k}</th>
                <td>{v}</td>
              </tr>
            ))}
        </tbody>
      </table>
      {tags.length > 0 && (
        <>
          <h3>Tags</h3>
          <table className="kv span-tags">
            <tbody>
              {tags.map(([k, v]) => (
                <tr key={k}>
                  <th>{k}</th>
                  <td>{v}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </aside>
  );
}
