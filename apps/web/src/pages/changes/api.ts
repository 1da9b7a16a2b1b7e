/** The change history's calls (`/api/changes`): the list, one change, and its revert. */
import { useQuery } from '@tanstack/react-query';
import {
  ChangeSchema,
  ChangesResponseSchema,
  HISTORY_ROUTES,
  RevertResponseSchema,
  type Change,
  type ChangesResponse,
  type RevertResponse,
} from '@meshlens/contract';
import { ApiError, request, routePath, type Query } from '../../api/client';
import { queryKeys } from '../../api/queries';

export const changeKeys = {
  all: () => [...queryKeys.all, 'changes'] as const,
  list: (query: Query) => [...changeKeys.all(), 'list', query] as const,
  one: (id: string) => [...changeKeys.all(), 'one', id] as const,
};

export function fetchChanges(query: Query, signal?: AbortSignal) {
  return request<ChangesResponse>('GET', HISTORY_ROUTES.changes, {
    query,
    signal,
    schema: ChangesResponseSchema,
  });
}

export function useChanges(query: Query, refetchInterval: number | false = false, enabled = true) {
  return useQuery({
    queryKey: changeKeys.list(query),
    queryFn: ({ signal }) => fetchChanges(query, signal),
    refetchInterval,
    enabled,
    // Markers and lists of a console without the history (older server): no retries on a 404.
    retry: (count, err) => count < 2 && !(err instanceof ApiError && err.isClientError),
  });
}

export function useChange(id: string | undefined) {
  return useQuery({
    queryKey: changeKeys.one(id ?? ''),
    queryFn: ({ signal }) =>
      request<Change>('GET', routePath(HISTORY_ROUTES.change, { id: id ?? '' }), {
        signal,
        schema: ChangeSchema,
      }),
    enabled: !!id,
  });
}

export function revertChange(id: string, dryRun: boolean) {
  return request<RevertResponse>('POST', routePath(HISTORY_ROUTES.revert, { id }), {
    query: { dryRun },
    schema: RevertResponseSchema,
  });
}
