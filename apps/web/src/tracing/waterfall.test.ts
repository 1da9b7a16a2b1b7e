import { describe, expect, it } from 'vitest';
import type { Span, Trace, TraceSummary } from '@meshlens/contract';
import { criticalPath, formatUs, scatterData, waterfallRows } from './waterfall';

const span = (
  spanId: string,
  parentId: string | null,
  startUs: number,
  durationUs: number,
  extra: Partial<Span> = {},
): Span => ({
  spanId,
  parentId,
  service: `${spanId.split('-')[0]}.bookinfo`,
  kind: 'server',
  operation: `op ${spanId}`,
  startUs,
  durationUs,
  error: false,
  tags: {},
  ...extra,
});

// productpage (0..1000) calls details (100..300) and reviews (350..950); reviews calls ratings (400..900).
// details ends at 300, reviews at 950: the critical path is productpage → reviews → ratings.
const trace: Trace = {
  id: 't1',
  startUs: 1_000_000,
  durationUs: 1000,
  spans: [
    span('ratings-s', 'reviews-s', 1_000_400, 500, { error: true, statusCode: 503 }),
    span('reviews-s', 'product-s', 1_000_350, 600),
    span('product-s', null, 1_000_000, 1000),
    span('details-s', 'product-s', 1_000_100, 200),
  ],
};

describe('criticalPath', () => {
  it('follows, from the root, the child that ends last', () => {
    expect(criticalPath(trace)).toEqual(['product-s', 'reviews-s', 'ratings-s']);
  });

  it('takes a short child that ends later over a long one that started first', () => {
    const t: Trace = {
      ...trace,
      spans: [span('a', null, 0, 100), span('b', 'a', 0, 80), span('c', 'a', 85, 10)],
    };
    expect(criticalPath(t)).toEqual(['a', 'c']);
  });

  it('treats a span whose parent is missing as a root, and stops on a cycle', () => {
    const t: Trace = {
      ...trace,
      spans: [span('x', 'gone', 0, 10), span('y', 'z', 0, 5), span('z', 'y', 0, 5)],
    };
    expect(criticalPath(t)).toEqual(['x']);
  });
});

describe('waterfallRows', () => {
  it('orders depth-first by start, indents by parent, positions bars in percent of the trace', () => {
    const rows = waterfallRows(trace);
    expect(rows.map((r) => [r.span.spanId, r.depth])).toEqual([
      ['product-s', 0],
      ['details-s', 1],
      ['reviews-s', 1],
      ['ratings-s', 2],
    ]);
    const reviews = rows[2]!;
    expect(reviews.leftPct).toBeCloseTo(35);
    expect(reviews.widthPct).toBeCloseTo(60);
    expect(rows.map((r) => r.critical)).toEqual([true, false, true, true]);
  });
});

describe('scatterData', () => {
  const summary = (
    id: string,
    startUs: number,
    durationUs: number,
    entity: TraceSummary['entity'],
    errors = 0,
  ): TraceSummary => ({
    id,
    startUs,
    durationUs,
    spans: 4,
    errors,
    rootService: 'productpage.bookinfo',
    rootOperation: 'GET /productpage',
    services: [],
    entity,
  });
  const ent = (durationUs: number, error: boolean) => ({ spanId: 's', durationUs, error, operation: 'op' });

  it('sorts by time, plots the entity span (ms), splits traces with a failed span into their own series', () => {
    const d = scatterData([
      summary('late', 3_000_000, 9000, ent(4000, true), 1),
      // the entity's span succeeded, a span further down failed: still a failing trace
      summary('early', 1_000_000, 9000, ent(2500, false), 2),
      summary('fine', 1_500_000, 9000, ent(1500, false)),
      summary('noEntity', 2_000_000, 7000, null, 1),
    ]);
    expect(d.ids).toEqual(['early', 'fine', 'noEntity', 'late']);
    expect(d.x).toEqual([1, 1.5, 2, 3]);
    expect(d.ok).toEqual([null, 1.5, null, null]);
    expect(d.failed).toEqual([2.5, null, 7, 4]);
  });
});

describe('formatUs', () => {
  it('picks a unit', () => {
    expect([formatUs(250), formatUs(2500), formatUs(250_000), formatUs(2_500_000)]).toEqual([
      '250 µs',
      '2.5 ms',
      '250 ms',
      '2.50 s',
    ]);
  });
});
