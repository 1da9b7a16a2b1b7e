/**
 * The node-centred graph of one app, workload or service: the graph pipeline's answer for the entity's
 * namespace focused on the entity (each of its PromQL queries, 4 with every protocol, reads only the
 * series where the entity is the caller or the callee, with the namespace graph's reporter semantics, so
 * its edges are the namespace graph's, callers and callees in any namespace), centred on the entity. The
 * other nodes carry only their traffic with it: they are not graded (see ungradeAllBut), and an edge from
 * one of them gives its share of that caller's traffic in this graph (as Kiali's node graphs do): the
 * caller's other calls are not read. Edges out of the centre keep the namespace graph's share.
 */
import {
  GRAPH_APPENDERS,
  isNodeOf,
  nodeId,
  type EntityKind,
  graphNode,
  type GraphNode,
  type GraphResponse,
  type NodeGraphQuery,
} from '@meshlens/contract';
import type { PipelineQuery } from '../graph/queries';

const FOCUS_KIND = { apps: 'app', workloads: 'workload', services: 'service' } as const;

/** The graph request answering a node graph (and the detail's health). */
export function nodeGraphQuery(
  kind: EntityKind,
  namespace: string,
  name: string,
  q: NodeGraphQuery,
): PipelineQuery {
  return {
    namespaces: [namespace],
    focus: { kind: FOCUS_KIND[kind], namespace, name },
    graphType: kind === 'apps' ? 'app' : 'workload',
    duration: q.duration,
    // Services sit between their callers and workloads; apps and workloads face their peers directly.
    injectServiceNodes: kind === 'services',
    // Only edges with traffic (centreOn adds the entity's node when it had no traffic).
    includeIdle: false,
    boxBy: 'none',
    responseTime: q.responseTime,
    protocols: ['http', 'grpc', 'tcp'],
    rateHttp: 'requests',
    rateGrpc: 'requests',
    rateTcp: 'sent',
    // The detail's graph shows response times and throughput on its edges.
    appenders: [...GRAPH_APPENDERS],
    debug: q.debug,
  };
}

export function centreId(kind: EntityKind, namespace: string, name: string): string {
  if (kind === 'apps') return nodeId.app(namespace, name);
  if (kind === 'workloads') return nodeId.workload(namespace, name);
  return nodeId.service(namespace, name);
}

/**
 * Whether a graph node is the entity's: its id, or, in a graph over several clusters, its id in one of
 * them (`<id>@<cluster>`: the same app or service in two clusters is two nodes, both the entity's).
 */
export const isCentre: (id: string, centre: string) => boolean = isNodeOf;

/** The entity's node(s), the edges touching them (idle ones only if none other) and their ends. */
export function centreOn(graph: GraphResponse, centre: string, idle?: GraphNode): GraphResponse {
  const touching = graph.edges.filter((e) => isCentre(e.source, centre) || isCentre(e.target, centre));
  const edges = touching.some((e) => !e.isIdle) ? touching.filter((e) => !e.isIdle) : touching;
  const keep = new Set<string>(graph.nodes.filter((n) => isCentre(n.id, centre)).map((n) => n.id));
  for (const e of edges) {
    keep.add(e.source);
    keep.add(e.target);
  }
  const nodes = graph.nodes.filter((n) => keep.has(n.id));
  // Without traffic the graph has no node for it: an idle one, so the page still shows the entity.
  if (idle && !nodes.some((n) => isCentre(n.id, centre))) nodes.unshift(idle);
  return { ...graph, nodes, edges };
}

/** The entity's node as the graph shows an idle one (NoTraffic). */
export function idleNode(kind: EntityKind, namespace: string, name: string): GraphNode {
  const id = centreId(kind, namespace, name);
  const fields =
    kind === 'apps'
      ? ({ type: 'app', app: name } as const)
      : kind === 'workloads'
        ? ({ type: 'workload', workload: name } as const)
        : ({ type: 'service', service: name } as const);
  return graphNode({ id, label: name, namespace, isIdle: true, healthStatus: 'NoTraffic', ...fields });
}
