import { Link } from 'wouter';

/** The line under the graph: what is drawn, of how much, and the replayed instant. */
export function GraphStatus({
  shown,
  edges,
  aggregated,
  queryTime,
}: {
  shown: number;
  edges: number;
  /** In the aggregate view: the answer's nodes and the namespaces they are grouped in. */
  aggregated: { nodes: number; groups: number } | null;
  queryTime: number;
}) {
  return (
    <div className="graph-status muted small" data-testid="graph-status">
      {aggregated
        ? `${aggregated.nodes} nodes in ${aggregated.groups} namespaces · ${shown} shown · ${edges} edges`
        : `${shown} nodes · ${edges} edges`}
      {queryTime > 0 ? ` · replay at ${new Date(queryTime * 1000).toLocaleTimeString()}` : ''}
    </div>
  );
}

/** Says which node the graph is focused on, with the way back to all of it. */
export function FocusChip({ label, onShowAll }: { label: string; onShowAll: () => void }) {
  return (
    <div className="focus-chip">
      Focused on {label}
      <button type="button" className="link-button" onClick={onShowAll}>
        Show all
      </button>
    </div>
  );
}

/** Says which trace's path the graph marks (or why it cannot), with the trace and the way back. */
export function TraceChip({
  id,
  below,
  path,
  error,
  href,
  onShowAll,
}: {
  id: string;
  /** Under the focus chip when both show. */
  below: boolean;
  path: { stops: unknown[]; hops: unknown[] } | null;
  error: string | null;
  href: string;
  onShowAll: () => void;
}) {
  const short = id.length > 12 ? `${id.slice(0, 12)}…` : id;
  return (
    <div className={`focus-chip trace-chip${below ? ' below' : ''}`} data-testid="trace-chip">
      <span>
        Trace <code>{short}</code>
        {error
          ? `: ${error}`
          : path
            ? `: ${path.stops.length} proxies, ${path.hops.length} call${path.hops.length === 1 ? '' : 's'} marked`
            : ': loading…'}
      </span>
      <Link className="link-button" href={href}>
        Open trace
      </Link>
      <button type="button" className="link-button" onClick={onShowAll}>
        Show all
      </button>
    </div>
  );
}
