/**
 * Durations as Istio accepts them in YAML: protobuf JSON (`1.5s`) and Go-style compound strings
 * (`100ms`, `2m`, `1h30m`, `1m0.5s`). Numbers are read as seconds (a bare number is not valid in the CRD,
 * but the intent is plain).
 */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Parses a duration into milliseconds; `undefined` for absent or malformed input. */
export function parseDuration(input: string | number | undefined | null): number | undefined {
  if (input === undefined || input === null) return undefined;
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input * 1000 : undefined;
  const text = input.trim();
  if (text === '') return undefined;
  if (text === '0') return 0;
  PART.lastIndex = 0;
  let total = 0;
  let matched = 0;
  while (PART.lastIndex < text.length) {
    const start = PART.lastIndex;
    const m = PART.exec(text);
    if (!m || m.index !== start) return undefined;
    total += Number(m[1]) * (UNIT_MS[m[2] as string] ?? NaN);
    matched++;
  }
  return matched > 0 && Number.isFinite(total) ? total : undefined;
}

/** Formats milliseconds the way Istio's docs write durations: `100ms`, `1.5s`, `2m`, `1h`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${trim(ms)}ms`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${trim(ms / 1000)}s`;
}

function trim(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}
