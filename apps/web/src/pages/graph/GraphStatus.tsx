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
