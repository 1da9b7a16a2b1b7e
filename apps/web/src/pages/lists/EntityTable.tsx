import { memo, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { Link } from 'wouter';
import type { EntityKind, EntityRow, IstioReference } from '@meshlens/contract';
import { HealthIcon } from '../../health/HealthIcon';
import { errorText, rateText, type ListFilters, type SortKey } from './listState';

const ROW_HEIGHT = 44;

const COLUMNS: { key: SortKey | null; label: string }[] = [
  { key: 'health', label: 'Health' },
  { key: 'name', label: 'Name' },
  { key: 'namespace', label: 'Namespace' },
  { key: 'type', label: 'Type' },
  { key: null, label: 'Labels' },
  { key: null, label: 'Sidecar' },
  { key: null, label: 'Istio config' },
  { key: 'rps', label: 'Requests' },
  { key: 'errors', label: 'Errors' },
];

const SIDECAR_WORDS = { all: 'Yes', some: 'Partly missing', none: 'Missing', 'n/a': '—' } as const;

function refText(r: IstioReference): string {
  const state =
    r.valid === null
      ? 'not validated'
      : !r.valid
        ? `${r.errors} error(s)`
        : r.warnings
          ? `${r.warnings} warning(s)`
          : 'valid';
  return `${r.kind} ${r.namespace}/${r.name}: ${state}`;
}

function Refs({ refs }: { refs: IstioReference[] }) {
  if (!refs.length) return <span className="muted">—</span>;
  return (
    <span className="refs">
      {refs.map((r) => (
        <Link
          key={`${r.kind}/${r.namespace}/${r.name}`}
          className={`ref ref-${r.valid === false ? 'error' : r.warnings ? 'warning' : 'ok'}`}
          href={`/istio/${r.namespace}/${r.kind.toLowerCase()}s/${r.name}`}
          title={refText(r)}
        >
          {r.kind.replace(/[a-z]/g, '')} {r.name}
        </Link>
      ))}
    </span>
  );
}

/**
 * One row; memoized, so a scroll step renders only the rows that came into view (the answer's row
 * objects are stable between renders until the next poll).
 */
const Row = memo(function Row({
  kind,
  r,
  index,
  start,
}: {
  kind: EntityKind;
  r: EntityRow;
  index: number;
  start: number;
}) {
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      className="et-row"
      style={{ transform: `translateY(${start}px)`, height: ROW_HEIGHT }}
    >
      <div role="cell" className="et-cell">
        <HealthIcon health={r.health} />
      </div>
      <div role="cell" className="et-cell et-name">
        <Link href={`/namespaces/${r.namespace}/${kind}/${r.name}`}>{r.name}</Link>
        {r.cluster && (
          <span className="muted" data-testid="row-cluster">
            {' '}
            · {r.cluster}
          </span>
        )}
      </div>
      <div role="cell" className="et-cell">
        {r.namespace}
      </div>
      <div role="cell" className="et-cell">
        {r.type}
      </div>
      <div
        role="cell"
        className="et-cell et-labels"
        title={Object.entries(r.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join('\n')}
      >
        {Object.entries(r.labels)
          .slice(0, 2)
          .map(([k, v]) => (
            <span key={k} className="label-chip">
              {k}={v}
            </span>
          ))}
      </div>
      <div role="cell" className={`et-cell sidecar-${r.sidecar}`}>
        {SIDECAR_WORDS[r.sidecar]}
      </div>
      <div role="cell" className="et-cell">
        <Refs refs={r.istioReferences} />
      </div>
      <div role="cell" className="et-cell et-num">
        {rateText(r.inboundRps)}
      </div>
      <div role="cell" className={`et-cell et-num${r.errorRate > 0 ? ' et-errors' : ''}`}>
        {errorText(r.errorRate, r.inboundRps)}
      </div>
    </div>
  );
});

interface Props {
  kind: EntityKind;
  rows: EntityRow[];
  filters: ListFilters;
  onSort: (key: SortKey) => void;
}

/** A virtualized table: only the rows in view are in the DOM, so 10,000 rows scroll like 10. */
export function EntityTable({ kind, rows, filters, onSort }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 6,
  });
  return (
    <div className="entity-table" role="table" aria-label={kind} aria-rowcount={rows.length + 1}>
      <div className="et-row et-head" role="row">
        {COLUMNS.map((c) => {
          const active = c.key !== null && filters.sort === c.key;
          return (
            <div
              key={c.label}
              role="columnheader"
              className="et-cell"
              aria-sort={active ? (filters.dir === 'asc' ? 'ascending' : 'descending') : undefined}
            >
              {c.key ? (
                <button type="button" className="sort-button" onClick={() => onSort(c.key!)}>
                  {c.label}
                  <span aria-hidden>{active ? (filters.dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                </button>
              ) : (
                c.label
              )}
            </div>
          );
        })}
      </div>
      <div
        className="et-body"
        ref={scroller}
        tabIndex={0}
        role="rowgroup"
        aria-label={`${kind} rows, scrollable`}
      >
        {/* presentation: the rows inside still belong to the rowgroup (a table holds only rows) */}
        <div role="presentation" style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {virtual.getVirtualItems().map((item) => {
            const r = rows[item.index]!;
            return (
              <Row
                key={`${r.cluster ?? ''}/${r.namespace}/${r.name}`}
                kind={kind}
                r={r}
                index={item.index}
                start={item.start}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
}
