import { useEffect, useRef, useState } from 'react';
import CytoscapeComponent from 'react-cytoscapejs';
import type { CollectionReturnValue, Core, EventObject, NodeCollection, NodeSingular } from 'cytoscape';
import type { LayoutChoice } from '../url/viewState';
import { applyHighlight } from './highlight';
import { declutterLabels } from './labels';
import type { HighlightState } from './highlight';
import { chooseLayout, fitPadding, loadLayoutEngine, runLayout } from './layout';
import type { GraphElements } from './model';
import { rendererFor, swapRenderer } from './renderer';
import type { RendererChoice } from './renderer';
import { buildStylesheet, paletteFromCss } from './stylesheet';
import type { StyleOptions } from './stylesheet';
import { syncElementsChunked } from './sync';
import { yieldToMain } from './slices';
import { groupPlaces, placeInPlace } from './inPlace';
import { startTrafficAnimation } from './animation';
import { mark } from '../perf/marks';
import { batchStyleCacheDirtying } from './styleCache';

export interface GraphCanvasProps {
  elements: GraphElements;
  style: StyleOptions;
  /** Changes when the theme changes, so the palette is read again. */
  theme: string;
  layout: LayoutChoice;
  /** Bumps to force a new layout (the "re-layout" button). */
  layoutNonce: number;
  /** Bumps to fit the graph to the window. */
  fitNonce: number;
  highlight: HighlightState;
  animation: boolean;
  renderer: RendererChoice;
  selected: string;
  onSelect: (id: string) => void;
  onFocus: (id: string) => void;
  onHighlight?: (result: { found: number; hidden: number }) => void;
  /** What the canvas is doing with a new graph: elements applied so far, layout, ready. */
  onProgress?: (progress: CanvasProgress) => void;
}

export type CanvasProgress =
  | { stage: 'elements'; done: number; total: number }
  | { stage: 'layout'; nodes: number; layout: string }
  | { stage: 'ready' };

/**
 * Both layout engines start loading with the canvas's chunk, beside the graph request (each a chunk of
 * its own, 15 and 32 kB gzipped): the first layout then runs as soon as the answer is in, instead of
 * waiting for its engine (~1 s of a 100-node graph's first load on a busy 2-core machine).
 */
for (const engine of ['dagre', 'fcose']) void loadLayoutEngine(engine)?.catch(() => undefined);

const NO_ELEMENTS: never[] = [];

/** Selects the element `id` alone (nothing when empty or not drawn), as the URL says. */
function selectOnly(cy: Core, id: string): void {
  const selected = cy.$(':selected');
  const wanted = id ? cy.getElementById(id) : cy.collection();
  if (selected.same(wanted)) return;
  cy.batch(() => {
    selected.unselect();
    wanted.select();
  });
}
const CY_STYLE = { width: '100%', height: '100%' };

declare global {
  interface Window {
    __cy?: Core;
  }
}
const EXPOSE_CY = import.meta.env.MODE === 'test' || import.meta.env.VITE_EXPOSE_CY === '1';

/**
 * One long-lived Cytoscape instance (react-cytoscapejs renders the container once; elements are
 * synced by id in a batch, never re-created). React does no work per frame: pan, zoom and the
 * traffic animation run inside Cytoscape.
 */
/** Fits the graph, but never zooms a small graph in past 1.8× (Bookinfo should not fill the screen). */
function fitCapped(cy: Core): void {
  cy.fit(cy.elements(':visible'), fitPadding(cy));
  if (cy.zoom() > 1.8) {
    cy.zoom(1.8);
    cy.center(cy.elements(':visible'));
  }
}

/**
 * Takes the nodes of expanded boxes out (to be restored after the layout), leaving each box a single
 * node with stand-in edges to whatever its nodes were connected to.
 */
function detachExpanded(cy: Core, boxes: NodeCollection): CollectionReturnValue {
  const children = boxes.children();
  const edges = children.connectedEdges();
  const drawnAs = (n: NodeSingular) =>
    n.isChild() && boxes.anySame(n.parent()) ? n.parent().first().id() : n.id();
  const standIns = new Map<string, [string, string]>();
  edges.forEach((e) => {
    const s = drawnAs(e.source());
    const t = drawnAs(e.target());
    if (s !== t) standIns.set(`${s}>${t}`, [s, t]);
  });
  const detached = cy.remove(children.union(edges));
  cy.add(
    [...standIns.entries()].map(([id, [source, target]]) => ({
      group: 'edges' as const,
      data: { id: `stand-in:${id}`, source, target, width: 1, rate: 0, isIdle: true },
      classes: 'stand-in',
    })),
  );
  return detached;
}

export function GraphCanvas(props: GraphCanvasProps) {
  const cyRef = useRef<Core | null>(null);
  const [cy, setCy] = useState<Core | null>(null);
  const containerRef = useRef<HTMLDivElement | null>(null);
  const handlers = useRef(props);
  handlers.current = props;
  const layoutRun = useRef({ nonce: -1, layout: '' as string, labels: '' });
  const layoutGeneration = useRef(0);

  const bindCy = (instance: Core) => {
    if (cyRef.current === instance) return;
    cyRef.current = instance;
    batchStyleCacheDirtying(instance);
    instance.minZoom(0.05);
    instance.maxZoom(4);
    instance.on('tap', (e: EventObject) => {
      if (e.target === instance) handlers.current.onSelect('');
    });
    instance.on('tap', 'node[nodeType != "box"], edge', (e: EventObject) =>
      handlers.current.onSelect(e.target.id()),
    );
    instance.on('dbltap', 'node[nodeType != "box"]', (e: EventObject) =>
      handlers.current.onFocus(e.target.id()),
    );
    instance.on('mouseover', 'node, edge', (e: EventObject) => e.target.addClass('hover'));
    instance.on('mouseout', 'node, edge', (e: EventObject) => e.target.removeClass('hover'));
    if (EXPOSE_CY) window.__cy = instance;
    // Keep cy's idea of its size in step with the layout around it (side panel, banners).
    const container = instance.container();
    if (container && typeof ResizeObserver !== 'undefined') {
      let frame = 0;
      new ResizeObserver(() => {
        cancelAnimationFrame(frame);
        frame = requestAnimationFrame(() => instance.resize());
      }).observe(container);
    }
    // state update outside render: react-cytoscapejs calls `cy` from its lifecycle methods
    queueMicrotask(() => setCy(instance));
  };

  // Renderer: chosen once the graph size is known (WebGL helps only on large graphs with a GPU).
  const nodeCount = props.elements.nodes.length;
  const wantedRenderer = rendererFor(props.renderer, nodeCount);
  useEffect(() => {
    if (cy) swapRenderer(cy, wantedRenderer);
  }, [cy, wantedRenderer]);

  // Large graphs: while panning and zooming, draw a cached texture and hide edges. react-cytoscapejs
  // passes these options only when cy is created (empty), so they are set on the renderer here.
  const { large } = props.style;
  useEffect(() => {
    if (!cy) return;
    const r = (
      cy as unknown as { renderer(): { hideEdgesOnViewport?: boolean; textureOnViewport?: boolean } | null }
    ).renderer();
    if (r) {
      r.hideEdgesOnViewport = large;
      r.textureOnViewport = large;
    }
  }, [cy, large, wantedRenderer]);

  // Style: rebuilt only when a setting or the theme changes.
  const { edgeLabels, security, compare } = props.style;
  useEffect(() => {
    if (!cy || !containerRef.current) return;
    cy.style(buildStylesheet(paletteFromCss(containerRef.current), { edgeLabels, security, large, compare }));
    if (!large) declutterLabels(cy);
  }, [cy, edgeLabels, security, large, compare, props.theme, wantedRenderer]);

  // Elements: diffed by id, in chunks on large graphs (a refresh never blocks the main thread for
  // long); the layout runs only when the node set changes (or on request). Expanding or collapsing a
  // namespace of the aggregate view places its nodes where it was, without a new layout.
  const { elements, layout, layoutNonce } = props;
  const syncGeneration = useRef(0);
  useEffect(() => {
    if (!cy) return;
    const generation = ++syncGeneration.current;
    const syncCurrent = () => generation === syncGeneration.current;
    const before = groupPlaces(cy);
    const container = containerRef.current;
    const report = (p: CanvasProgress) => handlers.current.onProgress?.(p);
    // The likely layout engine (auto: dagre up to 200 nodes). While it still loads, the elements wait
    // for it: added before, they would be drawn once un-laid-out (hidden, but the frame costs what a
    // laid-out one does: ~0.5 s of a 100-node graph's first load on 2 cores) before the layout runs.
    const boxes = elements.nodes.filter((n) => n.nodeType === 'box').length;
    const aggregates = elements.nodes.filter((n) => n.nodeType === 'aggregate').length;
    const engine = loadLayoutEngine(
      chooseLayout(layout, elements.nodes.length - boxes, elements.edges.length, boxes, aggregates),
    )?.catch(() => undefined);
    const sync = () => {
      mark('meshlens:sync-start');
      return syncElementsChunked(cy, elements, {
        isCurrent: syncCurrent,
        onProgress: (done, total) => report({ stage: 'elements', done, total }),
      });
    };
    // In a task of its own: after a large answer, React's render (converting, aggregating) and the sync
    // (the diff, Cytoscape's restyle) are each most of a long task; together one of over 100 ms.
    const synced = (engine ?? Promise.resolve())
      .then(yieldToMain)
      .then(() => (syncCurrent() ? sync() : null));
    void synced.then((result) => {
      if (!result || !syncCurrent()) return;
      mark('meshlens:sync-end');
      // edge labels need room between ranks: a new label setting lays the graph out again
      const labels = `${edgeLabels}/${security}`;
      const settingsChanged =
        layoutRun.current.nonce !== layoutNonce ||
        layoutRun.current.layout !== layout ||
        layoutRun.current.labels !== labels;
      const relayout = result.nodeSetChanged || settingsChanged;
      const h = handlers.current;
      const highlighted = applyHighlight(cy, h.highlight);
      h.onHighlight?.(highlighted);
      // the selection effect may have run before these elements were in (the sync waits a task)
      selectOnly(cy, h.selected);
      if (cy.nodes().empty()) {
        // nothing drawn yet (no answer) or an empty graph: the page says which, not the canvas
        container?.setAttribute('data-ready', 'true');
        return;
      }
      if (!relayout) {
        // new rates, new label widths: hide what now collides (small graphs; large ones show labels
        // only when zoomed in). In a task of its own: the diff's task stays short, frames go on.
        if (large) report({ stage: 'ready' });
        else
          void yieldToMain().then(() => {
            if (!syncCurrent()) return;
            declutterLabels(cy);
            report({ stage: 'ready' });
          });
        return;
      }
      if (!settingsChanged) {
        const expanded = placeInPlace(cy, before);
        if (expanded) {
          mark('meshlens:in-place');
          if (!large) declutterLabels(cy);
          const shown = expanded;
          if (shown.nonempty()) {
            const bb = shown.boundingBox({});
            const ext = cy.extent();
            if (bb.x1 < ext.x1 || bb.x2 > ext.x2 || bb.y1 < ext.y1 || bb.y2 > ext.y2)
              cy.animate(
                { fit: { eles: shown.union(shown.neighborhood()), padding: 40 } },
                { duration: 200 },
              );
          }
          container?.setAttribute('data-ready', 'true');
          report({ stage: 'ready' });
          return;
        }
      }
      layoutRun.current = { nonce: layoutNonce, layout, labels };
      container?.setAttribute('data-ready', 'false');
      // Synchronously, in the same task as the sync: the browser never paints the un-laid-out graph
      // (unless the layout engine is still loading; the canvas stays hidden until the first layout).
      cy.resize();
      mark('meshlens:layout-start');
      const count = cy.nodes('[nodeType != "box"]').length;
      const boxes = cy.nodes('[nodeType = "box"]').length;
      report({
        stage: 'layout',
        nodes: count,
        layout: chooseLayout(
          layout,
          count,
          cy.edges().length,
          boxes,
          cy.nodes('[nodeType = "aggregate"]').length,
        ),
      });
      const layoutGen = ++layoutGeneration.current;
      const isCurrent = () => layoutGen === layoutGeneration.current;
      container?.removeAttribute('data-refined');
      // The aggregate view with expanded namespaces: lay out the namespaces (an expanded one as a
      // single node), then put each expanded one's nodes where it landed, as a click would.
      const expandedBoxes = cy.nodes('[nodeType = "box"][group]');
      const detached =
        expandedBoxes.nonempty() && cy.nodes('[nodeType = "aggregate"]').nonempty()
          ? detachExpanded(cy, expandedBoxes)
          : null;
      void runLayout(cy, layout, isCurrent).then((run) => {
        if (detached) {
          cy.remove('edge.stand-in');
          const nodeIds = new Set(cy.nodes().map((n) => n.id()));
          const centres = new Map(expandedBoxes.map((b) => [b.data('group') as string, { ...b.position() }]));
          detached.restore();
          placeInPlace(cy, { nodeIds, centres });
        }
        if (!isCurrent()) return;
        mark('meshlens:layout-end');
        fitCapped(cy);
        if (!large) declutterLabels(cy);
        container?.setAttribute('data-layout', run.layout);
        container?.setAttribute('data-ready', 'true');
        container?.setAttribute(
          'data-layout-count',
          String(Number(container.getAttribute('data-layout-count') ?? 0) + 1),
        );
        report({ stage: 'ready' });
        void run.refined?.then((done) => {
          if (!done || !isCurrent()) return;
          mark('meshlens:layout-refined');
          container?.setAttribute('data-layout', 'fcose');
          container?.setAttribute('data-refined', 'true');
        });
      });
    });
  }, [cy, elements, layout, layoutNonce, edgeLabels, security, large]);

  const { fitNonce } = props;
  useEffect(() => {
    if (cy && fitNonce > 0)
      cy.animate({ fit: { eles: cy.elements(':visible'), padding: fitPadding(cy) } }, { duration: 250 });
  }, [cy, fitNonce]);

  // Find / hide / focus.
  const { highlight } = props;
  useEffect(() => {
    if (!cy) return;
    handlers.current.onHighlight?.(applyHighlight(cy, highlight));
    if (highlight.focus) {
      const node = cy.getElementById(highlight.focus);
      if (node.nonempty())
        cy.animate({ fit: { eles: node.closedNeighborhood(), padding: 60 } }, { duration: 300 });
    }
  }, [cy, highlight]);

  // Selection mirrors the URL.
  const { selected } = props;
  useEffect(() => {
    if (cy) selectOnly(cy, selected);
  }, [cy, selected, elements]);

  // Traffic animation: dashed edges moving on a timer, off on large graphs.
  const { animation } = props;
  useEffect(() => {
    if (!cy || !animation) return;
    return startTrafficAnimation(cy);
  }, [cy, animation, elements]);

  useEffect(
    () => () => {
      if (EXPOSE_CY && window.__cy === cyRef.current) delete window.__cy;
    },
    [],
  );

  return (
    <div ref={containerRef} className="graph-canvas" data-testid="graph-canvas" data-ready="false">
      <CytoscapeComponent elements={NO_ELEMENTS} style={CY_STYLE} cy={bindCy} />
    </div>
  );
}
