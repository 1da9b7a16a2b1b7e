import type { Namespace } from '@meshlens/contract';
import { useViewSettings } from '../url/useView';
import type { ViewState } from '../url/viewState';
import { NamespacePicker } from './NamespacePicker';

export interface HeaderProps {
  view: ViewState;
  setView: (patch: Partial<ViewState>, options?: { replace?: boolean }) => void;
  namespaces: Namespace[] | undefined;
  namespacesLoading: boolean;
  namespacesError: string | null;
  onRefresh: () => void;
  fetching: boolean;
}

/** Namespace picker, time range and refresh interval: the settings every page shares. */
export function Header({
  view,
  setView,
  namespaces,
  namespacesLoading,
  namespacesError,
  onRefresh,
  fetching,
}: HeaderProps) {
  const { durations, refreshes } = useViewSettings();
  return (
    <div className="page-controls" role="toolbar" aria-label="View settings">
      <NamespacePicker
        namespaces={namespaces}
        loading={namespacesLoading}
        error={namespacesError}
        selected={view.namespaces}
        onChange={(selected) => setView({ namespaces: selected, focus: '', selected: '' })}
      />
      <div className="spacer" />
      <label className="control">
        <span className="control-label">Range</span>
        <select
          aria-label="Time range"
          data-testid="duration"
          value={view.duration}
          onChange={(e) => setView({ duration: Number(e.target.value) })}
        >
          {durations.map((d) => (
            <option key={d.seconds} value={d.seconds}>
              {d.label}
            </option>
          ))}
        </select>
      </label>
      <label className="control">
        <span className="control-label">Refresh</span>
        <select
          aria-label="Refresh interval"
          data-testid="refresh"
          value={view.refresh}
          onChange={(e) => setView({ refresh: Number(e.target.value) })}
        >
          {refreshes.map((r) => (
            <option key={r.ms} value={r.ms}>
              {r.label}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        className="button icon-button"
        onClick={onRefresh}
        aria-label="Refresh now"
        title="Refresh now"
      >
        <span className={fetching ? 'spin' : ''} aria-hidden>
          ↻
        </span>
      </button>
    </div>
  );
}
