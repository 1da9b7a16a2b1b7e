/**
 * Distributed tracing (issue 14): reviews' Traces tab lists its traces, one opens as a waterfall with
 * productpage → reviews spans; after an abort fault on ratings, a failing trace shows its failing span red,
 * and the reviews v2 → ratings edge's side panel lists its failing calls.
 */
import { expect, test } from '@playwright/test';
import { edgeId, nodeId } from '@meshlens/contract';
import { bookinfoObjects, Kube } from '../support/kube';
import { consoleUrl, foundIds, waitForGraph } from '../support/graph';
import { resetIstioConfig, waitForBookinfoTraffic } from '../support/mesh';

const NS = 'bookinfo';
const SHELL = 'namespaces=bookinfo&duration=600&refresh=10000';
const destinationRules = bookinfoObjects('destination-rule-all.yaml');
/** virtual-service-ratings-test-abort.yaml, the abort applied to every user rather than jason only. */
const abortAll = (() => {
  const [vs] = bookinfoObjects('virtual-service-ratings-test-abort.yaml');
  if (!vs) throw new Error('virtual-service-ratings-test-abort.yaml is empty');
  const http = (vs.spec as { http: Record<string, unknown>[] }).http;
  const faulty = { ...http[0] };
  delete faulty.match;
  return { ...vs, spec: { ...(vs.spec as object), http: [faulty] } };
})();

test.beforeAll(async () => {
  await resetIstioConfig();
  await waitForBookinfoTraffic(60, { ratingsHealthy: true });
});
test.afterAll(async () => {
  await resetIstioConfig();
});

test("reviews' Traces tab lists traces; one opens as a waterfall of productpage → reviews", async ({
  page,
}) => {
  await page.goto(`${consoleUrl()}/namespaces/${NS}/apps/reviews?${SHELL}`);
  await page.getByRole('navigation', { name: 'App reviews' }).getByRole('link', { name: 'Traces' }).click();
  await expect(page).toHaveURL(/\/apps\/reviews\/traces\?/);
  const rows = page.getByTestId('trace-row');
  await expect(rows.first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('trace-scatter')).not.toHaveAttribute('data-points', '0');
  // the entity span's status is in the list
  await expect(rows.first()).toContainText('200');

  await rows.first().getByRole('link').click();
  await expect(page).toHaveURL(/\/traces\/[0-9a-f]+/);
  const spans = page.getByTestId('span-row');
  const product = page.locator('[data-testid="span-row"][data-service="productpage.bookinfo"]');
  const reviews = page.locator('[data-testid="span-row"][data-service="reviews.bookinfo"]');
  await expect(product.first()).toBeVisible();
  await expect(reviews.first()).toBeVisible();
  // reviews' spans hang under productpage's: deeper in the tree, and the root is on the critical path
  const level = async (l: typeof reviews) => Number(await l.first().getAttribute('aria-level'));
  expect(await level(reviews)).toBeGreaterThan(await level(product));
  await expect(spans.first()).toHaveAttribute('data-critical', 'true');

  // each call's mTLS, from the metrics: bookinfo's sidecars talk mutual TLS
  await expect(reviews.getByTestId('span-mtls').first()).toHaveAttribute('title', /^mutual TLS/);

  // a span's details, addressable, with a link to its app's page
  await reviews.last().click();
  await expect(page).toHaveURL(/[?&]span=[0-9a-f]+/);
  const detail = page.getByTestId('span-detail');
  await expect(detail).toContainText('reviews.bookinfo');
  await page.reload();
  await expect(page.getByTestId('span-detail')).toContainText('reviews.bookinfo');
  await page.getByTestId('span-app-link').click();
  await expect(page).toHaveURL(/\/namespaces\/bookinfo\/apps\/reviews(\?|$)/);

  // back on the trace, "Show on graph" marks the trace's path: its proxies and the calls between them
  await page.goBack();
  await page.getByTestId('show-on-graph').click();
  await expect(page).toHaveURL(/\/graph\?.*trace=[0-9a-f]+/);
  await waitForGraph(page);
  await expect(page.getByTestId('trace-chip')).toContainText(/calls? marked/);
  const pp = nodeId.versionedApp(NS, 'productpage', 'v1');
  const svc = nodeId.service(NS, 'reviews');
  await expect
    .poll(async () => foundIds(page), { timeout: 30_000 })
    .toEqual(expect.arrayContaining([pp, svc, edgeId(pp, svc, 'http')]));
  // one reviews version served this request: of the three, the others are dimmed
  const dimmed = await page.evaluate(
    () => window.__cy?.nodes('[app = "reviews"][nodeType != "service"].dim').length ?? -1,
  );
  expect(dimmed).toBe(2);
});

test('after an abort fault on ratings, a failing trace shows its failing span red', async ({ page }) => {
  const kube = new Kube();
  for (const dr of destinationRules) await kube.apply(dr, NS);
  // failing traces of earlier specs stay in the window: wait for one that began after the fault
  const sinceUs = Date.now() * 1000;
  await kube.apply(abortAll, NS);

  // reviews' own client span to ratings fails: errors only shows such traces, newest first
  await page.goto(`${consoleUrl()}/namespaces/${NS}/apps/reviews/traces?${SHELL}&errors=true`);
  const rows = page.getByTestId('trace-row');
  await expect(rows.first()).toBeVisible({ timeout: 60_000 });
  await expect
    .poll(async () => Number(await rows.first().getAttribute('data-start-us')), { timeout: 60_000 })
    .toBeGreaterThanOrEqual(sinceUs);
  await expect(rows.first()).toHaveClass(/failed/);
  await rows.first().getByRole('link').click();

  const failing = page.locator('[data-testid="span-row"][data-error="true"]');
  await expect(failing.first()).toBeVisible();
  await expect(failing.first()).toContainText('ratings');
  await expect(failing.first()).toHaveClass(/\berror\b/);
  // the bar of a failed span is drawn in the theme's danger colour
  const barColour = await failing
    .first()
    .locator('.waterfall-bar')
    .evaluate((el) => getComputedStyle(el).backgroundColor);
  const danger = await page.evaluate(() => {
    const probe = document.createElement('span');
    probe.style.color = 'var(--danger)';
    document.body.append(probe);
    const c = getComputedStyle(probe).color;
    probe.remove();
    return c;
  });
  expect(barColour).toBe(danger);
  await failing.first().click();
  const detail = page.getByTestId('span-detail');
  await expect(detail).toContainText('Failed span');
  await expect(detail).toContainText('500');
  await expect(detail).toContainText('FI');

  // the graph: the reviews v2 → ratings edge's panel lists its failing calls, each opening its trace
  const edge = edgeId(nodeId.versionedApp(NS, 'reviews', 'v2'), nodeId.service(NS, 'ratings'), 'http');
  await page.goto(
    `${consoleUrl()}/graph?namespaces=${NS}&graphType=versionedApp&duration=600&refresh=10000&selected=${encodeURIComponent(edge)}`,
  );
  await waitForGraph(page);
  const edgeTraces = page.getByTestId('edge-traces');
  await expect(edgeTraces.locator('li.failed').first()).toBeVisible({ timeout: 60_000 });
  await edgeTraces.locator('li.failed a').first().click();
  await expect(page.locator('[data-testid="span-row"][data-error="true"]').first()).toContainText('ratings');
});

test("after a 2 s delay fault on details, productpage's Traces tab finds the slow traces and opens one", async ({
  page,
}) => {
  await resetIstioConfig();
  const kube = new Kube();
  // slow traces of earlier specs stay in the window: wait for one that began after the fault
  const sinceUs = Date.now() * 1000;
  await kube.apply(
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'details' },
      spec: {
        hosts: ['details'],
        http: [
          {
            fault: { delay: { fixedDelay: '2s', percentage: { value: 100 } } },
            route: [{ destination: { host: 'details' } }],
          },
        ],
      },
    },
    NS,
  );

  await page.goto(`${consoleUrl()}/namespaces/${NS}/apps/productpage/traces?${SHELL}`);
  await page.getByLabel('Min duration').fill('1500');
  await page.getByLabel('Min duration').press('Enter');
  await expect(page).toHaveURL(/[?&]minMs=1500/);
  const rows = page.getByTestId('trace-row');
  await expect(rows.first()).toBeVisible({ timeout: 60_000 });
  await expect
    .poll(async () => Number(await rows.first().getAttribute('data-start-us')), { timeout: 60_000 })
    .toBeGreaterThanOrEqual(sinceUs);
  await rows.first().getByRole('link').click();
  await expect(page).toHaveURL(/\/traces\/[0-9a-f]+/);

  // productpage's call to details waits out the delay in productpage's proxy (the fault filter runs in
  // the caller's sidecar): its client span lasts ~2 s
  const toDetails = page
    .locator('[data-testid="span-row"][data-service="productpage.bookinfo"]')
    .filter({ hasText: 'details.bookinfo' });
  await expect(toDetails.first()).toBeVisible();
  const title = (await toDetails.first().getAttribute('title')) ?? '';
  const seconds = Number(/: ([\d.]+) s/.exec(title)?.[1]);
  expect(seconds).toBeGreaterThanOrEqual(1.9);
  expect(seconds).toBeLessThan(3);
});
