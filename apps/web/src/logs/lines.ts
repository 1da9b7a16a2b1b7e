/** Log lines from several containers: merged by time, filtered by a search and a show/hide expression. */
import { parseAccessLog, severityOf, type AccessLogFields, type Severity } from './accessLog';

export interface LogLine {
  /** Which stream: `pod/container`. */
  source: string;
  container: string;
  /** RFC 3339 time as the cluster wrote it (up to nanoseconds). */
  time: string;
  text: string;
  /** Order within its stream (stable sort when times tie). */
  seq: number;
  access?: AccessLogFields;
  severity: Severity;
}

export function makeLine(
  source: string,
  container: string,
  time: string,
  text: string,
  seq: number,
): LogLine {
  const access = parseAccessLog(text);
  return {
    source,
    container,
    time,
    text,
    seq,
    ...(access ? { access } : {}),
    severity: severityOf(text, access),
  };
}

/**
 * RFC 3339 times compare as strings once their fractions have the same width (`…05Z` < `…05.1Z`):
 * the key pads the fraction to nanoseconds (times are UTC, as the kubelet writes them).
 */
export function timeKey(time: string): string {
  const m = /^(.{19})(?:\.(\d{1,9}))?Z$/.exec(time);
  if (!m) return time;
  return `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z`;
}

/** Merges streams that are each in time order into one in time order (ties keep stream order). */
export function mergeByTime(streams: readonly (readonly LogLine[])[]): LogLine[] {
  const keyed = streams.map((s) => s.map((l) => timeKey(l.time)));
  const at = streams.map(() => 0);
  const out: LogLine[] = [];
  for (;;) {
    let best = -1;
    for (let i = 0; i < streams.length; i++) {
      if (at[i]! >= streams[i]!.length) continue;
      if (best < 0 || keyed[i]![at[i]!]! < keyed[best]![at[best]!]!) best = i;
    }
    if (best < 0) return out;
    out.push(streams[best]![at[best]!]!);
    at[best]!++;
  }
}

export interface LineFilter {
  /** Plain text, case-insensitive: lines containing it. */
  search: string;
  /** A regular expression (case-insensitive); empty: none. */
  expression: string;
  /** show: keep only lines matching the expression; hide: drop them. */
  mode: 'show' | 'hide';
  errorsOnly: boolean;
}

export type CompiledFilter = { ok: true; test: (line: LogLine) => boolean } | { ok: false; error: string };

export function compileFilter(f: LineFilter): CompiledFilter {
  let re: RegExp | undefined;
  if (f.expression.trim()) {
    try {
      re = new RegExp(f.expression, 'i');
    } catch (err) {
      return {
        ok: false,
        error: `Not a regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`,
      };
    }
  }
  const needle = f.search.trim().toLowerCase();
  return {
    ok: true,
    test: (line) => {
      if (f.errorsOnly && line.severity !== 'error') return false;
      if (needle && !line.text.toLowerCase().includes(needle)) return false;
      if (re && re.test(line.text) !== (f.mode === 'show')) return false;
      return true;
    },
  };
}

/** Splits NDJSON text that arrives in chunks: the complete lines, and the rest for the next chunk. */
export function splitNdjson(rest: string, chunk: string): { records: string[]; rest: string } {
  const parts = (rest + chunk).split('\n');
  const tail = parts.pop() ?? '';
  return { records: parts.filter((p) => p.trim() !== ''), rest: tail };
}

/** `2026-01-02T03:04:05.123456789Z` → `03:04:05.123` (the time of day a reader scans). */
export function shortTime(time: string): string {
  const m = /T(\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?/.exec(time);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(3, '0').slice(0, 3)}` : time;
}
