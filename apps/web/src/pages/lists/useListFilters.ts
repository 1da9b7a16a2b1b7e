import { useCallback, useMemo } from 'react';
import { useLocation, useSearch } from 'wouter';
import { parseListFilters, withListFilters, type ListFilters } from './listState';

/** The list's filters and sort from the URL; a choice pushes a history entry, typing replaces it. */
export function useListFilters(): [
  ListFilters,
  (patch: Partial<ListFilters>, options?: { replace?: boolean }) => void,
] {
  const search = useSearch();
  const [location, navigate] = useLocation();
  const filters = useMemo(() => parseListFilters(search), [search]);
  const setFilters = useCallback(
    (patch: Partial<ListFilters>, options?: { replace?: boolean }) => {
      const next = withListFilters(window.location.search, patch);
      navigate(`${location}${next ? `?${next}` : ''}`, { replace: options?.replace ?? false });
    },
    [location, navigate],
  );
  return [filters, setFilters];
}
