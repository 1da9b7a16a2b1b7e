import type { Core } from 'cytoscape';
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
 * Applies find (class `find`), hide (class `hidden`, plus the edges of hidden nodes and boxes left
 * empty) and focus (class `dim` outside the node's neighbourhood) in one batch.
 * Returns how many elements the find expression matched. An aggregate node (a collapsed namespace) is
 * marked found when one of its nodes matches (each matching node counts), and hidden when all are.
 */
export function applyHighlight(cy: Core, state: HighlightState): { found: number; hidden: number } {
  let found = 0;
  let hidden = 0;
  cy.batch(() => {
    const all = cy.elements();
    all.removeClass('find hidden dim');
    if (state.hide) {
      const test = state.hide.test;
      const hiddenEles = all.filter((ele) => {
        if (ele.isNode() && ele.data('nodeType') === 'box') return false;
        const inside = ele.isNode() ? state.members?.get(ele.id()) : undefined;
        if (inside) return inside.every((m) => test(m, true));
        return test(ele.data() as NodeData | EdgeData, ele.isNode());
      });
      const withEdges = hiddenEles.union(hiddenEles.nodes().connectedEdges());
      withEdges.addClass('hidden');
      hidden = withEdges.length;
      cy.nodes('[nodeType = "box"]').forEach((box) => {
        if (box.children().not('.hidden').empty()) box.addClass('hidden');
      });
    }
    if (state.find) {
      const test = state.find.test;
      let inAggregates = 0;
      const matched = all.filter((ele) => {
        if (ele.hasClass('hidden') || ele.data('nodeType') === 'box') return false;
        const inside = ele.isNode() ? state.members?.get(ele.id()) : undefined;
        if (inside) {
          const n = inside.filter((m) => test(m, true)).length;
          inAggregates += Math.max(0, n - 1);
          return n > 0;
        }
        return test(ele.data() as NodeData | EdgeData, ele.isNode());
      });
      matched.addClass('find');
      found = matched.length + inAggregates;
    }
    if (state.path) {
      const path = state.path;
      const onPath = all.filter((ele) => {
        if (ele.hasClass('hidden') || ele.data('nodeType') === 'box') return false;
        if (ele.isEdge()) return path.edge(ele.source().data() as NodeData, ele.target().data() as NodeData);
        const inside = state.members?.get(ele.id());
        return inside ? inside.some((m) => path.node(m)) : path.node(ele.data() as NodeData);
      });
      onPath.addClass('find');
      all.not(onPath.union(onPath.nodes().ancestors())).addClass('dim');
      found = onPath.length;
    }
    if (state.focus) {
      const node = cy.getElementById(state.focus);
      if (node.nonempty() && node.isNode()) {
        const keep = node.closedNeighborhood();
        const keepWithParents = keep.union(keep.nodes().ancestors());
        all.not(keepWithParents).addClass('dim');
      }
    }
  });
  return { found, hidden };
}
