import cytoscape from 'cytoscape';
import { describe, expect, it, vi } from 'vitest';
import {
  AGGREGATE_FIT_PADDING,
  chooseLayout,
  fitPadding,
  placeInChunks,
  runLayout,
  spreadOut,
} from './layout';
import { radialPlacement } from './workerLayout';

describe('layout choice and placement', () => {
  it('uses dagre on small graphs and fcose on large ones, unless the user chose', () => {
    expect(chooseLayout('auto', 12)).toBe('dagre');
    expect(chooseLayout('auto', 1000)).toBe('fcose');
    // few nodes, but dense (an aggregate view of namespaces that all call each other)
    expect(chooseLayout('auto', 100, 300)).toBe('dagre');
    expect(chooseLayout('auto', 100, 3000)).toBe('fcose');
    expect(chooseLayout('auto', 200, 600)).toBe('fcose');
    expect(chooseLayout('grid', 12)).toBe('grid');
    // namespace boxes: dagre only on a few dozen nodes (it fails on more, after seconds)
    expect(chooseLayout('auto', 40, 120, 4)).toBe('dagre');
    expect(chooseLayout('auto', 100, 300, 10)).toBe('fcose');
    expect(chooseLayout('dagre', 100, 300, 10)).toBe('dagre');
    // the aggregate view of many namespaces: a grid (dagre drew one long line), unless the user chose
    expect(chooseLayout('auto', 101, 199, 0, 101)).toBe('grid');
    expect(chooseLayout('auto', 12, 20, 0, 12)).toBe('dagre');
    // a few namespaces that all call each other: a circle (dagre drew a tall tangle of curves)
    expect(chooseLayout('auto', 13, 278, 0, 12)).toBe('circle');
    // ... but not once a namespace is expanded (its box), nor a dense graph of real nodes
    expect(chooseLayout('auto', 62, 278, 1, 11)).toBe('fcose');
    expect(chooseLayout('auto', 13, 278)).toBe('dagre');
    expect(chooseLayout('dagre', 13, 278, 0, 12)).toBe('dagre');
    expect(chooseLayout('fcose', 101, 199, 0, 101)).toBe('fcose');
  });

  it('lays the aggregate view of 100 namespaces out as a grid in name order, roughly as wide as high', async () => {
    const cy = cytoscape({ headless: true, styleEnabled: true });
    cy.add(
      Array.from({ length: 100 }, (_, i) => ({
        data: { id: `agg:team-${String(i).padStart(3, '0')}`, nodeType: 'aggregate' },
      })),
    );
    // each namespace calls the next: dagre would rank them in one line of 100
    cy.add(
      Array.from({ length: 99 }, (_, i) => ({
        data: { id: `e${i}`, source: cy.nodes()[i]?.id(), target: cy.nodes()[i + 1]?.id() },
      })),
    );
    const run = await runLayout(cy, 'auto');
    expect(run.layout).toBe('grid');
    const bb = cy.nodes().boundingBox({});
    expect(bb.w / bb.h).toBeGreaterThan(0.3);
    expect(bb.w / bb.h).toBeLessThan(3);
    const p = (i: number) => cy.nodes()[i]?.position() as { x: number; y: number };
    // reading order: the second namespace right of the first, in the same row
    expect(p(1).x).toBeGreaterThan(p(0).x);
    expect(p(1).y).toBe(p(0).y);
  });

  it('lays a dense aggregate view of a few namespaces on a circle in name order, clear of the controls', async () => {
    const cy = cytoscape({ headless: true, styleEnabled: true });
    const layout = vi.spyOn(cy, 'layout');
    const ids = Array.from({ length: 12 }, (_, i) => `agg:ns-${String(i).padStart(2, '0')}`);
    // added out of name order (every fifth): the circle sorts them
    cy.add(ids.map((_, i) => ({ data: { id: ids[(i * 5) % 12]!, nodeType: 'aggregate' } })));
    cy.add(
      ids.flatMap((a, i) =>
        ids.filter((b) => b !== a).map((b, j) => ({ data: { id: `e${i}-${j}`, source: a, target: b } })),
      ),
    );
    const run = await runLayout(cy, 'auto');
    expect(run.layout).toBe('circle');
    const centre = { x: 0, y: 0 };
    const ps = ids.map((id) => cy.getElementById(id).position());
    for (const p of ps) {
      centre.x += p.x / ps.length;
      centre.y += p.y / ps.length;
    }
    const radii = ps.map((p) => Math.hypot(p.x - centre.x, p.y - centre.y));
    expect(Math.max(...radii) - Math.min(...radii)).toBeLessThan(1);
    // name order around the circle: each next namespace a twelfth of a turn on, the same way round
    const angle = (p: { x: number; y: number }) => Math.atan2(p.y - centre.y, p.x - centre.x);
    const turns = ps.map((p, i) => {
      const d = angle(ps[(i + 1) % ps.length]!) - angle(p);
      return Math.round(((d + 2 * Math.PI) % (2 * Math.PI)) / ((2 * Math.PI) / 12));
    });
    expect(new Set(turns)).toEqual(new Set([turns[0]]));
    expect([1, 11]).toContain(turns[0]);
    // fitted with room for the aggregate bar over the top of the graph
    expect(layout.mock.calls[0]?.[0]).toMatchObject({
      name: 'circle',
      fit: true,
      padding: AGGREGATE_FIT_PADDING,
    });
    expect(fitPadding(cy)).toBe(AGGREGATE_FIT_PADDING);
    cy.nodes().data('nodeType', 'service');
    expect(fitPadding(cy)).toBeLessThan(AGGREGATE_FIT_PADDING);
  });

  it('lays out a boxed graph of 100 nodes with fcose at once, without a failed dagre first', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const cy = cytoscape({ headless: true, styleEnabled: true });
    const n = 100;
    cy.add(Array.from({ length: 10 }, (_, b) => ({ data: { id: `box${b}`, nodeType: 'box' } })));
    cy.add(Array.from({ length: n }, (_, i) => ({ data: { id: `n${i}`, parent: `box${i % 10}` } })));
    cy.add(
      Array.from({ length: n * 3 }, (_, k) => ({
        data: { id: `e${k}`, source: `n${k % n}`, target: `n${(k * 7 + 13) % n}` },
      })).filter((e) => e.data.source !== e.data.target),
    );
    const run = await runLayout(cy, 'auto');
    expect(run.layout).toBe('fcose');
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it('lays a circle chosen by hand on a boxed graph out as one circle per box, boxes apart', async () => {
    const cy = cytoscape({ headless: true, styleEnabled: true });
    cy.add([1, 2, 3, 4].map((b) => ({ data: { id: `box:ns-${b}`, nodeType: 'box' } })));
    // ids sort by kind first, so one circle of the whole graph interleaves the namespaces
    for (const b of [1, 2, 3, 4])
      for (const kind of ['app', 'svc', 'wl'])
        for (const name of ['a', 'b'])
          cy.add({ data: { id: `${kind}:ns-${b}/${name}`, parent: `box:ns-${b}` } });
    cy.add([{ data: { id: 'unknown' } }, { data: { id: 'istio-ingressgateway' } }]);
    cy.add({ data: { id: 'e1', source: 'unknown', target: 'svc:ns-1/a' } });
    const run = await runLayout(cy, 'circle');
    expect(run.layout).toBe('circle');
    const boxes = cy.nodes('[nodeType = "box"]').map((b) => b.boundingBox({}));
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i]!, boxes[j]!];
        const apart = a.x2 < b.x1 || b.x2 < a.x1 || a.y2 < b.y1 || b.y2 < a.y1;
        expect(apart, `boxes ${i} and ${j} overlap`).toBe(true);
      }
    // each box's nodes on a circle: all as far from their centre
    const leaves = cy.getElementById('box:ns-2').children();
    const cx = leaves.reduce((t, n) => t + n.position().x, 0) / leaves.length;
    const cyy = leaves.reduce((t, n) => t + n.position().y, 0) / leaves.length;
    const r = leaves.map((n) => Math.hypot(n.position().x - cx, n.position().y - cyy));
    for (const d of r) expect(d).toBeCloseTo(r[0]!, 5);
    expect(r[0]).toBeGreaterThan(30);
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

  it('moves nodes to given places a chunk at a time, and stops when a newer layout started', async () => {
    const cy = cytoscape({ headless: true, styleEnabled: false });
    cy.add(Array.from({ length: 10 }, (_, i) => ({ data: { id: `n${i}` }, position: { x: 0, y: 0 } })));
    const nodes = cy.nodes();
    const xs = Float64Array.from({ length: 10 }, (_, i) => i * 10);
    const ys = Float64Array.from({ length: 10 }, (_, i) => -i);
    const moved: number[] = [];
    const done = await placeInChunks(cy, nodes, xs, ys, {
      chunk: 3,
      pause: () => {
        moved.push(nodes.filter((n) => n.position().x !== 0 || n.position().y !== 0).length);
        return Promise.resolve();
      },
    });
    expect(done).toBe(true);
    // n0 sits at (0, 0) where it started: 2, 5 and 8 moved at the three pauses
    expect(moved).toEqual([2, 5, 8]);
    expect(nodes.map((n) => n.position())).toEqual(
      Array.from({ length: 10 }, (_, i) => ({ x: i * 10, y: -i })),
    );
    const stale = cytoscape({ headless: true, styleEnabled: false });
    stale.add(Array.from({ length: 10 }, (_, i) => ({ data: { id: `n${i}` }, position: { x: 0, y: 0 } })));
    let current = true;
    const stopped = await placeInChunks(stale, stale.nodes(), xs, ys, {
      chunk: 4,
      isCurrent: () => current,
      pause: () => Promise.resolve(void (current = false)),
    });
    expect(stopped).toBe(false);
    expect(stale.getElementById('n9').position()).toEqual({ x: 0, y: 0 });
  });
});
