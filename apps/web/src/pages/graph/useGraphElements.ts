import { useEffect, useMemo, useState } from 'react';
import type { GraphEdge, GraphNode, GraphResponse } from '@meshlens/contract';
import { aggregateElements, groupKeys } from '../../graph/aggregate';
import type { GraphElements } from '../../graph/model';
import { toElements, toElementsInSlices } from '../../graph/toElements';
import { byId } from './byId';
import type { ViewState } from '../../url/viewState';

/** Above this many drawn nodes: no namespace boxes, labels only when zoomed in, no animation. */
export const LARGE_GRAPH_NODES = 300;

const EMPTY: GraphElements = { nodes: [], edges: [], details: new Map() };

/**
 * Answers with more nodes and edges than this are converted in time slices after the render (a 5,000-
 * service answer takes a few hundred ms); smaller ones in the render, as before.
 */
export const SLICED_ELEMENTS_ABOVE = 4000;

interface Converted {
  answer: GraphResponse;
  boxNamespaces: boolean;
  elements: GraphElements;
}

/**
 * What the canvas draws from an answer: past `aggregateAbove` nodes (or when asked) the aggregate view,
 * one node per namespace with the expanded ones in place; and the answer's nodes and edges by id.
 */
export function useGraphElements(answer: GraphResponse | undefined, view: ViewState) {
  const answerNodes = answer?.nodes.filter((n) => n.type !== 'box').length ?? 0;
  const aggregated =
    view.aggregate === 'on' || (view.aggregate === 'auto' && answerNodes > view.aggregateAbove);
  const expandedKey = view.expanded.join(',');
  const boxNamespaces = !aggregated && view.boxNamespaces && answerNodes <= LARGE_GRAPH_NODES;
  const sliced = answer !== undefined && answer.nodes.length + answer.edges.length > SLICED_ELEMENTS_ABOVE;
  const inRender = useMemo(
    () => (answer && !sliced ? toElements(answer, { boxNamespaces }) : null),
    [answer, sliced, boxNamespaces],
  );
  // A large answer: converted in slices; until then the last one converted stays drawn.
  const [converted, setConverted] = useState<Converted | null>(null);
  useEffect(() => {
    if (!answer || !sliced) return;
    let current = true;
    void toElementsInSlices(answer, { boxNamespaces }, { isCurrent: () => current }).then((elements) => {
      if (elements && current) setConverted({ answer, boxNamespaces, elements });
    });
    return () => {
      current = false;
    };
  }, [answer, sliced, boxNamespaces]);
  const full = inRender ?? (sliced && converted ? converted.elements : EMPTY);
  /** A large answer not converted yet (what is drawn is the last one, or nothing). */
  const pending = sliced && (converted?.answer !== answer || converted?.boxNamespaces !== boxNamespaces);
  const elements = useMemo(
    () =>
      aggregated
        ? aggregateElements(full, { expanded: new Set(expandedKey ? expandedKey.split(',') : []) })
        : full,
    [full, aggregated, expandedKey],
  );
  const groups = useMemo(() => [...new Set(groupKeys(full.nodes).values())].sort(), [full]);
  const nodeCount = useMemo(() => elements.nodes.filter((n) => n.nodeType !== 'box').length, [elements]);
  const nodeMap = useMemo(() => byId<GraphNode>(answer?.nodes), [answer]);
  const edgeMap = useMemo(() => byId<GraphEdge>(answer?.edges), [answer]);
  return {
    /** The answer is still being converted: the elements are the last answer's (or none yet). */
    pending,
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
