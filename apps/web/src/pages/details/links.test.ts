import { describe, expect, it } from 'vitest';
import { graphNode } from '@meshlens/contract';
import { detailHref, nodeDetailLinks, tabOf, tabsOf } from './links';

describe('detail links', () => {
  it('puts the tab in the path, overview at the bare address', () => {
    expect(detailHref('services', 'bookinfo', 'reviews')).toBe('/namespaces/bookinfo/services/reviews');
    expect(detailHref('workloads', 'bookinfo', 'reviews-v1', 'inbound')).toBe(
      '/namespaces/bookinfo/workloads/reviews-v1/inbound',
    );
    expect(tabOf('workloads', 'outbound')).toBe('outbound');
    expect(tabOf('services', 'outbound')).toBe('overview');
    expect(tabOf('apps', 'nonsense')).toBe('overview');
    expect(tabsOf('services').map((t) => t.id)).toEqual(['overview', 'traffic', 'inbound', 'traces']);
    expect(tabsOf('workloads').map((t) => t.id)).toEqual([
      'overview',
      'traffic',
      'inbound',
      'outbound',
      'traces',
      'logs',
    ]);
    expect(tabsOf('apps').map((t) => t.id)).toEqual(['overview', 'traffic', 'inbound', 'outbound', 'traces']);
    expect(tabOf('apps', 'logs')).toBe('overview');
  });

  it('links a node to its workload and app, none for unknown or external nodes', () => {
    const wl = graphNode({
      id: 'wl:bookinfo/reviews-v1',
      type: 'workload',
      label: 'reviews-v1',
      namespace: 'bookinfo',
      workload: 'reviews-v1',
      app: 'reviews',
    });
    expect(nodeDetailLinks(wl).map((l) => l.href)).toEqual([
      '/namespaces/bookinfo/workloads/reviews-v1',
      '/namespaces/bookinfo/apps/reviews',
    ]);
    expect(
      nodeDetailLinks(graphNode({ id: 'unknown', type: 'unknown', label: 'unknown', namespace: 'unknown' })),
    ).toEqual([]);
  });
});
