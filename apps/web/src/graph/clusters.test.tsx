/** Graphs over several clusters: cluster boxes around per-cluster namespace boxes, and the side panel's cluster. */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { Router } from 'wouter';
import { graphNode, nodeId, type GraphNode, type GraphResponse } from '@meshlens/contract';
import { gEdge } from './testdata/bookinfo';
import cytoscape from 'cytoscape';
import { clustersOf, toElements } from './toElements';
import { applyHighlight } from './highlight';
import { compileFind } from './find/evaluate';
import { syncElements } from './sync';
import { SidePanel } from '../pages/graph/SidePanel';

const at = (id: string, cluster: string) => nodeId.inCluster(id, cluster);
const node = (
  id: string,
  cluster: string,
  f: Partial<GraphNode> & Pick<GraphNode, 'type' | 'label' | 'namespace'>,
) => graphNode({ id: at(id, cluster), cluster, ...f });

const nodes: GraphNode[] = [
  node(nodeId.workload('istio-system', 'istio-ingressgateway'), 'east', {
    type: 'workload',
    label: 'istio-ingressgateway',
    namespace: 'istio-system',
  }),
  node(nodeId.workload('bookinfo', 'productpage-v1'), 'east', {
    type: 'workload',
    label: 'productpage-v1',
    namespace: 'bookinfo',
  }),
  node(nodeId.service('bookinfo', 'reviews'), 'east', {
    type: 'service',
    label: 'reviews',
    namespace: 'bookinfo',
    service: 'reviews',
  }),
  node(nodeId.service('bookinfo', 'reviews'), 'west', {
    type: 'service',
    label: 'reviews',
    namespace: 'bookinfo',
    service: 'reviews',
  }),
  node(nodeId.workload('bookinfo', 'reviews-v3'), 'west', {
    type: 'workload',
    label: 'reviews-v3',
    namespace: 'bookinfo',
  }),
  graphNode({
    id: nodeId.unknown(),
    type: 'unknown',
    label: 'unknown',
    namespace: 'unknown',
    cluster: 'unknown',
  }),
];
const answer: GraphResponse = {
  timestamp: 1_800_000_000,
  duration: 60,
  graphType: 'workload',
  namespaces: ['bookinfo'],
  responseTime: 'p95',
  nodes,
  edges: [gEdge(nodes[1]!.id, nodes[3]!.id, {}), gEdge(nodes[3]!.id, nodes[4]!.id, {})],
  warnings: [],
};

describe('graphs over several clusters', () => {
  it('boxes each cluster around its own namespace boxes; the same namespace in two clusters is two boxes', () => {
    expect(clustersOf(answer)).toEqual(['east', 'west']);
    const { nodes: els } = toElements(answer, { boxNamespaces: true });
    const parent = new Map(els.map((n) => [n.id, n.parent]));
    const boxes = els.filter((n) => n.nodeType === 'box');
    expect(boxes.map((b) => [b.id, b.label, b.parent ?? null])).toEqual([
      ['box:cluster:east', 'cluster east', null],
      ['box:cluster:west', 'cluster west', null],
      ['box:ns:bookinfo@east', 'bookinfo', 'box:cluster:east'],
      ['box:ns:bookinfo@west', 'bookinfo', 'box:cluster:west'],
      ['box:ns:istio-system@east', 'istio-system', 'box:cluster:east'],
    ]);
    expect(parent.get('svc:bookinfo/reviews@east')).toBe('box:ns:bookinfo@east');
    expect(parent.get('svc:bookinfo/reviews@west')).toBe('box:ns:bookinfo@west');
    expect(parent.get('wl:istio-system/istio-ingressgateway@east')).toBe('box:ns:istio-system@east');
    // `unknown` belongs to no cluster or namespace: never boxed.
    expect(parent.get('unknown')).toBeUndefined();
    // Parents come before their children (Cytoscape adds them in order).
    const index = new Map(els.map((n, i) => [n.id, i]));
    for (const n of els) if (n.parent) expect(index.get(n.parent)!).toBeLessThan(index.get(n.id)!);
    // Boxes off: no boxes at all.
    expect(toElements(answer, { boxNamespaces: false }).nodes.some((n) => n.nodeType === 'box')).toBe(false);
  });

  it('hiding every node of a cluster hides its namespace boxes and its cluster box', () => {
    const cy = cytoscape({ headless: true, styleEnabled: false });
    syncElements(cy, toElements(answer, { boxNamespaces: true }));
    const compiled = compileFind('ns = bookinfo');
    if (!compiled.ok) throw new Error(compiled.message);
    applyHighlight(cy, { find: null, hide: compiled.find, focus: '' });
    const hiddenBoxes = cy.$('node.hidden[nodeType = "box"]').map((b) => b.id());
    // west holds only bookinfo; east still shows istio-system
    expect(hiddenBoxes.sort()).toEqual(['box:cluster:west', 'box:ns:bookinfo@east', 'box:ns:bookinfo@west']);
  });

  it('one cluster: namespace boxes only, with their plain ids', () => {
    const one = {
      ...answer,
      nodes: answer.nodes.map((n) => ({ ...n, cluster: n.type === 'unknown' ? n.cluster : 'east' })),
    };
    const boxes = toElements(one, { boxNamespaces: true }).nodes.filter((n) => n.nodeType === 'box');
    expect(boxes.map((b) => [b.id, b.parent ?? null])).toEqual([
      ['box:ns:bookinfo', null],
      ['box:ns:istio-system', null],
    ]);
  });

  it("the side panel names a node's cluster when the graph spans several, and not otherwise", () => {
    const render = (a: GraphResponse, selected: string) =>
      renderToStaticMarkup(
        <QueryClientProvider client={new QueryClient()}>
          <Router ssrPath="/graph">
            <SidePanel
              answer={a}
              nodes={new Map(a.nodes.map((n) => [n.id, n]))}
              edges={new Map(a.edges.map((e) => [e.id, e]))}
              selected={selected}
              history={() => undefined}
              onSelect={() => undefined}
              globalSearch=""
            />
          </Router>
        </QueryClientProvider>,
      );
    expect(render(answer, 'svc:bookinfo/reviews@west')).toMatch(/data-testid="panel-cluster">cluster west</);
    expect(render(answer, 'svc:bookinfo/reviews@east')).toMatch(/data-testid="panel-cluster">cluster east</);
    const one = { ...answer, nodes: answer.nodes.map((n) => ({ ...n, cluster: 'east' })) };
    expect(render(one, 'svc:bookinfo/reviews@east')).not.toContain('panel-cluster');
  });
});
