import type { CompareFields } from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import { compareVerdict, edgeCompareLabel, nodeCompareLine, pctDelta, rateDelta } from './compare';

const both = (f: CompareFields): CompareFields => ({
  cmpStatus: 'both',
  cmpUnit: 'rps',
  cmpRateBefore: 10,
  cmpRateAfter: 10,
  cmpErrBefore: 0,
  cmpErrAfter: 0,
  cmpRtBefore: 50,
  cmpRtAfter: 50,
  ...f,
});

describe('compare verdicts', () => {
  it('reads error % up by a point or response time up by 20 % and 5 ms as worse, down as better', () => {
    expect(compareVerdict(both({}))).toBe('same');
    expect(compareVerdict(both({ cmpErrAfter: 1.5 }))).toBe('worse');
    expect(compareVerdict(both({ cmpErrAfter: 0.5 }))).toBe('same');
    expect(compareVerdict(both({ cmpErrBefore: 5, cmpErrAfter: 1 }))).toBe('better');
    expect(compareVerdict(both({ cmpRtAfter: 61 }))).toBe('worse');
    expect(compareVerdict(both({ cmpRtAfter: 58 }))).toBe('same'); // +16 %
    expect(compareVerdict(both({ cmpRtBefore: 10, cmpRtAfter: 14 }))).toBe('same'); // +40 % but 4 ms
    expect(compareVerdict(both({ cmpRtAfter: 30 }))).toBe('better');
    // a regression wins over an improvement
    expect(compareVerdict(both({ cmpRtAfter: 30, cmpErrAfter: 3 }))).toBe('worse');
    // the rate alone decides nothing
    expect(compareVerdict(both({ cmpRateAfter: 100 }))).toBe('same');
    // an error % known in one window only is no comparison
    expect(compareVerdict(both({ cmpErrBefore: null, cmpErrAfter: 50 }))).toBe('same');
    expect(compareVerdict({ cmpStatus: 'new' })).toBe('new');
    expect(compareVerdict({ cmpStatus: 'vanished' })).toBe('vanished');
    expect(compareVerdict({})).toBe('');
  });
});

describe('compare labels', () => {
  it('gives the change as a difference and a percentage', () => {
    expect(pctDelta(10, 14)).toBe('+40%');
    expect(pctDelta(10, 0)).toBe('−100%');
    expect(pctDelta(100, 100.5)).toBe('+0.5%');
    expect(pctDelta(0, 0)).toBe('±0%');
    expect(rateDelta(both({ cmpRateAfter: 14 }))).toBe('+4.00 rps (+40%)');
    expect(rateDelta(both({ cmpUnit: 'Bps', cmpRateBefore: 2048, cmpRateAfter: 1024 }))).toBe(
      '−1.0 KiB/s (−50%)',
    );
  });

  it('labels an edge with its rate change, then error and response-time changes worth showing', () => {
    expect(edgeCompareLabel(both({ cmpRateAfter: 14 }), 'p95')).toBe('+4.00 rps (+40%)');
    expect(edgeCompareLabel(both({ cmpRateAfter: 5, cmpErrAfter: 12.34, cmpRtAfter: 80 }), 'p95')).toBe(
      '−5.00 rps (−50%)\nerr +12.3 pt · p95 +30ms (+60%)',
    );
    expect(edgeCompareLabel({ cmpStatus: 'new', cmpUnit: 'rps', cmpRateAfter: 3 }, 'p95')).toBe(
      'new 3.00 rps',
    );
    expect(edgeCompareLabel({ cmpStatus: 'vanished', cmpUnit: 'rps', cmpRateBefore: 3 }, 'p95')).toBe(
      'gone (was 3.00 rps)',
    );
    expect(edgeCompareLabel({}, 'p95')).toBe('');
  });

  it('adds a short line to nodes: new, gone, or the rate change and an error change past the bar', () => {
    expect(nodeCompareLine(both({ cmpRateAfter: 15 }))).toBe('+50%');
    expect(nodeCompareLine(both({ cmpRateAfter: 15, cmpErrAfter: 4 }))).toBe('+50% · err +4 pt');
    expect(nodeCompareLine({ cmpStatus: 'new' })).toBe('new');
    expect(nodeCompareLine({ cmpStatus: 'vanished' })).toBe('gone');
    expect(nodeCompareLine({})).toBe('');
  });
});
