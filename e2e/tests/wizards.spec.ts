import { expect, test } from '@playwright/test';
import { edgeId, nodeId } from '@meshlens/contract';
import { consoleUrl, waitForGraph } from '../support/graph';
import { resetIstioConfig, waitForBookinfoTraffic } from '../support/mesh';
import { applyWizard, edgeHealth, GRAPH_QUERY, openWizard, waitForSplit } from '../support/routing';

/**
 * The routing wizards on the live demo stack, in order (each step builds on the last; the last one deletes
 * the routing the file wrote). The file starts from the scenario's Istio config, with every reviews version
 * in the graph's 30 s window (the wizards list the versions the graph shows) and the ratings edge Healthy,
 * and puts the config back when it ends, whatever step failed.
 */
test.describe.configure({ mode: 'serial' });

const NS = 'bookinfo';
const RATINGS_EDGE = edgeId(nodeId.versionedApp(NS, 'reviews', 'v2'), nodeId.service(NS, 'ratings'), 'http');

test.beforeAll(async () => {
  await resetIstioConfig();
  await waitForBookinfoTraffic(30, { ratingsHealthy: true });
});
test.afterAll(async () => {
  await resetIstioConfig();
});

test('Traffic Shifting on reviews: v1 80 / v2 20 / v3 0 shows in the graph', async ({ page }) => {
  test.setTimeout(150_000);
  const dialog = await openWizard(page, consoleUrl(), NS, 'reviews', 'Traffic Shifting');
  // each version's live share is shown beside its new weight
  await expect(dialog.getByTestId('live-v1')).toHaveText(/^\d+ %$/);
  await dialog.getByLabel('Weight of v1', { exact: true }).fill('80');
  await expect(dialog.getByLabel('Weight of v2', { exact: true })).toHaveValue('10');
  await dialog.getByLabel('Weight of v2', { exact: true }).fill('20');
  // v1 was changed just before, so it keeps 80 and v3 takes what is left
  await expect(dialog.getByLabel('Weight of v3', { exact: true })).toHaveValue('0');
  await expect(dialog.getByTestId('weight-total')).toHaveText('100 %');
  const preview = dialog.getByTestId('yaml-preview');
  await expect(preview).toContainText('kind: VirtualService');
  await expect(preview).toContainText('weight: 80');
  await expect(preview).toContainText('weight: 20');
  await applyWizard(page);

  const seconds = await waitForSplit(page, NS, 'reviews', { v1: 80, v2: 20, v3: 0 }, 8, 60_000);
  test
    .info()
    .annotations.push({ type: 'reviews split converged after', description: `${seconds.toFixed(0)} s` });
  const vs = (await (
    await fetch(`${consoleUrl()}/api/namespaces/${NS}/istio/virtualservices/reviews`)
  ).json()) as {
    object: { spec: { http: { route: { weight?: number }[] }[] } };
  };
  expect(vs.object.spec.http.at(-1)?.route.map((r) => r.weight)).toEqual([80, 20]);
});

test('a refused write says why, at its path', async ({ page }) => {
  const dialog = await openWizard(page, consoleUrl(), NS, 'reviews', 'Timeouts & Retries');
  await dialog.getByLabel('Request timeout').fill('10 seconds');
  await expect(dialog.getByRole('alert')).toContainText('timeoutsRetries/timeout', { timeout: 10_000 });
  await expect(dialog.getByRole('button', { name: 'Apply', exact: true })).toBeDisabled();
  await page.keyboard.press('Escape');
});

test('Fault Injection on ratings (abort 100 %) turns its edge red', async ({ page }) => {
  test.setTimeout(120_000);
  const dialog = await openWizard(page, consoleUrl(), NS, 'ratings', 'Fault Injection');
  await dialog.getByLabel('HTTP status').fill('500');
  await dialog.getByLabel('Abort percentage').fill('100');
  await expect(dialog.getByTestId('yaml-preview')).toContainText('httpStatus: 500');
  await applyWizard(page);
  const start = Date.now();
  await expect
    .poll(() => edgeHealth(page, RATINGS_EDGE), { timeout: 60_000, intervals: [1000] })
    .toBe('Failure');
  test.info().annotations.push({
    type: 'edge red after',
    description: `${((Date.now() - start) / 1000).toFixed(0)} s`,
  });
});

test('Delete routing lists what goes and brings reviews back to even thirds', async ({ page }) => {
  test.setTimeout(240_000);
  let dialog = await openWizard(page, consoleUrl(), NS, 'ratings', 'Delete routing');
  await expect(dialog).toContainText('Will be deleted');
  await expect(dialog).toContainText('VirtualService ratings');
  await applyWizard(page, 'Delete');
  dialog = await openWizard(page, consoleUrl(), NS, 'reviews', 'Delete routing');
  await expect(dialog).toContainText('VirtualService reviews');
  await expect(dialog).toContainText('DestinationRule reviews');
  await applyWizard(page, 'Delete');
  const res = await fetch(`${consoleUrl()}/api/namespaces/${NS}/istio/virtualservices/reviews`);
  expect(res.status).toBe(404);

  // Envoy (and mesh-sim) pick each request's version at random: with ~4.5 requests/s into reviews, a 30 s
  // window holds ~135 requests and one version's share has a standard deviation of ~4 points. Read the
  // even split over 60 s (~2.7 points), once the window holds only traffic sent after the delete.
  await page.goto(`${consoleUrl()}/graph?${GRAPH_QUERY.replace('duration=30', 'duration=60')}`);
  await waitForGraph(page);
  const seconds = await waitForSplit(
    page,
    NS,
    'reviews',
    { v1: 100 / 3, v2: 100 / 3, v3: 100 / 3 },
    8,
    120_000,
  );
  test.info().annotations.push({ type: 'even thirds after', description: `${seconds.toFixed(0)} s` });
  await expect
    .poll(() => edgeHealth(page, RATINGS_EDGE), { timeout: 60_000, intervals: [1000] })
    .toBe('Healthy');
});
