import cytoscape from 'cytoscape';
import type { Core, Ext, LayoutOptions, NodeCollection, NodeSingular } from 'cytoscape';
import type { LayoutChoice } from '../url/viewState';
import { labelSize } from './labels';
import { fcoseInWorker, radialPlacement } from './workerLayout';
import { yieldToMain } from './slices';
import { nextChunkSize } from './sync';
import { mark } from '../perf/marks';

/** The layout engines that are extensions, loaded (their own chunks) only when a graph needs one. */
type Engine = 'dagre' | 'fcose';
const ENGINES: Record<Engine, () => Promise<{ default: Ext }>> = {
  dagre: () => import('cytoscape-dagre'),
  fcose: () => import('cytoscape-fcose'),
};
const engines = new Map<Engine, Promise<void>>();
const registered = new Set<string>();

/**
 * Loads and registers a layout engine; null when the layout needs none or it is already registered
 * (the caller then runs the layout in the same task, so the browser never paints an un-laid-out graph).
 */
export function loadLayoutEngine(layout: string): Promise<void> | null {
  if (layout !== 'dagre' && layout !== 'fcose') return null;
  if (registered.has(layout)) return null;
  let pending = engines.get(layout);
  if (!pending) {
    pending = ENGINES[layout]().then((m) => {
      cytoscape.use(m.default);
      registered.add(layout);
    });
    pending.catch(() => engines.delete(layout));
    engines.set(layout, pending);
  }
  return pending;
}

/** Room around a fitted graph, model px at zoom 1 (rendered px). */
export const FIT_PADDING = 30;
/**
 * Around the aggregate view: more, so its controls (AggregateBar, over the graph's top right) cover no
 * namespace node of the top row or circle.
 */
export const AGGREGATE_FIT_PADDING = 60;
/** The room to fit a graph with `aggregates` namespace nodes: more when it shows the aggregate view. */
const paddingFor = (aggregates: number): number => (aggregates > 0 ? AGGREGATE_FIT_PADDING : FIT_PADDING);
/** The room to fit `cy` with (see paddingFor). */
export const fitPadding = (cy: Core): number => paddingFor(cy.nodes('[nodeType = "aggregate"]').length);

/** Above this many nodes dagre takes seconds (DESIGN.md: 15.6 s at 1,000): switch to fcose. */
export const DAGRE_MAX_NODES = 200;
/** Above this many nodes even fcose is slow on 2 cores: use its fast spectral draft. */
export const FCOSE_PROOF_MAX_NODES = 600;

export type ConcreteLayout = Exclude<LayoutChoice, 'auto'>;

/** Picks the layout for a graph of `nodeCount` nodes: what the user asked for, or by size. */
/**
 * Above this many edges dagre's ranking takes seconds even on few nodes (an aggregate view of a mesh
 * whose namespaces all call each other: 100 nodes, ~3,000 edges).
 */
export const DAGRE_MAX_EDGES = 400;
/**
 * With namespace boxes dagre is slower (its nesting graph) and, past a few dozen nodes, often fails
 * ("Not possible to find intersection inside of the rectangle") after running for most of a second or
 * more, before the fallback runs. Measured headless on the synthetic graphs of the web bench (~3 edges
 * per node, 10 per box): at 100 nodes dagre failed after 0.4–0.8 s, fcose took 0.15 s; at 60 nodes dagre
 * 0.36–0.44 s, fcose 0.2 s.
 */
export const DAGRE_MAX_BOXED_NODES = 60;

/**
 * The aggregate view with more namespace nodes than this is laid out as a grid in name order: a flow
 * layout of a hundred namespaces that call their neighbours is one long line (dagre, fitted at zoom
 * 0.08, nothing readable) or a tangle, and took 0.4–0.5 s of the 5,000-service load in the web bench.
 */
export const AGGREGATE_GRID_ABOVE = 20;

/**
 * The aggregate view of a few namespaces that call each other densely (more edges than this many per
 * node; the generated demo: 12 nodes, ~280 edges) is laid out on a circle in name order: every edge is a
 * chord that crosses no node. dagre ranked such a view into a tall tangle of curves (fitted at zoom
 * 0.3, labels unreadable); fcose and the grid drew edges through the nodes.
 */
export const AGGREGATE_CIRCLE_DENSITY = 2;

export function chooseLayout(
  choice: LayoutChoice,
  nodeCount: number,
  edgeCount = 0,
  boxes = 0,
  /** Namespace nodes of the aggregate view among `nodeCount`. */
  aggregates = 0,
): ConcreteLayout {
  if (choice !== 'auto') return choice;
  if (aggregates > AGGREGATE_GRID_ABOVE) return 'grid';
  // only the collapsed view: an expanded namespace's nodes sit in a box (boxes > 0)
  if (aggregates > 0 && boxes === 0 && edgeCount > AGGREGATE_CIRCLE_DENSITY * nodeCount) return 'circle';
  const small = nodeCount <= (boxes > 0 ? DAGRE_MAX_BOXED_NODES : DAGRE_MAX_NODES);
  return small && edgeCount <= DAGRE_MAX_EDGES ? 'dagre' : 'fcose';
}

/** Room the drawn labels need, in model px (see labelRoom). */
export interface LabelRoom {
  /** Widest and tallest edge label (0 when edges show no labels). */
  edgeLabelWidth: number;
  edgeLabelHeight: number;
  /** The graph has namespace boxes (their padding needs ranks a little further apart). */
  boxed: boolean;
}
const NO_LABELS: LabelRoom = { edgeLabelWidth: 0, edgeLabelHeight: 0, boxed: false };
/** Least gap between ranks (px): boxes in neighbouring ranks then stay ~7 px apart, not on top of each other. */
const RANK_SEP = 12;
const BOXED_RANK_SEP = 18;

export function layoutOptions(
  layout: ConcreteLayout,
  nodeCount: number,
  labels: LabelRoom = NO_LABELS,
): LayoutOptions {
  const common = { animate: false, fit: true, padding: FIT_PADDING };
  switch (layout) {
    case 'dagre':
      return {
        ...common,
        name: 'dagre',
        rankDir: 'LR',
        // nodes take the room of their labels (name, version, badges), so no label lands on another
        nodeDimensionsIncludeLabels: true,
        nodeSep: Math.max(20, labels.edgeLabelHeight),
        // Nodes are as wide as their labels, so ranks need little more apart; an edge label sits
        // between two ranks: leave it room (runLayout gives less when the graph would not fit at a
        // zoom where labels are drawn; labels that still collide are hidden, see labels.ts).
        rankSep: Math.max(labels.boxed ? BOXED_RANK_SEP : RANK_SEP, labels.edgeLabelWidth + 8),
        edgeSep: 10,
        ranker: 'network-simplex',
      } as LayoutOptions;
    case 'fcose':
      return {
        ...common,
        name: 'fcose',
        quality: nodeCount > FCOSE_PROOF_MAX_NODES ? 'draft' : 'default',
        randomize: true,
        nodeRepulsion: () => 6500,
        idealEdgeLength: () => 60,
        nodeSeparation: 60,
        numIter: nodeCount > FCOSE_PROOF_MAX_NODES ? 600 : 2500,
        // spectral draft on large graphs: a looser power-iteration tolerance and fewer samples
        ...(nodeCount > FCOSE_PROOF_MAX_NODES ? { piTol: 1e-3, sampleSize: 15 } : {}),
        // component packing and tiling cost more than the layout itself on large graphs
        packComponents: nodeCount <= FCOSE_PROOF_MAX_NODES,
        tile: nodeCount <= FCOSE_PROOF_MAX_NODES,
      } as LayoutOptions;
    case 'breadthfirst':
      return {
        ...common,
        name: 'breadthfirst',
        directed: true,
        spacingFactor: 1.1,
        roots: '[?isRoot]',
      } as LayoutOptions;
    case 'circle':
      return {
        ...common,
        name: 'circle',
        avoidOverlap: true,
        nodeDimensionsIncludeLabels: true,
        // in name order (runLayout passes the elements sorted: cytoscape's circle sorts by `sort` but
        // places in the collection's order)
      } as LayoutOptions;
    case 'grid':
      // cells as large as the labels: they show, none on its neighbour
      return {
        ...common,
        name: 'grid',
        avoidOverlap: true,
        condense: true,
        nodeDimensionsIncludeLabels: true,
      } as LayoutOptions;
  }
}

export interface LayoutRun {
  /** The layout the graph shows now. */
  layout: ConcreteLayout | 'radial';
  /** For large graphs: resolves once fcose, run in a Web Worker, has replaced the quick placement. */
  refined?: Promise<boolean>;
}

/**
 * Below this zoom Cytoscape stops drawing 11 px labels (min-zoomed-font-size 7 at half scale), and
 * above it a little: the layout keeps the fitted graph at this zoom or more where it can.
 */
export const LABEL_MIN_ZOOM = 0.55;
/** The share of the edge labels' width left between ranks, try after try. */
const SQUEEZE = [1, 0.75, 0.5, 0.25, 0];
/** Above this many nodes one layout, with room for the edge labels (they show when zoomed in). */
const SQUEEZE_MAX_NODES = 80;

/** Above this many nodes fcose runs in a Web Worker behind a quick radial placement. */
export const WORKER_MIN_NODES = FCOSE_PROOF_MAX_NODES;

/**
 * Runs a layout once. Small and mid-size graphs are laid out synchronously (dagre, fcose, …); a large
 * graph gets a radial placement at once (interactive immediately) and fcose from a worker later.
 */
export function runLayout(
  cy: Core,
  choice: LayoutChoice,
  isCurrent: () => boolean = () => true,
): Promise<LayoutRun> {
  const count = cy.nodes('[nodeType != "box"]').length;
  const boxes = cy.nodes('[nodeType = "box"]').length;
  const aggregates = cy.nodes('[nodeType = "aggregate"]').length;
  const layout = chooseLayout(choice, count, cy.edges().length, boxes, aggregates);
  const padding = paddingFor(aggregates);
  const inWorker = layout === 'fcose' && count > WORKER_MIN_NODES && typeof Worker !== 'undefined';
  const engine = inWorker ? null : loadLayoutEngine(layout);
  if (engine) {
    mark('meshlens:layout-engine-load');
    return engine.then(() => (isCurrent() ? runLayout(cy, choice, isCurrent) : { layout }));
  }
  if (inWorker) {
    radialPlacement(cy);
    cy.fit(undefined, padding);
    const options = {
      // the spectral draft (then spread out); fcose's refinement takes several seconds at this size
      quality: 'draft',
      randomize: true,
      nodeRepulsion: 6500,
      idealEdgeLength: 60,
      nodeSeparation: 60,
      packComponents: false,
      tile: false,
      piTol: 1e-3,
      sampleSize: 15,
    };
    const refined = fcoseInWorker(cy, options).then(async (positions) => {
      if (!positions || !isCurrent()) return false;
      const nodes = cy.nodes('[nodeType != "box"]');
      if (nodes.filter((n) => !positions.has(n.id())).nonempty()) return false; // the node set changed meanwhile
      const xs = new Float64Array(nodes.length);
      const ys = new Float64Array(nodes.length);
      nodes.forEach((n, i) => {
        const p = positions.get(n.id()) as { x: number; y: number };
        xs[i] = p.x;
        ys[i] = p.y;
      });
      spreadPoints(xs, ys);
      // thousands of nodes moved at once block the main thread for seconds: in chunks, frames between
      if (!(await placeInChunks(cy, nodes, xs, ys, { isCurrent }))) return false;
      cy.fit(undefined, padding);
      return true;
    });
    return Promise.resolve({ layout: 'radial', refined });
  }
  // Only dagre leaves room for edge labels; measuring them computes every edge's style (~180 ms on the
  // aggregate view of 5,000 services, laid out as a grid).
  const room = layout === 'dagre' ? labelRoom(cy) : NO_LABELS;
  // Room for edge labels can make a small graph too wide to fit at a zoom where labels are drawn:
  // then less room, step by step (dagre takes milliseconds at this size).
  const squeeze = room.edgeLabelWidth > 0 && count <= SQUEEZE_MAX_NODES ? SQUEEZE : [1];
  const run = (name: ConcreteLayout, step = 0): Promise<LayoutRun> => {
    if (name === 'circle' && boxes > 0) {
      boxedCircles(cy);
      cy.fit(undefined, padding);
      return Promise.resolve({ layout: name });
    }
    const factor = name === 'dagre' ? (squeeze[step] ?? 0) : 1;
    const l = cy.layout({
      ...layoutOptions(name, count, { ...room, edgeLabelWidth: room.edgeLabelWidth * factor }),
      padding,
      // the circle in name order, as the grid: a namespace keeps its place from one refresh to the next
      ...(name === 'circle' ? { eles: cy.elements().sort((a, b) => a.id().localeCompare(b.id())) } : {}),
    } as LayoutOptions);
    const done = l.promiseOn('layoutstop').then((): LayoutRun | Promise<LayoutRun> => {
      if (name === 'dagre' && cy.zoom() < LABEL_MIN_ZOOM && step + 1 < squeeze.length && isCurrent())
        return run(name, step + 1);
      // fcose's fast draft packs nodes on top of each other: spread it out, then fit again.
      if (name === 'fcose' && count > FCOSE_PROOF_MAX_NODES && spreadOut(cy)) cy.fit(undefined, padding);
      // Nested boxes (clusters around namespaces) can overlap after dagre: move them apart.
      if (separateBoxes(cy)) cy.fit(undefined, padding);
      return { layout: name };
    });
    l.run(); // throws synchronously when the layout fails
    return done;
  };
  try {
    return run(layout);
  } catch (err) {
    // dagre can fail on some compound graphs ("Not possible to find intersection…"): fall back.
    const fallback: ConcreteLayout = layout === 'fcose' ? 'grid' : 'fcose';
    console.warn(`layout ${layout} failed (${String(err)}); using ${fallback}`);
    const engine = loadLayoutEngine(fallback);
    return engine ? engine.then(() => run(fallback)) : run(fallback);
  }
}

/** Room left between top-level boxes that separateBoxes moves apart, model px. */
const BOX_GAP = 40;
/** Room a node and its label take on a circle of boxedCircles, model px. */
const CIRCLE_SLOT = 80;

/**
 * The circle chosen by hand on a graph with boxes: one circle per top-level box (its nodes in name order,
 * those of one inner box together), the circles in a grid in name order, the nodes outside any box on a
 * circle of their own. One circle for the whole graph interleaved the boxes' nodes (ids sort by kind
 * first: every `app:` node, then every `svc:` node), so each box spanned the whole circle and all of them
 * lay on top of each other.
 */
export function boxedCircles(cy: Core): void {
  const groups = new Map<string, NodeSingular[]>();
  cy.nodes()
    .filter((n) => n.isChildless())
    .forEach((n) => {
      const top = n.ancestors().last();
      const key = top.nonempty() ? top.id() : '';
      const group = groups.get(key);
      if (group) group.push(n);
      else groups.set(key, [n]);
    });
  const keys = [...groups.keys()].sort();
  const radius = (count: number) =>
    count < 2 ? 0 : Math.max(CIRCLE_SLOT / 2, (count * CIRCLE_SLOT) / (2 * Math.PI));
  const cell = 2 * Math.max(...keys.map((k) => radius(groups.get(k)!.length))) + CIRCLE_SLOT + 2 * BOX_GAP;
  const cols = Math.ceil(Math.sqrt(keys.length));
  // in name order, the nodes of one inner box (a namespace in a cluster's box) together
  const place = (n: NodeSingular) => `${(n.data('parent') as string | undefined) ?? ''}\u0000${n.id()}`;
  cy.batch(() =>
    keys.forEach((key, i) => {
      const nodes = groups.get(key)!.sort((a, b) => place(a).localeCompare(place(b)));
      const r = radius(nodes.length);
      const x = (i % cols) * cell;
      const y = Math.floor(i / cols) * cell;
      nodes.forEach((n, j) => {
        const angle = (2 * Math.PI * j) / nodes.length - Math.PI / 2;
        n.position({ x: x + r * Math.cos(angle), y: y + r * Math.sin(angle) });
      });
    }),
  );
}

/**
 * Moves top-level boxes that overlap apart (dagre lays out nested compounds, such as cluster boxes
 * around namespace boxes, without keeping the outer ones apart): each box, in reading order, moves right
 * or down, whichever is shorter, until it clears the ones before it. Only when boxes are nested: one
 * level of boxes (namespace boxes of one cluster) is left as the layout placed it. Returns whether
 * anything moved.
 */
export function separateBoxes(cy: Core): boolean {
  const tops = cy
    .nodes(':parent')
    .filter((n) => n.isOrphan())
    .sort(
      (a, b) => a.boundingBox({}).y1 - b.boundingBox({}).y1 || a.boundingBox({}).x1 - b.boundingBox({}).x1,
    );
  // Only nested boxes (clusters around namespaces): a graph of one level of boxes keeps its layout.
  if (tops.length < 2 || tops.children(':parent').empty()) return false;
  type BB = { x1: number; y1: number; x2: number; y2: number };
  const overlaps = (a: BB, b: BB) =>
    a.x1 < b.x2 + BOX_GAP && b.x1 < a.x2 + BOX_GAP && a.y1 < b.y2 + BOX_GAP && b.y1 < a.y2 + BOX_GAP;
  const placed: BB[] = [];
  let moved = false;
  tops.forEach((box) => {
    const leaves = box.descendants().filter((d) => d.isChildless());
    for (let i = 0; i < placed.length * 2 + 1; i++) {
      const bb = box.boundingBox({});
      const hit = placed.find((p) => overlaps(p, bb));
      if (!hit) break;
      const dx = hit.x2 + BOX_GAP - bb.x1;
      const dy = hit.y2 + BOX_GAP - bb.y1;
      const shift = dx <= dy ? { x: dx, y: 0 } : { x: 0, y: dy };
      cy.batch(() =>
        leaves.forEach((n) => void n.position({ x: n.position().x + shift.x, y: n.position().y + shift.y })),
      );
      moved = true;
    }
    placed.push(box.boundingBox({}));
  });
  return moved;
}

/** The size of the widest and tallest edge label the stylesheet draws (labels do not depend on positions). */
export function labelRoom(cy: Core): LabelRoom {
  let edgeLabelWidth = 0;
  let edgeLabelHeight = 0;
  cy.edges(':visible').forEach((e) => {
    const { width, height } = labelSize(e);
    edgeLabelWidth = Math.max(edgeLabelWidth, width);
    edgeLabelHeight = Math.max(edgeLabelHeight, height);
  });
  return { edgeLabelWidth, edgeLabelHeight, boxed: cy.nodes(':parent').nonempty() };
}

/** Wanted median distance between a node and its nearest neighbour, in model px (nodes are ~30 px). */
const SPREAD_TARGET = 55;
const SPREAD_MAX_FACTOR = 4;

/**
 * Scales points (in place) about their centre so that the median nearest-neighbour distance (over a
 * sample of them) reaches SPREAD_TARGET. Returns whether it moved anything.
 */
export function spreadPoints(xs: Float64Array, ys: Float64Array): boolean {
  const n = xs.length;
  if (n < 3) return false;
  const step = Math.max(1, Math.floor(n / 300));
  const nearest: number[] = [];
  for (let i = 0; i < n; i += step) {
    let best = Infinity;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const dx = (xs[i] as number) - (xs[j] as number);
      const dy = (ys[i] as number) - (ys[j] as number);
      const d = dx * dx + dy * dy;
      if (d < best) best = d;
    }
    nearest.push(Math.sqrt(best));
  }
  nearest.sort((a, b) => a - b);
  const median = nearest[Math.floor(nearest.length / 2)] ?? SPREAD_TARGET;
  // capped: a few nodes stacked on one spot must not blow the whole graph up
  const factor = Math.min(SPREAD_MAX_FACTOR, SPREAD_TARGET / Math.max(median, 1));
  if (factor <= 1.05) return false;
  const cx = xs.reduce((a, b) => a + b, 0) / n;
  const cyy = ys.reduce((a, b) => a + b, 0) / n;
  for (let i = 0; i < n; i++) {
    xs[i] = cx + ((xs[i] as number) - cx) * factor;
    ys[i] = cyy + ((ys[i] as number) - cyy) * factor;
  }
  return true;
}

/** Spreads the nodes of `cy` out (see spreadPoints). Returns whether it moved anything. */
export function spreadOut(cy: Core): boolean {
  const nodes = cy.nodes('[nodeType != "box"]');
  const xs = new Float64Array(nodes.length);
  const ys = new Float64Array(nodes.length);
  nodes.forEach((node, i) => {
    const p = node.position();
    xs[i] = p.x;
    ys[i] = p.y;
  });
  if (!spreadPoints(xs, ys)) return false;
  cy.batch(() => {
    nodes.forEach((node, i) => void node.position({ x: xs[i] as number, y: ys[i] as number }));
  });
  return true;
}

export interface PlaceOptions {
  /** False once a newer layout started: stops at the next chunk. */
  isCurrent?: () => boolean;
  pause?: () => Promise<void>;
  /** A fixed chunk size (default: sized by time, as a diff's chunks). */
  chunk?: number;
}

/**
 * Moves node i of `nodes` to (xs[i], ys[i]), a chunk per batch with the main thread given back
 * between chunks. Resolves false when `isCurrent` turned false first.
 */
export async function placeInChunks(
  cy: Core,
  nodes: NodeCollection,
  xs: Float64Array,
  ys: Float64Array,
  options: PlaceOptions = {},
): Promise<boolean> {
  const isCurrent = options.isCurrent ?? (() => true);
  const pause = options.pause ?? yieldToMain;
  let size = options.chunk ?? 200;
  for (let from = 0; from < nodes.length;) {
    const to = Math.min(nodes.length, from + size);
    const started = performance.now();
    cy.batch(() => {
      for (let i = from; i < to; i++) nodes[i]?.position({ x: xs[i] as number, y: ys[i] as number });
    });
    if (options.chunk === undefined) size = nextChunkSize(size, performance.now() - started);
    from = to;
    if (from < nodes.length) {
      await pause();
      if (!isCurrent()) return false;
    }
  }
  return true;
}
