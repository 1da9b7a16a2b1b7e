/** The trace view's address; `span` selects a span in it. */
export function traceHref(id: string, span?: string): string {
  return `/traces/${encodeURIComponent(id)}${span ? `?span=${encodeURIComponent(span)}` : ''}`;
}
