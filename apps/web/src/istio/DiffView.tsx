import { useMemo } from 'react';
import { diffStats, lineDiff } from './lineDiff';

const SIGN = { add: '+', del: '-', same: ' ', skip: '' } as const;

/** A unified line diff, `before` → `after`. */
export function DiffView({
  before,
  after,
  beforeName,
  afterName,
}: {
  before: string;
  after: string;
  beforeName: string;
  afterName: string;
}) {
  const rows = useMemo(() => lineDiff(before, after), [before, after]);
  const stats = diffStats(rows);
  return (
    <div className="diff" data-testid="diff">
      <div className="diff-head muted small">
        --- {beforeName} · +++ {afterName} · <span className="diff-add">+{stats.added}</span>{' '}
        <span className="diff-del">-{stats.removed}</span>
      </div>
      {rows.length === 0 ? (
        <p className="muted small">No differences.</p>
      ) : (
        <pre tabIndex={0} aria-label="Differences">
          {rows.map((r, i) => (
            <div key={i} className={`diff-row diff-${r.kind}`}>
              {r.kind === 'skip' ? r.text : `${SIGN[r.kind]} ${r.text}`}
            </div>
          ))}
        </pre>
      )}
    </div>
  );
}
