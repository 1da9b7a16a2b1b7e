import { useMemo } from 'react';
import type { EntityKind } from '@meshlens/contract';
import { useEntityList } from '../../api/entities';
import { useNamespaces } from '../../api/queries';
import { NamespacePicker } from '../../shell/NamespacePicker';
import { useView } from '../../url/useView';
import { EntityTable } from './EntityTable';
import { ListToolbar } from './ListToolbar';
import { applyListFilters } from './listState';
import { useListFilters } from './useListFilters';
import './lists.css';

export const LIST_TITLES: Record<EntityKind, string> = {
  apps: 'Applications',
  workloads: 'Workloads',
  services: 'Services',
};

/** Applications, Workloads or Services of the selected namespaces (none selected = all readable). */
export function EntityListPage({ kind }: { kind: EntityKind }) {
  const [view, setView] = useView();
  const [filters, setFilters] = useListFilters();
  const polling = view.refresh > 0 ? view.refresh : false;
  const nsQuery = useNamespaces(polling);
  const list = useEntityList(kind, view.namespaces, view.duration, polling);
  const all = list.data?.rows;
  const rows = useMemo(() => applyListFilters(all ?? [], filters), [all, filters]);
  const types = useMemo(() => [...new Set((all ?? []).map((r) => r.type))].sort(), [all]);
  return (
    <section className="page list-page" aria-labelledby="list-title">
      <div className="page-header">
        <h1 id="list-title">{LIST_TITLES[kind]}</h1>
        <div className="page-controls" role="toolbar" aria-label="Namespaces">
          <NamespacePicker
            namespaces={nsQuery.data?.namespaces}
            loading={nsQuery.isLoading}
            error={nsQuery.error ? nsQuery.error.message : null}
            selected={view.namespaces}
            onChange={(namespaces) => setView({ namespaces })}
          />
        </div>
      </div>
      <ListToolbar
        filters={filters}
        setFilters={setFilters}
        types={types}
        shown={rows.length}
        total={all?.length ?? 0}
      />
      {list.error && (
        <div className="list-alert error" role="alert">
          {list.error.message}
        </div>
      )}
      {list.data?.warnings.map((w) => (
        <div key={w.code} className="list-alert warning" role="status">
          {w.message}
        </div>
      ))}
      {list.isLoading ? (
        <div className="page-loading">Loading {LIST_TITLES[kind].toLowerCase()}…</div>
      ) : all && all.length === 0 ? (
        <div className="empty-state">
          <h2>
            No {LIST_TITLES[kind].toLowerCase()} in{' '}
            {view.namespaces.length ? view.namespaces.join(', ') : 'the namespaces you may read'}.
          </h2>
        </div>
      ) : (
        <EntityTable
          kind={kind}
          rows={rows}
          filters={filters}
          onSort={(key) =>
            setFilters({ sort: key, dir: filters.sort === key && filters.dir === 'asc' ? 'desc' : 'asc' })
          }
        />
      )}
    </section>
  );
}
