import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { GraphEdge, GraphNode } from '@meshlens/contract';
import { formatDuration } from '@meshlens/contract';
import { ApiError } from '../api/client';
import { queryKeys, useGraph, useNamespaces, useServerConfig } from '../api/queries';
import type { GraphParams } from '../api/queries';
import { ANIMATION_MAX_EDGES } from '../graph/animation';
import { compileFind } from '../graph/find/evaluate';
import { aggregateElements, groupKeys } from '../graph/aggregate';
import type { CanvasProgress } from '../graph/GraphCanvas';
import type { GraphElements } from '../graph/model';
import { toElements } from '../graph/toElements';
import { Header } from '../shell/Header';
import { WarningBanner } from '../shell/WarningBanner';
import { useGlobalSearch, useView } from '../url/useView';
import { EmptyState } from './graph/EmptyState';
import { FindHideBar, FindHideHelp } from './graph/FindHideBar';
import { GraphToolbar } from './graph/GraphToolbar';
import { GraphHistory } from './graph/history';
import { Legend } from './graph/Legend';
import { AggregateBar } from './graph/AggregateBar';
import { LoadingSteps } from './graph/LoadingSteps';
import { ReplayBar } from './graph/ReplayBar';

// The graph page's first load is its chrome and the API client: Cytoscape (with the canvas) loads
// beside the graph request, the layout engines when a layout needs one (graph/layout.ts), the side
// panel (charts, wizards) once there is something to select.
const loadCanvas = () => import('../graph/GraphCanvas');
const GraphCanvas = lazy(() => loadCanvas().then((m) => ({ default: m.GraphCanvas })));
const loadSidePanel = () => import('./graph/SidePanel');
const SidePanel = lazy(() => loadSidePanel().then((m) => ({ default: m.SidePanel })));

/** Above this many drawn nodes: no namespace boxes, labels only when zoomed in, no animation. */
export const LARGE_GRAPH_NODES = 300;

const EMPTY: GraphElements = { nodes: [], edges: [], details: new Map() };

export function GraphPage({ theme }: { theme: string }) {
  const [view, setView] = useView();
  const queryClient = useQueryClient();
  const config = useServerConfig();
  const namespaces = useNamespaces(view.refresh > 0 ? view.refresh : false);
  const globalSearch = useGlobalSearch();
  const [legendOpen, setLegendOpen] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const helpButton = useRef<HTMLButtonElement>(null);
  const closeHelp = useCallback(() => setHelpOpen(false), []);
  const [layoutNonce, setLayoutNonce] = useState(0);
  const [fitNonce, setFitNonce] = useState(0);
  const [found, setFound] = useState<number | null>(null);
  const [replay, setReplay] = useState(view.queryTime > 0);

  // First visit without namespaces: take the server's defaults (kept in the URL from then on).
  const defaults = config.data?.defaultNamespaces;
  const applied = useRef(false);
  useEffect(() => {
    if (applied.current || !defaults) return;
    applied.current = true;
    if (
      view.namespaces.length === 0 &&
      !new URLSearchParams(window.location.search).has('namespaces') &&
      defaults.length > 0
    ) {
      setView({ namespaces: defaults }, { replace: true });
    }
  }, [defaults, view.namespaces.length, setView]);

  const params: GraphParams | null = useMemo(
    () =>
      view.namespaces.length === 0
        ? null
        : {
            namespaces: view.namespaces,
            graphType: view.graphType,
            duration: view.duration,
            injectServiceNodes: view.serviceNodes,
            includeIdle: view.idle,
            boxBy: 'none',
            responseTime: view.responseTime,
            rateHttp: view.rateHttp,
            rateGrpc: view.rateGrpc,
            rateTcp: view.rateTcp,
            ...(view.queryTime > 0 ? { queryTime: view.queryTime } : {}),
          },
    [
      view.namespaces,
      view.graphType,
      view.duration,
      view.serviceNodes,
      view.idle,
      view.responseTime,
      view.rateHttp,
      view.rateGrpc,
      view.rateTcp,
      view.queryTime,
    ],
  );
  const polling = view.refresh > 0 && view.queryTime === 0 ? view.refresh : false;
  const graph = useGraph(params, polling, view);
  const answer = params ? graph.data : undefined;

  // Past `aggregateAbove` nodes the graph opens on its aggregate view: one node per namespace.
  const answerNodes = answer?.nodes.filter((n) => n.type !== 'box').length ?? 0;
  const aggregated =
    view.aggregate === 'on' || (view.aggregate === 'auto' && answerNodes > view.aggregateAbove);
  const expandedKey = view.expanded.join(',');
  const full = useMemo(
    () =>
      answer
        ? toElements(answer, {
            boxNamespaces: !aggregated && view.boxNamespaces && answerNodes <= LARGE_GRAPH_NODES,
          })
        : EMPTY,
    [answer, aggregated, view.boxNamespaces, answerNodes],
  );
  const elements = useMemo(
    () =>
      aggregated
        ? aggregateElements(full, { expanded: new Set(expandedKey ? expandedKey.split(',') : []) })
        : full,
    [full, aggregated, expandedKey],
  );
  const groups = useMemo(() => [...new Set(groupKeys(full.nodes).values())].sort(), [full]);
  const drawnNodes = elements.nodes.filter((n) => n.nodeType !== 'box').length;
  const large = drawnNodes > LARGE_GRAPH_NODES;
  const [progress, setProgress] = useState<CanvasProgress | null>(null);
  const [rendererLoaded, setRendererLoaded] = useState(false);
  useEffect(() => {
    void loadCanvas().then(() => setRendererLoaded(true));
    void loadSidePanel();
  }, []);
  const nodeMap = useMemo(
    () => new Map<string, GraphNode>(answer?.nodes.map((n) => [n.id, n]) ?? []),
    [answer],
  );
  const edgeMap = useMemo(
    () => new Map<string, GraphEdge>(answer?.edges.map((e) => [e.id, e]) ?? []),
    [answer],
  );

  const history = useRef(new GraphHistory());
  const historyKey = params ? JSON.stringify({ ...params, queryTime: undefined }) : '';
  useEffect(() => history.current.clear(), [historyKey]);

  // The loading steps show until this graph (these parameters) is first drawn, not on each refresh;
  // once it is, the canvas's progress no longer re-renders the page.
  const [readyFor, setReadyFor] = useState('');
  const loadingKey = useRef(historyKey);
  loadingKey.current = historyKey;
  const drawnFor = useRef('');
  const onProgress = useCallback((p: CanvasProgress) => {
    if (drawnFor.current === loadingKey.current) return;
    setProgress(p);
    if (p.stage === 'ready') {
      drawnFor.current = loadingKey.current;
      setReadyFor(loadingKey.current);
    }
  }, []);
  if (answer) history.current.record(answer);

  const findResult = useMemo(() => (view.find ? compileFind(view.find) : null), [view.find]);
  const hideResult = useMemo(() => (view.hide ? compileFind(view.hide) : null), [view.hide]);
  const highlight = useMemo(
    () => ({
      find: findResult?.ok ? findResult.find : null,
      hide: hideResult?.ok ? hideResult.find : null,
      focus: view.focus,
      ...(elements.members ? { members: elements.members } : {}),
    }),
    [findResult, hideResult, view.focus, elements.members],
  );

  const styleOptions = useMemo(
    () => ({ edgeLabels: view.edgeLabels, security: view.security, large }),
    [view.edgeLabels, view.security, large],
  );

  const expand = useCallback(
    (group: string) =>
      setView({ aggregate: aggregated ? view.aggregate : 'on', expanded: [...view.expanded, group] }),
    [setView, aggregated, view.aggregate, view.expanded],
  );
  const members = elements.members;
  const onSelect = useCallback(
    (id: string) => {
      // a click on a collapsed namespace expands it
      const group = members?.has(id) ? elements.nodes.find((n) => n.id === id)?.group : undefined;
      if (group) expand(group);
      else setView({ selected: id }, { replace: true });
    },
    [setView, members, elements.nodes, expand],
  );
  const onFocus = useCallback((id: string) => setView({ focus: id, selected: id }), [setView]);
  const onHighlight = useCallback((r: { found: number }) => setFound(r.found), []);
  const onReplayChange = useCallback((t: number) => setView({ queryTime: t }, { replace: true }), [setView]);

  const warnings = [...(answer?.warnings ?? []), ...(namespaces.data?.warnings ?? [])];
  const prometheusDown = warnings.some((w) => w.code.startsWith('Prometheus'));
  const error =
    graph.error instanceof ApiError
      ? graph.error
      : graph.error
        ? new ApiError(0, 'Error', String(graph.error))
        : null;
  const nodeCount = useMemo(() => elements.nodes.filter((n) => n.nodeType !== 'box').length, [elements]);
  const trafficEdges = answer?.edges.filter((e) => !e.isIdle).length ?? 0;

  let empty: ReactNode = null;
  if (view.namespaces.length === 0) {
    const names = namespaces.data?.namespaces.map((n) => n.name) ?? [];
    empty = (
      <EmptyState title="Choose the namespaces to graph" testId="empty-no-namespace">
        <p>
          Pick one or more namespaces in the Namespace menu above; the graph shows the traffic between their
          workloads.
        </p>
        {names.length > 0 && (
          <div className="chips">
            {names.slice(0, 8).map((n) => (
              <button key={n} type="button" className="chip" onClick={() => setView({ namespaces: [n] })}>
                {n}
              </button>
            ))}
          </div>
        )}
      </EmptyState>
    );
  } else if (error && !answer) {
    empty = (
      <EmptyState
        title={
          error.isClientError ? 'The server refused this graph request' : 'The graph could not be loaded'
        }
        testId="graph-error"
      >
        <p className="inline-error">{error.message}</p>
        <button type="button" className="button primary" onClick={() => void graph.refetch()}>
          Try again
        </button>
      </EmptyState>
    );
  } else if (answer && prometheusDown && (nodeCount === 0 || (trafficEdges === 0 && !view.idle))) {
    // Without Prometheus there is no traffic to show: say why, rather than "no traffic".
    empty = (
      <EmptyState title="No traffic data: Prometheus did not answer" testId="empty-prometheus">
        <p>
          meshlens reads traffic from Prometheus. Check that it is running and that the console server points
          at it (<code>--prometheus-url</code> or <code>PROMETHEUS_URL</code>). Turn on <em>Idle nodes</em> to
          see the inventory meanwhile.
        </p>
        <button type="button" className="button primary" onClick={() => setView({ idle: true })}>
          Show idle nodes
        </button>
      </EmptyState>
    );
  } else if (answer && (nodeCount === 0 || (trafficEdges === 0 && !view.idle))) {
    empty = (
      <EmptyState title={`No traffic in the last ${formatDuration(view.duration)}`} testId="empty-no-traffic">
        <p>
          Nothing was called in {view.namespaces.join(', ')} during this time range. Send requests to the mesh
          (through the ingress gateway), choose a longer range, or show idle nodes to see what is deployed.
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

  return (
    <section className="page graph-page">
      <div className="page-header">
        <h1>Traffic Graph</h1>
        <Header
          view={view}
          setView={setView}
          namespaces={namespaces.data?.namespaces}
          namespacesLoading={namespaces.isLoading}
          namespacesError={namespaces.error ? (namespaces.error as Error).message : null}
          fetching={graph.isFetching}
          onRefresh={() => void queryClient.invalidateQueries({ queryKey: queryKeys.all })}
        />
      </div>
      <WarningBanner warnings={warnings} />
      <div className="graph-bar">
        <GraphToolbar
          view={view}
          setView={setView}
          animationAvailable={(answer?.edges.length ?? 0) <= ANIMATION_MAX_EDGES}
          boxesAvailable={!aggregated && answerNodes <= LARGE_GRAPH_NODES}
          onRelayout={() => setLayoutNonce((n) => n + 1)}
          onFit={() => setFitNonce((n) => n + 1)}
          legendOpen={legendOpen}
          onToggleLegend={() => setLegendOpen((o) => !o)}
        />
        <FindHideBar
          find={view.find}
          hide={view.hide}
          findResult={findResult}
          hideResult={hideResult}
          found={found}
          onFind={(find) => setView({ find }, { replace: true })}
          onHide={(hide) => setView({ hide }, { replace: true })}
          helpOpen={helpOpen}
          onToggleHelp={() => setHelpOpen((o) => !o)}
          helpButton={helpButton}
        />
        <div className="graph-bar-end">
          {!replay ? (
            <button
              type="button"
              className="button"
              onClick={() => setReplay(true)}
              data-testid="replay-open"
            >
              ⟲ Replay
            </button>
          ) : null}
        </div>
      </div>
      {replay && (
        <ReplayBar
          queryTime={view.queryTime}
          onChange={onReplayChange}
          onClose={() => {
            setReplay(false);
            setView({ queryTime: 0 }, { replace: true });
          }}
        />
      )}
      {error && answer && (
        <div className="inline-error bar-error">Refresh failed: {error.message} (showing the last graph)</div>
      )}
      <div className="graph-body">
        <div className="graph-main">
          <Suspense fallback={null}>
            <GraphCanvas
              elements={elements}
              style={styleOptions}
              theme={theme}
              layout={view.layout}
              layoutNonce={layoutNonce}
              fitNonce={fitNonce}
              highlight={highlight}
              animation={view.animation}
              renderer={view.renderer}
              selected={view.selected}
              onSelect={onSelect}
              onFocus={onFocus}
              onHighlight={onHighlight}
              onProgress={onProgress}
            />
          </Suspense>
          {params && !error && !empty && (!answer || readyFor !== historyKey) && (
            <LoadingSteps
              fetching={graph.isFetching}
              answer={
                answer && !graph.isPlaceholderData ? { nodes: answerNodes, edges: answer.edges.length } : null
              }
              rendererLoaded={rendererLoaded}
              aggregated={aggregated ? groups.length : 0}
              progress={progress}
            />
          )}
          {answer && !empty && answerNodes > 0 && (aggregated || answerNodes > view.aggregateAbove) && (
            <AggregateBar
              aggregated={aggregated}
              groups={groups}
              expanded={view.expanded.filter((g) => groups.includes(g))}
              total={answerNodes}
              onExpand={expand}
              onCollapse={(g) => setView({ expanded: view.expanded.filter((x) => x !== g) })}
              onExpandAll={() => setView({ aggregate: 'off', expanded: [] })}
              onCollapseAll={() => setView({ aggregate: 'on', expanded: [] })}
            />
          )}
          {empty && <div className="graph-overlay">{empty}</div>}
          {view.focus && (
            <div className="focus-chip">
              Focused on {nodeMap.get(view.focus)?.label ?? view.focus}
              <button type="button" className="link-button" onClick={() => setView({ focus: '' })}>
                Show all
              </button>
            </div>
          )}
          {legendOpen && <Legend onClose={() => setLegendOpen(false)} />}
          {helpOpen && <FindHideHelp onClose={closeHelp} helpButton={helpButton} />}
          {answer && (
            <div className="graph-status muted small" data-testid="graph-status">
              {aggregated
                ? `${answerNodes} nodes in ${groups.length} namespaces · ${nodeCount} shown · ${elements.edges.length} edges`
                : `${nodeCount} nodes · ${elements.edges.length} edges`}
              {view.queryTime > 0
                ? ` · replay at ${new Date(view.queryTime * 1000).toLocaleTimeString()}`
                : ''}
            </div>
          )}
        </div>
        {answer && !empty && (
          // the panel's room is kept while its chunk loads: the graph is fitted to what is left
          <Suspense fallback={<aside className="side-panel" aria-hidden />}>
            <SidePanel
              answer={answer}
              nodes={nodeMap}
              edges={edgeMap}
              selected={view.selected}
              history={(id) => history.current.get(id)}
              onSelect={onSelect}
              globalSearch={globalSearch}
            />
          </Suspense>
        )}
      </div>
    </section>
  );
}
