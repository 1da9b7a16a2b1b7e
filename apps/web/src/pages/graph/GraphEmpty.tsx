import { formatDuration } from '@meshlens/contract';
import type { ApiError } from '../../api/client';
import type { ViewState } from '../../url/viewState';
import { EmptyState } from './EmptyState';

export type EmptyKind = 'no-namespace' | 'error' | 'prometheus' | 'no-traffic';

/** Why the graph page shows a message instead of a graph, if it does. */
export function emptyKind(s: {
  namespaces: number;
  error: boolean;
  answer: boolean;
  prometheusDown: boolean;
  nodeCount: number;
  trafficEdges: number;
  idle: boolean;
}): EmptyKind | null {
  if (s.namespaces === 0) return 'no-namespace';
  if (s.error && !s.answer) return 'error';
  if (!s.answer) return null;
  const nothing = s.nodeCount === 0 || (s.trafficEdges === 0 && !s.idle);
  // Without Prometheus there is no traffic to show: say why, rather than "no traffic".
  if (nothing && s.prometheusDown) return 'prometheus';
  return nothing ? 'no-traffic' : null;
}

type SetView = (patch: Partial<ViewState>) => void;

/** The message for an `EmptyKind`, with what the user can do about it. */
export function GraphEmpty({
  kind,
  view,
  setView,
  namespaceNames,
  error,
  onRetry,
}: {
  kind: EmptyKind;
  view: ViewState;
  setView: SetView;
  namespaceNames: string[];
  error: ApiError | null;
  onRetry: () => void;
}) {
  switch (kind) {
    case 'no-namespace':
      return (
        <EmptyState title="Choose the namespaces to graph" testId="empty-no-namespace">
          <p>
            Pick one or more namespaces in the Namespace menu above; the graph shows the traffic between their
            workloads.
          </p>
          {namespaceNames.length > 0 && (
            <div className="chips">
              {namespaceNames.slice(0, 8).map((n) => (
                <button key={n} type="button" className="chip" onClick={() => setView({ namespaces: [n] })}>
                  {n}
                </button>
              ))}
            </div>
          )}
        </EmptyState>
      );
    case 'error':
      return (
        <EmptyState
          title={
            error?.isClientError ? 'The server refused this graph request' : 'The graph could not be loaded'
          }
          testId="graph-error"
        >
          <p className="inline-error">{error?.message}</p>
          <button type="button" className="button primary" onClick={onRetry}>
            Try again
          </button>
        </EmptyState>
      );
    case 'prometheus':
      return (
        <EmptyState title="No traffic data: Prometheus did not answer" testId="empty-prometheus">
          <p>
            meshlens reads traffic from Prometheus. Check that it is running and that the console server
            points at it (<code>--prometheus-url</code> or <code>PROMETHEUS_URL</code>). Turn on{' '}
            <em>Idle nodes</em> to see the inventory meanwhile.
          </p>
          <button type="button" className="button primary" onClick={() => setView({ idle: true })}>
            Show idle nodes
          </button>
        </EmptyState>
      );
    case 'no-traffic':
      return (
        <EmptyState
          title={`No traffic in the last ${formatDuration(view.duration)}`}
          testId="empty-no-traffic"
        >
          <p>
            Nothing was called in {view.namespaces.join(', ')} during this time range. Send requests to the
            mesh (through the ingress gateway), choose a longer range, or show idle nodes to see what is
            deployed.
          </p>
          <div className="chips">
            <button type="button" className="button primary" onClick={() => setView({ idle: true })}>
              Show idle nodes
            </button>
            <button type="button" className="button" onClick={() => setView({ duration: 3600 })}>
              Last 1h
            </button>
          </div>
        </EmptyState>
      );
  }
}
