import { describe, expect, it } from 'vitest';
import { currentWeights, startingWeights, subsetVersions, wizardVersions } from './currentRouting';

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

describe('what a wizard opens with', () => {
  // Istio's destination-rule-all.yaml on details: subsets v1 and v2, but only details-v1 runs.
  const detailsDr = {
    spec: {
      host: 'details',
      subsets: [
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'v2', labels: { version: 'v2' } },
      ],
    },
  };

  it('offers the versions that run; subsets with no workload are named apart', () => {
    const subsets = subsetVersions(detailsDr);
    expect(wizardVersions({ running: ['v1'], graph: ['v1'], subsets })).toEqual({
      versions: ['v1'],
      idle: ['v2'],
    });
    // the graph only shows versions with traffic: a version that runs but gets none is offered too
    expect(wizardVersions({ running: ['v1', 'v2', 'v3'], graph: ['v1'], subsets: new Map() })).toEqual({
      versions: ['v1', 'v2', 'v3'],
      idle: [],
    });
    // without the server's answer: the graph's versions and the subsets, as before
    expect(wizardVersions({ running: undefined, graph: ['v1'], subsets })).toEqual({
      versions: ['v1', 'v2'],
      idle: [],
    });
  });

  it('starts from the current weights when they name only running versions, else an even split', () => {
    expect(startingWeights(null, ['v1'])).toEqual({ v1: 100 });
    expect(startingWeights({ v1: 90, v2: 0, v3: 10 }, ['v1', 'v3'])).toEqual({ v1: 90, v3: 10 });
    // a VirtualService that sends half to a version that no longer runs: that would be refused
    expect(startingWeights({ v1: 50, v2: 50 }, ['v1'])).toEqual({ v1: 100 });
    expect(startingWeights({ v1: 100 }, ['v1', 'v2'])).toEqual({ v1: 100, v2: 0 });
  });
});
