/** The Traffic tab's rows from a node-centred graph (pure): one per peer and protocol, each direction. */
import {
  isNodeOf,
  type GraphEdge,
  type GraphNode,
  type GraphResponse,
  type HealthStatus,
} from '@meshlens/contract';

export interface PeerRow {
  id: string;
  peer: GraphNode;
  protocol: GraphEdge['protocol'];
  /** Requests/s (HTTP, gRPC) or bytes/s (TCP). */
  rate: number;
  errorPct: number;
  responseTimeMs: number | null;
  mtlsPct: number | null;
  health: HealthStatus;
  healthReason: string;
  /** In a graph over several clusters: the cluster of the entity's end of the edge (`<id>@<cluster>`). */
  via?: string;
}

/**
 * Whether a node id is the entity's: its id, or in a graph over several clusters its id in one of them
 * (`<id>@<cluster>`: the same app or service in two clusters is two nodes, both the entity's).
 */
export const isCentreId: (id: string, centre: string) => boolean = isNodeOf;

const clusterOf = (id: string, centre: string) =>
  id.length > centre.length ? id.slice(centre.length + 1) : undefined;

export function peersOf(graph: GraphResponse, centre: string): { inbound: PeerRow[]; outbound: PeerRow[] } {
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const row = (e: GraphEdge, peerId: string, centreEnd: string): PeerRow[] => {
    const peer = nodes.get(peerId);
    if (!peer) return [];
    const via = clusterOf(centreEnd, centre);
    return [
      {
        ...(via ? { via } : {}),
        id: e.id,
        peer,
        protocol: e.protocol,
        rate: e.protocol === 'tcp' ? (e.throughputBps ?? 0) : e.rps,
        errorPct: e.errorPct,
        responseTimeMs: e.responseTimeMs,
        mtlsPct: e.mtlsPct,
        health: e.healthStatus,
        healthReason: e.healthReason,
      },
    ];
  };
  const byRate = (a: PeerRow, b: PeerRow) => b.rate - a.rate || a.peer.label.localeCompare(b.peer.label);
  return {
    inbound: graph.edges
      .filter((e) => isCentreId(e.target, centre))
      .flatMap((e) => row(e, e.source, e.target))
      .sort(byRate),
    outbound: graph.edges
      .filter((e) => isCentreId(e.source, centre))
      .flatMap((e) => row(e, e.target, e.source))
      .sort(byRate),
  };
}
