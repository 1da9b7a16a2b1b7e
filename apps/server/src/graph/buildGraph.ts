import type { GraphResponse, GraphWarning } from '@meshlens/contract';
import type { HealthRule } from '../health/tolerances';
import type { InventorySnapshot } from '../inventory/types';
import type { VectorSample } from '../prometheus/client';
import type { EndpointOptions } from './endpoints';
import type { TrafficMap, TrafficSample } from './model';
import type { PipelineQuery } from './queries';
import { spansClusters, toSamples } from './samples';
import { draftResponse, type ResponseDraft } from './toResponse';
import { GRAPH_STEPS, stepsOf, type Answers, type GraphStep, type StepContext } from './steps';

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
export function buildGraph(q: PipelineQuery, samples: GraphSamples, ctx: BuildContext): GraphResponse {
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
export function buildGraphFromTyped(
  q: PipelineQuery,
  samples: TypedSamples,
  ctx: BuildContext,
): GraphResponse {
  const graph = startGraph(q, samples, ctx.inventory);
  for (const step of graph.deferred) graph.run(step, samples);
  return graph.finish(ctx);
}

/**
 * The pipeline (GRAPH_STEPS, in its order) in stages: the traffic map from the request, TCP and mTLS
 * answers (startGraph); then, in any order, the steps that follow (prepare) and the steps that only set
 * edge values (response times, throughput: `deferred`) as their answers arrive; then the answer (finish).
 * The server starts on the map, flags, badges and health while Prometheus still computes the slowest
 * query (response-time quantiles over histogram buckets).
 */
export interface GraphBuilder {
  /** The request's steps that only set edge values, to run (`run`) as their answers arrive. */
  readonly deferred: readonly GraphStep[];
  /** Runs one of `deferred` with these answers (added to those the map was made from). */
  run(step: GraphStep, answers: Answers): void;
  /**
   * The steps after the traffic map and the answer's nodes and edges (their response times and
   * throughput are read at finish). For a service graph (whose reduction merges response times and
   * throughput) it waits for finish; finish runs it if it has not run.
   */
  prepare(ctx: Omit<BuildContext, 'warnings'>): void;
  finish(ctx: BuildContext): GraphResponse;
}

export function startGraph(
  q: PipelineQuery,
  samples: Pick<TypedSamples, 'requests' | 'tcp' | 'mtls' | 'grpcMessages'>,
  inventory: InventorySnapshot,
  steps: readonly GraphStep[] = GRAPH_STEPS,
): GraphBuilder {
  const options: EndpointOptions = {
    graphType: q.graphType,
    injectServiceNodes: q.injectServiceNodes,
    serviceEntries: inventory.serviceEntries,
    selected: new Set(q.namespaces),
    multiCluster: spansClusters(samples.requests, samples.tcp, samples.mtls, samples.grpcMessages),
  };
  const selected = stepsOf(q, steps);
  const firstDeferred = selected.findIndex((s) => s.edgeValuesOnly);
  const split = firstDeferred < 0 ? selected.length : firstDeferred;
  const first = selected.slice(0, split);
  const deferred = selected.slice(split).filter((s) => s.edgeValuesOnly);
  const later = selected.slice(split).filter((s) => !s.edgeValuesOnly);
  const answers: Answers = { ...samples };
  const context = (ctx: Omit<BuildContext, 'warnings'>): StepContext => ({
    q,
    inventory: ctx.inventory,
    healthRules: ctx.healthRules,
    forceInventory: ctx.forceInventory,
    options,
  });
  let map: TrafficMap = { nodes: new Map(), edges: new Map() };
  const runStep = (step: GraphStep, a: Answers, ctx: StepContext) => {
    map = step.run(map, a, ctx) ?? map;
  };
  const startCtx: StepContext = { q, inventory, healthRules: [], options };
  for (const step of first) runStep(step, answers, startCtx);
  let draft: ResponseDraft | undefined;
  const rest = (ctx: Omit<BuildContext, 'warnings'>): ResponseDraft => {
    const c = context(ctx);
    for (const step of later) runStep(step, answers, c);
    return draftResponse(map, ctx.cluster);
  };
  return {
    deferred,
    run: (step, a) => runStep(step, { ...answers, ...a }, startCtx),
    prepare(ctx) {
      if (q.graphType !== 'service') draft ??= rest(ctx);
    },
    finish(ctx) {
      draft ??= rest(ctx);
      return draft.answer(q, ctx.timestamp, ctx.warnings);
    },
  };
}
