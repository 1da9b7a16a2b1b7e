/**
 * The logs of a workload's pod: its app container and its istio-proxy side by side, or merged by time;
 * follow, search, show/hide by a regular expression, errors only; error lines (5xx, failure flags,
 * ERROR) highlighted. Each container is its own stream of GET /api/namespaces/{ns}/pods/{pod}/logs.
 */
import { useMemo, useState } from 'react';
import { compileFilter, mergeByTime, type LineFilter, type LogLine } from './lines';
import { LogPane } from './LogPane';
import { LogsToolbar } from './LogsToolbar';
import { useLogStreams, type StreamState } from './useLogStream';
import './logs.css';

export interface LogsPanelProps {
  namespace: string;
  workload: string;
  pods: { name: string; containers: string[] }[];
}

const NO_FILTER: LineFilter = { search: '', expression: '', mode: 'show', errorsOnly: false };

function statusText(s: StreamState | undefined, follow: boolean): string {
  if (!s || s.status === 'loading') return 'Loading…';
  if (s.status === 'error') return `Could not read the log: ${s.message ?? ''}`;
  if (s.status === 'open') return follow ? 'Following' : 'Reading…';
  return follow && s.message ? `Stopped: ${s.message}` : '';
}

export function LogsPanel({ namespace, workload, pods }: LogsPanelProps) {
  const [podName, setPod] = useState(pods[0]?.name ?? '');
  const pod = pods.find((p) => p.name === podName) ?? pods[0];
  const containers = pod?.containers ?? [];
  const [hidden, setHidden] = useState<string[]>([]);
  const selected = containers.filter((c) => !hidden.includes(c));
  const [layout, setLayout] = useState<'split' | 'merged'>('split');
  const [follow, setFollow] = useState(false);
  const [tailLines, setTailLines] = useState(500);
  const [filter, setFilter] = useState(NO_FILTER);
  const states = useLogStreams(namespace, pod?.name ?? '', selected, follow, tailLines);
  const compiled = useMemo(() => compileFilter(filter), [filter]);
  const keep = (lines: LogLine[]) => (compiled.ok ? lines.filter(compiled.test) : lines);
  const merged = useMemo(
    () => (layout === 'merged' ? mergeByTime(selected.map((c) => states[c]?.lines ?? [])) : []),
    [layout, selected.join(','), states], // eslint-disable-line react-hooks/exhaustive-deps
  );

  if (!pod)
    return (
      <div className="logs-panel">
        <p className="log-empty">Workload {workload} has no pods: there is no log to read.</p>
      </div>
    );
  return (
    <section className="logs-panel" aria-label={`Logs of workload ${workload}`}>
      <LogsToolbar
        pods={pods}
        pod={pod.name}
        onPod={(p) => {
          setPod(p);
          setHidden([]);
        }}
        containers={containers}
        selected={selected}
        onToggleContainer={(c) => setHidden((h) => (h.includes(c) ? h.filter((x) => x !== c) : [...h, c]))}
        layout={layout}
        onLayout={setLayout}
        follow={follow}
        onFollow={setFollow}
        tailLines={tailLines}
        onTailLines={setTailLines}
        filter={filter}
        onFilter={setFilter}
        {...(compiled.ok ? {} : { filterError: compiled.error })}
      />
      {selected.length === 0 ? (
        <p className="log-empty">Choose a container to read its log.</p>
      ) : layout === 'merged' ? (
        <div className="logs-body">
          <LogPane
            title={`${pod.name}: ${selected.join(' + ')}`}
            lines={keep(merged)}
            total={merged.length}
            status={selected.map((c) => statusText(states[c], follow)).find(Boolean) ?? ''}
            showContainer
            search={filter.search.trim()}
            follow={follow}
          />
        </div>
      ) : (
        <div className={`logs-body logs-split cols-${Math.min(selected.length, 3)}`}>
          {selected.map((c) => {
            const lines = states[c]?.lines ?? [];
            return (
              <LogPane
                key={c}
                title={c}
                lines={keep(lines)}
                total={lines.length}
                status={statusText(states[c], follow)}
                showContainer={false}
                search={filter.search.trim()}
                follow={follow}
              />
            );
          })}
        </div>
      )}
    </section>
  );
}
