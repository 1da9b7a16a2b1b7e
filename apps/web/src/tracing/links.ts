/** The trace view's address; `span` selects a span in it. */
export function traceHref(id: string, span?: string): string {
  return `/traces/${encodeURIComponent(id)}${span ? `?span=${encodeURIComponent(span)}` : ''}`;
}

/**
 * The graph showing a trace's services: its namespaces selected and a find expression marking each app
 * (`app = a OR app = b`). Spans without app and namespace (no access) are left out; null when none is left.
 */
export function showOnGraphHref(
  spans: readonly { app?: string; namespace?: string }[],
  globalSearch: string,
): string | null {
  const apps = [...new Set(spans.flatMap((s) => (s.app && s.namespace ? [s.app] : [])))].sort();
  const namespaces = [...new Set(spans.flatMap((s) => (s.app && s.namespace ? [s.namespace] : [])))].sort();
  if (apps.length === 0) return null;
  const p = new URLSearchParams(globalSearch);
  p.set('namespaces', namespaces.join(','));
  p.set('find', apps.map((a) => `app = ${a}`).join(' OR '));
  return `/graph?${p.toString()}`;
}
