import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { nodeId } from '@meshlens/contract';
import { clickElement, consoleUrl, cyState, foundIds, openGraph, waitForGraph } from '../support/graph';
import { resetIstioConfig, waitForBookinfoTraffic } from '../support/mesh';

const reviews = nodeId.service('bookinfo', 'reviews');
const reviewsV2 = nodeId.versionedApp('bookinfo', 'reviews', 'v2');
const BASE = 'namespaces=bookinfo,istio-system&graphType=versionedApp&duration=60&refresh=10000';

// bookinfo without routing config, with every version of reviews in the 60 s window the tests open
test.beforeAll(async () => {
  await resetIstioConfig();
  await waitForBookinfoTraffic(60);
});

async function waitForNode(page: Page, id: string) {
  await expect.poll(async () => (await cyState(page)).nodes, { timeout: 60_000 }).toContain(id);
  await expect(page.getByTestId('graph-canvas')).toHaveAttribute('data-ready', 'true');
}

test('selecting reviews shows its rates in the side panel', async ({ page }) => {
  await openGraph(page, BASE);
  await waitForNode(page, reviews);
  await clickElement(page, reviews);
  const panel = page.getByTestId('side-panel');
  await expect(panel.getByTestId('panel-title')).toHaveText('reviews');
  await expect(panel).toContainText('Service');
  // a live inbound rate, e.g. "3.40 rps"
  await expect(panel.getByTestId('http-in')).toHaveText(/^\d+(\.\d+)? rps$/);
  const rate = Number((await panel.getByTestId('http-in').textContent())?.split(' ')[0]);
  expect(rate).toBeGreaterThan(0);
  await expect(panel).toContainText('Outbound');
  await expect(panel).toContainText('reviews v2');
  // the selection is in the URL
  expect(new URL(page.url()).searchParams.get('selected')).toBe(reviews);

  // an edge: its rate, error % and response codes
  await panel.getByRole('row', { name: /reviews v1/ }).click();
  await expect(panel.getByTestId('panel-title')).toContainText('reviews → reviews v1');
  await expect(panel.getByTestId('edge-rate')).toHaveText(/rps$/);
  await expect(panel.getByTestId('responses')).toContainText('200');
});

test('a find expression highlights the right nodes; a bad one says where it is wrong', async ({ page }) => {
  await openGraph(page, BASE);
  await waitForNode(page, reviewsV2);
  const find = page.getByTestId('find');
  await find.fill('version = v2');
  await find.press('Enter');
  await expect.poll(() => foundIds(page)).toEqual([reviewsV2]);
  await expect(page.getByTestId('found-count')).toHaveText('1 found');

  await find.fill('node = service AND name startswith r');
  await find.press('Enter');
  await expect
    .poll(() => foundIds(page))
    .toEqual([nodeId.service('bookinfo', 'ratings'), nodeId.service('bookinfo', 'reviews')].sort());

  await find.fill('rt > fast');
  await find.press('Enter');
  await expect(page.getByTestId('find-error')).toContainText(
    "Expected a number for 'rt' at position 6, found 'fast'",
  );
  await expect.poll(() => foundIds(page)).toEqual([]);

  // hide: the unknown-free graph without ratings nodes
  const hide = page.getByTestId('hide');
  await hide.fill('name = ratings');
  await hide.press('Enter');
  await expect
    .poll(() =>
      page.evaluate(
        () =>
          window.__cy
            ?.$('.hidden')
            .nodes()
            .map((n) => n.id())
            .sort() ?? [],
      ),
    )
    .toEqual(
      [nodeId.service('bookinfo', 'ratings'), nodeId.versionedApp('bookinfo', 'ratings', 'v1')].sort(),
    );
});

test('the URL restores the same view on reload', async ({ page }) => {
  await openGraph(page, BASE);
  // change settings through the UI: they go to the URL
  await page.getByTestId('graph-type').selectOption('workload');
  await page.getByTestId('edge-labels').selectOption('rate');
  await page.getByTestId('duration').selectOption('600');
  const reviewsWl = nodeId.workload('bookinfo', 'reviews-v2');
  await waitForNode(page, reviewsWl);
  await page.getByTestId('find').fill('wl = reviews-v2');
  await page.getByTestId('find').press('Enter');
  await clickElement(page, reviewsWl);
  await expect(page.getByTestId('panel-title')).toHaveText('reviews-v2');
  const url = new URL(page.url());
  expect(url.searchParams.get('graphType')).toBe('workload');
  expect(url.searchParams.get('edges')).toBe('rate');
  expect(url.searchParams.get('duration')).toBe('600');

  await page.reload();
  await waitForGraph(page);
  await waitForNode(page, reviewsWl);
  await expect(page.getByTestId('graph-type')).toHaveValue('workload');
  await expect(page.getByTestId('edge-labels')).toHaveValue('rate');
  await expect(page.getByTestId('duration')).toHaveValue('600');
  await expect(page.getByTestId('find')).toHaveValue('wl = reviews-v2');
  await expect(page.getByTestId('namespace-picker')).toContainText('bookinfo, istio-system');
  await expect(page.getByTestId('panel-title')).toHaveText('reviews-v2');
  await expect.poll(() => foundIds(page)).toEqual([reviewsWl]);
  expect(await page.evaluate((id) => window.__cy?.getElementById(id).selected() ?? false, reviewsWl)).toBe(
    true,
  );
  // rate labels are drawn on edges
  expect(await page.evaluate(() => window.__cy?.edges().first().style('label') ?? '')).toMatch(/rps|B\/s/);
});

test('without namespaces the page says what to do; old detail addresses lead to the detail page', async ({
  page,
}) => {
  await page.goto(`${consoleUrl()}/graph?namespaces=`);
  await expect(page.getByTestId('empty-no-namespace')).toContainText('Choose the namespaces');
  await page.getByRole('link', { name: 'Workloads' }).click();
  await expect(page.getByRole('heading', { name: 'Workloads', exact: true })).toBeVisible();
  expect(new URL(page.url()).pathname).toBe(new URL(`${consoleUrl()}/workloads`).pathname);
  // a detail address of earlier versions lands on the detail page, under the base path
  await page.goto(`${consoleUrl()}/services/bookinfo/reviews`);
  await expect(page.getByRole('heading', { name: 'Service reviews' })).toBeVisible();
  expect(new URL(page.url()).pathname).toBe(
    new URL(`${consoleUrl()}/namespaces/bookinfo/services/reviews`).pathname,
  );
  // an address no page answers says so
  await page.goto(`${consoleUrl()}/no-such-page`);
  await expect(page.getByRole('heading', { name: 'There is no page at this address.' })).toBeVisible();
});

test('replay scrubs back in time and returns to live', async ({ page }) => {
  await openGraph(page, BASE);
  await page.getByTestId('replay-open').click();
  const slider = page.getByRole('slider', { name: 'Replay time' });
  await expect(slider).toBeVisible();
  await expect.poll(() => Number(new URL(page.url()).searchParams.get('queryTime'))).toBeGreaterThan(0);
  // the newest frame of the window shows the graph as of then
  await slider.focus();
  await page.keyboard.press('End');
  const end = Number(await slider.getAttribute('max'));
  await expect.poll(() => Number(new URL(page.url()).searchParams.get('queryTime'))).toBe(end);
  await expect(page.getByTestId('graph-status')).toContainText('replay at');
  await expect.poll(() => page.evaluate(() => window.__cy?.nodes().length ?? 0)).toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Back to live' }).click();
  await expect.poll(() => new URL(page.url()).searchParams.get('queryTime')).toBeNull();
  await expect(page.getByTestId('graph-status')).not.toContainText('replay at');
});
