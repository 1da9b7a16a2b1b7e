import { useMemo } from 'react';
import { DiffView } from './DiffView';
import { toEditableYaml } from './editableYaml';
import type { Problem } from './problems';

export type Phase =
  | { kind: 'editing' }
  | { kind: 'review' }
  | { kind: 'conflict'; current: Record<string, unknown> | null }
  | { kind: 'saved' };

interface EditorSideProps {
  phase: Phase;
  original: string | null;
  text: string;
  problems: Problem[];
  checking: boolean;
  onBack: () => void;
  onSave: () => void;
  onLoadTheirs: (current: Record<string, unknown> | null) => void;
}

/** Beside the YAML: the diff to review before saving, a conflict with someone else's change, the problems. */
export function EditorSide({
  phase,
  original,
  text,
  problems,
  checking,
  onBack,
  onSave,
  onLoadTheirs,
}: EditorSideProps) {
  const theirs = useMemo(
    () => (phase.kind === 'conflict' && phase.current ? toEditableYaml(phase.current) : ''),
    [phase],
  );
  return (
    <aside className="ed-side">
      {phase.kind === 'review' && original !== null && (
        <section aria-label="Changes to save">
          <h3>Changes against the cluster&apos;s version</h3>
          <DiffView before={original} after={text} beforeName="cluster" afterName="yours" />
          <div className="ed-actions">
            <button type="button" className="btn" onClick={onBack}>
              Back
            </button>
            <button type="button" className="btn btn-primary" onClick={onSave}>
              Save
            </button>
          </div>
        </section>
      )}
      {phase.kind === 'conflict' && (
        <section aria-label="Conflict" className="wz-error" role="alert">
          <strong>Someone changed this object since you opened it.</strong>{' '}
          {phase.current ? 'Their version against yours:' : 'It was deleted.'}
          {phase.current && <DiffView before={theirs} after={text} beforeName="theirs" afterName="yours" />}
          <div className="ed-actions">
            <button
              type="button"
              className="btn"
              onClick={() => onLoadTheirs(phase.current)}
              disabled={!phase.current}
            >
              Reload theirs (drop my edits)
            </button>
          </div>
        </section>
      )}
      <section aria-label="Problems">
        <h3>Problems</h3>
        {problems.length === 0 ? (
          <p className="muted small">{checking ? 'checking…' : 'No problems found.'}</p>
        ) : (
          <ul className="ed-problems" data-testid="problems">
            {problems.map((p, i) => (
              <li key={i} className={`sev-${p.severity}`}>
                <span className="ed-line">line {p.line}</span> {p.path && <code>{p.path}</code>} {p.message}{' '}
                <span className="muted">[{p.code}]</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </aside>
  );
}
