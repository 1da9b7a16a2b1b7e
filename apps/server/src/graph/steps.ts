import { nodeId, type GraphAppender } from '@meshlens/contract';
import type { HealthRule } from '../health/tolerances';
import type { InventorySnapshot } from '../inventory/types';
import { applyBadges } from './appenders/badges';
import { applyBoxes } from './appenders/boxes';
import { markOutside, markRootsGatewaysSidecars } from './appenders/flags';
import { applyHealth, ungradeAllBut } from './appenders/health';
import { addIdle } from './appenders/idle';
import { applyNodeTraffic } from './appenders/nodeTraffic';
import { applyResponseTime } from './appenders/responseTime';
import { reduceToServiceGraph } from './appenders/serviceGraph';
import { applyThroughput } from './appenders/throughput';
import type { EndpointOptions } from './endpoints';
import type { TrafficMap, TrafficSample } from './model';
import { mtlsInRequests, type GraphFocus, type GraphPromQuery, type PipelineQuery } from './queries';
import { buildTrafficMap } from './trafficMap';

export type QueryName = GraphPromQuery['name'];

/** The Prometheus answers of one request, as typed samples, by query name (missing: failed or not asked). */
export type Answers = { readonly [K in QueryName]?: readonly TrafficSample[] };

/** What a step reads besides the map and the answers. */
export interface StepContext {
  q: PipelineQuery;
  inventory: InventorySnapshot;
  healthRules: readonly HealthRule[];
  /** Add the inventory's nodes even without includeIdle (used when Prometheus failed). */
  forceInventory?: boolean;
  options: EndpointOptions;
}

interface StepBase {
  /** The Prometheus answers it reads: a query runs only if a step that runs needs it. */
  readonly needs: readonly QueryName[];
  /**
   * It only sets edges' response time or throughput, which no later step reads but the service-graph
   * reduction: so the server applies it when its answer arrives, while the later steps run (before the
   * reduction in a service graph).
   */
  readonly edgeValuesOnly?: boolean;
  /** Returns the map the following steps work on when it makes a new one. */
  run(map: TrafficMap, answers: Answers, ctx: StepContext): TrafficMap | void;
}
/** A step that runs only when the request names it in `appenders`. */
export interface OptionalStep extends StepBase {
  readonly name: GraphAppender;
  readonly optional: true;
}
/** A step every graph needs. */
export interface RequiredStep extends StepBase {
  readonly name: string;
  readonly optional: false;
}
export type GraphStep = OptionalStep | RequiredStep;

const empty: readonly TrafficSample[] = [];

/**
 * The graph pipeline, in order: the one place its order lives. The first step makes the traffic map from
 * the request, TCP, mTLS and gRPC-message answers; each following one adds to it (or, for the service
 * graph, replaces it); the answer is drafted from the map the last step leaves.
 */
export const GRAPH_STEPS: readonly GraphStep[] = [
  {
    name: 'trafficMap',
    optional: false,
    needs: ['requests', 'tcp', 'mtls', 'grpcMessages'],
    run: (_map, a, ctx) =>
      buildTrafficMap(
        a.requests ?? empty,
        a.tcp ?? empty,
        // The mTLS answer when there is one, else the requests query's destination reports carry it.
        a.mtls ?? (mtlsInRequests(ctx.q) ? a.requests : undefined) ?? empty,
        ctx.options,
        a.grpcMessages ?? empty,
      ),
  },
  {
    name: 'responseTime',
    optional: true,
    edgeValuesOnly: true,
    // The request rates weigh the series an edge merges.
    needs: ['responseTime', 'requests'],
    run: (map, a, ctx) => applyResponseTime(map, a.responseTime ?? empty, a.requests ?? empty, ctx.options),
  },
  {
    name: 'throughput',
    optional: true,
    edgeValuesOnly: true,
    needs: ['throughput'],
    run: (map, a, ctx) => applyThroughput(map, a.throughput ?? empty, ctx.options),
  },
  {
    name: 'serviceGraph',
    optional: false,
    needs: [],
    run: (map, _a, ctx) => (ctx.q.graphType === 'service' ? reduceToServiceGraph(map) : map),
  },
  {
    name: 'idleNode',
    optional: false,
    needs: [],
    run(map, _a, { q, inventory, forceInventory, options }) {
      if (q.includeIdle || forceInventory)
        addIdle(map, inventory, q.namespaces, q.graphType, q.injectServiceNodes, options.multiCluster);
    },
  },
  {
    name: 'outsider',
    optional: false,
    needs: [],
    run: (map, _a, ctx) => markOutside(map, ctx.q.namespaces),
  },
  {
    name: 'rootsGatewaysSidecars',
    optional: false,
    needs: [],
    run: (map, _a, ctx) => markRootsGatewaysSidecars(map, ctx.inventory),
  },
  {
    name: 'badges',
    optional: false,
    needs: [],
    run: (map, _a, { q, inventory }) =>
      applyBadges(map, inventory, q.injectServiceNodes || q.graphType === 'service'),
  },
  {
    name: 'nodeTraffic',
    optional: false,
    needs: [],
    run(map) {
      applyNodeTraffic(map);
      for (const n of map.nodes.values()) {
        const t = n.traffic;
        if (t.httpIn + t.httpOut + t.grpcIn + t.grpcOut + t.tcpIn + t.tcpOut <= 0) n.isIdle = true;
      }
    },
  },
  {
    name: 'health',
    optional: false,
    needs: [],
    run(map, _a, { q, inventory, healthRules }) {
      applyHealth(map, inventory, healthRules);
      if (q.focus) ungradeAllBut(map, focusNodeId(q.focus), `${q.focus.kind} ${q.focus.name}`);
    },
  },
  {
    name: 'boxes',
    optional: false,
    needs: [],
    run: (map, _a, ctx) => applyBoxes(map, ctx.q.boxBy),
  },
];

/** The node a focused graph is centred on (a service graph's workloads are app or workload nodes). */
export function focusNodeId(f: GraphFocus): string {
  if (f.kind === 'app') return nodeId.app(f.namespace, f.name);
  if (f.kind === 'workload') return nodeId.workload(f.namespace, f.name);
  return nodeId.service(f.namespace, f.name);
}

/** The steps a request runs, in pipeline order: the required ones and the optional ones it names. */
export function stepsOf(q: Pick<PipelineQuery, 'appenders'>, steps = GRAPH_STEPS): GraphStep[] {
  return steps.filter((s) => !s.optional || q.appenders.includes(s.name));
}

/** The Prometheus answers the request's steps need. */
export function neededQueries(q: Pick<PipelineQuery, 'appenders'>, steps = GRAPH_STEPS): Set<QueryName> {
  return new Set(stepsOf(q, steps).flatMap((s) => s.needs));
}
