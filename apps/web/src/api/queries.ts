import { queryOptions, useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import {
  GRAPH_APPENDERS,
  graphSearchParams,
  NamespacesResponseSchema,
  ROUTES,
  ServerConfigResponseSchema,
} from '@meshlens/contract';
import type {
  GraphAppender,
  GraphQuery,
  GraphResponse,
  NamespacesResponse,
  ServerConfigResponse,
} from '@meshlens/contract';
import { request } from './client';
import type { AnswerMemo } from './client';
import { requestInWorker, startFetchWorker } from './workerFetch';

export type GraphParams = Pick<
  GraphQuery,
  'namespaces' | 'graphType' | 'duration' | 'injectServiceNodes' | 'includeIdle' | 'boxBy' | 'responseTime'
> &
  Partial<Pick<GraphQuery, 'rateHttp' | 'rateGrpc' | 'rateTcp' | 'appenders'>> & {
    queryTime?: number;
    compare?: number;
    compareWindow?: number;
  };

/** What of the graph page's view decides the optional steps its graph request needs. */
export interface AppendersView {
  /** Edge label mode (viewState's EDGE_LABELS): `rt` shows response times. */
  edgeLabels: string;
  /** The selected node or edge id (edge ids are `<source>><target>:<protocol>`). */
  selected: string;
  /** Find / hide expressions: they may test `rt`, `responsetime` or `throughput`. */
  find: string;
  hide: string;
  /** Before/after comparison (unix seconds, 0 = off): its labels show response-time changes. */
  compare?: number;
}

const EDGE_ID = />.+:(http|grpc|tcp)$/;

/**
 * The graph steps (`appenders`) the view shows, so the server skips the response-time and throughput
 * queries (the slowest) when nothing on screen reads them: response times for `rt` edge labels, an edge's
 * side panel (response time and response bytes) and find/hide on `rt`; throughput for the edge side panel
 * and find/hide on `throughput`. TCP edges' bytes come with the traffic itself.
 */
export function graphAppenders(view: AppendersView): GraphAppender[] {
  const edgeSelected = EDGE_ID.test(view.selected);
  const expressions = `${view.find} ${view.hide}`.toLowerCase();
  const wanted = new Set<GraphAppender>();
  if (
    view.edgeLabels === 'rt' ||
    edgeSelected ||
    (view.compare ?? 0) > 0 ||
    /\b(rt|responsetime)\b/.test(expressions)
  )
    wanted.add('responseTime');
  if (edgeSelected || /\bthroughput\b/.test(expressions)) wanted.add('throughput');
  return GRAPH_APPENDERS.filter((a) => wanted.has(a));
}

/** The one query-key factory: every key the app uses, typed. */
export const queryKeys = {
  all: ['meshlens'] as const,
  config: () => [...queryKeys.all, 'config'] as const,
  namespaces: () => [...queryKeys.all, 'namespaces'] as const,
  graph: (params: GraphParams) => [...queryKeys.all, 'graph', params] as const,
  overview: (namespaces: readonly string[], duration: number) =>
    [...queryKeys.all, 'overview', namespaces, duration] as const,
  entities: (kind: string, namespaces: readonly string[], duration: number) =>
    [...queryKeys.all, 'entities', kind, namespaces, duration] as const,
  detail: (kind: string, namespace: string, name: string) =>
    [...queryKeys.all, 'detail', kind, namespace, name] as const,
  nodeGraph: (kind: string, namespace: string, name: string, duration: number) =>
    [...queryKeys.all, 'detail', kind, namespace, name, 'graph', duration] as const,
  metrics: (kind: string, namespace: string, name: string, params: string) =>
    [...queryKeys.all, 'detail', kind, namespace, name, 'metrics', params] as const,
  traces: (kind: string, namespace: string, name: string, params: string) =>
    [...queryKeys.all, 'detail', kind, namespace, name, 'traces', params] as const,
  trace: (id: string) => [...queryKeys.all, 'trace', id] as const,
  spanStats: (kind: string, namespace: string, name: string, params: string) =>
    [...queryKeys.all, 'spanStats', kind, namespace, name, params] as const,
  /** A write's dry run (wizard preview, editor validation) for one input. */
  dryRun: (scope: readonly unknown[], input: string) =>
    [...queryKeys.all, 'dry-run', ...scope, input] as const,
};

/**
 * The server's config, which the graph request waits for: asked at boot (main.tsx prefetches it before
 * the first render) rather than after the first render commits, a few hundred ms later on these machines.
 */
export const serverConfigQuery = queryOptions({
  queryKey: queryKeys.config(),
  queryFn: ({ signal }) =>
    request<ServerConfigResponse>('GET', ROUTES.config, { signal, schema: ServerConfigResponseSchema }),
  staleTime: Infinity,
});

export function useServerConfig() {
  return useQuery(serverConfigQuery);
}

/** The namespaces (the header's picker, the lists): asked at boot once there is a session (main.tsx). */
export const namespacesQuery = queryOptions({
  queryKey: queryKeys.namespaces(),
  queryFn: ({ signal }) =>
    request<NamespacesResponse>('GET', ROUTES.namespaces, { signal, schema: NamespacesResponseSchema }),
});

export function useNamespaces(refetchInterval: number | false) {
  return useQuery({
    ...namespacesQuery,
    refetchInterval: refetchInterval === false ? false : Math.max(refetchInterval, 30_000),
  });
}

/**
 * The graph, polled every `refetchInterval` ms (false = paused). With `view`, only the optional steps it
 * shows are asked (graphAppenders); without, the server's full set. Not validated with zod: a 1,000-node
 * answer is large and comes from our own server, typed by the contract.
 */
/** The last graph answer: a refresh whose answer has not changed keeps the same object. */
const lastGraph: AnswerMemo = {};

/**
 * The graph query of `params` (with the appenders the view needs): useGraph's, and the one main.tsx
 * starts at boot on the graph page (the same key, so the page takes over the request in flight).
 */
export function graphQuery(params: GraphParams | null) {
  return queryOptions({
    queryKey: queryKeys.graph(params ?? ({} as GraphParams)),
    enabled: params !== null && params.namespaces.length > 0,
    queryFn: ({ signal }) =>
      // fetched and parsed off the main thread: a 5,000-service answer is ~10 MB of JSON
      requestInWorker<GraphResponse>(ROUTES.graph, {
        query: graphSearchParams(params as GraphParams),
        signal,
        reuse: lastGraph,
      }),
    // A deep compare of a 5,000-node answer blocks the main thread for a few hundred ms; an unchanged
    // answer is the same object already (reuse above), a changed one is diffed by id on the canvas.
    structuralSharing: false,
  });
}

/** The graph params of a view, with the optional steps (appenders) it shows. */
export function withAppenders(graphParams: GraphParams, view: AppendersView): GraphParams {
  return { ...graphParams, appenders: graphAppenders(view) };
}

export function useGraph(
  graphParams: GraphParams | null,
  refetchInterval: number | false,
  view?: AppendersView,
) {
  const params = graphParams && view ? withAppenders(graphParams, view) : graphParams;
  // the worker starts while the page still waits for its config: ready when the graph is asked
  useEffect(startFetchWorker, []);
  return useQuery({ ...graphQuery(params), refetchInterval, placeholderData: (previous) => previous });
}
