import { useQuery } from '@tanstack/react-query';
import {
  DetailResponseSchema,
  entityPath,
  MetricsResponseSchema,
  metricsSearchParams,
  type DetailResponse,
  type EntityKind,
  type GraphResponse,
  type MetricsQuery,
  type MetricsResponse,
} from '@meshlens/contract';
import { request } from '../../api/client';
import { queryKeys } from '../../api/queries';

export interface EntityParams {
  kind: EntityKind;
  namespace: string;
  name: string;
}

export function useDetail(e: EntityParams, refetchInterval: number | false) {
  return useQuery({
    queryKey: queryKeys.detail(e.kind, e.namespace, e.name),
    queryFn: ({ signal }) =>
      request<DetailResponse>('GET', entityPath(e.namespace, e.kind, e.name), {
        signal,
        schema: DetailResponseSchema,
      }),
    refetchInterval,
  });
}

/** `enabled` false: not fetched (the tabs that do not show it). */
export function useNodeGraph(
  e: EntityParams,
  duration: number,
  refetchInterval: number | false,
  enabled = true,
) {
  return useQuery({
    enabled,
    queryKey: queryKeys.nodeGraph(e.kind, e.namespace, e.name, duration),
    queryFn: ({ signal }) =>
      request<GraphResponse>('GET', entityPath(e.namespace, e.kind, e.name, 'graph'), {
        query: { duration },
        signal,
      }),
    refetchInterval,
    placeholderData: (previous) => previous,
  });
}

export function useMetrics(
  e: EntityParams,
  q: Partial<MetricsQuery>,
  refetchInterval: number | false,
  enabled = true,
) {
  const params = metricsSearchParams(q);
  return useQuery({
    enabled,
    queryKey: queryKeys.metrics(e.kind, e.namespace, e.name, params.toString()),
    queryFn: ({ signal }) =>
      request<MetricsResponse>('GET', entityPath(e.namespace, e.kind, e.name, 'metrics'), {
        query: params,
        signal,
        schema: MetricsResponseSchema,
      }),
    refetchInterval,
    placeholderData: (previous) => previous,
  });
}
