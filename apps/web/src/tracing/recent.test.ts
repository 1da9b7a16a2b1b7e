import { describe, expect, it } from 'vitest';
import type { GraphNode, TraceSummary } from '@meshlens/contract';
import { edgePeer, nodeTraceEntity, slowAndFailing } from './recent';

const t = (id: string, startUs: number, durationUs: number, errors = 0): TraceSummary => ({
  id,
  startUs,
  durationUs,
  spans: 3,
  errors,
  rootService: 'productpage.bookinfo',
  rootOperation: 'GET',
  services: [],
  entity: null,
});

describe('slowAndFailing', () => {
  it('lists failing traces newest first, then the slowest others, without repeats, at most max', () => {
    const failing = [t('f-old', 1, 10, 1), t('f-new', 5, 10, 2)];
    const recent = [
      t('fast', 6, 5),
      t('f-new', 5, 10, 2),
      t('slow', 4, 900),
      t('mid', 3, 300),
      t('x', 2, 100),
    ];
    expect(slowAndFailing(failing, recent, 4).map((x) => x.id)).toEqual(['f-new', 'f-old', 'slow', 'mid']);
  });
});

describe('nodeTraceEntity', () => {
  const node = (n: Partial<GraphNode>) =>
    ({ namespace: 'bookinfo', isInaccessible: false, ...n }) as GraphNode;
  it("asks for the node's own entity by its type, none for unknown or inaccessible nodes", () => {
    expect(nodeTraceEntity(node({ type: 'versionedApp', app: 'reviews', workload: 'reviews-v2' }))).toEqual({
      kind: 'apps',
      namespace: 'bookinfo',
      name: 'reviews',
    });
    expect(nodeTraceEntity(node({ type: 'workload', app: 'reviews', workload: 'reviews-v2' }))?.kind).toBe(
      'workloads',
    );
    expect(nodeTraceEntity(node({ type: 'service', service: 'ratings' }))?.name).toBe('ratings');
    expect(nodeTraceEntity(node({ type: 'unknown', namespace: 'unknown' }))).toBeNull();
    expect(nodeTraceEntity(node({ type: 'app', app: 'x', isInaccessible: true }))).toBeNull();
  });
});

describe('edgePeer', () => {
  const node = (over: Partial<GraphNode>) => ({ isInaccessible: false, ...over }) as GraphNode;
  it("is the callee's service, for a caller that records client spans", () => {
    const caller = node({ type: 'versionedApp', app: 'productpage', namespace: 'bookinfo' });
    expect(edgePeer(caller, node({ type: 'service', service: 'details', namespace: 'bookinfo' }))).toBe(
      'details.bookinfo',
    );
    expect(edgePeer(caller, node({ type: 'versionedApp', app: 'reviews', namespace: 'bookinfo' }))).toBe(
      'reviews.bookinfo',
    );
    // a service node records no client spans; a callee outside any namespace has no service to search
    expect(edgePeer(node({ type: 'service', service: 'reviews', namespace: 'bookinfo' }), caller)).toBeNull();
    expect(edgePeer(caller, node({ type: 'service', service: 'unknown', namespace: 'unknown' }))).toBeNull();
  });
});
