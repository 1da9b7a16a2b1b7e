import { describe, expect, it } from 'vitest';
import type { GraphNode } from '@meshlens/contract';
import { missingMesh } from './graph';

const node = (id: string, namespace: string, type: GraphNode['type'] = 'service') =>
  ({ id, namespace, type }) as GraphNode;

describe('missingMesh', () => {
  const namespaces = ['ns-00', 'ns-01'];
  const whole = [
    node('box:ns-00', 'ns-00', 'box'),
    ...['a', 'b'].map((s) => node(`svc:ns-00/${s}`, 'ns-00')),
    ...['c', 'd'].map((s) => node(`svc:ns-01/${s}`, 'ns-01')),
  ];

  it('accepts a graph with a node per service in every namespace asked', () => {
    expect(missingMesh({ nodes: whole }, 4, namespaces)).toBeNull();
  });

  it('refuses an empty graph, as Prometheus returns one when it could not scrape the mesh', () => {
    expect(missingMesh({ nodes: [] }, 4, namespaces)).toBe(
      'the graph has 0 nodes, fewer than the 4 services of the mesh',
    );
  });

  it('does not count boxes as nodes', () => {
    expect(missingMesh({ nodes: whole.slice(0, 4) }, 4, namespaces)).toMatch(/has 3 nodes/);
  });

  it('refuses a graph that lacks a namespace asked, whatever its other nodes', () => {
    const partial = [...whole.filter((n) => n.namespace === 'ns-00'), node('unknown', 'unknown', 'unknown')];
    partial.push(node('svc:istio-system/x', 'istio-system'));
    expect(missingMesh({ nodes: partial }, 4, namespaces)).toBe(
      'the graph lacks 1 of the 2 namespaces asked (ns-01)',
    );
  });
});
