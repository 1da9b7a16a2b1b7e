import { FindHideBar, type FindHideBarProps } from './FindHideBar';
import { GraphToolbar, type GraphToolbarProps } from './GraphToolbar';

/** The bar over the graph: display toolbar, find and hide, and the Replay button while replay is closed. */
export function GraphBar({
  toolbar,
  findHide,
  replayOpen,
  onOpenReplay,
  compareOpen = false,
  onOpenCompare,
}: {
  toolbar: GraphToolbarProps;
  findHide: FindHideBarProps;
  replayOpen: boolean;
  onOpenReplay: () => void;
  compareOpen?: boolean;
  onOpenCompare?: () => void;
}) {
  return (
    <div className="graph-bar">
      <GraphToolbar {...toolbar} />
      <FindHideBar {...findHide} />
      <div className="graph-bar-end">
        {!compareOpen && onOpenCompare ? (
          <button
            type="button"
            className="button"
            onClick={onOpenCompare}
            data-testid="compare-open"
            title="Compare the graph before and after a moment"
          >
            ⇆ Compare
          </button>
        ) : null}
        {!replayOpen ? (
          <button type="button" className="button" onClick={onOpenReplay} data-testid="replay-open">
            ⟲ Replay
          </button>
        ) : null}
      </div>
    </div>
  );
}
