/**
 * A scrolling list of log lines: time, (merged view) the container, the access line's code and flags as
 * badges, the text with the search highlighted; error lines marked. Keeps to the bottom while following
 * unless the reader scrolled up.
 */
import { useEffect, useLayoutEffect, useRef, type ReactNode } from 'react';
import { shortTime, type LogLine } from './lines';

/** Rows drawn per pane (the newest); the rest stay counted. */
export const MAX_ROWS = 2000;

function highlight(text: string, needle: string): ReactNode {
  if (!needle) return text;
  const out: ReactNode[] = [];
  const lower = text.toLowerCase();
  const n = needle.toLowerCase();
  let from = 0;
  for (let i = lower.indexOf(n); i >= 0; i = lower.indexOf(n, from)) {
    out.push(text.slice(from, i), <mark key={i}>{text.slice(i, i + n.length)}</mark>);
    from = i + n.length;
  }
  out.push(text.slice(from));
  return out;
}

function Row({ line, showContainer, search }: { line: LogLine; showContainer: boolean; search: string }) {
  const a = line.access;
  return (
    <div className={`log-row sev-${line.severity}`} data-container={line.container}>
      <time className="log-time" dateTime={line.time} title={line.time}>
        {shortTime(line.time)}
      </time>
      {showContainer && <span className="log-tag">{line.container}</span>}
      {a && (
        <span className={`log-code code-${Math.floor(a.code / 100)}xx`} title={`response code ${a.code}`}>
          {a.code}
        </span>
      )}
      {a && a.flags !== '-' && (
        <span className="log-flags" title={`response flags ${a.flags}: ${a.details}`}>
          {a.flags}
        </span>
      )}
      {line.severity === 'error' && <span className="visually-hidden">error: </span>}
      <span className="log-text">{highlight(line.text, search)}</span>
    </div>
  );
}

export interface LogPaneProps {
  title: string;
  lines: LogLine[];
  /** Lines before filtering (for the count). */
  total: number;
  status: ReactNode;
  showContainer: boolean;
  search: string;
  follow: boolean;
}

export function LogPane({ title, lines, total, status, showContainer, search, follow }: LogPaneProps) {
  const box = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const shown = lines.length > MAX_ROWS ? lines.slice(-MAX_ROWS) : lines;
  useEffect(() => {
    pinned.current = true;
  }, [follow]);
  useLayoutEffect(() => {
    const el = box.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [shown]);
  return (
    <section className="log-pane" aria-label={`${title} log`}>
      <header className="log-pane-header">
        <h3>{title}</h3>
        <span className="log-count">
          {lines.length === total ? `${total} lines` : `${lines.length} of ${total} lines`}
        </span>
        <span className="log-status">{status}</span>
      </header>
      <div
        ref={box}
        className="log-lines"
        role="log"
        aria-live="off"
        aria-label={`${title} lines`}
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {shown.length === 0 ? (
          <p className="log-empty">{total ? 'No line matches the filters.' : 'No lines yet.'}</p>
        ) : (
          shown.map((l) => (
            <Row key={`${l.source}#${l.seq}`} line={l} showContainer={showContainer} search={search} />
          ))
        )}
      </div>
    </section>
  );
}
