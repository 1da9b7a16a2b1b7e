import { useEffect, useState } from 'react';
import type { CanvasProgress } from '../../graph/GraphCanvas';

export interface LoadingStepsProps {
  /** The graph request is out. */
  fetching: boolean;
  /** Size of the answer, once it came. */
  answer: { nodes: number; edges: number } | null;
  /** Cytoscape's chunk is in (it loads beside the request). */
  rendererLoaded: boolean;
  /** Namespaces of the aggregate view (0 when the whole graph is drawn). */
  aggregated: number;
  progress: CanvasProgress | null;
}

type Step = { label: string; state: 'done' | 'now' | 'later' };

/** Seconds since `since` changed, ticking while `running`. */
function useElapsed(running: boolean): number {
  const [started, setStarted] = useState(() => performance.now());
  const [now, setNow] = useState(started);
  useEffect(() => {
    if (!running) return;
    const t0 = performance.now();
    setStarted(t0);
    setNow(t0);
    const timer = setInterval(() => setNow(performance.now()), 250);
    return () => clearInterval(timer);
  }, [running]);
  return Math.max(0, (now - started) / 1000);
}

/**
 * What a loading graph waits for, step by step — the request, the answer, the renderer, the
 * elements (with their share applied), the layout — instead of a bare "Loading".
 */
export function LoadingSteps({ fetching, answer, rendererLoaded, aggregated, progress }: LoadingStepsProps) {
  const waiting = fetching && !answer;
  const elapsed = useElapsed(waiting);
  const elementsDone = progress?.stage === 'layout' || progress?.stage === 'ready';
  const pct =
    progress?.stage === 'elements' && progress.total > 0
      ? Math.round((progress.done / progress.total) * 100)
      : elementsDone
        ? 100
        : 0;
  const steps: Step[] = [
    {
      label: answer
        ? `Answer received: ${answer.nodes} nodes, ${answer.edges} edges`
        : `Request sent, waiting for the server's traffic queries (${elapsed.toFixed(1)} s)`,
      state: answer ? 'done' : 'now',
    },
    {
      label: rendererLoaded ? 'Graph renderer loaded' : 'Loading the graph renderer',
      state: rendererLoaded ? 'done' : 'now',
    },
    {
      label:
        aggregated > 0
          ? `Elements built: ${aggregated} namespaces (aggregate view) ${pct}%`
          : `Elements built ${pct}%`,
      state: elementsDone ? 'done' : answer && rendererLoaded ? 'now' : 'later',
    },
    {
      label:
        progress?.stage === 'layout' ? `Layout (${progress.layout}) of ${progress.nodes} nodes` : 'Layout',
      state: progress?.stage === 'ready' ? 'done' : progress?.stage === 'layout' ? 'now' : 'later',
    },
  ];
  return (
    <div className="graph-loading" role="status" aria-live="polite" data-testid="graph-loading">
      Loading the graph…
      <ol>
        {steps.map((s) => (
          <li key={s.label.split(' ')[0]} className={s.state} data-state={s.state}>
            {s.state === 'done' ? '✓ ' : ''}
            {s.label}
          </li>
        ))}
      </ol>
    </div>
  );
}
