import { describe, expect, it } from 'vitest';
import { currentWeights, subsetVersions } from './currentRouting';

const dr = {
  spec: {
    host: 'reviews',
    subsets: [
      { name: 'v1', labels: { version: 'v1' } },
      { name: 'canary', labels: { version: 'v3' } },
      { name: 'v2', labels: { version: 'v2' } },
    ],
  },
};

describe('current routing', () => {
  it('maps subsets to versions', () => {
    expect([...subsetVersions(dr)]).toEqual([
      ['v1', 'v1'],
      ['canary', 'v3'],
      ['v2', 'v2'],
    ]);
    expect(subsetVersions(undefined).size).toBe(0);
  });

  it('reads the weights of the catch-all route, by version', () => {
    const vs = {
      spec: {
        http: [
          {
            match: [{ headers: { 'end-user': { exact: 'jason' } } }],
            route: [{ destination: { subset: 'v2' } }],
          },
          {
            route: [
              { destination: { host: 'reviews', subset: 'v1' }, weight: 90 },
              { destination: { host: 'reviews', subset: 'canary' }, weight: 10 },
            ],
          },
        ],
      },
    };
    expect(currentWeights(vs, subsetVersions(dr), ['v1', 'v2', 'v3'])).toEqual({ v1: 90, v2: 0, v3: 10 });
  });

  it('treats a single unweighted destination as 100 and refuses routes without subsets', () => {
    const one = { spec: { http: [{ route: [{ destination: { host: 'reviews', subset: 'v2' } }] }] } };
    expect(currentWeights(one, subsetVersions(dr), ['v1', 'v2'])).toEqual({ v1: 0, v2: 100 });
    const plain = { spec: { http: [{ route: [{ destination: { host: 'reviews' } }] }] } };
    expect(currentWeights(plain, subsetVersions(dr), ['v1'])).toBeNull();
    expect(currentWeights(undefined, new Map(), ['v1'])).toBeNull();
  });
});
