import { describe, expect, it } from 'vitest';
import type { GraphEdge, GraphNode, GraphResponse } from '@meshlens/contract';
import { edgeId, graphNode, nodeId } from '@meshlens/contract';
import { aggregateElements, aggregateId, groupBoxId, groupKeys, worstHealth } from './aggregate';
import { toElements } from './toElements';

function wl(namespace: string, name: string, extra: Partial<GraphNode> = {}): GraphNode {
  return graphNode({
    id: nodeId.workload(namespace, name),
    type: 'workload',
    label: name,
    namespace,
    workload: name,
    ...extra,
  });
}

function http(
  source: GraphNode,
  target: GraphNode,
  rps: number,
  errorPct = 0,
  extra: Partial<GraphEdge> = {},
) {
  return {
    id: edgeId(source.id, target.id, 'http'),
    source: source.id,
    target: target.id,
    protocol: 'http',
    rps,
    errorPct,
    percentOfSource: 100,
    healthStatus: errorPct > 5 ? 'Failure' : 'Healthy',
    isIdle: false,
    responses: {},
    ...extra,
  } as GraphEdge;
}

/** Three namespaces: a → b (two edges), a → c, b → b (inside), b → unknown. */
function answer(): GraphResponse {
  const a1 = wl('a', 'a1', { isRoot: true });
  const a2 = wl('a', 'a2');
  const b1 = wl('b', 'b1', { healthStatus: 'Degraded' });
  const b2 = wl('b', 'b2');
  const c1 = wl('c', 'c1', { healthStatus: 'Failure' });
  const unknown = graphNode({ id: 'unknown', type: 'unknown', label: 'unknown', namespace: 'unknown' });
  return {
    nodes: [a1, a2, b1, b2, c1, unknown],
    edges: [
      http(a1, b1, 10, 0, { mtlsPct: 100 }),
      http(a2, b2, 30, 20, { mtlsPct: 0 }),
      http(a1, c1, 5),
      http(b1, b2, 7),
      http(b2, unknown, 2, 100),
    ],
    warnings: [],
  } as unknown as GraphResponse;
}

describe('aggregateElements', () => {
  it('collapses each namespace into one node, sums the edges between them and keeps unknown apart', () => {
    const view = aggregateElements(toElements(answer(), { boxNamespaces: false }), { expanded: new Set() });
    expect(view.nodes.map((n) => n.id).sort()).toEqual(
      [aggregateId('a'), aggregateId('b'), aggregateId('c'), 'unknown'].sort(),
    );
    const ab = view.edges.find((e) => e.source === aggregateId('a') && e.target === aggregateId('b'));
    expect(ab?.rate).toBe(40);
    // rate-weighted: (10 × 0 + 30 × 20) / 40
    expect(ab?.errPct).toBeCloseTo(15);
    expect(ab?.mtls).toBeCloseTo(25);
    expect(ab?.health).toBe('Failure');
    expect(ab?.rateLabel).toContain('15');
    // a's outbound http: 40 to b, 5 to c
    expect(ab?.pctReq).toBeCloseTo((40 / 45) * 100);
    // traffic inside b is b's own: no b → b edge
    expect(view.edges.some((e) => e.source === e.target)).toBe(false);
    expect(view.edges.map((e) => `${e.source}>${e.target}`).sort()).toEqual(
      [`agg:a>agg:b`, `agg:a>agg:c`, `agg:b>unknown`].sort(),
    );
  });

  it('gives a summed edge the worst health of its edges, whatever their order', () => {
    const a1 = wl('a', 'a1');
    const a2 = wl('a', 'a2');
    const a3 = wl('a', 'a3');
    const b1 = wl('b', 'b1');
    const edges = [
      http(a1, b1, 10, 0, { healthStatus: 'Degraded' }),
      http(a2, b1, 10, 50),
      http(a3, b1, 10, 0),
    ];
    for (const order of [edges, [...edges].reverse(), [edges[1], edges[2], edges[0]]]) {
      const graph = { nodes: [a1, a2, a3, b1], edges: order, warnings: [] } as unknown as GraphResponse;
      const view = aggregateElements(toElements(graph, { boxNamespaces: false }), { expanded: new Set() });
      expect(view.edges.map((e) => [e.id, e.health])).toEqual([['agg-edge:agg:a>agg:b:http', 'Failure']]);
    }
  });

  it('gives a group the worst health of its nodes, their count and their summed rates', () => {
    const view = aggregateElements(toElements(answer(), { boxNamespaces: false }), { expanded: new Set() });
    const b = view.nodes.find((n) => n.id === aggregateId('b'));
    expect(b).toMatchObject({
      nodeType: 'aggregate',
      group: 'b',
      members: 2,
      health: 'Degraded',
      label: 'b',
    });
    expect(b?.display).toBe('b\n2 nodes');
    expect(view.nodes.find((n) => n.id === aggregateId('c'))?.health).toBe('Failure');
    expect(view.nodes.find((n) => n.id === aggregateId('a'))?.isRoot).toBe(true);
    expect(view.members?.get(aggregateId('b'))?.map((n) => n.id)).toEqual([
      nodeId.workload('b', 'b1'),
      nodeId.workload('b', 'b2'),
    ]);
    expect(worstHealth(['NoTraffic', 'Healthy', 'NotReady'])).toBe('NotReady');
  });

  it('shows an expanded namespace with its real nodes in a box, edges to the others still summed', () => {
    const elements = toElements(answer(), { boxNamespaces: false });
    const view = aggregateElements(elements, { expanded: new Set(['b']) });
    const ids = view.nodes.map((n) => n.id);
    expect(ids).toContain(groupBoxId('b'));
    expect(ids).not.toContain(aggregateId('b'));
    // the box comes before its children (Cytoscape needs the parent first)
    expect(ids.indexOf(groupBoxId('b'))).toBeLessThan(ids.indexOf(nodeId.workload('b', 'b1')));
    expect(view.nodes.find((n) => n.id === nodeId.workload('b', 'b1'))?.parent).toBe(groupBoxId('b'));
    const targets = view.edges.filter((e) => e.source === aggregateId('a')).map((e) => [e.target, e.rate]);
    expect(targets.sort()).toEqual(
      [
        [aggregateId('c'), 5],
        [nodeId.workload('b', 'b1'), 10],
        [nodeId.workload('b', 'b2'), 30],
      ].sort(),
    );
    // an edge between two real nodes keeps its id, data and details
    const inside = edgeId(nodeId.workload('b', 'b1'), nodeId.workload('b', 'b2'), 'http');
    expect(view.edges.find((e) => e.id === inside)).toBe(elements.edges.find((e) => e.id === inside));
    expect(view.details.has(inside)).toBe(true);
  });

  it('groups by cluster and namespace when the graph spans several clusters', () => {
    const a = answer();
    a.nodes = a.nodes.map((n) =>
      n.namespace === 'a' ? { ...n, cluster: 'east' } : { ...n, cluster: 'west' },
    );
    const east = wl('b', 'b1', { cluster: 'east' });
    a.nodes.push({ ...east, id: 'wl:east:b/b1' });
    const keys = groupKeys(toElements(a, { boxNamespaces: false }).nodes);
    expect(keys.get('wl:east:b/b1')).toBe('east/b');
    expect(keys.get(nodeId.workload('b', 'b1'))).toBe('west/b');
    const view = aggregateElements(toElements(a, { boxNamespaces: false }), { expanded: new Set() });
    expect(view.nodes.find((n) => n.id === aggregateId('east/b'))?.label).toBe('b (east)');
    expect(view.nodes.find((n) => n.id === aggregateId('west/b'))?.members).toBe(2);
  });

  it('gives the same ids on every refresh, whatever the order of the answer', () => {
    const one = aggregateElements(toElements(answer(), { boxNamespaces: false }), {
      expanded: new Set(['a']),
    });
    const shuffled = answer();
    shuffled.nodes.reverse();
    shuffled.edges.reverse();
    const two = aggregateElements(toElements(shuffled, { boxNamespaces: false }), {
      expanded: new Set(['a']),
    });
    const ids = (g: typeof one) => [...g.nodes, ...g.edges].map((x) => x.id).sort();
    expect(ids(two)).toEqual(ids(one));
  });
});
