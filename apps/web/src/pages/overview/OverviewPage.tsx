import { useCallback, useMemo, useRef } from 'react';
import { useLocation, useSearch } from 'wouter';
import { useOverview } from '../../api/entities';
import { useNamespaces } from '../../api/queries';
import { useView } from '../../url/useView';
import { NamespaceGrid } from './NamespaceGrid';
import { NamespaceTable } from './NamespaceTable';
import {
  applyOverviewFilters,
  overviewEntries,
  OVERVIEW_SORTS,
  parseOverviewFilters,
  withOverviewFilters,
  type OverviewFilters,
} from './overviewState';
import './overview.css';

const SORT_WORDS = {
  name: 'Name',
  health: 'Health (worst first)',
  rps: 'Inbound traffic',
  errors: 'Error rate',
} as const;

function useOverviewFilters(): [
  OverviewFilters,
  (p: Partial<OverviewFilters>, replace?: boolean) => void,
  boolean,
] {
  const search = useSearch();
  const [location, navigate] = useLocation();
  const filters = useMemo(() => parseOverviewFilters(search), [search]);
  const set = useCallback(
    (patch: Partial<OverviewFilters>, replace = false) => {
      const next = withOverviewFilters(window.location.search, patch);
      navigate(`${location}${next ? `?${next}` : ''}`, { replace });
    },
    [location, navigate],
  );
  return [filters, set, new URLSearchParams(search).has('layout')];
}

/** A card (or a line) per namespace the user may read, or per selected namespace. */
export function OverviewPage() {
  const [view] = useView();
  const [filters, setFilters, layoutChosen] = useOverviewFilters();
  const scroller = useRef<HTMLDivElement>(null);
  const overview = useOverview(view.namespaces, view.duration, view.refresh > 0 ? view.refresh : false);
  // The namespaces (from the server's inventory cache) are listed at once; the figures come with the overview.
  const namespaces = useNamespaces(false);
  const all = useMemo(
    () => overviewEntries(overview.data?.namespaces, namespaces.data?.namespaces, view.namespaces),
    [overview.data, namespaces.data, view.namespaces],
  );
  const pending = !overview.data && all !== undefined;
  const list = useMemo(() => applyOverviewFilters(all ?? [], filters), [all, filters]);
  // Hundreds of namespaces: the compact list unless the user chose cards.
  const layout = layoutChosen ? filters.layout : (all?.length ?? 0) > 60 ? 'list' : 'cards';
  return (
    <section className="page ov-page" aria-labelledby="ov-title">
      <div className="page-header">
        <h1 id="ov-title">Overview</h1>
        <div className="page-controls ov-controls" role="toolbar" aria-label="Filter and sort">
          <label className="ov-field">
            <span>Filter</span>
            <input
              type="search"
              value={filters.q}
              placeholder="Namespace name"
              onChange={(e) => setFilters({ q: e.target.value }, true)}
            />
          </label>
          <label className="ov-field">
            <span>Sort by</span>
            <select
              value={filters.sort}
              onChange={(e) => setFilters({ sort: e.target.value as OverviewFilters['sort'] })}
            >
              {OVERVIEW_SORTS.map((s) => (
                <option key={s} value={s}>
                  {SORT_WORDS[s]}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="control"
            onClick={() => setFilters({ dir: filters.dir === 'asc' ? 'desc' : 'asc' })}
            aria-label={`Order: ${filters.dir === 'asc' ? 'ascending' : 'descending'}`}
          >
            {filters.dir === 'asc' ? '↑ Ascending' : '↓ Descending'}
          </button>
          <div className="ov-layout" role="group" aria-label="Layout">
            <button
              type="button"
              className="control"
              aria-pressed={layout === 'cards'}
              onClick={() => setFilters({ layout: 'cards' })}
            >
              Cards
            </button>
            <button
              type="button"
              className="control"
              aria-pressed={layout === 'list'}
              onClick={() => setFilters({ layout: 'list' })}
            >
              List
            </button>
          </div>
          <span className="ov-count" role="status">
            {all ? `${list.length} of ${all.length} namespaces` : ''}
            {pending && !overview.error ? ' · loading…' : ''}
          </span>
        </div>
      </div>
      {overview.error && (
        <div className="list-alert error" role="alert">
          {overview.error.message}
        </div>
      )}
      {overview.data?.warnings.map((w) => (
        <div key={w.code} className="list-alert warning" role="status">
          {w.message}
        </div>
      ))}
      <div className="ov-scroll" ref={scroller}>
        {!all && overview.isLoading ? (
          <div className="page-loading">Loading the overview…</div>
        ) : list.length === 0 ? (
          <div className="empty-state">
            <h2>{all?.length ? 'No namespace matches the filter.' : 'No namespace you may read.'}</h2>
          </div>
        ) : layout === 'list' ? (
          <NamespaceTable list={list} scroller={scroller} />
        ) : (
          <NamespaceGrid list={list} scroller={scroller} />
        )}
      </div>
    </section>
  );
}
