import cytoscape from 'cytoscape';
import { describe, expect, it } from 'vitest';
import { buildStylesheet, LIGHT_PALETTE } from './stylesheet';

describe('graph stylesheet', () => {
  it("draws the aggregate view's summed edges straight, the worst of a pair on top", () => {
    const cy = cytoscape({
      headless: true,
      styleEnabled: true,
      style: buildStylesheet(LIGHT_PALETTE, { edgeLabels: 'none', security: false, large: false }),
    });
    cy.add([
      { data: { id: 'agg:a', nodeType: 'aggregate', members: 10 } },
      { data: { id: 'agg:b', nodeType: 'aggregate', members: 10 } },
      { data: { id: 'svc:x', nodeType: 'service' } },
      { data: { id: 'svc:y', nodeType: 'service' } },
    ]);
    const edge = (id: string, source: string, target: string, protocol: string, health: string) => ({
      data: { id, source, target, protocol, health, width: 2 },
    });
    cy.add([
      edge('agg-edge:agg:a>agg:b:http', 'agg:a', 'agg:b', 'http', 'Healthy'),
      edge('agg-edge:agg:a>agg:b:grpc', 'agg:a', 'agg:b', 'grpc', 'Failure'),
      edge('agg-edge:agg:a>agg:b:tcp', 'agg:a', 'agg:b', 'tcp', 'Degraded'),
      edge('e1', 'svc:x', 'svc:y', 'http', 'Healthy'),
      edge('e2', 'svc:x', 'svc:y', 'grpc', 'Healthy'),
    ]);
    const style = (id: string, name: string) => cy.getElementById(id).style(name) as string;
    // the three edges of a pair lie on one line instead of fanning out
    for (const p of ['http', 'grpc', 'tcp'])
      expect(style(`agg-edge:agg:a>agg:b:${p}`, 'curve-style')).toBe('straight');
    const z = (p: string) => Number(style(`agg-edge:agg:a>agg:b:${p}`, 'z-index'));
    expect(z('grpc')).toBeGreaterThan(z('tcp'));
    expect(z('tcp')).toBeGreaterThan(z('http'));
    // edges between real nodes still fan out (each can be told apart and clicked)
    expect(style('e1', 'curve-style')).toBe('bezier');
  });
});
