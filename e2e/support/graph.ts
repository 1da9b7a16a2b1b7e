import { gunzipSync } from 'node:zlib';
import { expect } from '@playwright/test';
import type { Page, Route } from '@playwright/test';
import { GRAPH_GZIP_BODY, type GraphResponse } from '@meshlens/contract';

export function consoleUrl(): string {
  const url = process.env.MESHLENS_E2E_URL;
  if (!url)
    throw new Error(
      'MESHLENS_E2E_URL is not set: run through e2e/playwright.config.ts (its globalSetup starts the stack)',
    );
  return url;
}

/** Opens the graph page with a query string and waits until the graph has elements and is laid out. */
export async function openGraph(page: Page, query: string): Promise<void> {
  await page.goto(`${consoleUrl()}/graph?${query}`);
  await waitForGraph(page);
}

export async function waitForGraph(page: Page): Promise<void> {
  await expect
    .poll(() => page.evaluate(() => (window.__cy ? window.__cy.nodes().length : 0)), {
      message: 'the graph shows nodes (traffic reached Prometheus)',
      timeout: 90_000,
      intervals: [500, 1000, 2000],
    })
    .toBeGreaterThan(0);
  await expect(page.getByTestId('graph-canvas')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
}

export interface CyState {
  nodes: string[];
  edges: string[];
}

export function cyState(page: Page): Promise<CyState> {
  return page.evaluate(() => {
    const cy = window.__cy;
    if (!cy) return { nodes: [], edges: [] };
    return {
      nodes: cy
        .nodes('[nodeType != "box"]')
        .map((n) => n.id())
        .sort(),
      edges: cy
        .edges()
        .map((e) => e.id())
        .sort(),
    };
  });
}

/** Clicks an element where it is drawn, as a user would. */
export async function clickElement(page: Page, id: string): Promise<void> {
  const point = await page.evaluate((elementId) => {
    const cy = window.__cy;
    const ele = cy?.getElementById(elementId);
    if (!cy || !ele || ele.empty()) return null;
    const box = cy.container()?.getBoundingClientRect();
    const pos = ele.isNode()
      ? ele.renderedPosition()
      : (ele as unknown as { renderedMidpoint(): { x: number; y: number } }).renderedMidpoint();
    return box ? { x: box.left + pos.x, y: box.top + pos.y } : null;
  }, id);
  if (!point) throw new Error(`element ${id} is not in the graph`);
  await page.mouse.click(point.x, point.y);
}

/**
 * Selects an element as a tap on it would, without aiming the mouse. Returns nothing from the page: a
 * Cytoscape collection (what emit() returns) drags the whole graph into Playwright's serializer, which can
 * take minutes.
 */
export async function tapElement(page: Page, id: string): Promise<void> {
  const found = await page.evaluate((elementId) => {
    const ele = window.__cy?.getElementById(elementId);
    if (!ele || ele.empty()) return false;
    ele.emit('tap');
    return true;
  }, id);
  if (!found) throw new Error(`element ${id} is not in the graph`);
}

export function foundIds(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    window.__cy
      ? window.__cy
          .$('.find')
          .map((e) => e.id())
          .sort()
      : [],
  );
}

/**
 * The next graph answer the page gets, exactly as it gets it: the request goes through page.route, is
 * sent to the server from the test (route.fetch) and answered with the server's own response. (The
 * page's fetch worker asks for the gzip bytes as the body, GRAPH_GZIP_BODY, and reads them as a stream:
 * DevTools then keeps no copy for response.body().) Call before the page asks.
 */
export async function nextGraphAnswer(page: Page): Promise<() => Promise<GraphResponse>> {
  const pattern = '**/api/graph?*';
  let resolve: (g: GraphResponse) => void = () => undefined;
  const answer = new Promise<GraphResponse>((r) => (resolve = r));
  const handler = async (route: Route) => {
    const response = await route.fetch();
    const body = await response.body();
    // the body is as sent but for a Content-Encoding, which route.fetch has already undone
    const headers = { ...response.headers() };
    delete headers['content-encoding'];
    delete headers['content-length'];
    await route.fulfill({ status: response.status(), headers, body });
    if (!response.ok()) return;
    await page.unroute(pattern, handler);
    const type = (headers['content-type'] ?? '').split(';')[0]!.trim();
    resolve(
      JSON.parse((type === GRAPH_GZIP_BODY ? gunzipSync(body) : body).toString('utf8')) as GraphResponse,
    );
  };
  await page.route(pattern, handler);
  return () => answer;
}
