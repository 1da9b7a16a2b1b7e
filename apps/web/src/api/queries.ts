import { useQuery } from '@tanstack/react-query';
import {
  graphSearchParams,
  NamespacesResponseSchema,
  ROUTES,
  ServerConfigResponseSchema,
} from '@meshlens/contract';
import type { GraphQuery, GraphResponse, NamespacesResponse, ServerConfigResponse } from '@meshlens/contract';
import { request } from './client';

export type GraphParams = Pick<
  GraphQuery,
  'namespaces' | 'graphType' | 'duration' | 'injectServiceNodes' | 'includeIdle' | 'boxBy' | 'responseTime'
> &
  Partial<Pick<GraphQuery, 'rateHttp' | 'rateGrpc' | 'rateTcp'>> & { queryTime?: number };

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
  /** A write's dry run (wizard preview, editor validation) for one input. */
  dryRun: (scope: readonly unknown[], input: string) =>
    [...queryKeys.all, 'dry-run', ...scope, input] as const,
};

export function useServerConfig() {
  return useQuery({
    queryKey: queryKeys.config(),
    queryFn: ({ signal }) =>
      request<ServerConfigResponse>('GET', ROUTES.config, { signal, schema: ServerConfigResponseSchema }),
    staleTime: Infinity,
  });
}

export function useNamespaces(refetchInterval: number | false) {
  return useQuery({
    queryKey: queryKeys.namespaces(),
    queryFn: ({ signal }) =>
      request<NamespacesResponse>('GET', ROUTES.namespaces, { signal, schema: NamespacesResponseSchema }),
    refetchInterval: refetchInterval === false ? false : Math.max(refetchInterval, 30_000),
  });
}

/**
 * The graph, polled every `refetchInterval` ms (false = paused). Not validated with zod: a
 * 1,000-node answer is large and comes from our own server, typed by the contract.
 */
export function useGraph(params: GraphParams | null, refetchInterval: number | false) {
  return useQuery({
    queryKey: queryKeys.graph(params ?? ({} as GraphParams)),
    enabled: params !== null && params.namespaces.length > 0,
    queryFn: ({ signal }) =>
      request<GraphResponse>('GET', ROUTES.graph, {
        query: graphSearchParams(params as GraphParams),
        signal,
      }),
    refetchInterval,
    placeholderData: (previous) => previous,
  });
}
