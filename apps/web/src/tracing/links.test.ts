import { describe, expect, it } from 'vitest';
import { showOnGraphHref, traceHref } from './links';

describe('trace links', () => {
  it('addresses a trace and a span in it', () => {
    expect(traceHref('abc')).toBe('/traces/abc');
    expect(traceHref('abc', 'f00')).toBe('/traces/abc?span=f00');
  });

  it("marks a trace's path on the graph: its namespaces and the trace, no find or focus left over", () => {
    const href = showOnGraphHref(
      'abc123',
      [
        { app: 'reviews', namespace: 'bookinfo' },
        { app: 'istio-ingressgateway', namespace: 'istio-system' },
        { app: 'reviews', namespace: 'bookinfo' },
        {},
      ],
      '?duration=600&find=app%3Dx&focus=n1',
    );
    const url = new URL(href ?? '', 'http://x');
    expect(url.pathname).toBe('/graph');
    expect(url.searchParams.get('duration')).toBe('600');
    expect(url.searchParams.get('namespaces')).toBe('bookinfo,istio-system');
    expect(url.searchParams.get('trace')).toBe('abc123');
    expect(url.searchParams.has('find')).toBe(false);
    expect(url.searchParams.has('focus')).toBe(false);
    expect(showOnGraphHref('abc', [{}], '')).toBeNull();
  });
});
