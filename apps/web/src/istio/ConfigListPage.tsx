import { useEffect, useMemo, useState } from 'react';
import { Link, useSearch } from 'wouter';
import { useNamespaces } from '../api/queries';
import { NamespacePicker } from '../shell/NamespacePicker';
import { useConfigFilters } from '../url/useConfigFilters';
import { useView } from '../url/useView';
import { useIstioConfig } from './api';
import type { ListedObject } from './api';
import { graphHref, servicesOf } from './services';
import '../wizards/wizards.css';
import './istio.css';

export type Status = 'valid' | 'warning' | 'error';

export function statusOf(o: ListedObject): { status: Status; errors: number; warnings: number } {
  const checks = o.validation?.checks ?? [];
  const errors = checks.filter((c) => c.severity === 'error').length;
  const warnings = checks.filter((c) => c.severity === 'warning').length;
  return { status: errors > 0 ? 'error' : warnings > 0 ? 'warning' : 'valid', errors, warnings };
}

function StatusCell({ o }: { o: ListedObject }) {
  const s = statusOf(o);
  const title = (o.validation?.checks ?? []).map((c) => `${c.severity}: ${c.path} ${c.message}`).join('\n');
  return (
    <span className={`cfg-status cfg-${s.status}`} title={title || 'no findings'} data-testid="validation">
      <span className="dot" aria-hidden />{' '}
      {s.status === 'valid' ? 'Valid' : s.status === 'error' ? 'Error' : 'Warning'}
      {s.errors > 0 && (
        <span className="count">
          {s.errors} error{s.errors > 1 ? 's' : ''}
        </span>
      )}
      {s.warnings > 0 && (
        <span className="count">
          {s.warnings} warning{s.warnings > 1 ? 's' : ''}
        </span>
      )}
    </span>
  );
}

/** Every Istio object of the selected namespaces, filterable by namespace, kind, status and service. */
export function ConfigListPage() {
  const [view, setView] = useView();
  const nsQuery = useNamespaces(false);
  const search = useSearch();
  const [filters, setFilters] = useConfigFilters();
  const { kind, validation: status, service } = filters;
  // the service box types into local state (no caret jumps), and into the URL as it goes
  const [serviceText, setServiceText] = useState(service);
  useEffect(() => setServiceText(service), [service]);
  const namespaces =
    view.namespaces.length > 0 ? view.namespaces : (nsQuery.data?.namespaces ?? []).map((n) => n.name);
  const list = useIstioConfig(namespaces, view.refresh > 0 ? view.refresh : false);
  const items = useMemo(() => list.data?.items ?? [], [list.data]);
  // the URL's kind is offered even before the list loads (or when no object of that kind is left)
  const kinds = useMemo(
    () => [...new Set([...items.map((i) => i.kind), ...(kind ? [kind] : [])])].sort(),
    [items, kind],
  );
  const shown = items.filter((o) => {
    if (kind && o.kind !== kind) return false;
    if (status && statusOf(o).status !== status) return false;
    if (service) {
      const refs = servicesOf(o.kind, o.namespace, o.object.spec);
      if (!refs.some((r) => `${r.namespace}/${r.service}` === service || r.service === service)) return false;
    }
    return true;
  });
  return (
    <div className="page cfg-page">
      <div className="page-header">
        <h1>Istio Config</h1>
        <div className="page-controls cfg-filters" role="toolbar" aria-label="Filters">
          <NamespacePicker
            namespaces={nsQuery.data?.namespaces}
            loading={nsQuery.isLoading}
            error={nsQuery.error ? nsQuery.error.message : null}
            selected={view.namespaces}
            onChange={(ns) => setView({ namespaces: ns })}
          />
          <label>
            Kind{' '}
            <select
              value={kind}
              data-testid="filter-kind"
              onChange={(e) => setFilters({ kind: e.target.value })}
            >
              <option value="">All kinds</option>
              {kinds.map((k) => (
                <option key={k}>{k}</option>
              ))}
            </select>
          </label>
          <label>
            Validation{' '}
            <select
              value={status}
              data-testid="filter-validation"
              onChange={(e) => setFilters({ validation: e.target.value as '' | Status })}
            >
              <option value="">Any</option>
              <option value="valid">Valid</option>
              <option value="warning">Warning</option>
              <option value="error">Error</option>
            </select>
          </label>
          <label>
            Service{' '}
            <input
              value={serviceText}
              placeholder="ns/name"
              data-testid="filter-service"
              onChange={(e) => {
                setServiceText(e.target.value);
                setFilters({ service: e.target.value.trim() }, { replace: true });
              }}
            />
          </label>
          <span className="muted small cfg-count">
            {list.isFetching ? 'loading…' : `${shown.length} of ${items.length} objects`}
          </span>
        </div>
      </div>
      {(list.data?.errors ?? []).map((e) => (
        <p key={e} className="wz-error" role="alert">
          Could not read {e}
        </p>
      ))}
      {list.error && (
        <p className="wz-error" role="alert">
          {list.error.message}
        </p>
      )}
      <table className="cfg-table" aria-label="Istio objects">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Kind</th>
            <th scope="col">Namespace</th>
            <th scope="col">Validation</th>
            <th scope="col">Services</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((o) => (
            <tr key={`${o.namespace}/${o.kind}/${o.name}`}>
              <td>
                {/* the list's query goes along, so the editor's way back returns to this very list */}
                <Link href={`/istio/${o.namespace}/${o.plural}/${o.name}${search ? `?${search}` : ''}`}>
                  {o.name}
                </Link>
              </td>
              <td>{o.kind}</td>
              <td>{o.namespace}</td>
              <td>
                <StatusCell o={o} />
              </td>
              <td>
                {servicesOf(o.kind, o.namespace, o.object.spec).map((r) => (
                  <Link key={`${r.namespace}/${r.service}`} className="cfg-svc" href={graphHref(r)}>
                    {r.service}
                    {r.namespace !== o.namespace ? `.${r.namespace}` : ''}
                  </Link>
                ))}
              </td>
            </tr>
          ))}
          {shown.length === 0 && !list.isLoading && (
            <tr>
              <td colSpan={5} className="muted">
                No Istio objects match.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
