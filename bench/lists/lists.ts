/**
 * Browser benchmark of the Workloads list at 10,000 rows (`npm run bench -- lists`): headless Chromium,
 * the web app's test build, `/api/workloads` answered with a generated 10,000-workload list through
 * Playwright route interception (only the browser is measured). Time to first rows, then frame times
 * while the table scrolls (requestAnimationFrame intervals), median and p95, and a sort by a column.
 * Targets (issue 12): first rows under 1 s, scrolling at a 60 fps median frame.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type {
  EntityListResponse,
  EntityRow,
  HealthStatus,
  NamespacesResponse,
  OverviewResponse,
} from '@meshlens/contract';
import { launchChromium } from '../../e2e/support/browser';
import { buildTestWeb } from '../../e2e/support/buildWeb';
import { serveStatic } from '../../e2e/support/staticServer';
import { SYNTHETIC_CONFIG } from '../../e2e/support/synthetic';
import { nextFrame, percentile, round1, type BenchContext, type BenchResult } from '../lib';

const ROWS = Number(process.env.MESHLENS_BENCH_LIST_ROWS ?? 10_000);
const NAMESPACES = 100;
/** 60 fps. */
const FRAME_TARGET_MS = 1000 / 60;

/** Deterministic rows: a tenth with Istio references, some failing, some without sidecar. */
export function syntheticWorkloads(count: number): EntityListResponse {
  const statuses: HealthStatus[] = ['Healthy', 'Healthy', 'Healthy', 'Degraded', 'Failure', 'NoTraffic'];
  const rows: EntityRow[] = Array.from({ length: count }, (_, i) => {
    const namespace = `team-${String(i % NAMESPACES).padStart(3, '0')}`;
    const app = `svc-${String(Math.floor(i / 2)).padStart(5, '0')}`;
    const version = `v${(i % 2) + 1}`;
    const status = statuses[i % statuses.length]!;
    const rps = ((i * 7919) % 5000) / 100;
    return {
      kind: 'workload',
      name: `${app}-${version}`,
      namespace,
      health: {
        status,
        reasons:
          status === 'Failure'
            ? [`HTTP server errors (5xx): 25 % of inbound requests, failure at 10 %`]
            : status === 'Degraded'
              ? ['HTTP server errors (5xx): 3 % of inbound requests, degraded at 0.1 %']
              : [],
      },
      labels: { app, version, 'pod-template-hash': `${(i * 2654435761) % 0xffffff}` },
      type: i % 10 === 9 ? 'StatefulSet' : 'Deployment',
      sidecar: i % 50 === 0 ? 'none' : 'all',
      replicas: { desired: 2, available: 2, pods: 2, ready: 2 },
      related: [app],
      istioReferences:
        i % 10 === 0
          ? [
              { kind: 'VirtualService', namespace, name: app, valid: true, errors: 0, warnings: 0 },
              { kind: 'DestinationRule', namespace, name: app, valid: true, errors: 0, warnings: 1 },
            ]
          : [],
      inboundRps: status === 'NoTraffic' ? 0 : rps,
      errorRate: status === 'Failure' ? 0.25 : status === 'Degraded' ? 0.03 : 0,
    };
  });
  return { kind: 'workloads', namespaces: [], timestamp: 1_800_000_000, duration: 300, rows, warnings: [] };
}

/** An overview answer of `count` namespaces, 3 services each, 20-point sparklines. */
export function syntheticOverview(count: number): OverviewResponse {
  const counts = (healthy: number, failing: number) => ({
    Failure: failing,
    Degraded: 0,
    NotReady: 0,
    Healthy: healthy,
    NoTraffic: 0,
  });
  return {
    timestamp: 1_800_000_000,
    duration: 300,
    warnings: [],
    namespaces: Array.from({ length: count }, (_, i) => {
      const failing = i % 17 === 0 ? 1 : 0;
      return {
        name: `ns-${String(i).padStart(3, '0')}`,
        labels: { 'istio-injection': 'enabled' },
        injection: { enabled: true, label: 'istio-injection=enabled' },
        mtls: { mode: 'PERMISSIVE', source: 'default' },
        health: {
          apps: counts(3 - failing, failing),
          workloads: counts(3 - failing, failing),
          services: counts(3 - failing, failing),
        },
        validations: { objects: 2, valid: 2, warnings: 0, errors: 0 },
        traffic: {
          inboundRps: 10 + (i % 13),
          errorRate: failing ? 0.2 : 0,
          series: Array.from({ length: 21 }, (_, k) => [1_800_000_000 - 300 + 15 * k, 10 + ((i + k) % 7)]),
        },
      };
    }),
  };
}

/**
 * Navigation → the overview of 800 namespaces drawn (the answer's arrival included), ms: its compact
 * list (the default for hundreds of namespaces) or its cards. Also how many namespaces are in the DOM.
 */
async function overviewPage(
  page: Page,
  url: string,
  layout: 'list' | 'cards',
): Promise<{ ms: number; inDom: number }> {
  const testid = layout === 'list' ? 'ns-row-' : 'ns-card-';
  await page.goto(`${url}/overview?refresh=0${layout === 'cards' ? '&layout=cards' : ''}`);
  await page.waitForFunction((id) => document.querySelectorAll(`[data-testid^=${id}]`).length > 0, testid, {
    timeout: 60_000,
    polling: 'raf',
  });
  const ms = await nextFrame(page);
  return { ms, inDom: await page.locator(`[data-testid^=${testid}]`).count() };
}

interface Run {
  answerMs: number;
  firstRowsMs: number;
  rowsInDom: number;
  steady: { median: number; p95: number; frames: number; longTasks: number };
  fast: { median: number; p95: number; frames: number; longTasks: number };
  sortMs: number;
}

/** One input per animation frame: scrollTop += `px`, `frames` times; rAF intervals and long tasks. */
const scrollScript = (px: number, frames: number) => `new Promise((resolve) => {
  const scroller = document.querySelector('.et-body');
  let long = 0;
  const observer = new PerformanceObserver((list) => { long += list.getEntries().length; });
  observer.observe({ type: 'longtask' });
  const intervals = [];
  let i = 0, last = 0;
  const step = (t) => {
    if (last) intervals.push(t - last);
    last = t;
    if (i === ${frames}) { observer.disconnect(); resolve({ intervals, longTasks: long }); return; }
    scroller.scrollTop += ${px};
    i++;
    requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
})`;

async function measure(page: Page, url: string): Promise<Run> {
  await page.goto(`${url}/workloads?refresh=0`);
  await page.waitForFunction(() => document.querySelectorAll('.et-body [role=row]').length > 0, undefined, {
    timeout: 60_000,
    polling: 'raf',
  });
  // the first frame with rows drawn
  const firstRowsMs = await nextFrame(page);
  const answerMs = (await page.evaluate(`(() => {
    const r = performance.getEntriesByType('resource').find((e) => e.name.includes('/api/workloads'));
    return r ? r.responseEnd : NaN;
  })()`)) as number;
  const rowsInDom = await page.locator('.et-body [role=row]').count();
  type Scroll = { intervals: number[]; longTasks: number };
  const stats = (s: Scroll) => ({
    median: round1(percentile(s.intervals, 50)),
    p95: round1(percentile(s.intervals, 95)),
    frames: s.intervals.length,
    longTasks: s.longTasks,
  });
  // Steady: 3 rows a frame (a wheel or trackpad); fast: 45 rows a frame (dragging the scrollbar).
  const steady = stats((await page.evaluate(scrollScript(132, 180))) as Scroll);
  const fast = stats((await page.evaluate(scrollScript(2000, 90))) as Scroll);
  // Sort by requests: click → the first row changed and drawn.
  const sortMs = (await page.evaluate(`new Promise((resolve) => {
    const first = () => document.querySelector('.et-body [role=row] .et-name')?.textContent;
    const before = first();
    const button = [...document.querySelectorAll('.sort-button')].find((b) => b.textContent.startsWith('Requests'));
    const t = performance.now();
    button.click();
    const check = () => first() !== before ? requestAnimationFrame(() => resolve(performance.now() - t)) : requestAnimationFrame(check);
    requestAnimationFrame(check);
  })`)) as number;
  return {
    answerMs: round1(answerMs),
    firstRowsMs: round1(firstRowsMs),
    rowsInDom,
    steady,
    fast,
    sortMs: round1(sortMs),
  };
}

export async function runListsBench({ log }: BenchContext): Promise<BenchResult> {
  log('building the web app (test mode)');
  const dir = buildTestWeb();
  const site = await serveStatic(dir);
  const browser = await launchChromium();
  const list = syntheticWorkloads(ROWS);
  const listJson = JSON.stringify(list);
  const namespaces: NamespacesResponse = {
    namespaces: [...new Set(list.rows.map((r) => r.namespace))].map((name) => ({
      name,
      labels: {},
      injection: true,
    })),
    warnings: [],
  };
  const namespacesJson = JSON.stringify(namespaces);
  const overviewJson = JSON.stringify(syntheticOverview(800));
  const runs: Run[] = [];
  const overviewMs: number[] = [];
  const cardsMs: number[] = [];
  let linesInDom = 0;
  let cardsInDom = 0;
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    // The two large answers are files of the static site, fetched through Chromium's own network stack
    // (route.continue to them): fulfilling megabytes through the DevTools protocol would time Playwright.
    await writeFile(join(dir, 'bench-workloads.json'), listJson);
    await writeFile(join(dir, 'bench-overview.json'), overviewJson);
    await page.route('**/api/**', (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path.endsWith('/api/workloads')) return route.continue({ url: `${site.url}/bench-workloads.json` });
      if (path.endsWith('/api/overview')) return route.continue({ url: `${site.url}/bench-overview.json` });
      const body = path.endsWith('/api/namespaces') ? namespacesJson : JSON.stringify(SYNTHETIC_CONFIG);
      return route.fulfill({ body, contentType: 'application/json' });
    });
    await measure(page, site.url); // warm-up (JS parse and compile caches)
    for (let i = 0; i < 3; i++) {
      const run = await measure(page, site.url);
      log(
        `lists bench: first rows ${run.firstRowsMs} ms, steady scroll median ${run.steady.median} ms p95 ${run.steady.p95} ms, fast median ${run.fast.median} ms p95 ${run.fast.p95} ms, sort ${run.sortMs} ms`,
      );
      runs.push(run);
    }
    await overviewPage(page, site.url, 'list'); // warm-up
    for (let i = 0; i < 3; i++) {
      const list = await overviewPage(page, site.url, 'list');
      overviewMs.push(list.ms);
      linesInDom = list.inDom;
      const cards = await overviewPage(page, site.url, 'cards');
      cardsMs.push(cards.ms);
      cardsInDom = cards.inDom;
    }
    log(
      `lists bench: overview page of 800 namespaces drawn in ${overviewMs.map(Math.round).join(', ')} ms (list, ${linesInDom} lines in the DOM), ${cardsMs.map(Math.round).join(', ')} ms (cards, ${cardsInDom} in the DOM)`,
    );
    await context.close();
  } finally {
    await browser.close();
    await site.close();
  }
  const med = (f: (r: Run) => number) => round1(percentile(runs.map(f), 50));
  const figures = {
    rows: ROWS,
    answerKb: round1(listJson.length / 1024),
    answerMs: med((r) => r.answerMs),
    firstRowsMs: med((r) => r.firstRowsMs),
    rowsInDom: runs[0]!.rowsInDom,
    steadyFrameMedianMs: med((r) => r.steady.median),
    steadyFrameP95Ms: med((r) => r.steady.p95),
    steadyLongTasks: Math.max(...runs.map((r) => r.steady.longTasks)),
    fastFrameMedianMs: med((r) => r.fast.median),
    fastFrameP95Ms: med((r) => r.fast.p95),
    fastLongTasks: Math.max(...runs.map((r) => r.fast.longTasks)),
    sortMs: med((r) => r.sortMs),
    overviewPage800Ms: round1(percentile(overviewMs, 50)),
    overviewLinesInDom: linesInDom,
    overviewCards800Ms: round1(percentile(cardsMs, 50)),
    overviewCardsInDom: cardsInDom,
    target_firstRowsUnder1s: med((r) => r.firstRowsMs) < 1000,
    target_60fpsMedianFrame:
      Math.max(
        med((r) => r.steady.median),
        med((r) => r.fast.median),
      ) <=
      FRAME_TARGET_MS + 0.5,
  };
  log(`lists bench: ${JSON.stringify(figures)}`);
  const markdown = [
    `Workloads list in headless Chromium (Debian \`/usr/bin/chromium\`), 1280×800, ${ROWS.toLocaleString('en')} generated`,
    `workloads in ${NAMESPACES} namespaces (${figures.answerKb} KB of JSON) served as a static file in place of \`/api/workloads\``,
    '(route interception), so only' +
      ' the browser is measured; one warm-up load, then the median of 3 loads. *First rows* = navigation start → the',
    "first frame drawn with rows (the answer's arrival included). Frames = requestAnimationFrame intervals while the",
    'table scrolls by script one step per frame: steady (132 px, 3 rows, per frame, 180 frames) and fast (2,000 px',
    'per frame, 90 frames). Long tasks = main-thread tasks over 50 ms meanwhile. Sort = click on Requests → re-sorted rows drawn.',
    '',
    '| rows | answer ms | first rows ms | rows in DOM | steady median ms | steady p95 ms | fast median ms | fast p95 ms | long tasks | sort ms |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${ROWS} | ${figures.answerMs} | ${figures.firstRowsMs} | ${figures.rowsInDom} | ${figures.steadyFrameMedianMs} | ${figures.steadyFrameP95Ms} | ${figures.fastFrameMedianMs} | ${figures.fastFrameP95Ms} | ${figures.steadyLongTasks + figures.fastLongTasks} | ${figures.sortMs} |`,
    '',
    `The Overview page with a generated answer of 800 namespaces: navigation → drawn in ${figures.overviewPage800Ms} ms as the compact list`,
    `(${linesInDom} lines in the DOM, virtualized) and ${figures.overviewCards800Ms} ms as cards (${cardsInDom} cards in the DOM); median of 3.`,
    'Add the API time of `bench/reports/overview.md` for the page a user waits for.',
    '',
    `Targets: first rows under 1 s — ${figures.target_firstRowsUnder1s ? 'met' : 'not met'}; 60 fps median frame (≤ 16.7 ms) while scrolling — ${figures.target_60fpsMedianFrame ? 'met' : 'not met'}.`,
  ].join('\n');
  return { name: 'lists', figures, markdown };
}
