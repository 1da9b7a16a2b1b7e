import type { CompareFields } from '@meshlens/contract';
import { formatBytesRate, formatMs, formatRps } from './format';

/**
 * Before/after figures as the graph shows them: the direction of each change and short labels. The rate
 * is neutral (more traffic is neither better nor worse); error % and response time decide the colour.
 */
export type CompareVerdict = 'new' | 'vanished' | 'worse' | 'better' | 'same';

/** An error % change below this many points, or a response-time change below both, reads as no change. */
export const ERR_POINTS = 1;
export const RT_RATIO = 0.2;
export const RT_MS = 5;

/** +1 worse, −1 better, 0 no change, by error points and response time (ratio and ms both past the bar). */
function direction(f: CompareFields): { err: number; rt: number } {
  const { cmpErrBefore: eb, cmpErrAfter: ea, cmpRtBefore: rb, cmpRtAfter: ra } = f;
  let err = 0;
  if (eb != null || ea != null) {
    const d = (ea ?? 0) - (eb ?? 0);
    // an error % that exists in one window only (no requests in the other) is no comparison
    if (eb != null && ea != null && Math.abs(d) >= ERR_POINTS) err = Math.sign(d);
  }
  let rt = 0;
  if (rb != null && ra != null && rb > 0) {
    const d = ra - rb;
    if (Math.abs(d) >= RT_MS && Math.abs(d) / rb >= RT_RATIO) rt = Math.sign(d);
  }
  return { err, rt };
}

/** The verdict of one element; any worse figure makes it worse (a regression is what one looks for). */
export function compareVerdict(f: CompareFields): CompareVerdict | '' {
  if (!f.cmpStatus) return '';
  if (f.cmpStatus === 'new' || f.cmpStatus === 'vanished') return f.cmpStatus;
  const { err, rt } = direction(f);
  if (err > 0 || rt > 0) return 'worse';
  if (err < 0 || rt < 0) return 'better';
  return 'same';
}

const sign = (n: number) => (n > 0 ? '+' : n < 0 ? '−' : '±');

/** `+3.2 rps (+40%)`; `+3.2 rps` when there was nothing before. */
export function rateDelta(f: CompareFields): string {
  const before = f.cmpRateBefore ?? 0;
  const after = f.cmpRateAfter ?? 0;
  const d = after - before;
  const fmt = f.cmpUnit === 'Bps' ? formatBytesRate : formatRps;
  const abs = `${sign(d)}${fmt(Math.abs(d))}`;
  if (before <= 0) return abs;
  return `${abs} (${pctDelta(before, after)})`;
}

/** `+40%`, `−100%`. */
export function pctDelta(before: number, after: number): string {
  if (before === 0) return after === 0 ? '±0%' : 'new';
  const p = ((after - before) / before) * 100;
  const r = Math.abs(p) >= 10 ? Math.round(Math.abs(p)) : Math.round(Math.abs(p) * 10) / 10;
  return `${sign(Math.round(p * 10))}${r}%`;
}

/** Error % change in points: `err +3.1 pt`, '' when not known in both windows or below a tenth. */
export function errDelta(f: CompareFields): string {
  if (f.cmpErrBefore == null || f.cmpErrAfter == null) return '';
  const d = f.cmpErrAfter - f.cmpErrBefore;
  if (Math.abs(d) < 0.1) return '';
  return `err ${sign(d)}${Math.round(Math.abs(d) * 10) / 10} pt`;
}

/** Response time change: `p95 +12ms (+30%)`, '' when not known in both windows or under 1 ms. */
export function rtDelta(f: CompareFields, stat: string): string {
  if (f.cmpRtBefore == null || f.cmpRtAfter == null) return '';
  const d = f.cmpRtAfter - f.cmpRtBefore;
  if (Math.abs(d) < 1) return '';
  return `${stat} ${sign(d)}${formatMs(Math.abs(d))} (${pctDelta(f.cmpRtBefore, f.cmpRtAfter)})`;
}

/**
 * An edge's compare label, at most two short lines: the rate change, then the error and response-time
 * changes that are not negligible. New and vanished edges say so.
 */
export function edgeCompareLabel(f: CompareFields, stat: string): string {
  if (!f.cmpStatus) return '';
  const fmt = f.cmpUnit === 'Bps' ? formatBytesRate : formatRps;
  if (f.cmpStatus === 'new') return `new ${fmt(f.cmpRateAfter ?? 0)}`;
  if (f.cmpStatus === 'vanished') return `gone (was ${fmt(f.cmpRateBefore ?? 0)})`;
  const second = [errDelta(f), rtDelta(f, stat)].filter(Boolean).join(' · ');
  return second ? `${rateDelta(f)}\n${second}` : rateDelta(f);
}

/** A node's extra line: `new`, `gone`, or the rate's % change with an error change past the bar. */
export function nodeCompareLine(f: CompareFields): string {
  if (!f.cmpStatus) return '';
  if (f.cmpStatus === 'new') return 'new';
  if (f.cmpStatus === 'vanished') return 'gone';
  const before = f.cmpRateBefore ?? 0;
  const after = f.cmpRateAfter ?? 0;
  const parts = [before > 0 || after > 0 ? `${pctDelta(before, after)}` : ''];
  const { err } = direction(f);
  if (err !== 0) parts.push(errDelta(f));
  return parts.filter(Boolean).join(' · ');
}
