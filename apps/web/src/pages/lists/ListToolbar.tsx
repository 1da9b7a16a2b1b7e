import type { HealthStatus } from '@meshlens/contract';
import { STATUS_ORDER, STATUS_WORDS } from '../../health/words';
import type { ListFilters } from './listState';

interface Props {
  filters: ListFilters;
  setFilters: (patch: Partial<ListFilters>, options?: { replace?: boolean }) => void;
  types: string[];
  shown: number;
  total: number;
}

/** Name, health, label, type and sidecar filters; every one lives in the URL. */
export function ListToolbar({ filters, setFilters, types, shown, total }: Props) {
  const toggle = (s: HealthStatus) =>
    setFilters({
      health: filters.health.includes(s) ? filters.health.filter((x) => x !== s) : [...filters.health, s],
    });
  return (
    <div className="list-toolbar" role="search">
      <label className="field">
        <span>Name</span>
        <input
          type="search"
          value={filters.q}
          placeholder="Filter by name"
          onChange={(e) => setFilters({ q: e.target.value }, { replace: true })}
        />
      </label>
      <label className="field">
        <span>Label</span>
        <input
          type="search"
          value={filters.label}
          placeholder="key or key=value"
          onChange={(e) => setFilters({ label: e.target.value }, { replace: true })}
        />
      </label>
      {types.length > 1 && (
        <label className="field">
          <span>Type</span>
          <select value={filters.type} onChange={(e) => setFilters({ type: e.target.value })}>
            <option value="">All types</option>
            {types.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
      )}
      <fieldset className="health-filter">
        <legend>Health</legend>
        {STATUS_ORDER.map((s) => (
          <button
            key={s}
            type="button"
            className={`chip health-chip-${s}`}
            aria-pressed={filters.health.includes(s)}
            onClick={() => toggle(s)}
          >
            {STATUS_WORDS[s]}
          </button>
        ))}
      </fieldset>
      <label className="check">
        <input
          type="checkbox"
          checked={filters.missingSidecar}
          onChange={(e) => setFilters({ missingSidecar: e.target.checked })}
        />
        Missing sidecar
      </label>
      <span className="list-count" aria-live="polite">
        {shown === total ? `${total} items` : `${shown} of ${total}`}
      </span>
    </div>
  );
}
