/** The Traces tab's own URL parameters (pure): min duration, errors only, tag, limit. */
export interface TracesView {
  minDurationMs?: number;
  errorsOnly: boolean;
  tag?: string;
  limit: number;
}

export const TRACE_LIMITS = [20, 50, 100, 200, 500] as const;
export const DEFAULT_LIMIT = 100;
const TAG = /^[^:\s][^:]*:.+$/;

export function parseTracesView(search: string): TracesView {
  const p = new URLSearchParams(search);
  const min = Number(p.get('minMs'));
  const limit = Number(p.get('limit'));
  const tag = p.get('tag') ?? '';
  return {
    minDurationMs: p.has('minMs') && Number.isFinite(min) && min > 0 ? min : undefined,
    errorsOnly: p.get('errors') === 'true',
    tag: TAG.test(tag) ? tag : undefined,
    limit: (TRACE_LIMITS as readonly number[]).includes(limit) ? limit : DEFAULT_LIMIT,
  };
}

/** `search` with the tab's parameters replaced by `patch` (others kept; defaults dropped). */
export function patchTracesSearch(search: string, patch: Partial<TracesView>): string {
  const p = new URLSearchParams(search);
  const set = (key: string, value: string | undefined) =>
    value === undefined ? p.delete(key) : p.set(key, value);
  if ('minDurationMs' in patch) set('minMs', patch.minDurationMs ? String(patch.minDurationMs) : undefined);
  if ('errorsOnly' in patch) set('errors', patch.errorsOnly ? 'true' : undefined);
  if ('tag' in patch) set('tag', patch.tag || undefined);
  if ('limit' in patch)
    set('limit', patch.limit && patch.limit !== DEFAULT_LIMIT ? String(patch.limit) : undefined);
  return p.toString();
}

export function isTag(text: string): boolean {
  return TAG.test(text);
}
