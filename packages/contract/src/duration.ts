/** Durations as the API accepts them: `90` or `90s`, `5m`, `1h`, `1d`, `1w` (integer amounts). */
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** Smallest and largest graph duration, in seconds. */
export const MIN_DURATION_SECONDS = 10;
export const MAX_DURATION_SECONDS = 30 * 86_400;

/** Parses `'5m'` → 300. Returns null for anything that is not a positive integer amount with a known unit. */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d{1,9})\s*([smhdw]?)\s*$/.exec(text);
  if (!match) return null;
  const amount = Number(match[1]);
  const unit = UNIT_SECONDS[match[2] || 's'];
  if (unit === undefined || !Number.isSafeInteger(amount)) return null;
  return amount * unit;
}

/** Formats seconds with the largest unit that divides it exactly: 300 → `'5m'`, 90 → `'90s'`. */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of [
    ['w', 604_800],
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
