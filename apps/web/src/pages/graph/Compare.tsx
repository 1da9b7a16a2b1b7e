import { useState } from 'react';
import type { CompareFields, GraphResponse } from '@meshlens/contract';
import { compareVerdict, pctDelta, type CompareVerdict } from '../../graph/compare';
import { formatBytesRate, formatMs, formatPct, formatRps } from '../../graph/format';
import { COMPARE_WINDOWS } from '../../url/viewState';

const hhmm = (t: number) => new Date(t * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** `2026-12-06T10:20` in local time, as a datetime-local input holds it. */
export function toLocalInput(t: number): string {
  const d = new Date(t * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A fresh comparison: the moment one window ago, so the window after it ends now. */
export function defaultCompareMoment(window: number, now = Date.now() / 1000): number {
  return Math.floor((now - window) / 60) * 60;
}

export interface CompareBarProps {
  compare: number;
  window: number;
  /** The answer's windows once it came (the after window may end before compare + window: now). */
  windows?: GraphResponse['compare'];
  onChange: (patch: { compare?: number; compareWindow?: number }) => void;
  onClose: () => void;
}

/** The compare control under the toolbar: the moment, the windows' length, and what is compared. */
export function CompareBar({ compare, window, windows, onChange, onClose }: CompareBarProps) {
  const [draft, setDraft] = useState<string | null>(null);
  const value = draft ?? toLocalInput(compare);
  const before = windows?.before ?? { start: compare - window, end: compare };
  const after = windows?.after ?? { start: compare, end: Math.min(compare + window, Date.now() / 1000) };
  return (
    <div className="replay compare-bar" role="group" aria-label="Compare" data-testid="compare-bar">
      <strong>Compare before / after</strong>
      <label className="small">
        Moment{' '}
        <input
          type="datetime-local"
          aria-label="Compare moment"
          data-testid="compare-moment"
          value={value}
          onChange={(e) => {
            setDraft(e.target.value);
            const t = Math.floor(new Date(e.target.value).getTime() / 1000);
            if (Number.isFinite(t) && t > 1_000_000_000) onChange({ compare: t });
          }}
          onBlur={() => setDraft(null)}
        />
      </label>
      <select
        className="select small"
        aria-label="Compare window"
        data-testid="compare-window"
        value={window}
        onChange={(e) => onChange({ compareWindow: Number(e.target.value) })}
      >
        {COMPARE_WINDOWS.map((w) => (
          <option key={w.seconds} value={w.seconds}>
            {w.label} each side
          </option>
        ))}
      </select>
      <span className="muted small" data-testid="compare-windows">
        before {hhmm(before.start)}–{hhmm(before.end)} · after {hhmm(after.start)}–{hhmm(after.end)}
      </span>
      <button type="button" className="button" onClick={onClose} data-testid="compare-close">
        Stop comparing
      </button>
    </div>
  );
}

const VERDICT_TEXT: Record<CompareVerdict, string> = {
  new: 'new: traffic only after',
  vanished: 'gone: traffic only before',
  worse: 'worse',
  better: 'better',
  same: 'no notable change',
};

function Change({
  before,
  after,
  fmt,
  unit,
}: {
  before: number;
  after: number;
  fmt: (n: number) => string;
  unit?: string;
}) {
  const d = after - before;
  const text = `${d > 0 ? '+' : d < 0 ? '−' : '±'}${unit === 'pt' ? `${Math.round(Math.abs(d) * 10) / 10} pt` : fmt(Math.abs(d))}`;
  return (
    <>
      {text}
      {unit !== 'pt' && before > 0 && <span className="muted cmp-pct">{pctDelta(before, after)}</span>}
    </>
  );
}

/**
 * A node's or edge's figures in both windows, and the change (difference and %); error % and response
 * time coloured by direction. `stat`: the response-time statistic (p95 …).
 */
export function CompareTable({ f, stat, node }: { f: CompareFields; stat: string; node?: boolean }) {
  const verdict = compareVerdict(f);
  if (!verdict) return null;
  const fmtRate = f.cmpUnit === 'Bps' ? formatBytesRate : formatRps;
  const num = (v: number | null | undefined) => (v == null ? null : v);
  const eb = num(f.cmpErrBefore);
  const ea = num(f.cmpErrAfter);
  const rb = num(f.cmpRtBefore);
  const ra = num(f.cmpRtAfter);
  const dirClass = (b: number | null, a: number | null, bar: number) =>
    b === null || a === null || Math.abs(a - b) < bar ? '' : a > b ? 'cmp-worse' : 'cmp-better';
  return (
    <section data-testid="compare-table">
      <h3>
        Before → after <span className={`tag cmp-tag cmp-${verdict}`}>{VERDICT_TEXT[verdict]}</span>
      </h3>
      <table className="kv compare-table">
        <thead>
          <tr>
            <th />
            <th>before</th>
            <th>after</th>
            <th>change</th>
          </tr>
        </thead>
        <tbody>
          <tr data-testid="compare-rate">
            <th>{node ? 'Requests' : 'Rate'}</th>
            <td>{fmtRate(f.cmpRateBefore ?? 0)}</td>
            <td>{fmtRate(f.cmpRateAfter ?? 0)}</td>
            <td>
              <Change before={f.cmpRateBefore ?? 0} after={f.cmpRateAfter ?? 0} fmt={fmtRate} />
            </td>
          </tr>
          {(eb !== null || ea !== null) && (
            <tr data-testid="compare-err">
              <th>Error %</th>
              <td>{eb === null ? '–' : formatPct(eb)}</td>
              <td>{ea === null ? '–' : formatPct(ea)}</td>
              <td className={dirClass(eb, ea, 1)}>
                {eb !== null && ea !== null ? (
                  <Change before={eb} after={ea} fmt={formatPct} unit="pt" />
                ) : (
                  '–'
                )}
              </td>
            </tr>
          )}
          {(rb !== null || ra !== null) && (
            <tr data-testid="compare-rt">
              <th title={node ? 'of the slowest inbound edge' : undefined}>{node ? `${stat} in` : stat}</th>
              <td>{rb === null ? '–' : formatMs(rb)}</td>
              <td>{ra === null ? '–' : formatMs(ra)}</td>
              <td
                className={
                  rb !== null && ra !== null && rb > 0 && Math.abs(ra - rb) / rb >= 0.2
                    ? dirClass(rb, ra, 5)
                    : ''
                }
              >
                {rb !== null && ra !== null ? <Change before={rb} after={ra} fmt={formatMs} /> : '–'}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}

/** The graph's comparison at a glance: counts per verdict and the edges that got worse. */
export function CompareSummary({
  answer,
  label,
  onSelect,
}: {
  answer: GraphResponse;
  label: (id: string) => string;
  onSelect: (id: string) => void;
}) {
  if (!answer.compare) return null;
  const counts: Record<CompareVerdict, number> = { new: 0, vanished: 0, worse: 0, better: 0, same: 0 };
  const worse: typeof answer.edges = [];
  for (const e of answer.edges) {
    const v = compareVerdict(e);
    if (!v) continue;
    counts[v]++;
    if (v === 'worse') worse.push(e);
  }
  const { before, after } = answer.compare;
  return (
    <section data-testid="compare-summary">
      <h3>Before → after</h3>
      <p className="muted small">
        {hhmm(before.start)}–{hhmm(before.end)} against {hhmm(after.start)}–{hhmm(after.end)}
      </p>
      <ul className="compare-counts">
        {(['worse', 'better', 'new', 'vanished', 'same'] as CompareVerdict[]).map((v) => (
          <li key={v} data-testid={`compare-count-${v}`}>
            <span className={`cmp-swatch cmp-${v}`} aria-hidden /> {counts[v]}{' '}
            {v === 'same' ? 'unchanged' : v} {counts[v] === 1 ? 'edge' : 'edges'}
          </li>
        ))}
      </ul>
      {worse.length > 0 && (
        <ul className="links">
          {worse.slice(0, 10).map((e) => (
            <li key={e.id}>
              <button type="button" className="link-button" onClick={() => onSelect(e.id)}>
                {label(e.source)} → {label(e.target)}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
