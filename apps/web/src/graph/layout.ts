import cytoscape from 'cytoscape';
import type { Core, LayoutOptions } from 'cytoscape';
import dagre from 'cytoscape-dagre';
import fcose from 'cytoscape-fcose';
import type { LayoutChoice } from '../url/viewState';
import { fcoseInWorker, radialPlacement } from './workerLayout';

let registered = false;
export function registerLayouts(): void {
  if (registered) return;
  cytoscape.use(dagre);
  cytoscape.use(fcose);
  registered = true;
}

/** Above this many nodes dagre takes seconds (DESIGN.md: 15.6 s at 1,000): switch to fcose. */
export const DAGRE_MAX_NODES = 200;
/** Above this many nodes even fcose is slow on 2 cores: use its fast spectral draft. */
export const FCOSE_PROOF_MAX_NODES = 600;

export type ConcreteLayout = Exclude<LayoutChoice, 'auto'>;

/** Picks the layout for a graph of `nodeCount` nodes: what the user asked for, or by size. */
export function chooseLayout(choice: LayoutChoice, nodeCount: number): ConcreteLayout {
  if (choice !== 'auto') return choice;
  return nodeCount <= DAGRE_MAX_NODES ? 'dagre' : 'fcose';
}

export function layoutOptions(layout: ConcreteLayout, nodeCount: number): LayoutOptions {
  const common = { animate: false, fit: true, padding: 30 };
  switch (layout) {
    case 'dagre':
      return {
        ...common,
        name: 'dagre',
        rankDir: 'LR',
        // room for two-line labels (name, version) between nodes of one rank
        nodeSep: 28,
        rankSep: 48,
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
    case 'grid':
      return { ...common, name: 'grid', avoidOverlap: true, condense: true } as LayoutOptions;
  }
}

export interface LayoutRun {
  /** The layout the graph shows now. */
  layout: ConcreteLayout | 'radial';
  /** For large graphs: resolves once fcose, run in a Web Worker, has replaced the quick placement. */
  refined?: Promise<boolean>;
}

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
  registerLayouts();
  const count = cy.nodes('[nodeType != "box"]').length;
  const layout = chooseLayout(choice, count);
  if (layout === 'fcose' && count > WORKER_MIN_NODES && typeof Worker !== 'undefined') {
    radialPlacement(cy);
    cy.fit(undefined, 30);
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
    const refined = fcoseInWorker(cy, options).then((positions) => {
      if (!positions || !isCurrent()) return false;
      const nodes = cy.nodes('[nodeType != "box"]');
      if (nodes.filter((n) => !positions.has(n.id())).nonempty()) return false; // the node set changed meanwhile
      cy.batch(() =>
        nodes.forEach((n) => void n.position(positions.get(n.id()) as { x: number; y: number })),
      );
      spreadOut(cy);
      cy.fit(undefined, 30);
      return true;
    });
    return Promise.resolve({ layout: 'radial', refined });
  }
  const run = (name: ConcreteLayout): Promise<LayoutRun> => {
    const l = cy.layout(layoutOptions(name, count));
    const done = l.promiseOn('layoutstop').then(() => {
      // fcose's fast draft packs nodes on top of each other: spread it out, then fit again.
      if (name === 'fcose' && count > FCOSE_PROOF_MAX_NODES && spreadOut(cy)) cy.fit(undefined, 30);
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
    return run(fallback);
  }
}

/** Wanted median distance between a node and its nearest neighbour, in model px (nodes are ~30 px). */
const SPREAD_TARGET = 55;
const SPREAD_MAX_FACTOR = 4;

/**
 * Scales all positions about their centre so that the median nearest-neighbour distance (over a
 * sample of nodes) reaches SPREAD_TARGET. Returns whether it moved anything.
 */
export function spreadOut(cy: Core): boolean {
  const nodes = cy.nodes('[nodeType != "box"]');
  const n = nodes.length;
  if (n < 3) return false;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  nodes.forEach((node, i) => {
    const p = node.position();
    xs[i] = p.x;
    ys[i] = p.y;
  });
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
  cy.batch(() => {
    nodes.forEach((node, i) => {
      node.position({
        x: cx + ((xs[i] as number) - cx) * factor,
        y: cyy + ((ys[i] as number) - cyy) * factor,
      });
    });
  });
  return true;
}
