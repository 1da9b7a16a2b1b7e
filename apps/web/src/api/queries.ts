import { useQuery } from '@tanstack/react-query';
import {
  graphSearchParams,
  NamespacesResponseSchema,
  ROUTES,
  ServerConfigResponseSchema,
} from '@meshlens/contract';
import type { GraphQuery, GraphResponse, NamespacesResponse, ServerConfigResponse } from '@meshlens/contract';
import { ApiError, fetchJson } from './client';

export type GraphParams = Pick<
  GraphQuery,
  'namespaces' | 'graphType' | 'duration' | 'injectServiceNodes' | 'includeIdle' | 'boxBy' | 'responseTime'
> & { queryTime?: number };

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
};

export function parseWith<T>(
  schema: {
    safeParse(v: unknown): { success: true; data: T } | { success: false; error: { message: string } };
  },
  what: string,
) {
  return (value: unknown): T => {
    const r = schema.safeParse(value);
    if (!r.success) throw new ApiError(200, 'ContractError', `Unexpected ${what} answer: ${r.error.message}`);
    return r.data;
  };
}

export function useServerConfig() {
  return useQuery({
    queryKey: queryKeys.config(),
    queryFn: ({ signal }) =>
      fetchJson<unknown>(ROUTES.config, undefined, signal).then(
        parseWith<ServerConfigResponse>(ServerConfigResponseSchema, 'config'),
      ),
    staleTime: Infinity,
  });
}

export function useNamespaces(refetchInterval: number | false) {
  return useQuery({
    queryKey: queryKeys.namespaces(),
    queryFn: ({ signal }) =>
      fetchJson<unknown>(ROUTES.namespaces, undefined, signal).then(
        parseWith<NamespacesResponse>(NamespacesResponseSchema, 'namespaces'),
      ),
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
      fetchJson<GraphResponse>(ROUTES.graph, graphSearchParams(params as GraphParams), signal),
    refetchInterval,
    placeholderData: (previous) => previous,
  });
}
