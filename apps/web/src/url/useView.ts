import { useCallback, useMemo } from 'react';
import { useLocation, useSearch } from 'wouter';
import { parseViewState, patchViewSearch, serializeViewState } from './viewState';
import type { ViewState } from './viewState';

/**
 * The view state lives in the URL. `setView` merges a patch; settings that are part of history
 * (namespaces, graph type, …) push an entry, transient ones (selection, find typing) replace it.
 * Parameters that are not view settings (a page's own, e.g. the Istio Config list's filters) are kept.
 */
export function useView(): [ViewState, (patch: Partial<ViewState>, options?: { replace?: boolean }) => void] {
  const search = useSearch();
  const [location, navigate] = useLocation();
  const view = useMemo(() => parseViewState(search), [search]);
  const setView = useCallback(
    (patch: Partial<ViewState>, options?: { replace?: boolean }) => {
      const next = patchViewSearch(window.location.search, patch);
      navigate(`${location}${next ? `?${next}` : ''}`, { replace: options?.replace ?? false });
    },
    [location, navigate],
  );
  return [view, setView];
}

/** The query string to carry over when following a navigation link (global settings only). */
export function useGlobalSearch(): string {
  const [view] = useView();
  const s = serializeViewState({
    ...parseViewState(''),
    namespaces: view.namespaces,
    duration: view.duration,
    refresh: view.refresh,
  });
  return s ? `?${s}` : '';
}
