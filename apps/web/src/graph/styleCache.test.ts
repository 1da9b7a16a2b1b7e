import cytoscape from 'cytoscape';
import type { Core } from 'cytoscape';
import { describe, expect, it } from 'vitest';
import { batchStyleCacheDirtying } from './styleCache';
import { buildStylesheet, LIGHT_PALETTE } from './stylesheet';

type Proto = { dirtyStyleCache(this: unknown): unknown };

const newCy = () =>
  cytoscape({
    headless: true,
    styleEnabled: true,
    style: [
      ...buildStylesheet(LIGHT_PALETTE, { edgeLabels: 'rate', security: false, large: false }),
      { selector: '.gone', style: { display: 'none' } },
    ],
  });

/** A namespace box with `n` services calling each other in a ring, beside one outside node. */
function addBox(cy: Core, n: number): void {
  cy.add([
    { data: { id: 'box:ns', nodeType: 'box', group: 'ns' } },
    { data: { id: 'out', nodeType: 'service', health: 'Healthy' } },
  ]);
  for (let i = 0; i < n; i++)
    cy.add({ data: { id: `s${i}`, parent: 'box:ns', nodeType: 'service', health: 'Healthy' } });
  for (let i = 0; i < n; i++)
    cy.add({
      data: { id: `e${i}`, source: `s${i}`, target: `s${(i + 1) % n}`, health: 'Healthy', width: 1, rate: i },
    });
  cy.add({ data: { id: 'eout', source: 'out', target: 's0', health: 'Healthy', width: 1, rate: 1 } });
}

describe('batchStyleCacheDirtying', () => {
  // The counter wraps Cytoscape's own method before the patch does, so it counts the real clearings.
  const proto = Object.getPrototypeOf(newCy().collection()) as Proto;
  const original = proto.dirtyStyleCache;
  let clearings = 0;
  proto.dirtyStyleCache = function (this: unknown) {
    clearings++;
    return original.call(this);
  };

  const styleAll = (cy: Core) => cy.elements().forEach((ele) => void ele.style('label'));

  it('clears the style cache once per element styled, not once per property', () => {
    const plain = newCy();
    addBox(plain, 50);
    clearings = 0;
    styleAll(plain);
    const unbatched = clearings;
    // ~25 properties an element: Cytoscape alone clears many times per element
    expect(unbatched).toBeGreaterThan(plain.elements().length * 5);

    const cy = newCy();
    expect(batchStyleCacheDirtying(cy)).toBe(true);
    addBox(cy, 50);
    clearings = 0;
    styleAll(cy);
    expect(clearings).toBeLessThanOrEqual(cy.elements().length);
    // the computed style is the same
    for (const id of ['box:ns', 's3', 'e3', 'eout'])
      for (const name of ['label', 'width', 'line-color', 'display', 'z-index'])
        expect(cy.getElementById(id).style(name)).toEqual(plain.getElementById(id).style(name));
  });

  it('leaves derived state right: visibility of a hidden child, its edges and its box follows', () => {
    const cy = newCy();
    batchStyleCacheDirtying(cy);
    addBox(cy, 3);
    styleAll(cy);
    const [child, edge, inbound] = ['s0', 'e0', 'eout'].map((id) => cy.getElementById(id));
    // read once so the cached answers exist, then change the style under them
    expect([child!.visible(), edge!.visible(), inbound!.visible()]).toEqual([true, true, true]);
    // (Cytoscape's visible() reads its cache before the style: the style is computed first, as the
    // renderer does before each frame)
    child!.addClass('gone');
    styleAll(cy);
    expect(child!.visible()).toBe(false);
    // an edge is drawn only when both ends are: its cached answer was cleared with the node's
    expect(edge!.visible()).toBe(false);
    expect(inbound!.visible()).toBe(false);
    child!.removeClass('gone');
    styleAll(cy);
    expect([child!.visible(), edge!.visible(), inbound!.visible()]).toEqual([true, true, true]);
    // a whole box hidden: its children's cached answers go too
    const box = cy.getElementById('box:ns');
    expect(cy.getElementById('s2').visible()).toBe(true);
    box.addClass('gone');
    styleAll(cy);
    expect(cy.getElementById('s2').visible()).toBe(false);
  });

  it('is applied once, and is a no-op on a Cytoscape without the methods', () => {
    const cy = newCy();
    expect(batchStyleCacheDirtying(cy)).toBe(true);
    const patched = proto.dirtyStyleCache;
    expect(batchStyleCacheDirtying(newCy())).toBe(true);
    expect(proto.dirtyStyleCache).toBe(patched);
    const bare = { style: () => Object.create({}), collection: () => Object.create({}) } as unknown as Core;
    expect(batchStyleCacheDirtying(bare)).toBe(false);
  });
});
