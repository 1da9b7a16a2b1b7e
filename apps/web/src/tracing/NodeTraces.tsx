import './tracing.css';
import { Link } from 'wouter';
import type { GraphNode } from '@meshlens/contract';
import { useTraces } from './api';
import { traceHref } from './links';
import { nodeTraceEntity, slowAndFailing } from './recent';
import { formatUs } from './waterfall';

/**
 * The graph side panel's "Recent slow and failing traces" of a node, or of an edge (`peer`: the node's calls
 * to that service only); loaded lazily with the trace UI.
 */
export function NodeTraces({
  node,
  peer,
  duration,
  search,
}: {
  node: GraphNode;
  peer?: string;
  duration: number;
  search: string;
}) {
  const entity = nodeTraceEntity(node);
  const e = entity ?? { kind: 'apps' as const, namespace: '', name: '' };
  const edge = peer ? { peer } : {};
  const failing = useTraces(e, { duration, errorsOnly: true, limit: 5, ...edge }, false, entity !== null);
  const recent = useTraces(e, { duration, limit: 20, ...edge }, false, entity !== null);
  if (!entity || failing.data?.tracing.enabled === false) return null;
  const list = slowAndFailing(failing.data?.traces ?? [], recent.data?.traces ?? []);
  return (
    <section data-testid={peer ? 'edge-traces' : 'node-traces'}>
      <h3>Recent slow and failing traces</h3>
      {!failing.data && !failing.error && <p className="muted small">Loading…</p>}
      {failing.error && <p className="error-text small">{(failing.error as Error).message}</p>}
      {failing.data && list.length === 0 && <p className="muted small">No traces in this range.</p>}
      <ul className="node-traces">
        {list.map((t) => (
          <li key={t.id} className={t.errors > 0 ? 'failed' : undefined}>
            <Link href={`${traceHref(t.id)}${search}`}>
              {formatUs(t.entity?.durationUs ?? t.durationUs)}
              {t.entity?.statusCode !== undefined ? ` · ${t.entity.statusCode}` : ''}
              {t.errors > 0 ? ` · ${t.errors} error${t.errors === 1 ? '' : 's'}` : ''}
            </Link>{' '}
            <span className="muted small">{new Date(t.startUs / 1000).toLocaleTimeString()}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
