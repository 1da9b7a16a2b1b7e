import cytoscape from 'cytoscape';
import { describe, expect, it } from 'vitest';
import { chooseLayout, spreadOut } from './layout';
import { radialPlacement } from './workerLayout';

describe('layout choice and placement', () => {
  it('uses dagre on small graphs and fcose on large ones, unless the user chose', () => {
    expect(chooseLayout('auto', 12)).toBe('dagre');
    expect(chooseLayout('auto', 1000)).toBe('fcose');
    // few nodes, but dense (an aggregate view of namespaces that all call each other)
    expect(chooseLayout('auto', 100, 300)).toBe('dagre');
    expect(chooseLayout('auto', 100, 3000)).toBe('fcose');
    expect(chooseLayout('grid', 12)).toBe('grid');
  });

  it('spreads nodes packed on top of each other, and leaves a spread graph alone', () => {
    const cy = cytoscape({ headless: true, styleEnabled: false });
    cy.add(
      Array.from({ length: 50 }, (_, i) => ({
        data: { id: `n${i}` },
        position: { x: (i % 10) * 5, y: Math.floor(i / 10) * 5 },
      })),
    );
    expect(spreadOut(cy)).toBe(true);
    const a = cy.getElementById('n0').position();
    const b = cy.getElementById('n1').position();
    expect(Math.hypot(a.x - b.x, a.y - b.y)).toBeCloseTo(20, 5); // capped at 4× the 5 px spacing
    const wide = cytoscape({ headless: true, styleEnabled: false });
    wide.add(
      Array.from({ length: 10 }, (_, i) => ({ data: { id: `n${i}` }, position: { x: i * 100, y: 0 } })),
    );
    expect(spreadOut(wide)).toBe(false);
  });

  it('places roots in the centre and callees on rings by distance', () => {
    const cy = cytoscape({ headless: true, styleEnabled: false });
    cy.add([
      { data: { id: 'gw', isRoot: true } },
      { data: { id: 'a' } },
      { data: { id: 'b' } },
      { data: { id: 'c' } },
      { data: { id: 'gw>a', source: 'gw', target: 'a' } },
      { data: { id: 'gw>b', source: 'gw', target: 'b' } },
      { data: { id: 'a>c', source: 'a', target: 'c' } },
    ]);
    radialPlacement(cy);
    const r = (id: string) =>
      Math.hypot(cy.getElementById(id).position().x, cy.getElementById(id).position().y);
    expect(r('gw')).toBe(0);
    expect(r('a')).toBeCloseTo(r('b'), 5);
    expect(r('c')).toBeGreaterThan(r('a'));
  });
});
