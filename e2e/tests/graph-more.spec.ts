import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { nodeId } from '@meshlens/contract';
import { metricsUrl, startPrometheus, startStack } from '@meshlens/stack';
import type { PrometheusHandle, Stack } from '@meshlens/stack';
import { BASE_PATH } from '../global-setup';
import { WEB_TEST_DIR } from '../support/buildWeb';
import { cyState, openGraph, waitForGraph } from '../support/graph';
import { resetIstioConfig, waitForBookinfoTraffic } from '../support/mesh';

const BASE = 'namespaces=bookinfo&graphType=versionedApp&duration=60&refresh=10000';
const reviews = nodeId.service('bookinfo', 'reviews');
const reviewsVersions = ['v1', 'v2', 'v3'].map((v) => nodeId.versionedApp('bookinfo', 'reviews', v));
const productpageV1 = nodeId.versionedApp('bookinfo', 'productpage', 'v1');

// bookinfo without routing config, with every version of reviews in the 60 s window the tests open
// (the outage test has a stack of its own)
test.beforeAll(async () => {
  await resetIstioConfig();
  await waitForBookinfoTraffic(60);
});

/** Non-box nodes, split by whether the focus dims them. */
function dimState(page: Page): Promise<{ dim: string[]; lit: string[] }> {
  return page.evaluate(() => {
    const nodes = window.__cy?.nodes('[nodeType != "box"]');
    if (!nodes) return { dim: [], lit: [] };
    return {
      dim: nodes
        .filter((n) => n.hasClass('dim'))
        .map((n) => n.id())
        .sort(),
      lit: nodes
        .filter((n) => !n.hasClass('dim'))
        .map((n) => n.id())
        .sort(),
    };
  });
}

async function dblclickNode(page: Page, id: string): Promise<void> {
  const point = await page.evaluate((nodeIdArg) => {
    const cy = window.__cy;
    const node = cy?.getElementById(nodeIdArg);
    const box = cy?.container()?.getBoundingClientRect();
    if (!node || node.empty() || !box) return null;
    const pos = node.renderedPosition();
    return { x: box.left + pos.x, y: box.top + pos.y };
  }, id);
  if (!point) throw new Error(`node ${id} is not in the graph`);
  await page.mouse.dblclick(point.x, point.y);
}

test('double-clicking a node focuses on it and its neighbours; "Show all" brings the rest back', async ({
  page,
}) => {
  await openGraph(page, BASE);
  await expect
    .poll(async () => (await cyState(page)).nodes, { timeout: 60_000 })
    .toEqual(expect.arrayContaining([reviews, productpageV1, ...reviewsVersions]));
  await expect(page.getByTestId('graph-canvas')).toHaveAttribute('data-ready', 'true');
  expect((await dimState(page)).dim).toEqual([]);

  await dblclickNode(page, reviews);
  // reviews (service) is called by productpage v1 and routes to the three reviews versions
  await expect
    .poll(async () => (await dimState(page)).lit)
    .toEqual([reviews, productpageV1, ...reviewsVersions].sort());
  const { dim } = await dimState(page);
  for (const other of [
    nodeId.service('bookinfo', 'details'),
    nodeId.versionedApp('bookinfo', 'details', 'v1'),
    nodeId.service('bookinfo', 'ratings'),
    nodeId.versionedApp('bookinfo', 'ratings', 'v1'),
  ])
    expect(dim).toContain(other);
  // edges outside the neighbourhood are dimmed too; reviews' own edges are not
  const edges = await page.evaluate((id) => {
    const cy = window.__cy;
    if (!cy) return { own: [], dimOwn: 0, otherLit: 0 };
    const own = cy.getElementById(id).connectedEdges();
    return {
      own: own.map((e) => e.id()),
      dimOwn: own.filter((e) => e.hasClass('dim')).length,
      otherLit: cy.edges().not(own).not('.dim').length,
    };
  }, reviews);
  expect(edges.own.length).toBe(4);
  expect(edges.dimOwn).toBe(0);
  expect(edges.otherLit).toBe(0);
  // the focus is part of the view: in the URL, named on screen, and the node is selected
  const url = new URL(page.url());
  expect(url.searchParams.get('focus')).toBe(reviews);
  await expect(page.locator('.focus-chip')).toContainText('Focused on reviews');
  await expect(page.getByTestId('panel-title')).toHaveText('reviews');

  await page.reload();
  await waitForGraph(page);
  await expect
    .poll(async () => (await dimState(page)).lit)
    .toEqual([reviews, productpageV1, ...reviewsVersions].sort());

  await page.locator('.focus-chip').getByRole('button', { name: 'Show all' }).click();
  await expect.poll(async () => (await dimState(page)).dim).toEqual([]);
  expect(await page.evaluate(() => window.__cy?.$('.dim').length ?? -1)).toBe(0);
  expect(new URL(page.url()).searchParams.get('focus')).toBeNull();
  await expect(page.locator('.focus-chip')).toHaveCount(0);
});

interface EdgeLabel {
  id: string;
  label: string;
  rate: number;
  pctReq: number;
  rt: number;
  source: string;
}

function edgeLabels(page: Page): Promise<EdgeLabel[]> {
  return page.evaluate(
    () =>
      window.__cy?.edges('[protocol = "http"][!isIdle]').map((e) => ({
        id: e.id(),
        label: String(e.style('label') ?? ''),
        rate: Number(e.data('rate')),
        pctReq: Number(e.data('pctReq')),
        rt: Number(e.data('rt')),
        source: String(e.data('source')),
      })) ?? [],
  );
}

test('edge labels: request rate, % of traffic and response time are drawn on the edges', async ({ page }) => {
  await openGraph(page, `${BASE}&edges=none`);
  await expect.poll(async () => (await edgeLabels(page)).length, { timeout: 60_000 }).toBeGreaterThan(5);
  for (const e of await edgeLabels(page)) expect(e.label, e.id).toBe('');

  await page.getByTestId('edge-labels').selectOption({ label: 'Request rate' });
  expect(new URL(page.url()).searchParams.get('edges')).toBe('rate');
  await expect
    .poll(async () => (await edgeLabels(page)).every((e) => /^\d+(\.\d+)? rps/.test(e.label)))
    .toBe(true);
  for (const e of await edgeLabels(page)) {
    // the label is the edge's live rate (e.g. "3.40 rps"), plus an error line on failing edges
    const shown = Number(e.label.split(' ')[0]);
    expect(e.rate, e.id).toBeGreaterThan(0);
    expect(Math.abs(shown - e.rate), `${e.id}: ${e.label} vs ${e.rate}`).toBeLessThanOrEqual(
      Math.max(0.006, e.rate * 0.01),
    );
  }

  await page.getByTestId('edge-labels').selectOption({ label: '% of traffic' });
  await expect
    .poll(async () => (await edgeLabels(page)).every((e) => /^\d+(\.\d+)?%$/.test(e.label)))
    .toBe(true);
  // reviews splits its traffic over its versions: their shares add up to 100 %
  const split = (await edgeLabels(page)).filter((e) => e.source === reviews);
  expect(split).toHaveLength(3);
  const total = split.reduce((sum, e) => sum + Number(e.label.replace('%', '')), 0);
  expect(total).toBeGreaterThan(99);
  expect(total).toBeLessThan(101);

  await page.getByTestId('edge-labels').selectOption({ label: 'Response time' });
  await expect
    .poll(async () => (await edgeLabels(page)).filter((e) => /\d(\.\d+)? ?(ms|s)$/.test(e.label)).length)
    .toBeGreaterThan(0);
  for (const e of await edgeLabels(page)) if (!Number.isFinite(e.rt)) expect(e.label, e.id).toBe('');

  await page.getByTestId('edge-labels').selectOption({ label: 'No edge labels' });
  await expect.poll(async () => (await edgeLabels(page)).every((e) => e.label === '')).toBe(true);
});

/**
 * A Prometheus outage on a stack of this file's own (stopping the shared stack's Prometheus would
 * disturb the other spec files): the page warns, keeps the inventory, and recovers.
 */
test.describe('when Prometheus is unreachable', () => {
  let stateDir = '';
  let stack: Stack | undefined;
  let prometheus: PrometheusHandle | undefined;

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    stateDir = mkdtempSync(join(tmpdir(), 'meshlens-e2e-outage-'));
    stack = await startStack({
      scenario: 'bookinfo',
      stateDir,
      scrapeIntervalSeconds: 1,
      consoleArgs: ['--web-dir', WEB_TEST_DIR, '--base-path', BASE_PATH, '--log-level', 'warn'],
      handleSignals: false,
    });
    prometheus = stack.prometheus;
  });

  test.afterAll(async () => {
    // the stack closes the Prometheus it started; a restarted one is this file's to close
    if (prometheus && prometheus !== stack?.prometheus) await prometheus.close();
    await stack?.stop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  test('the page warns, keeps the inventory graph, and recovers when Prometheus returns', async ({
    page,
  }) => {
    test.setTimeout(150_000);
    if (!stack?.urls.console || !prometheus) throw new Error('the outage stack did not start');
    const base = stack.urls.console.replace(/\/+$/, '');
    const url = base.endsWith(BASE_PATH) ? base : `${base}${BASE_PATH}`;
    const reviewsV2 = nodeId.workload('bookinfo', 'reviews-v2');
    const trafficEdges = () =>
      page.evaluate(() => window.__cy?.edges('[protocol = "http"][!isIdle]').length ?? 0);
    const refresh = () => page.getByRole('button', { name: 'Refresh now' }).click();

    await page.goto(`${url}/graph?namespaces=bookinfo&graphType=workload&duration=60&refresh=10000`);
    await waitForGraph(page);
    await expect.poll(trafficEdges, { timeout: 60_000 }).toBeGreaterThan(5);
    await expect(page.getByTestId('warning-banner')).toHaveCount(0);

    const { port, dataDir } = prometheus;
    await prometheus.close();
    await expect
      .poll(
        async () => {
          await refresh();
          return page.getByTestId('warning-banner').count();
        },
        { timeout: 30_000, intervals: [1000, 2000] },
      )
      .toBe(1);
    const banner = page.getByTestId('warning-banner');
    await expect(banner).toContainText('Prometheus is unreachable');
    // not a blank screen: the page explains, and the inventory graph is there (without traffic)
    await expect(page.getByTestId('graph-status')).toBeVisible();
    await expect(page.getByTestId('empty-prometheus')).toContainText('Prometheus did not answer');
    await expect(page.getByTestId('empty-no-traffic')).toHaveCount(0); // not "nothing was called"
    await page.getByRole('button', { name: 'Show idle nodes' }).click();
    await expect.poll(async () => (await cyState(page)).nodes).toContain(reviewsV2);
    await expect(page.locator('.graph-overlay')).toHaveCount(0);
    expect(new URL(page.url()).searchParams.get('idle')).toBe('1');
    expect(await trafficEdges()).toBe(0);
    await expect(banner).toBeVisible();

    prometheus = await startPrometheus({
      scrapeTargets: [metricsUrl(stack.urls.meshSim)],
      scrapeIntervalSeconds: 1,
      dataDir,
      port,
    });
    await expect
      .poll(
        async () => {
          await refresh();
          return (await page.getByTestId('warning-banner').count()) === 0 && (await trafficEdges()) > 5;
        },
        { timeout: 45_000, intervals: [1000, 2000] },
      )
      .toBe(true);
    await expect.poll(async () => (await cyState(page)).nodes).toContain(reviewsV2);
  });
});
