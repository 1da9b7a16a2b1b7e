/**
 * Pure pieces of the trace UI: a trace's waterfall rows (depth by parent, bars by start/duration), its
 * critical path, and the scatter of an entity's traces over time.
 */
import type { Span, Trace, TraceSummary } from '@meshlens/contract';

export interface WaterfallRow {
  span: Span;
  /** Nesting under the root (0 = a root). */
  depth: number;
  /** Bar position and width, percent of the trace's time span. */
  leftPct: number;
  widthPct: number;
  /** On the chain of spans that decides when the trace ends. */
  critical: boolean;
}

const endOf = (s: Span) => s.startUs + s.durationUs;

/** Children by parent id, each list by start time; spans whose parent is not in the trace are roots. */
function childrenOf(trace: Trace): { roots: Span[]; children: Map<string, Span[]> } {
  const ids = new Set(trace.spans.map((s) => s.spanId));
  const children = new Map<string, Span[]>();
  const roots: Span[] = [];
  for (const s of trace.spans) {
    if (s.parentId && ids.has(s.parentId) && s.parentId !== s.spanId) {
      const list = children.get(s.parentId) ?? [];
      list.push(s);
      children.set(s.parentId, list);
    } else roots.push(s);
  }
  const byStart = (a: Span, b: Span) => a.startUs - b.startUs || a.spanId.localeCompare(b.spanId);
  roots.sort(byStart);
  for (const list of children.values()) list.sort(byStart);
  return { roots, children };
}

/**
 * The critical path: from the root that ends last, repeatedly the child that ends last. Span ids, root first.
 */
export function criticalPath(trace: Trace): string[] {
  const { roots, children } = childrenOf(trace);
  const lastEnding = (list: Span[]) =>
    list.reduce<Span | undefined>((best, s) => (!best || endOf(s) > endOf(best) ? s : best), undefined);
  const path: string[] = [];
  const seen = new Set<string>();
  let at = lastEnding(roots);
  while (at && !seen.has(at.spanId)) {
    seen.add(at.spanId);
    path.push(at.spanId);
    at = lastEnding(children.get(at.spanId) ?? []);
  }
  return path;
}

/** The waterfall's rows: depth-first from the roots, siblings by start time. */
export function waterfallRows(trace: Trace): WaterfallRow[] {
  const { roots, children } = childrenOf(trace);
  const critical = new Set(criticalPath(trace));
  const start = Math.min(trace.startUs, ...trace.spans.map((s) => s.startUs));
  const end = Math.max(trace.startUs + trace.durationUs, ...trace.spans.map(endOf));
  const total = Math.max(end - start, 1);
  const rows: WaterfallRow[] = [];
  const seen = new Set<string>();
  const visit = (s: Span, depth: number) => {
    if (seen.has(s.spanId)) return;
    seen.add(s.spanId);
    rows.push({
      span: s,
      depth,
      leftPct: ((s.startUs - start) / total) * 100,
      widthPct: (s.durationUs / total) * 100,
      critical: critical.has(s.spanId),
    });
    for (const c of children.get(s.spanId) ?? []) visit(c, depth + 1);
  };
  for (const r of roots) visit(r, 0);
  return rows;
}

export interface ScatterData {
  /** Unix seconds, ascending (uPlot's x). */
  x: number[];
  /** Duration (ms) of traces without errors, null where the point is an error. */
  ok: (number | null)[];
  /** Duration (ms) of traces with errors, null elsewhere. */
  failed: (number | null)[];
  /** Trace ids, by index. */
  ids: string[];
}

/**
 * The scatter of traces over time: x the start, y the entity's own span duration when known (else the
 * trace's). A trace is red when any of its spans failed (a failed call of the entity's, or further down).
 */
export function scatterData(traces: readonly TraceSummary[]): ScatterData {
  const sorted = [...traces].sort((a, b) => a.startUs - b.startUs);
  const out: ScatterData = { x: [], ok: [], failed: [], ids: [] };
  for (const t of sorted) {
    const ms = (t.entity?.durationUs ?? t.durationUs) / 1000;
    const failed = t.errors > 0;
    out.x.push(t.startUs / 1e6);
    out.ok.push(failed ? null : ms);
    out.failed.push(failed ? ms : null);
    out.ids.push(t.id);
  }
  return out;
}

/** `1.2 ms`, `340 ms`, `2.50 s`, from microseconds. */
export function formatUs(us: number): string {
  if (us < 1000) return `${Math.round(us)} µs`;
  const ms = us / 1000;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** A stable colour index for a service name (hue buckets). */
export function serviceHue(service: string): number {
  let h = 0;
  for (let i = 0; i < service.length; i++) h = (h * 31 + service.charCodeAt(i)) >>> 0;
  return h % 360;
}
