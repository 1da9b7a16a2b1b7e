import { useQuery } from '@tanstack/react-query';
import { ENTITY_ROUTES } from '@meshlens/contract';
import type { EntityKind, EntityListResponse, OverviewResponse } from '@meshlens/contract';
import { fetchJson } from './client';
import { queryKeys } from './queries';

const params = (namespaces: readonly string[], duration: number) => {
  const p = new URLSearchParams({ duration: String(duration) });
  if (namespaces.length) p.set('namespaces', namespaces.join(','));
  return p;
};

/** `GET /api/overview` (namespaces empty = every namespace the user may read), polled. */
export function useOverview(
  namespaces: readonly string[],
  duration: number,
  refetchInterval: number | false,
) {
  return useQuery({
    queryKey: queryKeys.overview(namespaces, duration),
    queryFn: ({ signal }) =>
      fetchJson<OverviewResponse>(ENTITY_ROUTES.overview, params(namespaces, duration), signal),
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
      fetchJson<EntityListResponse>(ENTITY_ROUTES.list(kind), params(namespaces, duration), signal),
    refetchInterval,
    placeholderData: (previous) => previous,
  });
}
