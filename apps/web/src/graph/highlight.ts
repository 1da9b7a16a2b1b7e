import type { CollectionReturnValue, Core } from 'cytoscape';
import type { PathMatcher } from '../tracing/path';
import type { CompiledFind } from './find/evaluate';
import type { EdgeData, NodeData } from './model';

export interface HighlightState {
  find: CompiledFind | null;
  hide: CompiledFind | null;
  /** Node id to focus on with its neighbours ('' = none). */
  focus: string;
  /** Aggregate node id → the nodes it stands for: find and hide test them (see aggregate.ts). */
  members?: ReadonlyMap<string, readonly NodeData[]>;
  /** A trace's path (`trace=` in the URL): its nodes and edges marked, the rest dimmed. */
  path?: PathMatcher | null;
}

/**
 * Gives class `cls` to exactly `wanted`, touching only the elements whose classes change. Cytoscape's
 * addClass and removeClass restyle every element they are given, whether it had the class or not, so
 * clearing a class on the whole graph and setting it again would restyle every element on every
 * sync (each restyle runs the stylesheet's mappers; in a compound graph it also dirties the caches of
 * the element's box and edges).
 */
export function setClass(cy: Core, cls: string, wanted: CollectionReturnValue): void {
  const keep = new Set(wanted.map((ele) => ele.id()));
  cy.elements(`.${cls}`)
    .filter((ele) => !keep.has(ele.id()))
    .removeClass(cls);
  wanted.filter((ele) => !ele.hasClass(cls)).addClass(cls);
}

/**
 * Applies find (class `find`), hide (class `hidden`, plus the edges of hidden nodes and boxes left
 * empty) and focus (class `dim` outside the node's neighbourhood) in one batch, changing the classes
 * only of the elements whose state changes.
 * Returns how many elements the find expression matched. An aggregate node (a collapsed namespace) is
 * marked found when one of its nodes matches (each matching node counts), and hidden when all are.
 */
export function applyHighlight(cy: Core, state: HighlightState): { found: number; hidden: number } {
  let found = 0;
  let hidden = 0;
  const all = cy.elements();
  let hiddenSet = cy.collection();
  const isHidden = new Set<string>();
  if (state.hide) {
    const test = state.hide.test;
    const hiddenEles = all.filter((ele) => {
      if (ele.isNode() && ele.data('nodeType') === 'box') return false;
      const inside = ele.isNode() ? state.members?.get(ele.id()) : undefined;
      if (inside) return inside.every((m) => test(m, true));
      return test(ele.data() as NodeData | EdgeData, ele.isNode());
    });
    hiddenSet = hiddenEles.union(hiddenEles.nodes().connectedEdges());
    hidden = hiddenSet.length;
    hiddenSet.forEach((ele) => void isHidden.add(ele.id()));
    // boxes left empty, innermost first: a cluster's box goes when all its namespaces' boxes went
    const boxes = cy.nodes('[nodeType = "box"]').sort((a, b) => b.ancestors().length - a.ancestors().length);
    boxes.forEach((box) => {
      const shown = box.children().filter((child) => !isHidden.has(child.id()));
      if (shown.nonempty()) return;
      isHidden.add(box.id());
      hiddenSet.merge(box);
    });
  }
  let findSet = cy.collection();
  if (state.find) {
    const test = state.find.test;
    let inAggregates = 0;
    findSet = all.filter((ele) => {
      if (isHidden.has(ele.id()) || ele.data('nodeType') === 'box') return false;
      const inside = ele.isNode() ? state.members?.get(ele.id()) : undefined;
      if (inside) {
        const n = inside.filter((m) => test(m, true)).length;
        inAggregates += Math.max(0, n - 1);
        return n > 0;
      }
      return test(ele.data() as NodeData | EdgeData, ele.isNode());
    });
    found = findSet.length + inAggregates;
  }
  let dimSet = cy.collection();
  if (state.path) {
    const path = state.path;
    const onPath = all.filter((ele) => {
      if (isHidden.has(ele.id()) || ele.data('nodeType') === 'box') return false;
      if (ele.isEdge()) return path.edge(ele.source().data() as NodeData, ele.target().data() as NodeData);
      const inside = state.members?.get(ele.id());
      return inside ? inside.some((m) => path.node(m)) : path.node(ele.data() as NodeData);
    });
    findSet = findSet.union(onPath);
    dimSet = all.not(onPath.union(onPath.nodes().ancestors()));
    found = onPath.length;
  }
  if (state.focus) {
    const node = cy.getElementById(state.focus);
    if (node.nonempty() && node.isNode()) {
      const keep = node.closedNeighborhood();
      const keepWithParents = keep.union(keep.nodes().ancestors());
      dimSet = dimSet.union(all.not(keepWithParents));
    }
  }
  cy.batch(() => {
    setClass(cy, 'hidden', hiddenSet);
    setClass(cy, 'find', findSet);
    setClass(cy, 'dim', dimSet);
  });
  return { found, hidden };
}
