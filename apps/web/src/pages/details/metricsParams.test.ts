import { describe, expect, it } from 'vitest';
import { metricsQueryOf, parseMetricsView, patchMetricsSearch } from './metricsParams';

describe('metrics view in the URL', () => {
  it('defaults, and ignores what it does not know', () => {
    expect(parseMetricsView('duration=600&reporter=nobody&quantiles=0.9,0.95&by=pod,response_code')).toEqual({
      reporter: undefined,
      quantiles: ['0.95'],
      byLabels: ['response_code'],
      range: undefined,
    });
  });

  it('round-trips a patch and keeps the shell parameters', () => {
    const s = patchMetricsSearch('duration=600&refresh=0', {
      reporter: 'both',
      byLabels: ['destination_canonical_revision'],
      range: { from: 1_700_000_000, to: 1_700_000_300 },
    });
    expect(new URLSearchParams(s).get('duration')).toBe('600');
    const v = parseMetricsView(s);
    expect(v).toMatchObject({ reporter: 'both', byLabels: ['destination_canonical_revision'] });
    expect(metricsQueryOf(v, 'inbound', 600)).toMatchObject({ duration: 300, end: 1_700_000_300 });
    const cleared = parseMetricsView(patchMetricsSearch(s, { range: undefined, byLabels: [] }));
    expect(cleared.range).toBeUndefined();
    expect(cleared.byLabels).toEqual([]);
    expect(metricsQueryOf(cleared, 'outbound', 600)).toMatchObject({ direction: 'outbound', duration: 600 });
  });
});
