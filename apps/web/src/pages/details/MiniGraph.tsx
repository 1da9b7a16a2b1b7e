import { useLocation } from 'wouter';
import type { GraphResponse } from '@meshlens/contract';
import { useGlobalSearch } from '../../url/useView';
import { nodeDetailLinks } from './links';
import { miniLayout } from './miniGraph';

const PAD_X = 80;
const PAD_Y = 16;

/** Who calls the entity and whom it calls, as a small SVG; each peer opens its detail page. */
export function MiniGraph({ graph, centre }: { graph: GraphResponse; centre: string }) {
  const [, navigate] = useLocation();
  const search = useGlobalSearch();
  const l = miniLayout(graph, centre);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  return (
    <svg
      className="mini-graph"
      role="group"
      aria-label={`Traffic around ${byId.get(centre)?.label ?? centre}: ${l.edges.length} edges`}
      viewBox={`${-PAD_X} ${-PAD_Y} ${l.width + 2 * PAD_X} ${l.height + 2 * PAD_Y}`}
      width="100%"
      style={{ maxHeight: l.height + 2 * PAD_Y + 40 }}
      data-testid="mini-graph"
    >
      {l.edges.map((e) => (
        <line
          key={e.id}
          x1={e.from.x}
          y1={e.from.y}
          x2={e.to.x}
          y2={e.to.y}
          className={`mini-edge mini-edge-${e.health}`}
        />
      ))}
      {l.nodes.map((n) => {
        const node = byId.get(n.id);
        const link = node ? nodeDetailLinks(node)[0] : undefined;
        const open = link && !n.centre ? () => navigate(`${link.href}${search}`) : undefined;
        return (
          <g
            key={n.id}
            transform={`translate(${n.x},${n.y})`}
            className={`mini-node${n.centre ? ' mini-centre' : ''}${open ? ' mini-link' : ''}`}
            onClick={open}
            onKeyDown={open ? (ev) => (ev.key === 'Enter' || ev.key === ' ') && open() : undefined}
            tabIndex={open ? 0 : undefined}
            role={open ? 'link' : undefined}
            aria-label={open ? `Open ${link!.text}` : undefined}
          >
            <circle r={n.centre ? 11 : 8} className={`health-fill-${node?.healthStatus ?? 'NoTraffic'}`} />
            <text y={-14} textAnchor="middle">
              {n.label.length > 26 ? `${n.label.slice(0, 25)}…` : n.label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
