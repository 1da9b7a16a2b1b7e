import { useCallback, useMemo } from 'react';
import { useLocation, useSearch } from 'wouter';
import { parseConfigFilters, withConfigFilters } from './configFilters';
import type { ConfigFilters } from './configFilters';

/**
 * The Istio Config list's filters from the URL, as useView does for the graph: `setFilters` merges a
 * patch and keeps every other parameter; a choice (kind, validation) pushes a history entry, typing
 * (`{ replace: true }`) replaces it.
 */
export function useConfigFilters(): [
  ConfigFilters,
  (patch: Partial<ConfigFilters>, options?: { replace?: boolean }) => void,
] {
  const search = useSearch();
  const [location, navigate] = useLocation();
  const filters = useMemo(() => parseConfigFilters(search), [search]);
  const setFilters = useCallback(
    (patch: Partial<ConfigFilters>, options?: { replace?: boolean }) => {
      const next = withConfigFilters(window.location.search, patch);
      navigate(`${location}${next ? `?${next}` : ''}`, { replace: options?.replace ?? false });
    },
    [location, navigate],
  );
  return [filters, setFilters];
}
