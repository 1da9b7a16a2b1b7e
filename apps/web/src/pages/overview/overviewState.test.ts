import type { NamespaceOverview } from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import {
  applyOverviewFilters,
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
