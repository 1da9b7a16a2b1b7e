/** The Traffic tab's rows from a node-centred graph (pure): one per peer and protocol, each direction. */
import type { GraphEdge, GraphNode, GraphResponse, HealthStatus } from '@meshlens/contract';

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
}

export function peersOf(graph: GraphResponse, centre: string): { inbound: PeerRow[]; outbound: PeerRow[] } {
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const row = (e: GraphEdge, peerId: string): PeerRow[] => {
    const peer = nodes.get(peerId);
    if (!peer) return [];
    return [
      {
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
      .filter((e) => e.target === centre)
      .flatMap((e) => row(e, e.source))
      .sort(byRate),
    outbound: graph.edges
      .filter((e) => e.source === centre)
      .flatMap((e) => row(e, e.target))
      .sort(byRate),
  };
}
