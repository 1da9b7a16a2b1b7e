import { useRef, useState } from 'react';
import type { GraphType } from '@meshlens/contract';
import { EDGE_LABELS, LAYOUTS } from '../../url/viewState';
import type { EdgeLabelMode, LayoutChoice, ViewState } from '../../url/viewState';
import { useDismiss } from '../../shell/useDismiss';

const GRAPH_TYPE_LABELS: Record<GraphType, string> = {
  app: 'App graph',
  versionedApp: 'Versioned app graph',
  workload: 'Workload graph',
  service: 'Service graph',
};
const EDGE_LABEL_TEXT: Record<EdgeLabelMode, string> = {
  none: 'No edge labels',
  rate: 'Request rate',
  percent: '% of traffic',
  rt: 'Response time',
};
const LAYOUT_TEXT: Record<LayoutChoice, string> = {
  auto: 'Layout: auto',
  dagre: 'Layout: dagre',
  fcose: 'Layout: force (fcose)',
  breadthfirst: 'Layout: breadth-first',
  grid: 'Layout: grid',
  circle: 'Layout: circle',
};

type Toggle = 'serviceNodes' | 'idle' | 'boxNamespaces' | 'security' | 'animation';
const TOGGLES: { key: Toggle; label: string }[] = [
  { key: 'serviceNodes', label: 'Service nodes' },
  { key: 'idle', label: 'Idle nodes and edges' },
  { key: 'boxNamespaces', label: 'Namespace boxes' },
  { key: 'security', label: 'Security (mTLS)' },
  { key: 'animation', label: 'Traffic animation' },
];

export interface GraphToolbarProps {
  view: ViewState;
  setView: (patch: Partial<ViewState>, options?: { replace?: boolean }) => void;
  animationAvailable: boolean;
  boxesAvailable: boolean;
  onRelayout: () => void;
  onFit: () => void;
  legendOpen: boolean;
  onToggleLegend: () => void;
}

export function GraphToolbar({
  view,
  setView,
  animationAvailable,
  boxesAvailable,
  onRelayout,
  onFit,
  legendOpen,
  onToggleLegend,
}: GraphToolbarProps) {
  const [displayOpen, setDisplayOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const displayButton = useRef<HTMLButtonElement>(null);
  // Escape or a press outside closes it; Escape puts focus back on the button.
  useDismiss(displayOpen, [ref], () => setDisplayOpen(false), displayButton);
  const onCount = TOGGLES.filter((t) => view[t.key]).length;

  return (
    <div className="graph-toolbar" role="toolbar" aria-label="Graph settings">
      <select
        aria-label="Graph type"
        data-testid="graph-type"
        className="select"
        value={view.graphType}
        onChange={(e) => setView({ graphType: e.target.value as GraphType, selected: '', focus: '' })}
      >
        {(Object.keys(GRAPH_TYPE_LABELS) as GraphType[]).map((t) => (
          <option key={t} value={t}>
            {GRAPH_TYPE_LABELS[t]}
          </option>
        ))}
      </select>
      <select
        aria-label="Edge labels"
        data-testid="edge-labels"
        title="Rates are requests/s on HTTP and gRPC edges, bytes/s on TCP edges"
        className="select"
        value={view.edgeLabels}
        onChange={(e) => setView({ edgeLabels: e.target.value as EdgeLabelMode })}
      >
        {EDGE_LABELS.map((m) => (
          <option key={m} value={m}>
            {EDGE_LABEL_TEXT[m]}
          </option>
        ))}
      </select>
      <div className="dropdown" ref={ref}>
        <button
          type="button"
          ref={displayButton}
          className="select"
          aria-haspopup="true"
          aria-expanded={displayOpen}
          data-testid="display-menu"
          onClick={() => setDisplayOpen((o) => !o)}
        >
          Display ({onCount}) ▾
        </button>
        {displayOpen && (
          <div className="popover display-popover" role="group" aria-label="Display options">
            {TOGGLES.map((t) => (
              <label key={t.key} className="check">
                <input
                  type="checkbox"
                  checked={view[t.key]}
                  disabled={
                    (t.key === 'animation' && !animationAvailable) ||
                    (t.key === 'boxNamespaces' && !boxesAvailable)
                  }
                  onChange={(e) => setView({ [t.key]: e.target.checked })}
                />
                <span>
                  {t.label}
                  {t.key === 'animation' && !animationAvailable && (
                    <em className="muted"> (off on large graphs)</em>
                  )}
                </span>
              </label>
            ))}
            <hr />
            <label className="check-label">
              Response time
              <select
                className="select small"
                aria-label="Response time statistic"
                value={view.responseTime}
                onChange={(e) => setView({ responseTime: e.target.value as ViewState['responseTime'] })}
              >
                <option value="avg">average</option>
                <option value="p50">median (p50)</option>
                <option value="p95">95th percentile</option>
                <option value="p99">99th percentile</option>
              </select>
            </label>
            <hr />
            <label className="check-label">
              HTTP rate
              <select
                className="select small"
                aria-label="HTTP traffic rate"
                value={view.rateHttp}
                onChange={(e) => setView({ rateHttp: e.target.value as ViewState['rateHttp'] })}
              >
                <option value="requests">requests</option>
                <option value="none">none (hide HTTP)</option>
              </select>
            </label>
            <label className="check-label">
              gRPC rate
              <select
                className="select small"
                aria-label="gRPC traffic rate"
                value={view.rateGrpc}
                onChange={(e) => setView({ rateGrpc: e.target.value as ViewState['rateGrpc'] })}
              >
                <option value="requests">requests</option>
                <option value="sent">messages sent</option>
                <option value="received">messages received</option>
                <option value="total">messages total</option>
                <option value="none">none (hide gRPC)</option>
              </select>
            </label>
            <label className="check-label">
              TCP rate
              <select
                className="select small"
                aria-label="TCP traffic rate"
                value={view.rateTcp}
                onChange={(e) => setView({ rateTcp: e.target.value as ViewState['rateTcp'] })}
              >
                <option value="sent">bytes sent</option>
                <option value="received">bytes received</option>
                <option value="total">bytes total</option>
                <option value="none">none (hide TCP)</option>
              </select>
            </label>
          </div>
        )}
      </div>
      <select
        aria-label="Layout"
        className="select"
        value={view.layout}
        onChange={(e) => setView({ layout: e.target.value as LayoutChoice })}
      >
        {LAYOUTS.map((l) => (
          <option key={l} value={l}>
            {LAYOUT_TEXT[l]}
          </option>
        ))}
      </select>
      <div className="button-group">
        <button type="button" className="button" onClick={onRelayout} title="Run the layout again">
          Re-layout
        </button>
        <button type="button" className="button" onClick={onFit} title="Fit the graph to the window">
          Fit
        </button>
        <button
          type="button"
          className={legendOpen ? 'button active' : 'button'}
          aria-pressed={legendOpen}
          onClick={onToggleLegend}
        >
          Legend
        </button>
      </div>
    </div>
  );
}
