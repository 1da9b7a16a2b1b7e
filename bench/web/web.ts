import { cpus, loadavg } from 'node:os';
import type { Browser, Page } from '@playwright/test';
import { GRAPH_FIRST_LOAD_BUDGET, measureBundle } from '../../apps/web/test/bundleBudget';
import { launchChromium } from '../../e2e/support/browser';
import { buildTestWeb } from '../../e2e/support/buildWeb';
import { serveStatic } from '../../e2e/support/staticServer';
import { syntheticGraph } from '../../e2e/support/synthetic';
import { nextFrame, type BenchContext, type BenchResult } from '../lib';
import { SyntheticApi } from './syntheticApi';

const SIZES = [100, 1000, 3000];
/** apps/web runs fcose in a Web Worker above this many nodes (WORKER_MIN_NODES in graph/layout.ts). */
const WORKER_MIN_NODES = 600;
const RENDERERS = ['canvas', 'webgl'] as const;
type Renderer = (typeof RENDERERS)[number];

interface Run {
  nodes: number;
  edges: number;
  renderer: Renderer;
  layout: string;
  /** Navigation start → graph laid out and its first frame drawn, ms. */
  readyMs: number;
  /** Navigation start → fcose from the Web Worker in place (large graphs only; NaN otherwise), ms. */
  refinedMs: number;
  /** Of which: graph answer received (ms since navigation), sync of elements, layout on the main thread. */
  answerMs: number;
  syncMs: number;
  layoutMs: number;
  /** Frame intervals during a scripted pan (mouse drag) and zoom (wheel), ms. */
  frameMedianMs: number;
  frameP95Ms: number;
  frames: number;
  /** Main-thread tasks over 50 ms during pan/zoom. */
  longTasks: number;
}

const percentile = (values: number[], p: number): number => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
};
const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

async function measure(
  page: Page,
  url: string,
  renderer: Renderer,
  nodes: number,
  edges: number,
): Promise<Run> {
  // the whole graph, not the aggregate view it opens on past 300 nodes
  await page.goto(`${url}/graph?namespaces=all&refresh=0&renderer=${renderer}&aggregate=off`);
  await page.waitForFunction(
    () => {
      const el = document.querySelector('[data-testid=graph-canvas]');
      return el?.getAttribute('data-ready') === 'true' && (window.__cy?.nodes().length ?? 0) > 0;
    },
    undefined,
    { timeout: 120_000, polling: 'raf' },
  );
  // the first frame after the layout
  const readyMs = await nextFrame(page);
  const refinedMs =
    nodes <= WORKER_MIN_NODES
      ? NaN
      : ((await page
          .waitForFunction(
            `(() => { const m = performance.getEntriesByName('meshlens:layout-refined'); return m.length ? m[m.length - 1].startTime : 0; })()`,
            undefined,
            { timeout: 60_000, polling: 100 },
          )
          .then((h) => h.jsonValue())
          .catch(() => NaN)) as number);
  const layoutName = (await page.getByTestId('graph-canvas').getAttribute('data-refined'))
    ? 'radial → fcose (worker)'
    : '';

  // (plain strings: tsx's helpers must not leak into functions run in the page)
  const marks = (await page.evaluate(`(() => {
    const last = (name) => { const e = performance.getEntriesByName(name); return e.length ? e[e.length - 1].startTime : NaN; };
    const graphFetch = performance.getEntriesByType('resource').find((r) => r.name.includes('/api/graph'));
    return {
      // the graph is fetched in a Web Worker, which the page's resource timing does not see: its mark then
      answer: graphFetch ? graphFetch.responseEnd : last('meshlens:answer /api/graph'),
      sync: last('meshlens:sync-end') - last('meshlens:sync-start'),
      layout: last('meshlens:layout-end') - last('meshlens:layout-start'),
      layoutName: document.querySelector('[data-testid=graph-canvas]')?.getAttribute('data-layout') ?? '',
    };
  })()`)) as { answer: number; sync: number; layout: number; layoutName: string };

  // Scripted pan and zoom: one input event per animation frame, dispatched in the page on the graph's
  // container (Cytoscape treats them as a user's drag and wheel, so hideEdgesOnViewport and
  // textureOnViewport apply), 60 frames of drag and 60 of wheel zoom; frame intervals recorded.
  const { frames, longTasks } = (await page.evaluate(`new Promise((resolve) => {
    const cy = window.__cy;
    const container = cy.container();
    const rect = container.getBoundingClientRect();
    const cx = rect.left + rect.width / 2, cyy = rect.top + rect.height / 2;
    let long = 0;
    const observer = new PerformanceObserver((list) => { long += list.getEntries().length; });
    observer.observe({ type: 'longtask' });
    const frames = [];
    let i = 0, last = 0;
    const mouse = (type, target, x, y) => target.dispatchEvent(new MouseEvent(type, { bubbles: true, cancelable: true, clientX: x, clientY: y, button: 0, buttons: type === 'mouseup' ? 0 : 1 }));
    const step = (t) => {
      if (last) frames.push(t - last);
      last = t;
      if (i < 60) {
        if (i === 0) mouse('mousedown', container, cx, cyy);
        mouse('mousemove', window, cx + 6 * i, cyy + 3 * i);
        if (i === 59) mouse('mouseup', window, cx + 6 * i, cyy + 3 * i);
      } else if (i < 120) {
        const zoomIn = i < 90;
        container.dispatchEvent(new WheelEvent('wheel', { bubbles: true, cancelable: true, clientX: cx, clientY: cyy, deltaY: zoomIn ? -100 : 100, deltaMode: 0 }));
      } else {
        observer.disconnect();
        resolve({ frames, longTasks: long });
        return;
      }
      i++;
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  })`)) as { frames: number[]; longTasks: number };
  return {
    nodes,
    edges,
    renderer,
    layout: layoutName || marks.layoutName,
    refinedMs: round(refinedMs, 0),
    readyMs: round(readyMs, 0),
    answerMs: round(marks.answer, 0),
    syncMs: round(marks.sync, 0),
    layoutMs: round(marks.layout, 0),
    frameMedianMs: round(percentile(frames, 50)),
    frameP95Ms: round(percentile(frames, 95)),
    frames: frames.length,
    longTasks,
  };
}

const waitReady = (page: Page, timeout = 120_000) =>
  page.waitForFunction(
    () => {
      const el = document.querySelector('[data-testid=graph-canvas]');
      return el?.getAttribute('data-ready') === 'true' && (window.__cy?.nodes().length ?? 0) > 0;
    },
    undefined,
    { timeout, polling: 'raf' },
  );
interface ColdRun {
  nodes: number;
  /** Navigation start → the graph request sent, ms. */
  requestMs: number;
  /** Navigation start → graph laid out and drawn, ms. */
  readyMs: number;
}

const COLD_SIZES = [100, 1000];
const COLD_RUNS = 5;

/** Navigation → graph request → ready, in a fresh browser context (empty HTTP cache) each run. */
async function coldStart(
  browser: Browser,
  url: string,
  api: SyntheticApi,
  log: (l: string) => void,
): Promise<ColdRun[]> {
  const runs: ColdRun[] = [];
  for (const size of COLD_SIZES) {
    const graph = syntheticGraph({ nodes: size });
    for (let i = 0; i < COLD_RUNS; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      api.use([graph]);
      await page.goto(`${url}/graph?namespaces=all&refresh=0&renderer=canvas`);
      await waitReady(page);
      const readyMs = await nextFrame(page);
      // fetched in a Web Worker (not in the page's resource timing): the page's mark of the request
      const requestMs = (await page.evaluate(`(() => {
        const r = performance.getEntriesByType('resource').find((e) => e.name.includes('/api/graph'));
        const m = performance.getEntriesByName('meshlens:request /api/graph');
        return r ? r.startTime : m.length ? m[0].startTime : NaN;
      })()`)) as number;
      runs.push({ nodes: size, requestMs: round(requestMs, 0), readyMs: round(readyMs, 0) });
      await context.close();
    }
    const mine = runs.filter((r) => r.nodes === size);
    log(
      `cold start ${size} nodes: request at ${mine.map((r) => r.requestMs).join('/')} ms, ready at ${mine.map((r) => r.readyMs).join('/')} ms`,
    );
  }
  return runs;
}

interface LargeMesh {
  services: number;
  namespaces: number;
  /** Navigation → the aggregate view laid out and drawn, ms. */
  aggregateReadyMs: number;
  aggregateNodes: number;
  aggregateEdges: number;
  /**
   * Where the aggregate view's time went (ms since navigation): the graph request sent, its answer whole
   * on the main thread (fetched, parsed and handed over by the worker), the layout started and done.
   */
  breakdown: LoadBreakdown;
  /** Click on a namespace → its nodes drawn in place, ms. */
  expandMs: number;
  expandedNodes: number;
  /** Frames while a refresh (new rates for every element) is applied, with a pan going on. */
  refreshFrameP95Ms: number;
  refreshFrameMaxMs: number;
  refreshLongestTaskMs: number;
  /** The same refresh on the whole graph (aggregate=off). */
  fullReadyMs: number;
  fullRefreshFrameP95Ms: number;
  fullRefreshLongestTaskMs: number;
}

interface LoadBreakdown {
  requestMs: number;
  answerMs: number;
  layoutStartMs: number;
  layoutEndMs: number;
}

/** The app's performance marks for the first load of the graph page (see LargeMesh.breakdown). */
const loadBreakdown = async (page: Page): Promise<LoadBreakdown> => {
  // (a plain string: tsx's helpers must not leak into functions run in the page)
  const b = (await page.evaluate(`(() => {
    const first = (name) => { const e = performance.getEntriesByName(name); return e.length ? e[0].startTime : NaN; };
    return {
      requestMs: first('meshlens:request /api/graph'),
      answerMs: first('meshlens:answer /api/graph'),
      layoutStartMs: first('meshlens:layout-start'),
      layoutEndMs: first('meshlens:layout-end'),
    };
  })()`)) as LoadBreakdown;
  return {
    requestMs: round(b.requestMs, 0),
    answerMs: round(b.answerMs, 0),
    layoutStartMs: round(b.layoutStartMs, 0),
    layoutEndMs: round(b.layoutEndMs, 0),
  };
};

/** A refresh while panning: frame intervals and long tasks from the click on ↻ to the new rates drawn. */
async function refreshFrames(page: Page): Promise<{ p95: number; max: number; longest: number }> {
  // the latest mark of each name is what the page keeps (older ones are cleared): a later one is new
  const before = (await page.evaluate(
    `(() => { const e = performance.getEntriesByName('meshlens:sync-end'); return e.length ? e[e.length - 1].startTime : -1; })()`,
  )) as number;
  const measured = page.evaluate(`new Promise((resolve) => {
    const cy = window.__cy;
    const container = cy.container();
    const rect = container.getBoundingClientRect();
    const cx = rect.left + rect.width / 2, cyy = rect.top + rect.height / 2;
    let longest = 0;
    const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) longest = Math.max(longest, e.duration); });
    observer.observe({ type: 'longtask' });
    const frames = [];
    let last = 0, i = 0, after = -1;
    const mouse = (type, target, x, y) => target.dispatchEvent(new MouseEvent(type, { bubbles: true, cancelable: true, clientX: x, clientY: y, button: 0, buttons: type === 'mouseup' ? 0 : 1 }));
    mouse('mousedown', container, cx, cyy);
    const started = performance.now();
    const step = (t) => {
      if (last) frames.push(t - last);
      last = t;
      i++;
      mouse('mousemove', window, cx + 3 * (i % 40), cyy + 2 * (i % 40));
      const ends = performance.getEntriesByName('meshlens:sync-end');
      const synced = ends.length > 0 && ends[ends.length - 1].startTime > ${before};
      if (synced && after < 0) after = i;
      if ((after >= 0 && i - after > 10) || performance.now() - started > 60000) {
        mouse('mouseup', window, cx, cyy);
        observer.disconnect();
        resolve({ frames, longest });
        return;
      }
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  })`) as Promise<{ frames: number[]; longest: number }>;
  // clicked in the page: a busy main thread delays the click, which is what is measured
  await page.evaluate(() => document.querySelector<HTMLButtonElement>('[aria-label="Refresh now"]')?.click());
  const { frames, longest } = await measured;
  return { p95: round(percentile(frames, 95)), max: round(Math.max(...frames)), longest: round(longest, 0) };
}

const LARGE_SERVICES = 5000;
/** Runs of the aggregate view and the expansion (the first also measures the whole graph). */
const LARGE_RUNS = Number(process.env.MESHLENS_BENCH_WEB_LARGE_RUNS ?? 5);
const LARGE_NAMESPACES = 100;

/** 5,000 services in 100 namespaces: the aggregate view, expanding one namespace, a refresh. */
export async function largeMesh(
  browser: Browser,
  url: string,
  api: SyntheticApi,
  log: (l: string) => void,
  /** Also the whole graph (aggregate=off): ready and a refresh. */
  whole = true,
): Promise<LargeMesh> {
  const graph = syntheticGraph({ nodes: LARGE_SERVICES, namespaces: LARGE_NAMESPACES, local: true });
  // the refresh: every rate 10% up, so every element gets new data
  const next = structuredClone(graph);
  for (const e of next.edges) e.rps *= 1.1;
  for (const n of next.nodes) n.httpIn *= 1.1;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  api.use([graph, next, graph, next]);
  await page.goto(`${url}/graph?namespaces=all&refresh=0&renderer=canvas`);
  await waitReady(page);
  const aggregateReadyMs = round(await nextFrame(page), 0);
  const breakdown = await loadBreakdown(page);
  const counts = (await page.evaluate(
    () =>
      [window.__cy?.nodes('[nodeType = "aggregate"]').length ?? 0, window.__cy?.edges().length ?? 0] as const,
  )) as readonly [number, number];

  const group = 'team-050';
  const t0 = (await page.evaluate(
    `(() => { const t = performance.now(); window.__cy.getElementById('agg:${group}').emit('tap'); return t; })()`,
  )) as number;
  await page.waitForFunction(
    (g) =>
      (window.__cy?.nodes(`[parent = "box:agg:${g}"]`).length ?? 0) > 0 &&
      document.querySelector('[data-testid=graph-canvas]')?.getAttribute('data-ready') === 'true',
    group,
    { timeout: 30_000, polling: 'raf' },
  );
  const expandMs = round((await nextFrame(page)) - t0, 0);
  const expandedNodes = (await page.evaluate(
    (g) => window.__cy?.nodes(`[parent = "box:agg:${g}"]`).length ?? 0,
    group,
  )) as number;
  const refresh = await refreshFrames(page);
  log(
    `${LARGE_SERVICES} services: request sent ${breakdown.requestMs} ms, answer in hand ${breakdown.answerMs} ms, layout ${breakdown.layoutStartMs}–${breakdown.layoutEndMs} ms`,
  );
  log(
    `${LARGE_SERVICES} services: aggregate view ready ${aggregateReadyMs} ms, expand ${expandMs} ms, refresh frames p95 ${refresh.p95} ms (longest task ${refresh.longest} ms)`,
  );
  await context.close();

  // the whole graph (expand all): the same refresh, applied in chunks
  let fullReadyMs = NaN;
  let fullRefresh = { p95: NaN, max: NaN, longest: NaN };
  const full = whole ? await browser.newContext({ viewport: { width: 1280, height: 800 } }) : null;
  if (full)
    try {
      const fullPage = await full.newPage();
      api.use([graph, next, graph, next]);
      await fullPage.goto(`${url}/graph?namespaces=all&refresh=0&renderer=canvas&aggregate=off`);
      await waitReady(fullPage, 180_000);
      fullReadyMs = round(await nextFrame(fullPage), 0);
      fullRefresh = await refreshFrames(fullPage);
      log(
        `${LARGE_SERVICES} services, whole graph: ready ${fullReadyMs} ms, refresh frames p95 ${fullRefresh.p95} ms (longest task ${fullRefresh.longest} ms)`,
      );
    } catch (err) {
      log(`${LARGE_SERVICES} services, whole graph: not measured (${String(err).split('\n')[0]})`);
    } finally {
      await full.close();
    }
  return {
    services: LARGE_SERVICES,
    namespaces: LARGE_NAMESPACES,
    aggregateReadyMs,
    aggregateNodes: counts[0],
    aggregateEdges: counts[1],
    breakdown,
    expandMs,
    expandedNodes,
    refreshFrameP95Ms: refresh.p95,
    refreshFrameMaxMs: refresh.max,
    refreshLongestTaskMs: refresh.longest,
    fullReadyMs,
    fullRefreshFrameP95Ms: fullRefresh.p95,
    fullRefreshLongestTaskMs: fullRefresh.longest,
  };
}

const spread = (values: number[]) =>
  values.length ? `${Math.min(...values)}–${Math.max(...values)} (median ${percentile(values, 50)})` : '–';
const kB = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

/**
 * Browser benchmark of the graph page in headless Chromium: navigation → laid-out graph, and frame
 * times during a scripted pan and zoom, for 100 / 1,000 / 3,000 nodes, with the canvas and the WebGL
 * renderer. The graph answers are synthetic, served over loopback HTTP (gzipped, as the console serves
 * them) by the page's own static server, to isolate the browser.
 */
export async function runWebBench({ log }: BenchContext): Promise<BenchResult> {
  log('measuring the production bundle');
  const bundle = await measureBundle();
  log('building the web app (test mode)');
  const dir = buildTestWeb();
  // the synthetic API answered over loopback HTTP by the page's own server (same origin), gzipped as the
  // console serves the graph: what a user's browser pays (route interception shipped each body through
  // the DevTools protocol, which cost seconds on a 10 MB answer)
  const api = new SyntheticApi();
  const site = await serveStatic(dir, { api: api.handle });
  const browser = await launchChromium();
  const runs: Run[] = [];
  let cold: ColdRun[] = [];
  const largeRuns: LargeMesh[] = [];
  try {
    for (const size of SIZES) {
      const graph = syntheticGraph({ nodes: size });
      api.use([graph]);
      for (const renderer of RENDERERS) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        const page = await context.newPage();
        // warm-up load (JS parse and compile caches), then the measured one
        if (runs.length === 0)
          await measure(page, site.url, renderer, graph.nodes.length, graph.edges.length);
        const run = await measure(page, site.url, renderer, graph.nodes.length, graph.edges.length);
        log(
          `${size} nodes, ${renderer}: ready ${run.readyMs} ms (layout ${run.layout} ${run.layoutMs} ms), frames median ${run.frameMedianMs} ms p95 ${run.frameP95Ms} ms`,
        );
        runs.push(run);
        await context.close();
      }
    }
    cold = await coldStart(browser, site.url, api, log);
    largeRuns.push(await largeMesh(browser, site.url, api, log));
    // the two targets a single run decides poorly (one load moves them ~20%): more runs, their spread
    for (let i = 1; i < LARGE_RUNS; i++) largeRuns.push(await largeMesh(browser, site.url, api, log, false));
  } finally {
    await browser.close();
    await site.close();
  }

  const figures: Record<string, unknown> = {};
  for (const r of runs) {
    const key = `${r.nodes}n_${r.renderer}`;
    figures[`${key}_readyMs`] = r.readyMs;
    figures[`${key}_layoutMs`] = r.layoutMs;
    if (!Number.isNaN(r.refinedMs)) figures[`${key}_fcoseInPlaceMs`] = r.refinedMs;
    figures[`${key}_frameMedianMs`] = r.frameMedianMs;
    figures[`${key}_frameP95Ms`] = r.frameP95Ms;
  }
  const ratios = SIZES.map((size) => {
    const c = runs.find((r) => r.nodes === size && r.renderer === 'canvas');
    const w = runs.find((r) => r.nodes === size && r.renderer === 'webgl');
    const ratio = c && w ? round(w.frameMedianMs / c.frameMedianMs, 2) : NaN;
    const ratioP95 = c && w ? round(w.frameP95Ms / c.frameP95Ms, 2) : NaN;
    const ratioReady = c && w ? round(w.readyMs / c.readyMs, 2) : NaN;
    figures[`${size}n_webglOverCanvasFrameRatio`] = ratio;
    figures[`${size}n_webglOverCanvasFrameP95Ratio`] = ratioP95;
    return { size, ratio, ratioP95, ratioReady };
  });
  const k1000 = runs.find((r) => r.nodes === 1000 && r.renderer === 'canvas');
  figures.target_1000n_readyUnder2s = (k1000?.readyMs ?? Infinity) < 2000;
  figures.target_1000n_frameMedianUnder33ms = (k1000?.frameMedianMs ?? Infinity) < 33;

  figures.bundle_firstLoadGzipKB = round(bundle.firstLoadGzip / 1024);
  figures.bundle_firstLoadRawKB = round(bundle.firstLoad.reduce((a, f) => a + f.bytes, 0) / 1024);
  figures.target_firstLoadUnder200kB = bundle.firstLoadGzip <= GRAPH_FIRST_LOAD_BUDGET;
  for (const size of COLD_SIZES) {
    const mine = cold.filter((r) => r.nodes === size);
    figures[`cold_${size}n_requestMsMedian`] = percentile(
      mine.map((r) => r.requestMs),
      50,
    );
    figures[`cold_${size}n_readyMsMedian`] = percentile(
      mine.map((r) => r.readyMs),
      50,
    );
    figures[`cold_${size}n_readyMsMin`] = Math.min(...mine.map((r) => r.readyMs));
    figures[`cold_${size}n_readyMsMax`] = Math.max(...mine.map((r) => r.readyMs));
  }
  // the first run also measured the whole graph; its other figures are the report's
  const large = largeRuns[0];
  const aggregateRuns = largeRuns.map((r) => r.aggregateReadyMs);
  const expandRuns = largeRuns.map((r) => r.expandMs);
  const refreshRuns = largeRuns.map((r) => r.refreshFrameP95Ms);
  const longestRuns = largeRuns.map((r) => r.refreshLongestTaskMs);
  if (large) {
    // targets held against the median of the runs; the spread is in the report
    figures.large_runs = largeRuns.length;
    figures.large_aggregateReadyMs = percentile(aggregateRuns, 50);
    figures.large_aggregateReadyMsMin = Math.min(...aggregateRuns);
    figures.large_aggregateReadyMsMax = Math.max(...aggregateRuns);
    figures.large_expandMsMin = Math.min(...expandRuns);
    figures.large_expandMsMax = Math.max(...expandRuns);
    figures.large_requestMs = large.breakdown.requestMs;
    figures.large_answerMs = large.breakdown.answerMs;
    figures.large_layoutStartMs = large.breakdown.layoutStartMs;
    figures.large_layoutEndMs = large.breakdown.layoutEndMs;
    figures.large_expandMs = percentile(expandRuns, 50);
    // a refresh's p95 hangs on two or three frames of ~45: one run decides it poorly, so the median
    figures.large_refreshFrameP95Ms = percentile(refreshRuns, 50);
    figures.large_refreshFrameP95MsMin = Math.min(...refreshRuns);
    figures.large_refreshFrameP95MsMax = Math.max(...refreshRuns);
    figures.large_refreshLongestTaskMs = percentile(longestRuns, 50);
    figures.large_fullReadyMs = large.fullReadyMs;
    figures.large_fullRefreshFrameP95Ms = large.fullRefreshFrameP95Ms;
    figures.large_fullRefreshLongestTaskMs = large.fullRefreshLongestTaskMs;
    figures.target_large_aggregateUnder2s = (figures.large_aggregateReadyMs as number) < 2000;
    figures.target_large_expandUnder500ms = (figures.large_expandMs as number) < 500;
    figures.target_large_refreshP95Under50ms = (figures.large_refreshFrameP95Ms as number) < 50;
  }
  const met = (ok: unknown) => (ok ? 'met' : 'not met');
  const bundleSection = [
    '### Cold start',
    '',
    `First load of the graph page (production build; the entry, the main chunk it always imports, their static imports and CSS): **${kB(bundle.firstLoadGzip)} gzipped** — budget ${kB(GRAPH_FIRST_LOAD_BUDGET)}, ${met(figures.target_firstLoadUnder200kB)} (a unit test, apps/web/test/bundleBudget.test.ts, fails the build past it).`,
    '',
    '| first-load file | bytes | gzip |',
    '|---|---:|---:|',
    ...bundle.firstLoad.map((f) => `| ${f.file} | ${kB(f.bytes)} | ${kB(f.gzip)} |`),
    '',
    'Loaded later: Cytoscape with the canvas (beside the graph request), a layout engine when a layout needs one, the side panel once there is an answer, other pages when opened:',
    '',
    '| lazy chunk (largest 8) | bytes | gzip |',
    '|---|---:|---:|',
    ...bundle.lazy.slice(0, 8).map((f) => `| ${f.file} | ${kB(f.bytes)} | ${kB(f.gzip)} |`),
    '',
    `Navigation → graph request sent → graph ready, ${COLD_RUNS} runs each in a fresh browser context (empty HTTP cache), canvas renderer, the view the page opens on (the aggregate view past 300 nodes), min–max (median) in ms:`,
    '',
    '| nodes | request sent | ready |',
    '|---:|---|---|',
    ...COLD_SIZES.map((size) => {
      const mine = cold.filter((r) => r.nodes === size);
      return `| ${size} | ${spread(mine.map((r) => r.requestMs))} | ${spread(mine.map((r) => r.readyMs))} |`;
    }),
    '',
  ];
  const largeSection = large
    ? [
        `### ${large.services.toLocaleString('en')} services in ${large.namespaces} namespaces`,
        '',
        `Synthetic workload graph (namespaces in blocks, calls mostly to neighbouring namespaces), opened with the default threshold: the aggregate view (${large.aggregateNodes} namespace nodes, ${large.aggregateEdges} edges).`,
        '',
        '| measure | ms | target |',
        '|---|---:|---|',
        `| navigation → aggregate view interactive, ${largeRuns.length} runs | ${spread(aggregateRuns)} | median < 2,000: ${met(figures.target_large_aggregateUnder2s)}${Math.max(...aggregateRuns) >= 2000 ? ' (not in every run)' : ''} |`,
        `| — of which, first run: graph request sent / answer whole on the main thread / layout start / layout end (ms since navigation) | ${large.breakdown.requestMs} / ${large.breakdown.answerMs} / ${large.breakdown.layoutStartMs} / ${large.breakdown.layoutEndMs} | – |`,
        `| click → one namespace expanded in place (${large.expandedNodes} nodes), ${largeRuns.length} runs | ${spread(expandRuns)} | median < 500: ${met(figures.target_large_expandUnder500ms)}${Math.max(...expandRuns) >= 500 ? ' (not in every run)' : ''} |`,
        `| refresh (every rate new) while panning, after that expansion: frame p95, ${largeRuns.length} runs | ${spread(refreshRuns)} | median < 50: ${met(figures.target_large_refreshP95Under50ms)}${Math.max(...refreshRuns) >= 50 ? ' (not in every run)' : ''} |`,
        `| — longest frame / longest main-thread task in that refresh, ${largeRuns.length} runs | ${spread(largeRuns.map((r) => r.refreshFrameMaxMs))} / ${spread(longestRuns)} | task < 100 |`,
        `| whole graph (aggregate=off): navigation → ready | ${large.fullReadyMs} | – |`,
        `| whole graph: refresh while panning, frame p95 / longest task | ${large.fullRefreshFrameP95Ms} / ${large.fullRefreshLongestTaskMs} | – |`,
        '',
      ]
    : [];

  // on a shared machine the load says how far these figures are from a quiet one
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
  const markdown = [
    `Load average when the run ended (1 / 5 / 15 min): ${load} on ${cpus().length} CPUs.`,
    '',
    'Method (since 2026-12-06, 17:00 UTC): the synthetic API is answered over loopback HTTP by the server of the page',
    '(same origin), the graph gzipped at level 1 as the console serves it. Earlier reports used Playwright route',
    'interception (`page.route` + `route.fulfill`), which ships every body through the DevTools protocol, a cost no',
    'user pays (5,000 services, 10 MB answer: request → answer whole 1.9 s at load 3.0 then, 1.2 s over HTTP at load',
    '6.5 before any web change): their figures are not comparable with these.',
    '',
    ...bundleSection,
    ...largeSection,
    '### Graph size and renderer',
    '',
    'Graph page in headless Chromium (Debian `/usr/bin/chromium`, no GPU: WebGL runs on SwiftShader), 1280×800,',
    "synthetic workload graphs (~3 edges per node, 2% failing edges) served over loopback HTTP by the page's own server",
    "(same origin; the graph gzipped at level 1 as the console serves it, as the body itself to the page's fetch worker, which",
    'asks for that; the auth info as with strategy `anonymous`, which before 2026-12-07 the bench did not answer, so the page',
    'ran without a signed-in shell) so only the browser is measured; the whole graph is drawn (`aggregate=off`, not the aggregate view it opens on',
    'past 300 nodes). *Ready* = navigation start → graph laid out and its first frame drawn (the',
    'page is interactive). Above 600 nodes the page first shows a radial placement and runs fcose in a Web Worker;',
    '*fcose in place* = navigation start → those positions applied. Frames =',
    'requestAnimationFrame intervals while one input event per frame is dispatched on the graph: 60 frames of mouse',
    'drag (pan), then 60 of wheel zoom (30 in, 30 out). Long tasks = main-thread tasks over 50 ms in that time.',
    '',
    '| nodes | edges | renderer | layout | answer ms | sync ms | layout ms | ready ms | fcose in place ms | frame median ms | frame p95 ms | long tasks |',
    '|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...runs.map(
      (r) =>
        `| ${r.nodes} | ${r.edges} | ${r.renderer} | ${r.layout} | ${r.answerMs} | ${r.syncMs} | ${r.layoutMs} | ${r.readyMs} | ${Number.isNaN(r.refinedMs) ? '–' : r.refinedMs} | ${r.frameMedianMs} | ${r.frameP95Ms} | ${r.longTasks} |`,
    ),
    '',
    'WebGL ÷ canvas (below 1 = WebGL faster). Here WebGL runs on SwiftShader, a CPU rasteriser, so this says',
    'little about a real GPU; it is why `renderer=auto` picks WebGL only on large graphs with a hardware GL:',
    '',
    '| nodes | frame median | frame p95 | ready |',
    '|---:|---:|---:|---:|',
    ...ratios.map((r) => `| ${r.size} | ${r.ratio} | ${r.ratioP95} | ${r.ratioReady} |`),
    '',
    `Targets (canvas, 1,000 nodes): interactive within 2 s — ${figures.target_1000n_readyUnder2s ? 'met' : 'not met'} (${k1000?.readyMs} ms); pan/zoom median frame under 33 ms — ${figures.target_1000n_frameMedianUnder33ms ? 'met' : 'not met'} (${k1000?.frameMedianMs} ms).`,
  ].join('\n');
  return { name: 'web', figures, markdown };
}

/** The name the issue uses. */
export const runWebGraphBench = runWebBench;
