/** The Changes page's filters in the URL (`/changes?namespace=bookinfo&author=alice&since=1h&change=<id>`). */
export interface ChangeFilters {
  namespace: string;
  kind: string;
  name: string;
  author: string;
  since: string;
  source: '' | 'console' | 'external';
  /** The change shown in the side panel. */
  change: string;
}

const KEYS = ['namespace', 'kind', 'name', 'author', 'since', 'source', 'change'] as const;

export function parseChangeFilters(search: string): ChangeFilters {
  const q = new URLSearchParams(search);
  const source = q.get('source') ?? '';
  return {
    namespace: q.get('namespace') ?? '',
    kind: q.get('kind') ?? '',
    name: q.get('name') ?? '',
    author: q.get('author') ?? '',
    since: q.get('since') ?? '',
    source: source === 'console' || source === 'external' ? source : '',
    change: q.get('change') ?? '',
  };
}

/** The search string with `patch` applied (empty values removed); other parameters kept. */
export function withChangeFilters(search: string, patch: Partial<ChangeFilters>): string {
  const q = new URLSearchParams(search);
  for (const key of KEYS) {
    if (!(key in patch)) continue;
    const v = patch[key]?.trim() ?? '';
    if (v) q.set(key, v);
    else q.delete(key);
  }
  return q.toString();
}

/** The API query of the filters (the selected change is the page's, not the API's). */
export function apiQuery(f: ChangeFilters): Record<string, string | undefined> {
  return {
    namespace: f.namespace || undefined,
    kind: f.kind || undefined,
    name: f.name || undefined,
    author: f.author || undefined,
    since: f.since || undefined,
    source: f.source || undefined,
  };
}

/** The graph of a change's namespace over the 10 minutes before and after it (compare mode). */
export function compareHref(c: { at: string; namespace: string }): string {
  const at = Math.floor(Date.parse(c.at) / 1000);
  const p = new URLSearchParams({ namespaces: c.namespace, compare: String(at), compareWindow: '600' });
  return `/graph?${p.toString()}`;
}
