import { describe, expect, it } from 'vitest';
import { apportion, evenWeights, setWeight, sumOf } from './weights';

describe('weights', () => {
  it('splits 100 evenly with integers', () => {
    expect(evenWeights(['v1', 'v2', 'v3'])).toEqual({ v1: 34, v2: 33, v3: 33 });
    expect(evenWeights(['v1'])).toEqual({ v1: 100 });
  });

  it('apportions proportionally with the largest remainder', () => {
    expect(apportion([1, 1, 1], 10)).toEqual([4, 3, 3]);
    expect(apportion([3, 1], 20)).toEqual([15, 5]);
    expect(apportion([0, 0], 7)).toEqual([4, 3]);
  });

  it('gives the remainder to the others in proportion to their weights', () => {
    const w = setWeight({ v1: 34, v2: 33, v3: 33 }, 'v1', 80);
    expect(w).toEqual({ v1: 80, v2: 10, v3: 10 });
    // without a lock the 80 left goes back over v1 and v3 in proportion
    expect(setWeight(w, 'v2', 20)).toEqual({ v1: 71, v2: 20, v3: 9 });
    // the wizard locks the version changed before: v1 stays at 80
    expect(setWeight(w, 'v2', 20, ['v1'])).toEqual({ v1: 80, v2: 20, v3: 0 });
    expect(setWeight({ v1: 60, v2: 30, v3: 10 }, 'v1', 0)).toEqual({ v1: 0, v2: 75, v3: 25 });
  });

  it('keeps the sum at 100 for any input, clamping and rounding', () => {
    for (const value of [-5, 0, 1, 33.4, 50, 99, 100, 250, Number.NaN]) {
      const w = setWeight({ v1: 10, v2: 20, v3: 70 }, 'v2', value);
      expect(sumOf(w)).toBe(100);
      for (const x of Object.values(w)) expect(Number.isInteger(x) && x >= 0).toBe(true);
    }
    expect(setWeight({ v1: 10, v2: 90 }, 'v2', 250)).toEqual({ v1: 0, v2: 100 });
  });

  it('keeps locked versions and gives the rest to the free ones', () => {
    expect(setWeight({ v1: 50, v2: 30, v3: 20 }, 'v1', 70, ['v3'])).toEqual({ v1: 70, v2: 10, v3: 20 });
    // the changed weight cannot eat a locked one
    expect(setWeight({ v1: 50, v2: 30, v3: 20 }, 'v1', 95, ['v3'])).toEqual({ v1: 80, v2: 0, v3: 20 });
    // alone with locked versions: it takes what they leave
    expect(setWeight({ v1: 50, v2: 50 }, 'v1', 10, ['v2'])).toEqual({ v1: 50, v2: 50 });
  });

  it('ignores an unknown version', () => {
    const w = { v1: 100 };
    expect(setWeight(w, 'v9', 10)).toBe(w);
  });
});
