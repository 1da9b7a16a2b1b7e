import type { GraphEdge, GraphNode, GraphQuery, GraphResponse, GraphWarning } from '@meshlens/contract';
import type { TEdge, TrafficMap } from './model';
import { edgeResponseTime } from './appenders/responseTime';
import { classesOf } from './appenders/nodeTraffic';

/** Rates to 4 decimals, percentages and ms to 2: stable output for goldens and small payloads. */
export const r4 = (n: number) => Math.round(n * 10_000) / 10_000;
export const r2 = (n: number) => Math.round(n * 100) / 100;

/** The map's keys sorted, without the sort for the usual one key. */
function sortedKeys(m: ReadonlyMap<string, unknown>): string[] {
  const keys = [...m.keys()];
  return keys.length > 1 ? keys.sort() : keys;
}

/** An index past any HTTP code or gRPC status, see codeKeyed. */
const FAR_INDEX = 2 ** 32 - 2;

/**
 * An empty object for integer-like keys (HTTP codes, gRPC statuses). V8 stores such keys as array
 * elements: on a plain `{}` the key `"503"` allocates ~770 slots (3 KB, walked slot by slot by
 * JSON.stringify), ~4 KB per edge's `responses`. One far index set and deleted first makes the elements a
 * small dictionary (~0.4 KB); keys, order and JSON are the same.
 */
function codeKeyed<T>(): Record<string, T> {
  const o: Record<string, T> = {};
  (o as Record<number, unknown>)[FAR_INDEX] = 0;
  delete (o as Record<number, unknown>)[FAR_INDEX];
  return o;
}

/** key → rate as a plain object, keys sorted, rates rounded (without a key array for the usual one key). */
function roundFlat(m: ReadonlyMap<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  if (m.size === 1) for (const [k, v] of m) out[k] = r4(v);
  else for (const k of sortedKeys(m)) out[k] = r4(m.get(k)!);
  return out;
}

/**
 * code → flags (or hosts) → rate as the contract's plain objects, keys sorted, rates rounded. HTTP codes
 * (`httpCodes`) go into a codeKeyed object; gRPC statuses (0–16) and TCP's `-` need none.
 */
function roundDeep(
  m: ReadonlyMap<string, ReadonlyMap<string, number>>,
  httpCodes: boolean,
): Record<string, Record<string, number>> {
  const out = httpCodes ? codeKeyed<Record<string, number>>() : {};
  if (m.size === 1) for (const [code, inner] of m) out[code] = roundFlat(inner);
  else for (const code of sortedKeys(m)) out[code] = roundFlat(m.get(code)!);
  return out;
}

/** Sets the fields of an answer's edge that response times and throughput make. */
function setTiming(out: GraphEdge, e: TEdge): void {
  const rt = edgeResponseTime(e);
  out.responseTimeMs = rt === null ? null : r2(rt);
  out.throughputBps =
    e.protocol === 'tcp' ? r4(e.tcpBps) : e.throughput === undefined ? null : r4(e.throughput);
}

export interface ResponseDraft {
  /**
   * The answer, with each edge's response time and throughput read again from the map: those may be
   * added to the map after the draft (the server drafts while the slowest queries still run).
   */
  answer(q: GraphQuery, timestamp: number, warnings: GraphWarning[]): GraphResponse;
}

/**
 * Traffic map → the contract's answer (flat primitive data, sorted by id): its nodes and edges, built from
 * a map whose nodes, edges and rates are final.
 */
export function draftResponse(map: TrafficMap, cluster: string): ResponseDraft {
  // Outbound amount per source node and protocol (for percentOfSource), without a key string per edge.
  const outByNodeProto = new Map<string, Record<string, number>>();
  for (const e of map.edges.values()) {
    let byProto = outByNodeProto.get(e.source);
    if (!byProto) outByNodeProto.set(e.source, (byProto = {}));
    byProto[e.protocol] = (byProto[e.protocol] ?? 0) + (e.protocol === 'tcp' ? e.tcpBps : e.rps);
  }
  const nodes: GraphNode[] = [...map.nodes.values()]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((n) => {
      const node: GraphNode = {
        id: n.id,
        type: n.type,
        label: n.label,
        cluster: n.cluster ?? cluster,
        namespace: n.namespace,
        isRoot: n.isRoot,
        isGateway: n.isGateway,
        isOutside: n.isOutside,
        isIdle: n.isIdle,
        hasMissingSidecar: n.hasMissingSidecar,
        isServiceEntry: n.isServiceEntry,
        isBox: n.isBox,
        ...n.badges,
        httpIn: r4(n.traffic.httpIn),
        httpIn3xx: r4(n.traffic.httpIn3xx),
        httpIn4xx: r4(n.traffic.httpIn4xx),
        httpIn5xx: r4(n.traffic.httpIn5xx),
        httpInNoResponse: r4(n.traffic.httpInNoResponse),
        httpOut: r4(n.traffic.httpOut),
        grpcIn: r4(n.traffic.grpcIn),
        grpcInErr: r4(n.traffic.grpcInErr),
        grpcInNoResponse: r4(n.traffic.grpcInNoResponse),
        grpcOut: r4(n.traffic.grpcOut),
        tcpIn: r4(n.traffic.tcpIn),
        tcpOut: r4(n.traffic.tcpOut),
        healthStatus: n.healthStatus,
        healthReason: n.healthReason,
      };
      for (const key of [
        'parent',
        'app',
        'version',
        'workload',
        'service',
        'host',
        'boxType',
        'serviceEntryLocation',
      ] as const) {
        const v = n[key];
        if (v !== undefined) (node as Record<string, unknown>)[key] = v;
      }
      return node;
    });
  const mapEdges = [...map.edges.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const edges: GraphEdge[] = mapEdges.map((e) => {
    const tcp = e.protocol === 'tcp';
    const amount = tcp ? e.tcpBps : e.rps;
    const out = outByNodeProto.get(e.source)?.[e.protocol] ?? 0;
    const c = classesOf(e);
    const noResponse = c.noResponse;
    const c4 = c.c4xx;
    const c5 = c.c5xx;
    const gErr = c.grpcErr;
    const errors = e.protocol === 'grpc' ? gErr + noResponse : c4 + c5 + noResponse;
    let connections: Record<string, number> | undefined;
    let opened = 0;
    if (tcp && e.tcpConnections.size > 0) {
      connections = {};
      for (const flag of sortedKeys(e.tcpConnections)) {
        const v = e.tcpConnections.get(flag)!;
        connections[flag] = r4(v);
        opened += v;
      }
    }
    const edge: GraphEdge = {
      id: e.id,
      source: e.source,
      target: e.target,
      protocol: e.protocol,
      rps: r4(tcp ? 0 : e.rps),
      rate2xx: r4(c.c2xx),
      rate3xx: r4(c.c3xx),
      rate4xx: r4(c4),
      rate5xx: r4(c5),
      rateNoResponse: r4(noResponse),
      rateGrpcErr: r4(gErr),
      errorPct: !tcp && e.rps > 0 ? r2((errors / e.rps) * 100) : 0,
      percentOfSource: out > 0 ? r2((amount / out) * 100) : 0,
      responseTimeMs: null, // set by answer()
      throughputBps: null,
      mtlsPct: e.destReported > 0 ? r2((e.mtls / e.destReported) * 100) : null,
      responses: roundDeep(e.responses, e.protocol === 'http'),
      responseHosts: roundDeep(e.hosts, e.protocol === 'http'),
      isIdle: amount <= 0 && opened <= 0,
      healthStatus: e.healthStatus,
      healthReason: e.healthReason,
    };
    if (connections) edge.connections = connections;
    return edge;
  });
  return {
    answer(q, timestamp, warnings) {
      for (let i = 0; i < mapEdges.length; i++) setTiming(edges[i]!, mapEdges[i]!);
      return {
        timestamp,
        duration: q.duration,
        graphType: q.graphType,
        namespaces: q.namespaces,
        responseTime: q.responseTime,
        nodes,
        edges,
        warnings,
      };
    },
  };
}
