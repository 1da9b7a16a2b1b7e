/**
 * The Changes page (`/changes`): every change the console made and every change others made to the Istio
 * objects it shows, newest first, filtered from the URL; a change's diff per object, and Revert (with a
 * confirmation; a 409 shows what the object became since, as a diff).
 */
import { useCallback, useMemo, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Link, useLocation, useSearch } from 'wouter';
import { stringify } from 'yaml';
import type { Change, ChangeObjectState, ChangeSummary, RevertConflictDetails } from '@meshlens/contract';
import { ApiError } from '../../api/client';
import { useNamespaces } from '../../api/queries';
import { DiffView } from '../../istio/DiffView';
import { changeKeys, revertChange, useChange, useChanges } from './api';
import { apiQuery, compareHref, parseChangeFilters, withChangeFilters, type ChangeFilters } from './filters';
import '../../istio/istio.css';
import '../../wizards/wizards.css';
import './changes.css';

const KINDS = [
  'VirtualService',
  'DestinationRule',
  'Gateway',
  'ServiceEntry',
  'Sidecar',
  'PeerAuthentication',
  'AuthorizationPolicy',
];
const SINCE = [
  ['', 'Any time'],
  ['15m', 'Last 15 minutes'],
  ['1h', 'Last hour'],
  ['6h', 'Last 6 hours'],
  ['1d', 'Last day'],
  ['7d', 'Last 7 days'],
] as const;

function useChangeFilters(): [ChangeFilters, (patch: Partial<ChangeFilters>, replace?: boolean) => void] {
  const search = useSearch();
  const [location, navigate] = useLocation();
  const filters = useMemo(() => parseChangeFilters(search), [search]);
  const set = useCallback(
    (patch: Partial<ChangeFilters>, replace = false) => {
      const next = withChangeFilters(window.location.search, patch);
      navigate(`${location}${next ? `?${next}` : ''}`, { replace });
    },
    [location, navigate],
  );
  return [filters, set];
}

/** `3 min ago`, `2 h ago`, else the date. */
export function ago(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return new Date(iso).toLocaleString();
}

/** The object as YAML for a diff: without its resourceVersion (it changes on every write). */
export function yamlOf(o: ChangeObjectState | null): string {
  if (!o) return '';
  const { resourceVersion: _rv, ...metadata } = o.metadata;
  return stringify({ ...o, metadata });
}

function SourceBadge({ c }: { c: Pick<Change, 'source' | 'manager' | 'revertOf'> }) {
  if (c.source === 'console')
    return <span className="chg-badge chg-console">{c.revertOf ? 'console · revert' : 'console'}</span>;
  return (
    <span
      className="chg-badge chg-external"
      title="Made outside the console (from the watch and managedFields)"
    >
      external{c.manager ? ` · ${c.manager}` : ''}
    </span>
  );
}

const ACTION_SIGN = { create: '+', update: '~', delete: '−' } as const;

function ChangeRow({ c, selected, onSelect }: { c: ChangeSummary; selected: boolean; onSelect: () => void }) {
  return (
    <tr
      className={selected ? 'chg-row selected' : 'chg-row'}
      aria-selected={selected}
      onClick={onSelect}
      data-testid="change-row"
    >
      <td title={new Date(c.at).toLocaleString()} className="chg-when">
        {ago(c.at)}
      </td>
      <td className="chg-who">
        {c.actor}
        <br />
        <SourceBadge c={c} />
      </td>
      <td>
        <button type="button" className="link-button chg-summary" onClick={onSelect}>
          {c.summary}
        </button>
      </td>
      <td className="chg-objects">
        {c.objects.map((o) => (
          <span key={`${o.kind}/${o.namespace}/${o.name}`} className={`chg-obj chg-${o.action}`}>
            {ACTION_SIGN[o.action]} {o.kind} {o.name}
          </span>
        ))}
      </td>
    </tr>
  );
}

type RevertState =
  | { step: 'idle' }
  | { step: 'confirm' }
  | { step: 'running' }
  | { step: 'done'; id?: string }
  | { step: 'failed'; error: ApiError | Error };

function ConflictView({ error }: { error: ApiError }) {
  const details = error.details as Partial<RevertConflictDetails> | undefined;
  return (
    <div className="chg-conflict" role="alert" data-testid="revert-conflict">
      <p>
        <strong>Not reverted (409).</strong> {error.message}
      </p>
      {(details?.conflicts ?? []).map((c) => (
        <div key={`${c.kind}/${c.namespace}/${c.name}`} className="chg-diff">
          <h4>
            {c.kind} {c.namespace}/{c.name}: what this change left → what is there now
          </h4>
          <DiffView
            before={yamlOf(c.expected)}
            after={c.current ? yamlOf(c.current) : '# deleted since\n'}
            beforeName="after this change"
            afterName={
              c.current ? `now (resourceVersion ${c.current.metadata.resourceVersion ?? '?'})` : 'now'
            }
          />
        </div>
      ))}
    </div>
  );
}

function RevertFailure({ error }: { error: ApiError | Error }) {
  if (error instanceof ApiError && error.status === 409) return <ConflictView error={error} />;
  const causes =
    error instanceof ApiError
      ? ((error.details as { causes?: { path: string; message: string; object?: string }[] } | undefined)
          ?.causes ?? [])
      : [];
  return (
    <div className="wz-error" role="alert" data-testid="revert-error">
      <p>Not reverted: {error.message}</p>
      {causes.length > 0 && (
        <ul>
          {causes.map((c, i) => (
            <li key={i}>
              {c.object ? `${c.object}: ` : ''}
              {c.path} — {c.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ChangeDetail({ id, onSelect }: { id: string; onSelect: (id: string) => void }) {
  const change = useChange(id);
  const client = useQueryClient();
  const [revert, setRevert] = useState<RevertState>({ step: 'idle' });
  const c = change.data;
  if (change.error)
    return (
      <p className="wz-error" role="alert">
        {change.error.message}
      </p>
    );
  if (!c) return <p className="muted">Loading the change…</p>;
  const run = async () => {
    setRevert({ step: 'running' });
    try {
      const answer = await revertChange(c.id, false);
      setRevert({ step: 'done', id: answer.change?.id });
      await client.invalidateQueries({ queryKey: changeKeys.all() });
    } catch (err) {
      setRevert({ step: 'failed', error: err instanceof Error ? err : new Error(String(err)) });
    }
  };
  return (
    <section className="chg-detail" aria-label="Change" data-testid="change-detail">
      <header className="chg-detail-head">
        <h2>{c.summary}</h2>
        <p className="muted small">
          <SourceBadge c={c} /> by <strong>{c.actor}</strong>
          {c.operation ? ` (${c.operation})` : ''} · {new Date(c.at).toLocaleString()} · change {c.id}
          {c.revertOf && (
            <>
              {' '}
              · reverts{' '}
              <button type="button" className="link-button" onClick={() => onSelect(c.revertOf ?? '')}>
                {c.revertOf}
              </button>
            </>
          )}
        </p>
        <div className="chg-actions">
          <Link className="button" href={compareHref(c)} data-testid="change-compare">
            Compare before / after on the graph
          </Link>
          {revert.step === 'idle' || revert.step === 'failed' ? (
            <button
              type="button"
              className="button"
              disabled={!!c.truncated}
              title={c.truncated ? 'Too large to keep whole: its earlier state is not known' : undefined}
              onClick={() => setRevert({ step: 'confirm' })}
            >
              Revert…
            </button>
          ) : null}
          {revert.step === 'confirm' && (
            <div className="chg-confirm" role="group" aria-label="Confirm revert">
              <span>
                Write the state before this change back to {c.objects.length} object
                {c.objects.length > 1 ? 's' : ''}, as you?
              </span>
              <button type="button" className="button primary" onClick={() => void run()}>
                Revert
              </button>
              <button type="button" className="button" onClick={() => setRevert({ step: 'idle' })}>
                Cancel
              </button>
            </div>
          )}
          {revert.step === 'running' && <span className="muted">Reverting…</span>}
          {revert.step === 'done' && (
            <span className="chg-done" role="status">
              Reverted.{' '}
              {revert.id && (
                <button type="button" className="link-button" onClick={() => onSelect(revert.id ?? '')}>
                  See the revert
                </button>
              )}
            </span>
          )}
        </div>
        {revert.step === 'failed' && <RevertFailure error={revert.error} />}
      </header>
      {c.intent !== undefined && (
        <details className="chg-intent">
          <summary>Intent</summary>
          <pre>{JSON.stringify(c.intent, null, 2)}</pre>
        </details>
      )}
      {c.truncated && <p className="muted">The objects were too large to keep whole in the history.</p>}
      {c.objects.map((o) => (
        <div key={`${o.kind}/${o.namespace}/${o.name}`} className="chg-diff">
          <h4>
            {o.before === null ? 'created' : o.after === null ? 'deleted' : 'changed'} {o.kind} {o.namespace}/
            {o.name}
          </h4>
          <DiffView
            before={yamlOf(o.before)}
            after={yamlOf(o.after)}
            beforeName={
              o.before ? `before (resourceVersion ${o.before.metadata.resourceVersion ?? '?'})` : '(none)'
            }
            afterName={
              o.after ? `after (resourceVersion ${o.after.metadata.resourceVersion ?? '?'})` : '(deleted)'
            }
          />
        </div>
      ))}
    </section>
  );
}

export function ChangesPage() {
  const [filters, setFilters] = useChangeFilters();
  const nsQuery = useNamespaces(false);
  const query = useMemo(() => apiQuery(filters), [filters]);
  const list = useChanges(query, 15_000);
  const [nameText, setNameText] = useState(filters.name);
  const [authorText, setAuthorText] = useState(filters.author);
  const changes = list.data?.changes ?? [];
  const selected = filters.change || changes[0]?.id || '';
  return (
    <div className="page chg-page">
      <div className="page-header">
        <h1>Changes</h1>
        <div className="page-controls chg-filters" role="toolbar" aria-label="Filters">
          <label>
            Namespace{' '}
            <select
              className="select small"
              value={filters.namespace}
              data-testid="filter-namespace"
              onChange={(e) => setFilters({ namespace: e.target.value, change: '' })}
            >
              <option value="">All</option>
              {(nsQuery.data?.namespaces ?? []).map((n) => (
                <option key={n.name}>{n.name}</option>
              ))}
            </select>
          </label>
          <label>
            Kind{' '}
            <select
              className="select small"
              value={filters.kind}
              data-testid="filter-kind"
              onChange={(e) => setFilters({ kind: e.target.value, change: '' })}
            >
              <option value="">All kinds</option>
              {KINDS.map((k) => (
                <option key={k}>{k}</option>
              ))}
            </select>
          </label>
          <label>
            Name{' '}
            <input
              className="chg-input"
              value={nameText}
              placeholder="object name"
              data-testid="filter-name"
              onChange={(e) => {
                setNameText(e.target.value);
                setFilters({ name: e.target.value, change: '' }, true);
              }}
            />
          </label>
          <label>
            Author{' '}
            <input
              className="chg-input"
              value={authorText}
              placeholder="user or manager"
              data-testid="filter-author"
              onChange={(e) => {
                setAuthorText(e.target.value);
                setFilters({ author: e.target.value, change: '' }, true);
              }}
            />
          </label>
          <label>
            Since{' '}
            <select
              className="select small"
              value={filters.since}
              data-testid="filter-since"
              onChange={(e) => setFilters({ since: e.target.value, change: '' })}
            >
              {SINCE.map(([v, label]) => (
                <option key={v} value={v}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Source{' '}
            <select
              className="select small"
              value={filters.source}
              data-testid="filter-source"
              onChange={(e) => setFilters({ source: e.target.value as ChangeFilters['source'], change: '' })}
            >
              <option value="">Any</option>
              <option value="console">Console</option>
              <option value="external">External</option>
            </select>
          </label>
          <span className="muted small chg-count">
            {list.isFetching && !list.data
              ? 'loading…'
              : `${changes.length}${list.data?.truncated ? '+' : ''} change${changes.length === 1 ? '' : 's'}`}
          </span>
        </div>
      </div>
      {list.error && (
        <p className="wz-error" role="alert">
          {list.error.message}
        </p>
      )}
      <div className="chg-body">
        <div className="chg-list">
          <table className="cfg-table chg-table" aria-label="Changes">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who · source</th>
                <th scope="col">Change</th>
                <th scope="col">Objects</th>
              </tr>
            </thead>
            <tbody>
              {changes.map((c) => (
                <ChangeRow
                  key={c.id}
                  c={c}
                  selected={c.id === selected}
                  onSelect={() => setFilters({ change: c.id })}
                />
              ))}
              {changes.length === 0 && !list.isLoading && (
                <tr>
                  <td colSpan={4} className="muted">
                    No changes match.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          {list.data && (
            <p className="muted small chg-storage" title="The history is kept in the cluster">
              Kept in the cluster: <code>{list.data.storage.command}</code>
            </p>
          )}
        </div>
        <div className="chg-side">
          {selected ? (
            <ChangeDetail key={selected} id={selected} onSelect={(id) => setFilters({ change: id })} />
          ) : (
            <p className="muted">Select a change to see its diff.</p>
          )}
        </div>
      </div>
    </div>
  );
}
