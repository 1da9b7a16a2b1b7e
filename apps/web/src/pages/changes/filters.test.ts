import { describe, expect, it } from 'vitest';
import { apiQuery, compareHref, parseChangeFilters, withChangeFilters } from './filters';
import { parseViewState } from '../../url/viewState';

describe('Changes page filters in the URL', () => {
  it('reads the filters, ignoring an unknown source', () => {
    expect(parseChangeFilters('?namespace=bookinfo&author=alice&since=1h&source=bogus&change=abc-1')).toEqual(
      {
        namespace: 'bookinfo',
        kind: '',
        name: '',
        author: 'alice',
        since: '1h',
        source: '',
        change: 'abc-1',
      },
    );
  });

  it('patches the search, keeping other parameters and dropping emptied ones', () => {
    const next = withChangeFilters('?namespaces=bookinfo&author=alice&change=x', {
      author: ' ',
      kind: 'Gateway',
    });
    expect(new URLSearchParams(next).toString()).toBe('namespaces=bookinfo&change=x&kind=Gateway');
  });

  it('asks the API for the filters only, not the selected change', () => {
    expect(apiQuery(parseChangeFilters('?name=reviews&change=x&source=external'))).toEqual({
      namespace: undefined,
      kind: undefined,
      name: 'reviews',
      author: undefined,
      since: undefined,
      source: 'external',
    });
  });
});

describe('compareHref', () => {
  it("opens the graph of the change's namespace comparing the 10 minutes before and after it", () => {
    const href = compareHref({ at: '2026-12-06T08:00:00.000Z', namespace: 'bookinfo' });
    expect(href.startsWith('/graph?')).toBe(true);
    const view = parseViewState(href.slice('/graph'.length));
    expect(view.namespaces).toEqual(['bookinfo']);
    expect(view.compare).toBe(Date.parse('2026-12-06T08:00:00.000Z') / 1000);
    expect(view.compareWindow).toBe(600);
  });
});
