import { useCallback, useMemo } from 'react';
import { useLocation, useSearch } from 'wouter';
import { useServerConfig } from '../api/queries';
import { parseViewState, patchViewSearch, serializeViewState, viewSettings } from './viewState';
import type { ViewSettings, ViewState } from './viewState';

/**
 * The view's defaults and the pickers' choices from the server's `/api/config` (`--duration`,
 * `--refresh-interval`, `--graph-type`); the contract's until it answers.
 */
export function useViewSettings(): ViewSettings {
  const config = useServerConfig().data;
  return useMemo(() => viewSettings(config), [config]);
}

/**
 * The view state lives in the URL. `setView` merges a patch; settings that are part of history
 * (namespaces, graph type, …) push an entry, transient ones (selection, find typing) replace it.
 * Parameters that are not view settings (a page's own, e.g. the Istio Config list's filters) are kept.
 * What the URL does not say comes from the server's defaults.
 */
export function useView(): [ViewState, (patch: Partial<ViewState>, options?: { replace?: boolean }) => void] {
  const search = useSearch();
  const [location, navigate] = useLocation();
  const settings = useViewSettings();
  const view = useMemo(() => parseViewState(search, settings), [search, settings]);
  const setView = useCallback(
    (patch: Partial<ViewState>, options?: { replace?: boolean }) => {
      const next = patchViewSearch(window.location.search, patch, settings);
      navigate(`${location}${next ? `?${next}` : ''}`, { replace: options?.replace ?? false });
    },
    [location, navigate, settings],
  );
  return [view, setView];
}

/** The query string to carry over when following a navigation link (global settings only). */
export function useGlobalSearch(): string {
  const [view] = useView();
  const settings = useViewSettings();
  const s = serializeViewState(
    {
      ...settings.defaults,
      namespaces: view.namespaces,
      duration: view.duration,
      refresh: view.refresh,
    },
    settings.defaults,
  );
  return s ? `?${s}` : '';
}
