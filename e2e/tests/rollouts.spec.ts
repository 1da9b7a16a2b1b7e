import { expect, test, type Page } from '@playwright/test';
import { consoleUrl } from '../support/graph';
import { resetIstioConfig, waitForBookinfoTraffic } from '../support/mesh';
import { applyWizard, openWizard, waitForSplit } from '../support/routing';
import {
  abortActiveRollouts,
  setErrorRate,
  startRolloutFromWizard,
  waitForErrorRatePods,
} from '../support/rollouts';

/**
 * Guarded rollouts on the live demo stack (2 s scrapes, the console's default 2 s ticks): reviews v3 rolled
 * out from Traffic Shifting's "Roll out gradually" — promoted while healthy, rolled back within one step's
 * window when mesh-sim makes v3 answer half its requests with 500s; each within a bound, and the graph shows
 * the traffic where the rollout left it.
 */
test.describe.configure({ mode: 'serial' });

const NS = 'bookinfo';
const WAIT = 10;
const GATES = { maxErrorPercent: 5, maxP95Ms: 5000, minRequests: 5 };

test.beforeAll(async () => {
  await resetIstioConfig();
  await setErrorRate(NS, 'reviews-v3', null);
  await waitForBookinfoTraffic(30);
});
test.afterEach(async () => {
  await abortActiveRollouts(consoleUrl());
});
test.afterAll(async () => {
  await setErrorRate(NS, 'reviews-v3', null);
  await resetIstioConfig();
});

/**
 * Traffic Shifting applied first (all of reviews on v1: the baseline), then the same wizard's "Roll out
 * gradually" for v3: two steps of 50 and 100 %.
 */
async function rollOutV3(page: Page) {
  let dialog = await openWizard(page, consoleUrl(), NS, 'reviews', 'Traffic Shifting');
  await dialog.getByLabel('Weight of v1', { exact: true }).fill('100');
  await expect(dialog.getByTestId('weight-total')).toHaveText('100 %');
  await applyWizard(page);
  dialog = await openWizard(page, consoleUrl(), NS, 'reviews', 'Traffic Shifting');
  await expect(dialog.getByLabel('Weight of v1', { exact: true })).toHaveValue('100');
  const started = Date.now();
  await startRolloutFromWizard(page, dialog, { target: 'v3', steps: '50, 100', waitSeconds: WAIT, ...GATES });
  await expect(page).toHaveURL(/\/rollouts\/bookinfo\/reviews-/);
  await expect(page.getByTestId('split-Baseline')).toContainText('v1 100 %');
  return started;
}

test('a healthy reviews v3 is promoted to 100 % step by step, each gate beside its threshold', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const started = await rollOutV3(page);
  const phase = page.getByTestId('rollout-phase');
  await expect(phase).toHaveText('Running');
  // Two steps of 10 s, the ticks and the writes: promoted within 45 s.
  await expect(phase).toHaveText('Promoted', { timeout: 45_000 });
  const seconds = (Date.now() - started) / 1000;
  test.info().annotations.push({ type: 'promoted after', description: `${seconds.toFixed(1)} s` });
  for (const i of [0, 1]) {
    const step = page.getByTestId(`step-${i}`);
    await expect(step).toContainText('Passed');
    await expect(step.getByTestId('gate-errorPercent')).toContainText('≤ 5');
    await expect(step.getByTestId('gate-errorPercent')).toContainText('pass');
    await expect(step.getByTestId('gate-minRequests').locator('td').first()).toHaveText(/^\d+(\.\d+)?$/);
  }
  await expect(page.getByTestId('split-Live now')).toContainText('v3 100 %');
  // The graph shows it: every reviews request on v3 over the last 30 s.
  await page.goto(
    `${consoleUrl()}/graph?namespaces=bookinfo&graphType=versionedApp&duration=30&refresh=5000`,
  );
  await waitForSplit(page, NS, 'reviews', { v3: 100 }, 5, 90_000);
});

test('reviews v3 answering half its requests with 500s is rolled back within one step; the graph shows v1', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await resetIstioConfig();
  await setErrorRate(NS, 'reviews-v3', 0.5);
  await waitForErrorRatePods(NS, 'reviews', 'v3', 0.5);
  // The wizard lists the versions the graph shows: v3 is back in the window once the routing is reset.
  await waitForBookinfoTraffic(30);
  const started = await rollOutV3(page);
  const phase = page.getByTestId('rollout-phase');
  // One step's wait, a tick and the write back: rolled back within 25 s.
  await expect(phase).toHaveText('Rolled back', { timeout: 25_000 });
  const seconds = (Date.now() - started) / 1000;
  test.info().annotations.push({ type: 'rolled back after', description: `${seconds.toFixed(1)} s` });
  await expect(page.getByTestId('rollout-reason')).toContainText(
    /gate failed at 50 %: v3 answered [\d.]+ % 5xx/,
  );
  const gate = page.getByTestId('step-0').getByTestId('gate-errorPercent');
  await expect(gate).toContainText('fail');
  const measured = Number(await gate.locator('td').first().textContent());
  expect(measured).toBeGreaterThan(5);
  await expect(page.getByTestId('step-1')).toContainText('Not reached');
  await expect(page.getByTestId('split-Live now')).toContainText('v1 100 %');
  await page.goto(
    `${consoleUrl()}/graph?namespaces=bookinfo&graphType=versionedApp&duration=30&refresh=5000`,
  );
  await waitForSplit(page, NS, 'reviews', { v1: 100 }, 5, 90_000);
});
