import type { Namespace, NamespaceOverview } from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import {
  applyOverviewFilters,
  overviewEntries,
  parseOverviewFilters,
  sparklinePath,
  withOverviewFilters,
} from './overviewState';

const counts = (over: Partial<Record<string, number>> = {}) => ({
  Failure: 0,
  Degraded: 0,
  NotReady: 0,
  Healthy: 1,
  NoTraffic: 0,
  ...over,
});
const ns = (name: string, rps: number, failures = 0): NamespaceOverview => ({
  name,
  labels: {},
  injection: { enabled: true },
  mtls: { mode: 'PERMISSIVE', source: 'default' },
  health: { apps: counts(), workloads: counts({ Failure: failures }), services: counts() },
  validations: { objects: 0, valid: 0, warnings: 0, errors: 0 },
  traffic: { inboundRps: rps, errorRate: 0, series: [] },
});

describe('overview filters', () => {
  it('round-trips through the URL, keeping other parameters', () => {
    const s = withOverviewFilters('namespaces=a', { q: 'book', sort: 'health', dir: 'desc', layout: 'list' });
    expect(s).toBe('namespaces=a&q=book&sort=health&dir=desc&layout=list');
    expect(parseOverviewFilters(s)).toEqual({ q: 'book', sort: 'health', dir: 'desc', layout: 'list' });
    expect(withOverviewFilters(s, { q: '', sort: 'name', dir: 'asc', layout: 'cards' })).toBe('namespaces=a');
  });
  it('filters by name and sorts worst first, by traffic, by name', () => {
    const list = [ns('bookinfo', 5), ns('shop', 1, 2), ns('istio-system', 9)];
    const names = (f: Parameters<typeof withOverviewFilters>[1]) =>
      applyOverviewFilters(list, parseOverviewFilters(withOverviewFilters('', f))).map((n) => n.name);
    expect(names({})).toEqual(['bookinfo', 'istio-system', 'shop']);
    expect(names({ q: 'i' })).toEqual(['bookinfo', 'istio-system']);
    expect(names({ sort: 'health' })).toEqual(['shop', 'bookinfo', 'istio-system']);
    expect(names({ sort: 'rps', dir: 'desc' })).toEqual(['istio-system', 'bookinfo', 'shop']);
  });
});

describe('sparkline', () => {
  it('draws the series across the box, the highest point at the top', () => {
    expect(
      sparklinePath(
        [
          [0, 0],
          [10, 2],
          [20, 1],
        ],
        100,
        22,
      ),
    ).toBe('M0.0,21.0 L50.0,1.0 L100.0,11.0');
    expect(sparklinePath([[0, 1]], 100, 20)).toBe('');
    expect(
      sparklinePath(
        [
          [0, 0],
          [5, 0],
        ],
        10,
        20,
      ),
    ).toBe('M0.0,19.0 L10.0,19.0');
  });
});

describe('overview entries before the answer', () => {
  const namespaces: Namespace[] = [
    { name: 'bookinfo', labels: { 'istio-injection': 'enabled' }, injection: true },
    { name: 'canary', labels: { 'istio.io/rev': 'canary' }, injection: true },
    // istio-injection wins over a revision label, as the server's overview reads it
    { name: 'legacy', labels: { 'istio-injection': 'disabled', 'istio.io/rev': 'canary' }, injection: true },
    { name: 'plain', labels: {}, injection: false },
  ];

  it('lists the namespaces the user may read, pending, with their injection from the labels', () => {
    const entries = overviewEntries(undefined, namespaces, [])!;
    expect(entries.map((e) => [e.name, e.pending, e.injection])).toEqual([
      ['bookinfo', true, { enabled: true, label: 'istio-injection=enabled' }],
      ['canary', true, { enabled: true, label: 'istio.io/rev=canary', revision: 'canary' }],
      ['legacy', true, { enabled: false, label: 'istio-injection=disabled', revision: 'canary' }],
      ['plain', true, { enabled: false }],
    ]);
    // filters and sorts work on them (no figures: by name)
    const f = { ...parseOverviewFilters(''), q: 'in', sort: 'health' as const };
    expect(applyOverviewFilters(entries, f).map((e) => e.name)).toEqual(['bookinfo', 'plain']);
  });

  it('keeps only the selected namespaces, and gives way to the answer', () => {
    expect(overviewEntries(undefined, namespaces, ['canary', 'gone'])!.map((e) => e.name)).toEqual([
      'canary',
    ]);
    const answer = [ns('bookinfo', 3)];
    expect(overviewEntries(answer, namespaces, [])).toBe(answer);
    expect(overviewEntries(undefined, undefined, [])).toBeUndefined();
  });
});
