/**
 * The overview's mini graph (pure layout): callers in a column on the left, the entity in the middle,
 * callees on the right, each column centred vertically. Edges keep their health.
 */
import type { GraphResponse, HealthStatus } from '@meshlens/contract';
import { isCentreId } from './peers';

export interface MiniNode {
  id: string;
  label: string;
  x: number;
  y: number;
  centre: boolean;
}
export interface MiniEdge {
  id: string;
  from: MiniNode;
  to: MiniNode;
  health: HealthStatus;
}

export const COLUMN_GAP = 220;
export const ROW_GAP = 44;

export function miniLayout(graph: GraphResponse, centre: string) {
  // over several clusters the entity is a node per cluster (`<id>@<cluster>`): one centre here
  const isCentre = (id: string) => isCentreId(id, centre);
  const label = (id: string) =>
    graph.nodes.find((n) => n.id === id)?.label ?? graph.nodes.find((n) => isCentre(n.id))?.label ?? id;
  const callers = [
    ...new Set(graph.edges.filter((e) => isCentre(e.target) && !isCentre(e.source)).map((e) => e.source)),
  ].sort();
  const callees = [
    ...new Set(graph.edges.filter((e) => isCentre(e.source) && !isCentre(e.target)).map((e) => e.target)),
  ].sort();
  const rows = Math.max(callers.length, callees.length, 1);
  const height = rows * ROW_GAP;
  const column = (ids: string[], x: number): MiniNode[] =>
    ids.map((id, i) => ({
      id,
      label: label(id),
      x,
      y: (height - ids.length * ROW_GAP) / 2 + (i + 0.5) * ROW_GAP,
      centre: false,
    }));
  const middle: MiniNode = { id: centre, label: label(centre), x: COLUMN_GAP, y: height / 2, centre: true };
  const left = column(callers, 0);
  const right = column(callees, 2 * COLUMN_GAP);
  const all = new Map<string, MiniNode>();
  // The centre wins over a peer column when it calls itself.
  for (const n of [...left, ...right, middle]) all.set(n.id, n);
  const edges: MiniEdge[] = graph.edges
    .filter((e) => isCentre(e.source) || isCentre(e.target))
    .map((e) => ({
      id: e.id,
      from: isCentre(e.source) ? middle : left.find((n) => n.id === e.source)!,
      to: isCentre(e.target) ? middle : right.find((n) => n.id === e.target)!,
      health: e.healthStatus,
    }))
    .filter((e) => e.from && e.to);
  return { nodes: [...all.values()], edges, width: 2 * COLUMN_GAP, height };
}
