import { BADGES } from '../../graph/toElements';

const stroke = 'var(--graph-node-border)';
const fill = 'var(--graph-node-fill)';

function Shape({
  kind,
}: {
  kind: 'ellipse' | 'rect' | 'triangle' | 'tag' | 'diamond' | 'double' | 'dashed';
}) {
  return (
    <svg width="22" height="18" viewBox="0 0 22 18" aria-hidden>
      {kind === 'ellipse' && <circle cx="11" cy="9" r="7" fill={fill} stroke={stroke} strokeWidth="1.5" />}
      {kind === 'dashed' && (
        <circle cx="11" cy="9" r="7" fill={fill} stroke={stroke} strokeWidth="1.5" strokeDasharray="3 2" />
      )}
      {kind === 'double' && (
        <>
          <circle cx="11" cy="9" r="7.5" fill={fill} stroke={stroke} strokeWidth="1" />
          <circle cx="11" cy="9" r="5" fill="none" stroke={stroke} strokeWidth="1" />
        </>
      )}
      {kind === 'rect' && (
        <rect x="3" y="3" width="16" height="12" rx="3" fill={fill} stroke={stroke} strokeWidth="1.5" />
      )}
      {kind === 'triangle' && (
        <path d="M11 2 L19 16 L3 16 Z" fill={fill} stroke={stroke} strokeWidth="1.5" strokeLinejoin="round" />
      )}
      {kind === 'tag' && (
        <path
          d="M3 3 H15 L19 9 L15 15 H3 Z"
          fill={fill}
          stroke={stroke}
          strokeWidth="1.5"
          strokeLinejoin="round"
        />
      )}
      {kind === 'diamond' && (
        <path
          d="M11 1 L20 9 L11 17 L2 9 Z"
          fill={fill}
          stroke={stroke}
          strokeWidth="1.5"
          strokeLinejoin="round"
        />
      )}
    </svg>
  );
}

function Line({ color, dashed = false, width = 2.5 }: { color: string; dashed?: boolean; width?: number }) {
  return (
    <svg width="28" height="10" viewBox="0 0 28 10" aria-hidden>
      <line
        x1="1"
        y1="5"
        x2="21"
        y2="5"
        stroke={color}
        strokeWidth={width}
        strokeDasharray={dashed ? '4 3' : undefined}
      />
      <path d="M20 1 L27 5 L20 9 Z" fill={color} />
    </svg>
  );
}

/** What the shapes, colours and glyphs of the graph mean (Kiali's conventions). */
export function Legend({ onClose, compare = false }: { onClose: () => void; compare?: boolean }) {
  return (
    <aside className="legend" aria-label="Legend" data-testid="legend">
      <header>
        <strong>Legend</strong>
        <button type="button" className="link-button" onClick={onClose} aria-label="Close legend">
          ×
        </button>
      </header>
      {compare && (
        <>
          <h4>Before → after (colour = error % and response time)</h4>
          <ul data-testid="legend-compare">
            <li>
              <Line color="var(--graph-failure)" /> Worse (error % +1 pt, or response time +20%)
            </li>
            <li>
              <Line color="var(--graph-healthy)" /> Better
            </li>
            <li>
              <Line color="var(--graph-text-muted)" /> No notable change (label: rate change)
            </li>
            <li>
              <Line color="var(--graph-find)" /> New: traffic only after the moment
            </li>
            <li>
              <Line color="var(--graph-idle)" dashed /> Gone: traffic only before
            </li>
          </ul>
        </>
      )}
      <h4>Nodes</h4>
      <ul>
        <li>
          <Shape kind="rect" /> App (versioned app)
        </li>
        <li>
          <Shape kind="ellipse" /> Workload
        </li>
        <li>
          <Shape kind="triangle" /> Service
        </li>
        <li>
          <Shape kind="tag" /> Service entry (external)
        </li>
        <li>
          <Shape kind="diamond" /> Gateway
        </li>
        <li>
          <Shape kind="double" /> Traffic source (root)
        </li>
        <li>
          <Shape kind="dashed" /> Unknown source / idle
        </li>
      </ul>
      <h4>Node health (border)</h4>
      <ul className="swatches">
        <li>
          <span className="swatch" style={{ borderColor: 'var(--graph-node-border)' }} /> Healthy
        </li>
        <li>
          <span className="swatch" style={{ borderColor: 'var(--graph-degraded)' }} /> Degraded
        </li>
        <li>
          <span className="swatch" style={{ borderColor: 'var(--graph-failure)' }} /> Failure
        </li>
      </ul>
      <h4>Edges (width = requests/s; TCP: bytes/s)</h4>
      <ul>
        <li>
          <Line color="var(--graph-healthy)" /> Healthy
        </li>
        <li>
          <Line color="var(--graph-degraded)" /> Degraded (errors)
        </li>
        <li>
          <Line color="var(--graph-failure)" /> Failure (≥ 10% 5xx)
        </li>
        <li>
          <Line color="var(--graph-tcp)" /> TCP (rate label in bytes/s)
        </li>
        <li>
          <Line color="var(--graph-idle)" dashed width={1.5} /> Idle
        </li>
      </ul>
      <h4>Badges</h4>
      <ul className="badges">
        {BADGES.map((b) => (
          <li key={b.flag}>
            <span className="glyph">{b.glyph}</span> {b.label}
          </li>
        ))}
        <li>
          <span className="glyph small">mTLS</span> Mutual TLS (Security)
        </li>
      </ul>
    </aside>
  );
}
