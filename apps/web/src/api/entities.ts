import { useQuery } from '@tanstack/react-query';
import { ENTITY_ROUTES } from '@meshlens/contract';
import type { EntityKind, EntityListResponse, OverviewResponse } from '@meshlens/contract';
import { request } from './client';
import { queryKeys } from './queries';

const query = (namespaces: readonly string[], duration: number) => ({
  duration,
  namespaces: namespaces.length ? namespaces : undefined,
});

/** `GET /api/overview` (namespaces empty = every namespace the user may read), polled. */
export function useOverview(
  namespaces: readonly string[],
  duration: number,
  refetchInterval: number | false,
) {
  return useQuery({
    queryKey: queryKeys.overview(namespaces, duration),
    queryFn: ({ signal }) =>
      request<OverviewResponse>('GET', ENTITY_ROUTES.overview, {
        query: query(namespaces, duration),
        signal,
      }),
    refetchInterval,
    placeholderData: (previous) => previous,
  });
}

/** `GET /api/{apps|workloads|services}`, polled. Typed by the contract, not parsed (10,000 rows). */
export function useEntityList(
  kind: EntityKind,
  namespaces: readonly string[],
  duration: number,
  refetchInterval: number | false,
) {
  return useQuery({
    queryKey: queryKeys.entities(kind, namespaces, duration),
    queryFn: ({ signal }) =>
      request<EntityListResponse>('GET', ENTITY_ROUTES.list(kind), {
        query: query(namespaces, duration),
        signal,
      }),
    refetchInterval,
    placeholderData: (previous) => previous,
  });
}
