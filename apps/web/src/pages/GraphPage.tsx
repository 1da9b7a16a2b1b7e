import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/client';
import { queryKeys, useGraph, useNamespaces, useServerConfig } from '../api/queries';
import { ANIMATION_MAX_EDGES } from '../graph/animation';
import { Header } from '../shell/Header';
import { useTrace } from '../tracing/api';
import { traceHref } from '../tracing/links';
import { pathMatcher, tracePath } from '../tracing/path';
import { WarningBanner } from '../shell/WarningBanner';
import { useGlobalSearch, useView } from '../url/useView';
import { AggregateBar } from './graph/AggregateBar';
import { CompareBar, defaultCompareMoment } from './graph/Compare';
import { FindHideHelp } from './graph/FindHideBar';
import { GraphBar } from './graph/GraphBar';
import { emptyKind, GraphEmpty } from './graph/GraphEmpty';
import { useDefaultNamespaces, useGraphParams } from './graph/graphParams';
import { FocusChip, GraphStatus, TraceChip } from './graph/GraphStatus';
import { GraphHistory } from './graph/history';
import { Legend } from './graph/Legend';
import { LoadingSteps } from './graph/LoadingSteps';
import { ReplayBar } from './graph/ReplayBar';
import { LARGE_GRAPH_NODES, useGraphElements } from './graph/useGraphElements';
import { useHighlight } from './graph/useHighlight';
import { useLoadingProgress } from './graph/useLoadingProgress';

// The graph page's first load is its chrome and the API client: Cytoscape (with the canvas) loads
// beside the graph request, the layout engines when a layout needs one (graph/layout.ts), the side
// panel (charts, wizards) once there is something to select.
const loadCanvas = () => import('../graph/GraphCanvas');
const GraphCanvas = lazy(() => loadCanvas().then((m) => ({ default: m.GraphCanvas })));
const loadSidePanel = () => import('./graph/SidePanel');
const SidePanel = lazy(() => loadSidePanel().then((m) => ({ default: m.SidePanel })));

/** Starts loading the renderer and the side panel's chunks (at once: they load beside the graph request). */
const preloadRenderer = () => {
  void loadSidePanel();
  return loadCanvas();
};

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

  useDefaultNamespaces(config.data?.defaultNamespaces, view.namespaces.length, setView);
  const params = useGraphParams(view);
  // a comparison whose after window is over does not change: no polling then
  const comparing = view.compare > 0;
  const compareLive = comparing && view.compare + view.compareWindow > Date.now() / 1000;
  const polling =
    view.refresh > 0 && view.queryTime === 0 && (!comparing || compareLive) ? view.refresh : false;
  // The server's config decides the view's defaults (graph type, duration): asked before it answers,
  // the graph would be asked twice, once with the built-in defaults.
  const graph = useGraph(config.isPending ? null : params, polling, view);
  const answer = params ? graph.data : undefined;

  const { pending, answerNodes, aggregated, elements, groups, nodeCount, large, nodeMap, edgeMap } =
    useGraphElements(answer, view);
  const history = useRef(new GraphHistory());
  const historyKey = params ? JSON.stringify({ ...params, queryTime: undefined }) : '';
  useEffect(() => history.current.clear(), [historyKey]);

  const loading = useLoadingProgress(historyKey, preloadRenderer);
  const trace = useTrace(view.trace, view.trace !== '');
  const path = useMemo(() => (trace.data ? tracePath(trace.data.trace.spans) : null), [trace.data]);
  const matcher = useMemo(() => (path ? pathMatcher(path) : null), [path]);
  const { findResult, hideResult, highlight } = useHighlight(view, elements.members, matcher);

  const styleOptions = useMemo(
    () => ({ edgeLabels: view.edgeLabels, security: view.security, large, compare: comparing }),
    [view.edgeLabels, view.security, large, comparing],
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
  const trafficEdges = answer?.edges.filter((e) => !e.isIdle).length ?? 0;
  const emptyAs = emptyKind({
    namespaces: view.namespaces.length,
    error: error !== null,
    // a large answer still being converted is not known to be empty yet
    answer: answer !== undefined && !(pending && elements.nodes.length === 0),
    prometheusDown,
    nodeCount,
    trafficEdges,
    idle: view.idle,
  });
  const empty = emptyAs && (
    <GraphEmpty
      kind={emptyAs}
      view={view}
      setView={setView}
      namespaceNames={namespaces.data?.namespaces.map((n) => n.name) ?? []}
      error={error}
      onRetry={() => void graph.refetch()}
    />
  );

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
      <GraphBar
        toolbar={{
          view,
          setView,
          animationAvailable: (answer?.edges.length ?? 0) <= ANIMATION_MAX_EDGES,
          boxesAvailable: !aggregated && answerNodes <= LARGE_GRAPH_NODES,
          onRelayout: () => setLayoutNonce((n) => n + 1),
          onFit: () => setFitNonce((n) => n + 1),
          legendOpen,
          onToggleLegend: () => setLegendOpen((o) => !o),
        }}
        findHide={{
          find: view.find,
          hide: view.hide,
          findResult,
          hideResult,
          found,
          onFind: (find) => setView({ find }, { replace: true }),
          onHide: (hide) => setView({ hide }, { replace: true }),
          helpOpen,
          onToggleHelp: () => setHelpOpen((o) => !o),
          helpButton,
        }}
        replayOpen={replay || comparing}
        onOpenReplay={() => setReplay(true)}
        compareOpen={comparing || replay}
        onOpenCompare={() => {
          setLegendOpen(true);
          setView({ compare: defaultCompareMoment(view.compareWindow), queryTime: 0 });
        }}
      />
      {comparing && (
        <CompareBar
          compare={view.compare}
          window={view.compareWindow}
          windows={answer?.compare}
          onChange={(patch) => setView(patch, { replace: true })}
          onClose={() => setView({ compare: 0 })}
        />
      )}
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
              onProgress={loading.onProgress}
            />
          </Suspense>
          {params && !error && !empty && (!answer || !loading.drawn) && (
            <LoadingSteps
              fetching={graph.isFetching}
              answer={
                answer && !graph.isPlaceholderData ? { nodes: answerNodes, edges: answer.edges.length } : null
              }
              rendererLoaded={loading.rendererLoaded}
              aggregated={aggregated ? groups.length : 0}
              progress={loading.progress}
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
            <FocusChip
              label={nodeMap.get(view.focus)?.label ?? view.focus}
              onShowAll={() => setView({ focus: '' })}
            />
          )}
          {view.trace && (
            <TraceChip
              id={view.trace}
              below={view.focus !== ''}
              path={path}
              error={trace.error ? (trace.error as Error).message : null}
              href={traceHref(view.trace)}
              onShowAll={() => setView({ trace: '' })}
            />
          )}
          {legendOpen && <Legend onClose={() => setLegendOpen(false)} compare={comparing} />}
          {helpOpen && <FindHideHelp onClose={closeHelp} helpButton={helpButton} />}
          {answer && (
            <GraphStatus
              shown={nodeCount}
              edges={elements.edges.length}
              aggregated={aggregated ? { nodes: answerNodes, groups: groups.length } : null}
              queryTime={view.queryTime}
            />
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
