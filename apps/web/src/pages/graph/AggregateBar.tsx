import { groupLabel } from '../../graph/aggregate';

export interface AggregateBarProps {
  /** The graph shows the aggregate view now. */
  aggregated: boolean;
  /** Every group key of the graph, sorted. */
  groups: string[];
  expanded: string[];
  /** Nodes in the whole graph. */
  total: number;
  onExpand: (group: string) => void;
  onCollapse: (group: string) => void;
  onExpandAll: () => void;
  onCollapseAll: () => void;
}

/**
 * The aggregate view's controls, over the graph's top-right corner: expand one namespace (also by
 * keyboard, from the list), collapse one, expand all (the whole graph) or collapse all. The status
 * line below the graph says how many nodes the namespaces hold.
 */
export function AggregateBar(props: AggregateBarProps) {
  const { aggregated, groups, expanded, total } = props;
  const open = new Set(expanded);
  const collapsed = groups.filter((g) => !open.has(g));
  if (!aggregated) {
    return (
      <div className="aggregate-bar" data-testid="aggregate-bar">
        <span className="muted small">
          {total} nodes in {groups.length} namespaces
        </span>
        <button type="button" className="button" onClick={props.onCollapseAll}>
          Group by namespace
        </button>
      </div>
    );
  }
  return (
    <div className="aggregate-bar" data-testid="aggregate-bar" role="group" aria-label="Namespace groups">
      <span className="muted small" data-testid="aggregate-summary">
        {expanded.length} of {groups.length} namespaces expanded
      </span>
      {collapsed.length > 0 && (
        <select
          className="select small"
          aria-label="Expand a namespace"
          value=""
          onChange={(e) => e.target.value && props.onExpand(e.target.value)}
        >
          <option value="">Expand a namespace…</option>
          {collapsed.map((g) => (
            <option key={g} value={g}>
              {groupLabel(g)}
            </option>
          ))}
        </select>
      )}
      {expanded.map((g) => (
        <span key={g} className="chip aggregate-chip">
          {groupLabel(g)}
          <button
            type="button"
            className="link-button"
            aria-label={`Collapse ${groupLabel(g)}`}
            onClick={() => props.onCollapse(g)}
          >
            ✕
          </button>
        </span>
      ))}
      <button type="button" className="button" onClick={props.onExpandAll}>
        Expand all
      </button>
      {expanded.length > 0 && (
        <button type="button" className="button" onClick={props.onCollapseAll}>
          Collapse all
        </button>
      )}
    </div>
  );
}
