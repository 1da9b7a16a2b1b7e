import { describe, expect, it } from 'vitest';
import { grouped, placed, type ChangeMarker } from './markers';

const m = (time: number, id: string): ChangeMarker => ({ time, id, label: id, namespace: 'bookinfo' });

describe('change markers', () => {
  it('places markers within the range as fractions of it, leaving the others out', () => {
    expect(placed([m(100, 'a'), m(150, 'b'), m(250, 'c')], 100, 200).map((p) => [p.id, p.at])).toEqual([
      ['a', 0],
      ['b', 0.5],
    ]);
    expect(placed([m(100, 'a')], 200, 200)).toEqual([]);
  });

  it('keeps a change made just after a rounded end, at the end of the track', () => {
    const marks = [m(150, 'b'), m(205, 'just now'), m(215, 'later')];
    expect(placed(marks, 100, 200, 10).map((p) => [p.id, p.at])).toEqual([
      ['b', 0.5],
      ['just now', 1],
    ]);
  });

  it('merges marks that would cover each other, listing every change in the tooltip', () => {
    const marks = placed([m(1000, 'a'), m(1003, 'b'), m(1500, 'c')], 0, 1800);
    const g = grouped(marks);
    expect(g.map((x) => [x.id, x.label, x.time])).toEqual([
      ['a+b', 'a\nb', 1003],
      ['c', 'c', 1500],
    ]);
  });
});
