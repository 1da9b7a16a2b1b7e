import type { EntityRow } from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import { applyListFilters, errorText, parseListFilters, rateText, withListFilters } from './listState';

const row = (name: string, over: Partial<EntityRow> = {}): EntityRow => ({
  kind: 'workload',
  name,
  namespace: 'bookinfo',
  health: { status: 'Healthy', reasons: [] },
  labels: { app: name },
  type: 'Deployment',
  sidecar: 'all',
  replicas: { pods: 1 },
  related: [],
  istioReferences: [],
  inboundRps: 1,
  errorRate: 0,
  ...over,
});

describe('list filters in the URL', () => {
  it('round-trips every filter and the sort, keeping other parameters', () => {
    const search = withListFilters('namespaces=bookinfo', {
      q: 'rev',
      health: ['Failure', 'Degraded'],
      label: 'version=v2',
      missingSidecar: true,
      type: 'StatefulSet',
      sort: 'health',
      dir: 'desc',
    });
    expect(search).toBe(
      'namespaces=bookinfo&q=rev&health=Failure%2CDegraded&label=version%3Dv2&sidecar=missing&type=StatefulSet&sort=health&dir=desc',
    );
    expect(parseListFilters(search)).toEqual({
      q: 'rev',
      health: ['Failure', 'Degraded'],
      label: 'version=v2',
      missingSidecar: true,
      type: 'StatefulSet',
      sort: 'health',
      dir: 'desc',
    });
    expect(withListFilters(search, { q: '', sort: 'name', dir: 'asc', health: [] })).toBe(
      'namespaces=bookinfo&label=version%3Dv2&sidecar=missing&type=StatefulSet',
    );
  });
  it('ignores unknown statuses and sort keys', () => {
    expect(parseListFilters('health=Bad,Failure&sort=evil')).toMatchObject({
      health: ['Failure'],
      sort: 'name',
    });
  });
});

describe('filtering and sorting rows', () => {
  const rows = [
    row('ratings-v1', { health: { status: 'Failure', reasons: ['x'] }, inboundRps: 3 }),
    row('reviews-v2', { labels: { app: 'reviews', version: 'v2' }, sidecar: 'none', inboundRps: 9 }),
    row('details-v1', { namespace: 'a', type: 'StatefulSet', inboundRps: 0 }),
  ];
  const names = (f: Parameters<typeof withListFilters>[1]) =>
    applyListFilters(rows, parseListFilters(withListFilters('', f))).map((r) => r.name);
  it('filters by name, health, label, sidecar and type', () => {
    expect(names({ q: 'RE' })).toEqual(['reviews-v2']);
    expect(names({ health: ['Failure'] })).toEqual(['ratings-v1']);
    expect(names({ label: 'version=v2' })).toEqual(['reviews-v2']);
    expect(names({ label: 'version' })).toEqual(['reviews-v2']);
    expect(names({ missingSidecar: true })).toEqual(['reviews-v2']);
    expect(names({ type: 'StatefulSet' })).toEqual(['details-v1']);
  });
  it('sorts by each key, both ways', () => {
    expect(names({})).toEqual(['details-v1', 'ratings-v1', 'reviews-v2']);
    expect(names({ sort: 'rps', dir: 'desc' })).toEqual(['reviews-v2', 'ratings-v1', 'details-v1']);
    expect(names({ sort: 'health' })).toEqual(['ratings-v1', 'details-v1', 'reviews-v2']);
    expect(names({ sort: 'namespace', dir: 'desc' })).toEqual(['ratings-v1', 'reviews-v2', 'details-v1']);
  });
  it('formats rates and error shares', () => {
    expect(rateText(0)).toBe('—');
    expect(rateText(0.0512)).toBe('0.051/s');
    expect(rateText(12.34)).toBe('12.3/s');
    expect(errorText(0.0004, 5)).toBe('< 0.1 %');
    expect(errorText(0.123, 5)).toBe('12.3 %');
    expect(errorText(0, 0)).toBe('—');
  });
});
