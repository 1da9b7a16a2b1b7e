import cytoscape from 'cytoscape';
import type { Core, LayoutOptions } from 'cytoscape';
import dagre from 'cytoscape-dagre';
import fcose from 'cytoscape-fcose';
import type { LayoutChoice } from '../url/viewState';

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
        nodeSep: 18,
        rankSep: 70,
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
        packComponents: true,
        tile: true,
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

/** Runs a layout once, synchronously for the non-animated ones; resolves when it stops. */
export function runLayout(cy: Core, choice: LayoutChoice): Promise<ConcreteLayout> {
  registerLayouts();
  const count = cy.nodes('[nodeType != "box"]').length;
  const layout = chooseLayout(choice, count);
  return new Promise((resolve) => {
    const l = cy.layout(layoutOptions(layout, count));
    l.one('layoutstop', () => resolve(layout));
    l.run();
  });
}
