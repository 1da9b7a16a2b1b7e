/** The trace view's address; `span` selects a span in it. */
export function traceHref(id: string, span?: string): string {
  return `/traces/${encodeURIComponent(id)}${span ? `?span=${encodeURIComponent(span)}` : ''}`;
}

/**
 * The graph marking a trace's path (`trace=`): its namespaces selected. Spans without app and namespace
 * (no access) are left out; null when none is left.
 */
export function showOnGraphHref(
  traceId: string,
  spans: readonly { app?: string; namespace?: string }[],
  globalSearch: string,
): string | null {
  const namespaces = [...new Set(spans.flatMap((s) => (s.app && s.namespace ? [s.namespace] : [])))].sort();
  if (namespaces.length === 0) return null;
  const p = new URLSearchParams(globalSearch);
  p.set('namespaces', namespaces.join(','));
  p.set('trace', traceId);
  p.delete('find');
  p.delete('focus');
  return `/graph?${p.toString()}`;
}
