import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import type { GraphResponse } from '@meshlens/contract';
import { startStack } from '@meshlens/stack';
import type { Stack } from '@meshlens/stack';
import { BASE_PATH } from '../global-setup';
import { WEB_TEST_DIR } from '../support/buildWeb';
import { nextGraphAnswer, waitForGraph } from '../support/graph';
import { labelReport } from '../support/labels';

/**
 * Issue 13, large meshes you can read: past a size threshold the graph opens on one node per
 * namespace; a click (or the keyboard, from the list) expands a namespace in place; find marks a
 * collapsed namespace holding a match; collapse, expand all, collapse all. On a generated mesh of
 * this file's own (40 services in 4 namespaces, ~90 nodes), with the threshold lowered through the
 * URL (`aggregateAbove=20`) rather than a mesh of thousands.
 */
test.describe.configure({ mode: 'serial' });

let stack: Stack | undefined;
let stateDir = '';
let url = '';
const NAMESPACES = ['ns-0', 'ns-1', 'ns-2', 'ns-3'];
const VIEW = `namespaces=istio-system,${NAMESPACES.join(',')}&graphType=workload&duration=60&refresh=0&aggregateAbove=20`;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  stateDir = mkdtempSync(join(tmpdir(), 'meshlens-e2e-aggregate-'));
  stack = await startStack({
    scenario: 'generated',
    services: 40,
    namespaces: NAMESPACES.length,
    stateDir,
    scrapeIntervalSeconds: 2,
    consoleArgs: ['--web-dir', WEB_TEST_DIR, '--base-path', BASE_PATH, '--log-level', 'warn'],
    handleSignals: false,
  });
  const base = (stack.urls.console ?? '').replace(/\/+$/, '');
  if (!base) throw new Error('the generated stack started without a console');
  url = base.endsWith(BASE_PATH) ? base : `${base}${BASE_PATH}`;
  // every namespace has traffic, and the graph is past the lowered threshold
  await expect
    .poll(
      async () => {
        const res = await fetch(
          `${url}/api/graph?namespaces=istio-system,${NAMESPACES.join(',')}&graphType=workload&duration=60s`,
        );
        if (!res.ok) throw new Error(`graph: ${res.status} ${await res.text()}`);
        const graph = (await res.json()) as GraphResponse;
        const busy = new Set(graph.edges.filter((e) => !e.isIdle).map((e) => e.target.split('/')[0]));
        return graph.nodes.length > 40 && NAMESPACES.every((ns) => busy.has(`wl:${ns}`));
      },
      { message: 'the generated mesh shows in the graph', timeout: 150_000, intervals: [2000] },
    )
    .toBe(true);
});

test.afterAll(async () => {
  await stack?.stop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

/** Opens the graph and returns the answer the page drew. */
async function open(page: Page, query: string): Promise<GraphResponse> {
  const answer = await nextGraphAnswer(page);
  await page.goto(`${url}/graph?${query}`);
  const graph = await answer();
  await waitForGraph(page);
  return graph;
}

const cyNodes = (page: Page, selector: string) =>
  page.evaluate(
    (s) =>
      window.__cy
        ?.nodes(s)
        .map((n) => n.id())
        .sort() ?? [],
    selector,
  );

/** Clicks a node where it is drawn. */
async function clickNode(page: Page, id: string): Promise<void> {
  const box = await page.getByTestId('graph-canvas').boundingBox();
  const at = await page.evaluate((nodeId) => window.__cy?.getElementById(nodeId).renderedPosition(), id);
  if (!box || !at) throw new Error(`node ${id} is not drawn`);
  await page.mouse.click(box.x + at.x, box.y + at.y);
}

const layouts = (page: Page) => page.getByTestId('graph-canvas').getAttribute('data-layout-count');

test('a graph past the threshold opens on one node per namespace, with summed edges', async ({ page }) => {
  const graph = await open(page, VIEW);
  const namespaces = [...new Set(graph.nodes.filter((n) => n.type !== 'unknown').map((n) => n.namespace))];
  expect(await cyNodes(page, '[nodeType = "aggregate"]')).toEqual(namespaces.map((ns) => `agg:${ns}`).sort());
  await expect(page.getByTestId('graph-status')).toContainText(
    `${graph.nodes.length} nodes in ${namespaces.length} namespaces`,
  );
  await expect(page.getByTestId('aggregate-summary')).toHaveText(
    `0 of ${namespaces.length} namespaces expanded`,
  );
  // namespaces that all call each other: around a circle, and none under the controls over the graph
  await expect(page.getByTestId('graph-canvas')).toHaveAttribute('data-layout', 'circle');
  const canvas = (await page.getByTestId('graph-canvas').boundingBox())!;
  const bar = (await page.getByTestId('aggregate-bar').boundingBox())!;
  const placed = await page.evaluate(() =>
    (window.__cy?.nodes('[nodeType = "aggregate"]') ?? []).map((n) => n.renderedBoundingBox({})),
  );
  expect(placed).toHaveLength(namespaces.length);
  for (const b of placed) {
    const clear =
      canvas.y + b.y1 >= bar.y + bar.height ||
      canvas.x + b.x2 <= bar.x ||
      canvas.y + b.y2 <= bar.y ||
      canvas.x + b.x1 >= bar.x + bar.width;
    expect(clear, `a namespace node at ${JSON.stringify(b)} is under the bar ${JSON.stringify(bar)}`).toBe(
      true,
    );
  }
  // the edge ns-0 → ns-1 carries the sum of the HTTP rates from ns-0's nodes to ns-1's, in this answer
  const ns = new Map(graph.nodes.map((n) => [n.id, n.namespace]));
  const expected = graph.edges
    .filter((e) => e.protocol === 'http' && ns.get(e.source) === 'ns-0' && ns.get(e.target) === 'ns-1')
    .reduce((a, e) => a + e.rps, 0);
  expect(expected).toBeGreaterThan(0);
  const drawn = await page.evaluate(
    () => window.__cy?.getElementById('agg-edge:agg:ns-0>agg:ns-1:http').data('rate') as number,
  );
  expect(drawn).toBeCloseTo(expected, 6);
  // a collapsed namespace is as healthy as its worst node
  const worst = graph.nodes.filter((n) => n.namespace === 'ns-2').map((n) => n.healthStatus);
  const health = await page.evaluate(() => window.__cy?.getElementById('agg:ns-2').data('health') as string);
  expect(worst).toContain(health);
});

test('while the graph loads the page says what it waits for', async ({ page }) => {
  let release: () => void = () => undefined;
  const held = new Promise<void>((r) => (release = r));
  await page.route('**/api/graph?*', async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(`${url}/graph?${VIEW}`);
  const loading = page.getByTestId('graph-loading');
  await expect(loading).toContainText(/Request sent, waiting for the server's traffic queries \(\d+\.\d s\)/);
  await expect(loading.locator('li[data-state=now]').first()).toContainText('Request sent');
  release();
  await waitForGraph(page);
  await expect(loading).toBeHidden();
});

test('a first load draws the graph only once laid out, even when its layout engine comes late', async ({
  page,
}) => {
  // The whole graph (~90 nodes in namespace boxes: fcose). Its engine's chunk is held until the page has
  // the graph's answer, as on a slow link or a busy machine; every frame Cytoscape draws with nodes
  // before the first layout ended is counted (an un-laid-out graph costs a full frame, hidden or not).
  await page.addInitScript(() => {
    let instance: typeof window.__cy;
    const w = window as unknown as { earlyFrames: number; frames: number };
    w.earlyFrames = 0;
    w.frames = 0;
    Object.defineProperty(window, '__cy', {
      configurable: true,
      get: () => instance,
      set(cy: typeof window.__cy) {
        instance = cy;
        cy?.on('render', () => {
          if (cy.nodes().empty()) return;
          if (performance.getEntriesByName('meshlens:layout-end').length === 0) w.earlyFrames++;
          else w.frames++;
        });
      },
    });
  });
  let held = false;
  await page.route('**/assets/cytoscape-fcose-*.js', async (route) => {
    held = true;
    await expect
      .poll(() => page.evaluate(() => performance.getEntriesByName('meshlens:answer /api/graph').length), {
        timeout: 60_000,
      })
      .toBeGreaterThan(0);
    await route.continue();
  });
  await page.goto(`${url}/graph?${VIEW.replace('aggregateAbove=20', 'aggregate=off')}`);
  await waitForGraph(page);
  expect(held, 'the layout engine was asked for').toBe(true);
  await expect(page.getByTestId('graph-canvas')).toHaveAttribute('data-layout', 'fcose');
  const frames = () =>
    page.evaluate(() => {
      const w = window as unknown as { earlyFrames: number; frames: number };
      return { earlyFrames: w.earlyFrames, frames: w.frames };
    });
  // drawn once laid out (the count sees Cytoscape's frames), never before
  await expect.poll(async () => (await frames()).frames).toBeGreaterThan(0);
  expect((await frames()).earlyFrames).toBe(0);
});

test('a click expands a namespace in place; find marks the namespaces holding a match', async ({ page }) => {
  // with rate labels on the edges, some of which collide once the namespace is expanded
  const graph = await open(page, `${VIEW}&edges=rate`);
  const before = await layouts(page);
  await clickNode(page, 'agg:ns-1');
  await expect(page).toHaveURL(/expanded=ns-1(&|$)/);
  const members = graph.nodes.filter((n) => n.namespace === 'ns-1').map((n) => n.id);
  await expect.poll(() => cyNodes(page, '[parent = "box:agg:ns-1"]')).toEqual([...members].sort());
  expect(await cyNodes(page, '[nodeType = "aggregate"]')).not.toContain('agg:ns-1');
  expect(await cyNodes(page, '[nodeType = "aggregate"]')).toContain('agg:ns-3');
  // in place: no new layout of the whole graph
  expect(await layouts(page)).toBe(before);
  // labels that collide after the expansion are hidden
  await expect.poll(async () => (await labelReport(page)).overlaps).toEqual([]);

  // svc-01 lives in ns-1 (expanded), svc-03 in ns-3 (collapsed)
  const find = page.getByRole('textbox', { name: 'Find expression' });
  await find.fill('name = svc-01-v1 OR name = svc-03-v1');
  await find.press('Enter');
  await expect.poll(() => cyNodes(page, '.find')).toEqual(['agg:ns-3', 'wl:ns-1/svc-01-v1']);
  // matches keep their label at any zoom
  const minZoomed = await page.evaluate(() => {
    const node = window.__cy?.getElementById('agg:ns-3') as unknown as {
      pstyle(name: string): { value: number };
    };
    return node.pstyle('min-zoomed-font-size').value;
  });
  expect(minZoomed).toBe(0);

  // collapse it again (its chip), still in place
  await page.getByRole('button', { name: 'Collapse ns-1' }).click();
  await expect(page).not.toHaveURL(/expanded=/);
  await expect.poll(() => cyNodes(page, '[nodeType = "aggregate"]')).toContain('agg:ns-1');
  expect(await cyNodes(page, '[parent = "box:agg:ns-1"]')).toEqual([]);
  expect(await layouts(page)).toBe(before);
  await expect.poll(() => cyNodes(page, '.find')).toEqual(['agg:ns-1', 'agg:ns-3']);
});

test('the keyboard expands a namespace; expand all and collapse all; the URL keeps the view', async ({
  page,
}) => {
  await open(page, VIEW);
  const list = page.getByRole('combobox', { name: 'Expand a namespace' });
  await list.focus();
  await list.selectOption('ns-2');
  await expect(page).toHaveURL(/expanded=ns-2/);
  await expect.poll(() => cyNodes(page, '[parent = "box:agg:ns-2"]')).not.toEqual([]);

  // a reload restores the expanded namespace (held against the answer the reloaded page got: the
  // generated mesh's traffic may have reached another service since the first one)
  const reloaded = await nextGraphAnswer(page);
  await page.reload();
  const graph = await reloaded();
  await waitForGraph(page);
  expect(await cyNodes(page, '[parent = "box:agg:ns-2"]')).toEqual(
    graph.nodes
      .filter((n) => n.namespace === 'ns-2')
      .map((n) => n.id)
      .sort(),
  );

  await page.getByRole('button', { name: 'Expand all' }).click();
  await expect(page).toHaveURL(/aggregate=off/);
  await expect.poll(() => cyNodes(page, '[nodeType = "aggregate"]')).toEqual([]);
  await expect.poll(async () => (await cyNodes(page, '[nodeType != "box"]')).length).toBe(graph.nodes.length);

  await page.getByRole('button', { name: 'Group by namespace' }).click();
  await expect(page).toHaveURL(/aggregate=on/);
  await expect.poll(async () => (await cyNodes(page, '[nodeType = "aggregate"]')).length).toBeGreaterThan(3);
});
