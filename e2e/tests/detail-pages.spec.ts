/**
 * Detail pages: from the graph to a node's detail page, through each tab and back; every tab's address
 * opens that tab again; a fault injected with the wizard on the service's page turns its error chart red.
 */
import { expect, test, type Page } from '@playwright/test';
import { nodeId } from '@meshlens/contract';
import { consoleUrl, openGraph, tapElement } from '../support/graph';
import { resetIstioConfig, waitForBookinfoTraffic } from '../support/mesh';
import { applyWizard } from '../support/routing';

const NS = 'bookinfo';
const SHELL = 'namespaces=bookinfo&duration=600&refresh=10000';

test.beforeAll(async () => {
  await resetIstioConfig();
  await waitForBookinfoTraffic(60);
});
test.afterAll(async () => {
  await resetIstioConfig();
});

const tabs = (page: Page, service: string) => page.getByRole('navigation', { name: `Service ${service}` });

const shot = async (page: Page, name: string) => {
  await page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });
};

/** The tabs of the page, in order, each checked to show its own content. */
const TABS: { name: string; segment: string; check: (page: Page) => Promise<void> }[] = [
  {
    name: 'Overview',
    segment: '',
    check: async (page) => {
      await expect(page.getByTestId('pods')).toContainText('istio-proxy');
      await expect(page.getByTestId('related')).toContainText('Workload reviews-v1');
      await expect(page.getByTestId('mini-graph')).toBeVisible();
    },
  },
  {
    name: 'Traffic',
    segment: '/traffic',
    check: async (page) => {
      await expect(page.getByTestId('traffic-inbound')).toContainText('productpage-v1');
      await expect(page.getByTestId('traffic-outbound')).toContainText('reviews-v2');
    },
  },
  {
    name: 'Inbound Metrics',
    segment: '/inbound',
    check: async (page) => {
      await expect(page.getByTestId('chart-request_count')).toBeVisible();
      await expect(page.getByTestId('chart-request_duration_millis')).toBeVisible();
      await expect(page.getByTestId('chart-request_count').locator('canvas')).toHaveCount(1);
    },
  },
];

test('graph → node → detail page → each tab → back, each tab restored from its URL', async ({ page }) => {
  await openGraph(page, `${SHELL}&graphType=workload`);
  await tapElement(page, nodeId.service(NS, 'reviews'));
  const panel = page.getByTestId('side-panel');
  await panel.getByRole('link', { name: 'Service reviews →' }).click();
  const base = `/namespaces/${NS}/services/reviews`;
  await expect(page).toHaveURL(new RegExp(`${base}\\?`));
  await expect(page.getByRole('heading', { name: 'Service reviews' })).toBeVisible();
  // the shell's settings came along
  expect(new URL(page.url()).searchParams.get('duration')).toBe('600');

  for (const tab of TABS) {
    await page
      .getByRole('navigation', { name: 'Service reviews' })
      .getByRole('link', { name: tab.name })
      .click();
    await expect(page).toHaveURL(new RegExp(`${base}${tab.segment}\\?`));
    await tab.check(page);
    // the address alone opens this tab again
    await page.reload();
    await expect(tabs(page, 'reviews').getByRole('link', { name: tab.name })).toHaveAttribute(
      'aria-current',
      'page',
    );
    await tab.check(page);
    await shot(page, `service-${tab.segment.slice(1) || 'overview'}`);
  }
  // back through the tabs to the graph
  for (let i = 0; i < TABS.length; i++) await page.goBack();
  await page.goBack();
  await expect(page).toHaveURL(/\/graph\?/);
  await expect(page.getByTestId('side-panel')).toBeVisible();
});

test('a workload page has outbound metrics grouped by peer, and a drag narrows the range', async ({
  page,
}) => {
  await page.goto(`${consoleUrl()}/namespaces/${NS}/workloads/productpage-v1/outbound?${SHELL}`);
  const chart = page.getByTestId('chart-request_count');
  await expect(chart.locator('canvas')).toHaveCount(1);
  await page.getByLabel('Group by').selectOption({ label: 'Remote app' });
  await expect(page).toHaveURL(/by=destination_canonical_service/);
  await expect(chart.locator('.u-legend')).toContainText('reviews');
  await expect(chart.locator('.u-legend')).toContainText('details');
  // legible in the dark theme too (look at the screenshot)
  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await expect(chart.locator('canvas')).toHaveCount(1);
  await shot(page, 'workload-outbound-dark');
  await page.getByRole('button', { name: 'Switch to light theme' }).click();
  // a legend click hides that series
  const details = chart.locator('.u-legend .u-series', { hasText: 'details' });
  await details.click();
  await expect(details).toHaveClass(/u-off/);
  const over = chart.locator('.u-over');
  const box = (await over.boundingBox())!;
  // A chart rebuilt in the middle of a drag (here by the theme; on a refresh, by a series that came or
  // went) does not zoom to the part dragged before the rebuild; the hidden series stays hidden.
  const canvas = await chart.locator('canvas').elementHandle();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 3 });
  // a click from the page's script: the mouse stays down over the chart
  await page.getByRole('button', { name: 'Switch to dark theme' }).evaluate((b: HTMLElement) => b.click());
  await expect.poll(() => canvas!.evaluate((c) => c.isConnected)).toBe(false);
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2, { steps: 2 });
  await page.mouse.up();
  expect(await page.evaluate(() => location.search)).not.toMatch(/from=/);
  await expect(details).toHaveClass(/u-off/);
  await page.getByRole('button', { name: 'Switch to light theme' }).click();
  await expect(details).toHaveClass(/u-off/);
  // drag across the middle of the chart: the range narrows to what was dragged
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect(page).toHaveURL(/from=\d+&to=\d+/);
  const u = new URL(page.url());
  const seconds = Number(u.searchParams.get('to')) - Number(u.searchParams.get('from'));
  // 40 % of the chart's width, of a 600 s range
  expect(seconds).toBeGreaterThan(150);
  expect(seconds).toBeLessThan(330);
  await shot(page, 'workload-outbound-zoomed');
  await page.getByRole('button', { name: /Back to the last/ }).click();
  await expect(page).not.toHaveURL(/from=/);
});

test('a fault injected with the wizard turns the service error chart red within 60 s', async ({ page }) => {
  test.setTimeout(150_000);
  await page.goto(`${consoleUrl()}/namespaces/${NS}/services/ratings?${SHELL}`);
  await page.getByRole('button', { name: /Actions/ }).click();
  await page.getByRole('menuitem', { name: 'Fault Injection' }).click();
  const dialog = page.getByRole('dialog', { name: /Fault Injection/ });
  await dialog.getByLabel('HTTP status').fill('500');
  await dialog.getByLabel('Abort percentage').fill('100');
  await applyWizard(page);
  const start = Date.now();
  await tabs(page, 'ratings').getByRole('link', { name: 'Inbound Metrics' }).click();
  const errors = page.getByTestId('chart-request_error_count');
  await expect(errors).toHaveClass(/metric-chart-danger/, { timeout: 60_000 });
  await expect(errors).toHaveAttribute('data-empty', 'false');
  await expect(errors.getByTestId('chart-latest')).not.toHaveText('now 0 rps');
  test.info().annotations.push({
    type: 'error chart red after',
    description: `${((Date.now() - start) / 1000).toFixed(0)} s`,
  });
  await shot(page, 'ratings-fault-inbound');
  // the Istio object the wizard wrote is listed on the overview, with a link to the editor
  await tabs(page, 'ratings').getByRole('link', { name: 'Overview' }).click();
  await expect(
    page.getByTestId('istio-objects').getByRole('link', { name: 'VirtualService ratings' }),
  ).toHaveAttribute('href', /\/istio\/bookinfo\/virtualservices\/ratings/);
});
