import { describe, expect, it } from 'vitest';
import { parseFind } from '../graph/find/parser';
import { showOnGraphHref, traceHref } from './links';

describe('trace links', () => {
  it('addresses a trace and a span in it', () => {
    expect(traceHref('abc')).toBe('/traces/abc');
    expect(traceHref('abc', 'f00')).toBe('/traces/abc?span=f00');
  });

  it("shows a trace's apps on the graph: their namespaces, a find expression naming each", () => {
    const href = showOnGraphHref(
      [
        { app: 'reviews', namespace: 'bookinfo' },
        { app: 'istio-ingressgateway', namespace: 'istio-system' },
        { app: 'reviews', namespace: 'bookinfo' },
        {},
      ],
      '?duration=600',
    );
    const url = new URL(href ?? '', 'http://x');
    expect(url.pathname).toBe('/graph');
    expect(url.searchParams.get('duration')).toBe('600');
    expect(url.searchParams.get('namespaces')).toBe('bookinfo,istio-system');
    const find = url.searchParams.get('find') ?? '';
    expect(find).toBe('app = istio-ingressgateway OR app = reviews');
    expect(() => parseFind(find)).not.toThrow();
    expect(showOnGraphHref([{}], '')).toBeNull();
  });
});
