import { useMemo } from 'react';
import type { GraphEdge, GraphNode, GraphResponse } from '@meshlens/contract';
import { aggregateElements, groupKeys } from '../../graph/aggregate';
import type { GraphElements } from '../../graph/model';
import { toElements } from '../../graph/toElements';
import type { ViewState } from '../../url/viewState';

/** Above this many drawn nodes: no namespace boxes, labels only when zoomed in, no animation. */
export const LARGE_GRAPH_NODES = 300;

const EMPTY: GraphElements = { nodes: [], edges: [], details: new Map() };

/**
 * What the canvas draws from an answer: past `aggregateAbove` nodes (or when asked) the aggregate view,
 * one node per namespace with the expanded ones in place; and the answer's nodes and edges by id.
 */
export function useGraphElements(answer: GraphResponse | undefined, view: ViewState) {
  const answerNodes = answer?.nodes.filter((n) => n.type !== 'box').length ?? 0;
  const aggregated =
    view.aggregate === 'on' || (view.aggregate === 'auto' && answerNodes > view.aggregateAbove);
  const expandedKey = view.expanded.join(',');
  const full = useMemo(
    () =>
      answer
        ? toElements(answer, {
            boxNamespaces: !aggregated && view.boxNamespaces && answerNodes <= LARGE_GRAPH_NODES,
          })
        : EMPTY,
    [answer, aggregated, view.boxNamespaces, answerNodes],
  );
  const elements = useMemo(
    () =>
      aggregated
        ? aggregateElements(full, { expanded: new Set(expandedKey ? expandedKey.split(',') : []) })
        : full,
    [full, aggregated, expandedKey],
  );
  const groups = useMemo(() => [...new Set(groupKeys(full.nodes).values())].sort(), [full]);
  const nodeCount = useMemo(() => elements.nodes.filter((n) => n.nodeType !== 'box').length, [elements]);
  const nodeMap = useMemo(
    () => new Map<string, GraphNode>(answer?.nodes.map((n) => [n.id, n]) ?? []),
    [answer],
  );
  const edgeMap = useMemo(
    () => new Map<string, GraphEdge>(answer?.edges.map((e) => [e.id, e]) ?? []),
    [answer],
  );
  return {
    /** Nodes in the answer (boxes aside). */
    answerNodes,
    aggregated,
    elements,
    /** The namespaces (or cluster/namespace groups) of the whole graph. */
    groups,
    /** Nodes drawn (boxes aside). */
    nodeCount,
    large: nodeCount > LARGE_GRAPH_NODES,
    nodeMap,
    edgeMap,
  };
}
