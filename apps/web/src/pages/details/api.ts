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
import { fetchJson } from '../../api/client';
import { parseWith, queryKeys } from '../../api/queries';

export interface EntityParams {
  kind: EntityKind;
  namespace: string;
  name: string;
}

export function useDetail(e: EntityParams, refetchInterval: number | false) {
  return useQuery({
    queryKey: queryKeys.detail(e.kind, e.namespace, e.name),
    queryFn: ({ signal }) =>
      fetchJson<unknown>(entityPath(e.namespace, e.kind, e.name), undefined, signal).then(
        parseWith<DetailResponse>(DetailResponseSchema, 'detail'),
      ),
    refetchInterval,
  });
}

export function useNodeGraph(e: EntityParams, duration: number, refetchInterval: number | false) {
  return useQuery({
    queryKey: queryKeys.nodeGraph(e.kind, e.namespace, e.name, duration),
    queryFn: ({ signal }) =>
      fetchJson<GraphResponse>(
        entityPath(e.namespace, e.kind, e.name, 'graph'),
        new URLSearchParams({ duration: String(duration) }),
        signal,
      ),
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
      fetchJson<unknown>(entityPath(e.namespace, e.kind, e.name, 'metrics'), params, signal).then(
        parseWith<MetricsResponse>(MetricsResponseSchema, 'metrics'),
      ),
    refetchInterval,
    placeholderData: (previous) => previous,
  });
}
