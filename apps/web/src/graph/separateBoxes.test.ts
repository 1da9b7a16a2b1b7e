import cytoscape from 'cytoscape';
import { describe, expect, it } from 'vitest';
import { separateBoxes } from './layout';

type BB = { x1: number; y1: number; x2: number; y2: number };
const overlap = (a: BB, b: BB) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;

/** Two cluster boxes, each around a namespace box, the second laid over the first (as dagre left them). */
function clusters() {
  const cy = cytoscape({ headless: true, styleEnabled: true });
  cy.add([
    { data: { id: 'box:cluster:east' } },
    { data: { id: 'box:cluster:west' } },
    { data: { id: 'box:ns:bookinfo@east', parent: 'box:cluster:east' } },
    { data: { id: 'box:ns:bookinfo@west', parent: 'box:cluster:west' } },
    ...[0, 1, 2, 3].map((i) => ({
      data: { id: `e${i}`, parent: 'box:ns:bookinfo@east' },
      position: { x: i * 100, y: i * 60 },
    })),
    ...[0, 1, 2].map((i) => ({
      data: { id: `w${i}`, parent: 'box:ns:bookinfo@west' },
      position: { x: 150 + i * 100, y: 40 },
    })),
    { data: { id: 'unknown' }, position: { x: -200, y: 0 } },
  ]);
  return cy;
}

describe('separateBoxes', () => {
  it('moves overlapping top-level boxes apart, their nested boxes and nodes with them', () => {
    const cy = clusters();
    const east = cy.getElementById('box:cluster:east');
    const west = cy.getElementById('box:cluster:west');
    expect(overlap(east.boundingBox({}), west.boundingBox({}))).toBe(true);
    const w0 = { ...cy.getElementById('w0').position() };
    const w1 = { ...cy.getElementById('w1').position() };
    expect(separateBoxes(cy)).toBe(true);
    expect(overlap(east.boundingBox({}), west.boundingBox({}))).toBe(false);
    // West moved as a whole: its nodes keep their places relative to each other.
    const m0 = cy.getElementById('w0').position();
    const m1 = cy.getElementById('w1').position();
    expect(m1.x - m0.x).toBeCloseTo(w1.x - w0.x, 6);
    expect(m1.y - m0.y).toBeCloseTo(w1.y - w0.y, 6);
    // A node in no box stays put; a second pass has nothing to move.
    expect(cy.getElementById('unknown').position()).toEqual({ x: -200, y: 0 });
    expect(separateBoxes(cy)).toBe(false);
  });

  it('leaves one level of boxes (namespace boxes of one cluster) as the layout placed them', () => {
    const cy = cytoscape({ headless: true, styleEnabled: true });
    cy.add([
      { data: { id: 'box:ns:a' } },
      { data: { id: 'box:ns:b' } },
      { data: { id: 'a1', parent: 'box:ns:a' }, position: { x: 0, y: 0 } },
      { data: { id: 'a2', parent: 'box:ns:a' }, position: { x: 200, y: 100 } },
      { data: { id: 'b1', parent: 'box:ns:b' }, position: { x: 100, y: 50 } },
    ]);
    expect(separateBoxes(cy)).toBe(false);
    expect(cy.getElementById('b1').position()).toEqual({ x: 100, y: 50 });
  });

  it('leaves a single box, and boxes apart, alone', () => {
    const cy = clusters();
    cy.getElementById('box:cluster:west')
      .descendants()
      .forEach((n) => {
        if (n.isChildless()) n.position({ x: n.position().x + 2000, y: n.position().y });
      });
    expect(separateBoxes(cy)).toBe(false);
    cy.remove(
      cy.getElementById('box:cluster:west').descendants().union(cy.getElementById('box:cluster:west')),
    );
    expect(separateBoxes(cy)).toBe(false);
  });
});
