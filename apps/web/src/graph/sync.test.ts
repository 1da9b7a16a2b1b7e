import cytoscape from 'cytoscape';
import { describe, expect, it } from 'vitest';
import { applyHighlight } from './highlight';
import { compileFind } from './find/evaluate';
import { nextChunkSize, SYNC_CHUNK, SYNC_CHUNK_MS, syncElements, syncElementsChunked } from './sync';
import type { EdgeData, NodeData } from './model';
import { aggregateElements, aggregateId } from './aggregate';
import { bookinfoAnswer } from './testdata/bookinfo';
import { toElements } from './toElements';
import { pathMatcher } from '../tracing/path';

const find = (expr: string) => {
  const r = compileFind(expr);
  if (!r.ok) throw new Error(r.message);
  return r.find;
};

describe('syncElements on one long-lived cy', () => {
  it('adds once, then patches data in place and keeps positions', () => {
    const cy = cytoscape({ headless: true, styleEnabled: false });
    const first = syncElements(cy, toElements(bookinfoAnswer, { boxNamespaces: false }));
    expect(first).toMatchObject({ added: 11, removed: 0, nodeSetChanged: true });
    const reviews = cy.getElementById('vapp:bookinfo/reviews/v1');
    reviews.position({ x: 123, y: 45 });

    const next = structuredClone(bookinfoAnswer);
    const edge = next.edges.find((e) => e.target === 'vapp:bookinfo/reviews/v1');
    if (edge) edge.rps = 42;
    const second = syncElements(cy, toElements(next, { boxNamespaces: false }));
    expect(second).toMatchObject({ added: 0, removed: 0, updated: 1, nodeSetChanged: false });
    expect(cy.getElementById('vapp:bookinfo/reviews/v1')).toBe(reviews);
    expect(reviews.position()).toEqual({ x: 123, y: 45 });
    expect(cy.getElementById(edge?.id ?? '').data('rate')).toBe(42);

    // unchanged answer: nothing to do (NaN fields compare equal)
    expect(syncElements(cy, toElements(next, { boxNamespaces: false }))).toMatchObject({
      updated: 0,
      added: 0,
    });
  });

  it('removes what is gone and moves nodes into boxes', () => {
    const cy = cytoscape({ headless: true, styleEnabled: false });
    syncElements(cy, toElements(bookinfoAnswer, { boxNamespaces: false }));
    const boxed = syncElements(cy, toElements(bookinfoAnswer, { boxNamespaces: true }));
    expect(boxed.nodeSetChanged).toBe(true);
    expect(cy.getElementById('vapp:bookinfo/reviews/v2').parent().first().id()).toBe('box:ns:bookinfo');

    const smaller = { ...bookinfoAnswer, nodes: bookinfoAnswer.nodes.filter((n) => n.id !== 'unknown') };
    const result = syncElements(cy, toElements(smaller, { boxNamespaces: true }));
    expect(result.removed).toBe(2); // the node and its edge
    expect(cy.getElementById('unknown').empty()).toBe(true);
  });

  it('applies find, hide and focus as classes', () => {
    const cy = cytoscape({ headless: true, styleEnabled: false });
    syncElements(cy, toElements(bookinfoAnswer, { boxNamespaces: true }));
    const r = applyHighlight(cy, {
      find: find('%httperr > 5 OR !healthy'),
      hide: find('node = unknown'),
      focus: '',
    });
    expect(cy.$('.find').map((e) => e.id())).toEqual([
      'vapp:bookinfo/reviews/v2',
      'svc:bookinfo/reviews>vapp:bookinfo/reviews/v2:http',
    ]);
    expect(r.found).toBe(2);
    expect(cy.getElementById('unknown').hasClass('hidden')).toBe(true);
    expect(cy.getElementById('unknown>vapp:bookinfo/productpage/v1:tcp').hasClass('hidden')).toBe(true);

    applyHighlight(cy, { find: null, hide: null, focus: 'svc:bookinfo/reviews' });
    expect(cy.$('.find').length).toBe(0);
    expect(cy.getElementById('vapp:bookinfo/reviews/v1').hasClass('dim')).toBe(false);
    expect(cy.getElementById('wl:istio-system/istio-ingressgateway').hasClass('dim')).toBe(true);
  });

  it('changes the classes only of elements whose state changes (each change restyles the element)', () => {
    const cy = cytoscape({ headless: true, styleEnabled: false });
    syncElements(cy, toElements(bookinfoAnswer, { boxNamespaces: true }));
    const touched: string[] = [];
    cy.on('class', (e) => void touched.push(e.target.id() as string));
    const state = { find: find('%httperr > 5 OR !healthy'), hide: find('node = unknown'), focus: '' };
    applyHighlight(cy, state);
    // the two found, the hidden node with its edge
    expect(touched.sort()).toEqual(
      [
        'vapp:bookinfo/reviews/v2',
        'svc:bookinfo/reviews>vapp:bookinfo/reviews/v2:http',
        'unknown',
        'unknown>vapp:bookinfo/productpage/v1:tcp',
      ].sort(),
    );
    // the same state again (a refresh, an expansion): nothing is touched
    touched.length = 0;
    expect(applyHighlight(cy, state)).toEqual({ found: 2, hidden: 2 });
    expect(touched).toEqual([]);
    // a focus: only the dimmed elements change, plus what find and hide let go
    applyHighlight(cy, { find: null, hide: null, focus: 'svc:bookinfo/reviews' });
    const dimmed = cy.$('.dim').map((e) => e.id());
    expect([...new Set(touched)].sort()).toEqual(
      [
        ...new Set([
          ...dimmed,
          'vapp:bookinfo/reviews/v2',
          'svc:bookinfo/reviews>vapp:bookinfo/reviews/v2:http',
          'unknown',
          'unknown>vapp:bookinfo/productpage/v1:tcp',
        ]),
      ].sort(),
    );
    expect(dimmed.length).toBeLessThan(cy.elements().length);
  });

  it("marks a trace's path: its nodes and the edges of its calls, the rest dimmed", () => {
    const cy = cytoscape({ headless: true, styleEnabled: false });
    syncElements(cy, toElements(bookinfoAnswer, { boxNamespaces: true }));
    const stop = (app: string, version?: string, namespace = 'bookinfo') => ({
      app,
      namespace,
      ...(version ? { version } : {}),
    });
    const path = pathMatcher({
      stops: [
        stop('istio-ingressgateway', undefined, 'istio-system'),
        stop('productpage', 'v1'),
        stop('reviews', 'v2'),
      ],
      hops: [
        { from: stop('istio-ingressgateway', undefined, 'istio-system'), to: stop('productpage', 'v1') },
        { from: stop('productpage', 'v1'), to: stop('reviews', 'v2') },
      ],
    });
    const r = applyHighlight(cy, { find: null, hide: null, focus: '', path });
    const marked = cy.$('.find').map((e) => e.id());
    expect(marked).toEqual(
      expect.arrayContaining([
        'wl:istio-system/istio-ingressgateway',
        'vapp:bookinfo/productpage/v1',
        'svc:bookinfo/reviews',
        'vapp:bookinfo/reviews/v2',
        'svc:bookinfo/reviews>vapp:bookinfo/reviews/v2:http',
      ]),
    );
    expect(marked).not.toContain('vapp:bookinfo/reviews/v1');
    expect(marked).not.toContain('svc:bookinfo/reviews>vapp:bookinfo/reviews/v1:http');
    expect(r.found).toBe(marked.length);
    expect(cy.getElementById('vapp:bookinfo/reviews/v1').hasClass('dim')).toBe(true);
    expect(cy.getElementById('unknown').hasClass('dim')).toBe(true);
    // the namespace box of a marked node stays lit
    expect(cy.getElementById('box:ns:bookinfo').hasClass('dim')).toBe(false);
    expect(cy.getElementById('vapp:bookinfo/productpage/v1').hasClass('dim')).toBe(false);
    // every edge between marked nodes that the trace did call is marked
    for (const e of cy.edges('.find')) {
      expect(e.source().hasClass('find') && e.target().hasClass('find')).toBe(true);
    }
    expect(cy.edges('.find').length).toBeGreaterThanOrEqual(3);
  });

  it('applies a large diff in chunks, yielding between them, to the same result as one batch', async () => {
    const one = cytoscape({ headless: true, styleEnabled: false });
    const chunked = cytoscape({ headless: true, styleEnabled: false });
    const boxed = toElements(bookinfoAnswer, { boxNamespaces: true });
    syncElements(one, boxed);
    let pauses = 0;
    const progress: number[] = [];
    const options = {
      chunk: 3,
      yieldToMain: () => {
        pauses++;
        return Promise.resolve();
      },
      onProgress: (done: number) => progress.push(done),
    };
    const first = await syncElementsChunked(chunked, boxed, options);
    expect(first).toMatchObject({ added: one.elements().length, nodeSetChanged: true });
    const state = (cy: cytoscape.Core) =>
      cy
        .elements()
        .map(
          (e) => `${e.id()}|${e.isNode() ? (e.parent().first().id() ?? '') : ''}|${String(e.data('rate'))}`,
        )
        .sort();
    expect(state(chunked)).toEqual(state(one));
    // 12 elements in chunks of 3: four pauses, progress never going back
    expect(pauses).toBeGreaterThanOrEqual(3);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));

    // a refresh that removes a node and changes a rate
    const next = structuredClone(bookinfoAnswer);
    next.nodes = next.nodes.filter((n) => n.id !== 'unknown');
    const edge = next.edges.find((e) => e.target === 'vapp:bookinfo/reviews/v1');
    if (edge) edge.rps = 42;
    syncElements(one, toElements(next, { boxNamespaces: true }));
    await syncElementsChunked(chunked, toElements(next, { boxNamespaces: true }), options);
    expect(state(chunked)).toEqual(state(one));
  });

  it('stops a chunked sync when a newer one takes over', async () => {
    const cy = cytoscape({ headless: true, styleEnabled: false });
    let current = true;
    const result = await syncElementsChunked(cy, toElements(bookinfoAnswer, { boxNamespaces: false }), {
      chunk: 2,
      isCurrent: () => current,
      yieldToMain: () => {
        current = false;
        return Promise.resolve();
      },
    });
    expect(result).toBeNull();
    expect(cy.elements().length).toBe(2);
  });

  it('marks a collapsed namespace found when one of its nodes matches', () => {
    const cy = cytoscape({ headless: true, styleEnabled: false });
    const view = aggregateElements(toElements(bookinfoAnswer, { boxNamespaces: false }), {
      expanded: new Set(),
    });
    syncElements(cy, view);
    const r = applyHighlight(cy, {
      find: find('name = reviews'),
      hide: null,
      focus: '',
      members: view.members,
    });
    expect(cy.$('node.find').map((e) => e.id())).toEqual([aggregateId('bookinfo')]);
    // the reviews service and its two versions
    expect(r.found).toBe(3);
    applyHighlight(cy, { find: null, hide: find('ns = bookinfo'), focus: '', members: view.members });
    expect(cy.getElementById(aggregateId('bookinfo')).hasClass('hidden')).toBe(true);
    expect(cy.getElementById(aggregateId('istio-system')).hasClass('hidden')).toBe(false);
  });
});

describe('chunks sized by time', () => {
  it('scales the next chunk to the time the last one took, at most doubling, within bounds', () => {
    // 200 elements in 100 ms at a 25 ms aim: 50 next
    expect(nextChunkSize(200, 100)).toBe(Math.round((200 * SYNC_CHUNK_MS) / 100));
    expect(nextChunkSize(200, 100)).toBeLessThan(200);
    // quick chunks grow, but at most double
    expect(nextChunkSize(200, 5)).toBe(400);
    expect(nextChunkSize(200, 0)).toBe(400);
    expect(nextChunkSize(1200, 1)).toBe(SYNC_CHUNK);
    // never below a floor, however slow
    expect(nextChunkSize(30, 10_000)).toBeGreaterThan(0);
  });

  it('applies a diff larger than one chunk in several, to the same result as one batch', async () => {
    const n = 2 * SYNC_CHUNK;
    const nodes = Array.from({ length: n }, (_, i) => ({ id: `n${i}`, rate: i }) as unknown as NodeData);
    const edges = Array.from(
      { length: n - 1 },
      (_, i) => ({ id: `e${i}`, source: `n${i}`, target: `n${i + 1}`, rate: i }) as unknown as EdgeData,
    );
    const elements = { nodes, edges, details: new Map() };
    const one = cytoscape({ headless: true, styleEnabled: false });
    syncElements(one, elements);
    const chunked = cytoscape({ headless: true, styleEnabled: false });
    let pauses = 0;
    const result = await syncElementsChunked(chunked, elements, {
      yieldToMain: () => {
        pauses++;
        return Promise.resolve();
      },
    });
    expect(result).toMatchObject({ added: 2 * n - 1, nodeSetChanged: true });
    expect(pauses).toBeGreaterThan(1);
    const ids = (cy: cytoscape.Core) => cy.elements().map((e) => `${e.id()}:${String(e.data('rate'))}`);
    expect(ids(chunked).sort()).toEqual(ids(one).sort());
  });
});
