import { useMemo, useRef, useState } from 'react';
import type { Namespace } from '@meshlens/contract';
import { useDismiss } from './useDismiss';

export interface NamespacePickerProps {
  namespaces: Namespace[] | undefined;
  loading: boolean;
  error: string | null;
  selected: string[];
  onChange: (selected: string[]) => void;
}

/** Multi-select dropdown with a filter box, "select all" and "clear". */
export function NamespacePicker({ namespaces, loading, error, selected, onChange }: NamespacePickerProps) {
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState('');
  const ref = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  // Escape or a press outside closes it; Escape puts focus back on the button.
  useDismiss(open, [ref], () => setOpen(false), button);
  const names = useMemo(() => (namespaces ?? []).map((n) => n.name).sort(), [namespaces]);
  const shown = names.filter((n) => n.includes(filter.trim().toLowerCase()));
  const set = new Set(selected);
  const toggle = (name: string) => {
    const next = new Set(set);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    onChange([...next].sort());
  };
  const summary =
    selected.length === 0
      ? 'Select namespaces'
      : selected.length <= 2
        ? selected.join(', ')
        : `${selected.length} namespaces`;
  return (
    <div className="ns-picker" ref={ref}>
      <button
        type="button"
        className="control"
        ref={button}
        aria-haspopup="dialog"
        aria-expanded={open}
        data-testid="namespace-picker"
        onClick={() => setOpen((o) => !o)}
        title={selected.join(', ')}
      >
        <span className="control-label">Namespace</span>
        <span className={selected.length === 0 ? 'placeholder' : ''}>{summary}</span>
        <span className="caret" aria-hidden>
          ▾
        </span>
      </button>
      {open && (
        <div className="popover ns-popover" role="dialog" aria-label="Namespaces">
          <input
            autoFocus
            className="input"
            aria-label="Filter namespaces"
            placeholder="Filter namespaces"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
          <div className="ns-actions">
            <button
              type="button"
              className="link-button"
              onClick={() => onChange([...new Set([...selected, ...shown])].sort())}
            >
              Select all{filter ? ' shown' : ''}
            </button>
            <button type="button" className="link-button" onClick={() => onChange([])}>
              Clear
            </button>
          </div>
          {error && <div className="inline-error">{error}</div>}
          {loading && <div className="muted pad">Loading namespaces…</div>}
          <ul className="ns-list" aria-label="Namespaces">
            {shown.map((name) => (
              <li key={name}>
                <label className="check">
                  <input type="checkbox" checked={set.has(name)} onChange={() => toggle(name)} />
                  <span>{name}</span>
                </label>
              </li>
            ))}
            {!loading && shown.length === 0 && (
              <li className="muted pad">No namespace matches “{filter}”.</li>
            )}
          </ul>
        </div>
      )}
    </div>
  );
}
