/**
 * Issue 15, before and after: the graph compared over two windows around a routing change. Reviews runs
 * all on v1 for a window, then all on v3; the graph compared at that moment marks the edge to v3 new, the
 * edge to v1 shrunk or gone, colours and labels them, and the side panel gives before, after and change.
 */
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { edgeId, nodeId } from '@meshlens/contract';
import { consoleUrl, openGraph, tapElement } from '../support/graph';
import { Kube } from '../support/kube';
import type { KubeObject } from '../support/kube';
import { fetchGraph, resetIstioConfig, waitForBookinfoTraffic } from '../support/mesh';

const NS = 'bookinfo';
const WINDOW = 30;
const reviews = nodeId.service(NS, 'reviews');
const toVersion = (v: string) => edgeId(reviews, nodeId.versionedApp(NS, 'reviews', v), 'http');
const V1 = toVersion('v1');
const V3 = toVersion('v3');
const V3_RATINGS = edgeId(nodeId.versionedApp(NS, 'reviews', 'v3'), nodeId.service(NS, 'ratings'), 'http');

const destinationRule: KubeObject = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name: 'reviews' },
  spec: {
    host: 'reviews',
    subsets: ['v1', 'v2', 'v3'].map((v) => ({ name: v, labels: { version: v } })),
  },
};
const allOn = (subset: string): KubeObject => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'reviews' },
  spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset } }] }] },
});

/** Versions of reviews with requests in the graph of the last WINDOW seconds. */
async function versionsServed(): Promise<string[]> {
  const g = await fetchGraph({ namespaces: [NS], graphType: 'versionedApp', duration: WINDOW });
  return ['v1', 'v2', 'v3'].filter((v) => (g.edges.find((e) => e.id === toVersion(v))?.rps ?? 0) > 0);
}

let moment = 0;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  await resetIstioConfig();
  await waitForBookinfoTraffic(WINDOW);
  const kube = new Kube();
  await kube.apply(destinationRule, NS);
  await kube.apply(allOn('v1'), NS);
  // a whole window of v1 only: the moment is then
  await expect.poll(versionsServed, { timeout: (WINDOW + 45) * 1000, intervals: [1000] }).toEqual(['v1']);
  moment = Math.ceil(Date.now() / 1000);
  await expect.poll(() => Date.now() / 1000 > moment, { intervals: [100] }).toBe(true);
  await kube.apply(allOn('v3'), NS);
  // and a whole window after it
  await expect
    .poll(async () => (await versionsServed()).includes('v3') && Date.now() / 1000 > moment + WINDOW + 4, {
      timeout: (WINDOW + 45) * 1000,
      intervals: [1000],
    })
    .toBe(true);
});

test.afterAll(async () => {
  await resetIstioConfig();
});

const edgeData = (page: Page, id: string) =>
  page.evaluate((edge) => {
    const e = window.__cy?.getElementById(edge);
    return e && !e.empty()
      ? {
          verdict: e.data('cmpVerdict') as string,
          label: e.data('cmpLabel') as string,
          color: e.style('line-color'),
        }
      : null;
  }, id);

test('the Compare button puts a comparison in the URL; its window is a choice', async ({ page }) => {
  await openGraph(page, `namespaces=${NS}&graphType=versionedApp&duration=60`);
  await page.getByTestId('compare-open').click();
  await expect(page.getByTestId('compare-bar')).toBeVisible();
  await expect.poll(() => new URL(page.url()).searchParams.get('compare')).toMatch(/^\d{10}$/);
  const opened = Number(new URL(page.url()).searchParams.get('compare'));
  // a fresh comparison: the window after the moment ends now (10 minutes by default)
  expect(Date.now() / 1000 - opened).toBeGreaterThanOrEqual(600);
  expect(Date.now() / 1000 - opened).toBeLessThan(600 + 120);
  await expect(page.getByTestId('legend').getByTestId('legend-compare')).toBeVisible();
  await page.getByTestId('compare-window').selectOption('300');
  await expect.poll(() => new URL(page.url()).searchParams.get('compareWindow')).toBe('300');
  await page.getByTestId('compare-close').click();
  await expect(page.getByTestId('compare-bar')).toBeHidden();
  expect(new URL(page.url()).searchParams.has('compare')).toBe(false);
});

test('a routing change shows as a new edge to v3 and a shrunk edge to v1, in labels, colours and panel', async ({
  page,
}) => {
  await openGraph(
    page,
    `namespaces=${NS}&graphType=versionedApp&duration=60&compare=${moment}&compareWindow=${WINDOW}`,
  );
  await expect(page.getByTestId('compare-bar')).toBeVisible();
  await expect.poll(() => edgeData(page, V3), { timeout: 30_000 }).toMatchObject({ verdict: 'new' });
  const v3 = (await edgeData(page, V3))!;
  expect(v3.label).toMatch(/^new \d/);
  expect((await edgeData(page, V3_RATINGS))?.verdict).toBe('new');
  // v1: gone, or (the switch took a scrape or two) much less
  const v1 = (await edgeData(page, V1))!;
  if (v1.verdict === 'vanished') expect(v1.label).toMatch(/^gone \(was \d/);
  else expect(v1.label).toMatch(/^−[\d.]+ rps \(−[5-9]\d%\)/);
  // new edges in the "find" colour, distinct from the health colours
  const colors = await page.evaluate(() => {
    const css = getComputedStyle(document.querySelector('[data-testid="graph-canvas"]')!);
    return { find: css.getPropertyValue('--graph-find').trim() };
  });
  expect(v3.color.replace(/\s/g, '')).toBe(hexToRgb(colors.find));

  // the side panel: before, after, change
  await tapElement(page, V3);
  const table = page.getByTestId('side-panel').getByTestId('compare-table');
  await expect(table).toContainText('new: traffic only after');
  await expect(table.getByTestId('compare-rate')).toContainText('0 rps');
  await tapElement(page, V1);
  await expect(table.getByTestId('compare-rate').locator('td').nth(2)).toHaveText(/^−/);
  // the URL holds it: a reload shows the same comparison
  await page.reload();
  await expect.poll(() => edgeData(page, V3), { timeout: 30_000 }).toMatchObject({ verdict: 'new' });
  await expect(page.getByTestId('compare-windows')).toBeVisible();
});

test('the graph summary counts edges per verdict', async ({ page }) => {
  await page.goto(
    `${consoleUrl()}/graph?namespaces=${NS}&graphType=versionedApp&compare=${moment}&compareWindow=${WINDOW}`,
  );
  const summary = page.getByTestId('side-panel').getByTestId('compare-summary');
  await expect(summary.getByTestId('compare-count-new')).toHaveText(/^\s*[2-9] new edges/, {
    timeout: 60_000,
  });
});

function hexToRgb(hex: string): string {
  const n = parseInt(hex.replace('#', ''), 16);
  return `rgb(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255})`;
}
