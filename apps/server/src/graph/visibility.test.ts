import { graphNode, type GraphEdge, type GraphResponse } from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import { hideUnreadable } from './visibility';

const node = (id: string, namespace: string, extra: object = {}) =>
  graphNode({ id, namespace, label: id, type: 'app', ...extra });
const edge = (source: string, target: string) => ({ id: `${source}>${target}`, source, target }) as GraphEdge;

const answer = {
  timestamp: 1,
  duration: 60,
  graphType: 'versionedApp',
  namespaces: ['bookinfo'],
  responseTime: 'p95',
  nodes: [
    node('box:istio-system', 'istio-system', { type: 'box', isBox: true }),
    node('gw', 'istio-system', { parent: 'box:istio-system', isOutside: true }),
    node('unknown', 'unknown'),
    node('pp', 'bookinfo'),
    node('reviews', 'bookinfo'),
  ],
  edges: [edge('gw', 'pp'), edge('unknown', 'pp'), edge('pp', 'reviews')],
  warnings: [],
} as unknown as GraphResponse;

describe('hideUnreadable', () => {
  it('leaves out nodes of unreadable namespaces with their edges, and says how many', () => {
    const out = hideUnreadable(answer, (ns) => ns === 'bookinfo');
    expect(out.nodes.map((n) => n.id)).toEqual(['unknown', 'pp', 'reviews']);
    expect(out.edges.map((e) => e.id)).toEqual(['unknown>pp', 'pp>reviews']);
    expect(out.warnings).toEqual([
      {
        code: 'NamespacesHidden',
        message: '1 node in namespaces you may not read is left out, with its edges',
      },
    ]);
    expect(JSON.stringify(out)).not.toContain('istio-system');
  });

  it('returns the answer as is when everything is readable', () => {
    expect(hideUnreadable(answer, () => true)).toBe(answer);
  });
});
