/** The logs view's controls: pod, containers, layout, follow, how many lines, search and show/hide. */
import type { LineFilter } from './lines';

export const TAIL_CHOICES = [100, 500, 1000, 5000] as const;

export interface LogsToolbarProps {
  pods: { name: string; containers: string[] }[];
  pod: string;
  onPod: (pod: string) => void;
  containers: string[];
  selected: string[];
  onToggleContainer: (container: string) => void;
  layout: 'split' | 'merged';
  onLayout: (layout: 'split' | 'merged') => void;
  follow: boolean;
  onFollow: (follow: boolean) => void;
  tailLines: number;
  onTailLines: (n: number) => void;
  filter: LineFilter;
  onFilter: (f: LineFilter) => void;
  filterError?: string;
}

export function LogsToolbar(p: LogsToolbarProps) {
  const set = (patch: Partial<LineFilter>) => p.onFilter({ ...p.filter, ...patch });
  return (
    <div className="logs-toolbar">
      <div className="logs-toolbar-row" role="group" aria-label="What to read">
        {p.pods.length > 1 && (
          <label className="control">
            <span className="control-label">Pod</span>
            <select value={p.pod} onChange={(e) => p.onPod(e.target.value)}>
              {p.pods.map((x) => (
                <option key={x.name}>{x.name}</option>
              ))}
            </select>
          </label>
        )}
        <fieldset className="logs-containers">
          <legend className="control-label">Containers</legend>
          {p.containers.map((c) => (
            <label key={c} className="logs-check">
              <input
                type="checkbox"
                checked={p.selected.includes(c)}
                onChange={() => p.onToggleContainer(c)}
              />
              {c}
            </label>
          ))}
        </fieldset>
        <div className="button-group" role="radiogroup" aria-label="Layout">
          {(['split', 'merged'] as const).map((l) => (
            <button
              key={l}
              type="button"
              role="radio"
              aria-checked={p.layout === l}
              className={p.layout === l ? 'button active' : 'button'}
              onClick={() => p.onLayout(l)}
            >
              {l === 'split' ? 'Side by side' : 'Merged by time'}
            </button>
          ))}
        </div>
        <button
          type="button"
          className={p.follow ? 'button active' : 'button'}
          aria-pressed={p.follow}
          onClick={() => p.onFollow(!p.follow)}
        >
          {p.follow ? '■ Following' : '▶ Follow'}
        </button>
        <label className="control">
          <span className="control-label">Last</span>
          <select value={p.tailLines} onChange={(e) => p.onTailLines(Number(e.target.value))}>
            {TAIL_CHOICES.map((n) => (
              <option key={n} value={n}>
                {n} lines
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="logs-toolbar-row" role="group" aria-label="Which lines to show">
        <input
          type="search"
          className="logs-input"
          placeholder="Search"
          aria-label="Search the lines"
          value={p.filter.search}
          onChange={(e) => set({ search: e.target.value })}
        />
        <select
          className="select"
          aria-label="Expression mode"
          value={p.filter.mode}
          onChange={(e) => set({ mode: e.target.value as 'show' | 'hide' })}
        >
          <option value="show">Show only</option>
          <option value="hide">Hide</option>
        </select>
        <input
          type="text"
          className="logs-input logs-expression"
          placeholder={'lines matching a regular expression, e.g. " 5\\d\\d |UF|UH'}
          aria-label="Regular expression"
          aria-invalid={p.filterError ? true : undefined}
          aria-describedby={p.filterError ? 'logs-filter-error' : undefined}
          value={p.filter.expression}
          onChange={(e) => set({ expression: e.target.value })}
        />
        <label className="logs-check">
          <input
            type="checkbox"
            checked={p.filter.errorsOnly}
            onChange={(e) => set({ errorsOnly: e.target.checked })}
          />
          Errors only
        </label>
        {p.filterError && (
          <span id="logs-filter-error" className="logs-filter-error" role="alert">
            {p.filterError}
          </span>
        )}
      </div>
    </div>
  );
}
