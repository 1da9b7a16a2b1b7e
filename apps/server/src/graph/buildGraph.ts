import type { GraphQuery, GraphResponse, GraphWarning } from '@meshlens/contract';
import type { HealthRule } from '../health/tolerances';
import type { InventorySnapshot } from '../inventory/types';
import type { VectorSample } from '../prometheus/client';
import { applyBadges } from './appenders/badges';
import { applyBoxes } from './appenders/boxes';
import { markOutside, markRootsGatewaysSidecars } from './appenders/flags';
import { applyHealth } from './appenders/health';
import { addIdle } from './appenders/idle';
import { applyNodeTraffic } from './appenders/nodeTraffic';
import { applyResponseTime } from './appenders/responseTime';
import { reduceToServiceGraph } from './appenders/serviceGraph';
import { applyThroughput } from './appenders/throughput';
import type { EndpointOptions } from './endpoints';
import type { TrafficMap, TrafficSample } from './model';
import { toSamples } from './samples';
import { draftResponse, type ResponseDraft } from './toResponse';
import { buildTrafficMap } from './trafficMap';

/** Prometheus answers of one graph request, by query name; a missing one failed or was not needed. */
export interface GraphSamples {
  requests?: readonly VectorSample[];
  /** Destination-reported requests by connection_security_policy. */
  mtls?: readonly VectorSample[];
  tcp?: readonly VectorSample[];
  responseTime?: readonly VectorSample[];
  throughput?: readonly VectorSample[];
  /** gRPC messages/s per direction (rateGrpc sent|received|total). */
  grpcMessages?: readonly VectorSample[];
}

export interface BuildContext {
  inventory: InventorySnapshot;
  healthRules: readonly HealthRule[];
  cluster: string;
  timestamp: number;
  warnings: GraphWarning[];
  /** Add the inventory's nodes even without includeIdle (used when Prometheus failed). */
  forceInventory?: boolean;
}

/**
 * The pure graph pipeline: samples → traffic map → appenders → response. No I/O; the golden tests feed it
 * recorded Prometheus answers and a fixed inventory.
 */
export function buildGraph(q: GraphQuery, samples: GraphSamples, ctx: BuildContext): GraphResponse {
  return buildGraphFromTyped(q, typedSamples(samples), ctx);
}

/** The same answers as typed samples (see toSamples), by query name. */
export type TypedSamples = { [K in keyof GraphSamples]?: readonly TrafficSample[] };

export function typedSamples(samples: GraphSamples): TypedSamples {
  const out: TypedSamples = {};
  for (const k of Object.keys(samples) as (keyof GraphSamples)[]) {
    const v = samples[k];
    if (v) out[k] = toSamples(v);
  }
  return out;
}

/**
 * buildGraph on answers already converted with toSamples: the server converts each Prometheus answer as
 * it arrives, so the raw JSON objects of the five answers are never all held at once.
 */
export function buildGraphFromTyped(q: GraphQuery, samples: TypedSamples, ctx: BuildContext): GraphResponse {
  const graph = startGraph(q, samples, ctx.inventory);
  graph.addResponseTime(samples.responseTime ?? []);
  graph.addThroughput(samples.throughput ?? []);
  return graph.finish(ctx);
}

/**
 * The pipeline in stages: the traffic map from the request, TCP and mTLS answers (startGraph); then, in
 * any order, the appenders that need nothing else (prepare) and response times and throughput as their
 * answers arrive; then the answer (finish). The server starts on the map, flags, badges and health while
 * Prometheus still computes the slowest query (response-time quantiles over histogram buckets).
 */
export interface GraphBuilder {
  addResponseTime(samples: readonly TrafficSample[]): void;
  addThroughput(samples: readonly TrafficSample[]): void;
  /**
   * Idle nodes, flags, badges, node traffic, health, and the answer's nodes and edges (their response
   * times and throughput are read at finish). For a service graph (whose edges merge response times and
   * throughput) it waits for finish; finish runs it if it has not run.
   */
  prepare(ctx: Omit<BuildContext, 'warnings'>): void;
  finish(ctx: BuildContext): GraphResponse;
}

export function startGraph(
  q: GraphQuery,
  samples: Pick<TypedSamples, 'requests' | 'tcp' | 'mtls' | 'grpcMessages'>,
  inventory: InventorySnapshot,
): GraphBuilder {
  const options: EndpointOptions = {
    graphType: q.graphType,
    injectServiceNodes: q.injectServiceNodes,
    serviceEntries: inventory.serviceEntries,
    selected: new Set(q.namespaces),
  };
  const requests = samples.requests ?? [];
  let map: TrafficMap = buildTrafficMap(
    requests,
    samples.tcp ?? [],
    samples.mtls ?? [],
    options,
    samples.grpcMessages ?? [],
  );
  let draft: ResponseDraft | undefined;
  const appenders = (ctx: Omit<BuildContext, 'warnings'>): ResponseDraft => {
    if (q.graphType === 'service') map = reduceToServiceGraph(map);
    if (q.includeIdle || ctx.forceInventory)
      addIdle(map, ctx.inventory, q.namespaces, q.graphType, q.injectServiceNodes);
    markOutside(map, q.namespaces);
    markRootsGatewaysSidecars(map, ctx.inventory);
    applyBadges(map, ctx.inventory, q.injectServiceNodes || q.graphType === 'service');
    applyNodeTraffic(map);
    for (const n of map.nodes.values()) {
      const t = n.traffic;
      if (t.httpIn + t.httpOut + t.grpcIn + t.grpcOut + t.tcpIn + t.tcpOut <= 0) n.isIdle = true;
    }
    applyHealth(map, ctx.inventory, ctx.healthRules);
    applyBoxes(map, q.boxBy);
    return draftResponse(map, ctx.cluster);
  };
  return {
    addResponseTime: (rt) => applyResponseTime(map, rt, requests, options),
    addThroughput: (tp) => applyThroughput(map, tp, options),
    prepare(ctx) {
      if (q.graphType !== 'service') draft ??= appenders(ctx);
    },
    finish(ctx) {
      draft ??= appenders(ctx);
      return draft.answer(q, ctx.timestamp, ctx.warnings);
    },
  };
}
