/**
 * Issue 15, preview of the effect: before a Traffic Shifting or Request Routing change is applied, the
 * wizard predicts each version's requests/s from the live rates and the new rules, beside its load now and
 * its peak, and warns past N× the peak or for a version without ready pods. Nothing is applied here.
 */
import { expect, test } from '@playwright/test';
import type { Locator } from '@playwright/test';
import { consoleUrl } from '../support/graph';
import { Kube } from '../support/kube';
import { resetIstioConfig, waitForBookinfoTraffic } from '../support/mesh';
import { openWizard } from '../support/routing';

const NS = 'bookinfo';

test.beforeAll(async () => {
  await resetIstioConfig();
  await new Kube().scale(NS, 'reviews-v3', 1);
  await waitForBookinfoTraffic(30);
});

test.afterAll(async () => {
  await new Kube().scale(NS, 'reviews-v3', 1);
  await resetIstioConfig();
});

/** The requests/s a cell shows (`1.23 rps`). */
const rps = async (cell: Locator) => Number(/([\d.]+) rps/.exec(await cell.innerText())?.[1] ?? NaN);

test('Traffic Shifting predicts each version’s requests/s and warns past N× its peak', async ({ page }) => {
  const dialog = await openWizard(page, consoleUrl(), NS, 'reviews', 'Traffic Shifting');
  const effect = dialog.getByTestId('effect-preview');
  // bookinfo without routing: each version gets about a third of reviews' requests now
  await expect.poll(() => rps(effect.getByTestId('effect-now-v1')), { timeout: 30_000 }).toBeGreaterThan(0);
  const now = await Promise.all(['v1', 'v2', 'v3'].map((v) => rps(effect.getByTestId(`effect-now-${v}`))));
  const total = now.reduce((a, b) => a + b, 0);
  await expect(effect.getByTestId('effect-v3')).toContainText('1/1');

  await dialog.getByLabel('Weight of v3').fill('100');
  await expect(dialog.getByTestId('weight-total')).toHaveText('100 %');
  // all of reviews' requests onto v3: about three times its peak, past the default 2×
  await expect
    .poll(() => rps(effect.getByTestId('effect-predicted-v3')), { timeout: 15_000 })
    .toBeGreaterThan(total * 0.7);
  expect(await rps(effect.getByTestId('effect-predicted-v1'))).toBe(0);
  const warning = effect.getByTestId('effect-warning-v3');
  await expect(warning).toContainText(/× its peak of the last hour .*warning above 2×/);
  await expect(effect.getByTestId('effect-warning-v1')).toHaveCount(0);
  // N is the user's: at 10× the same shift raises no warning
  await effect.getByLabel('Warn above this many times the peak').fill('10');
  await expect(effect.getByTestId('effect-warnings')).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
});

test('a version scaled to zero pods is flagged when the new weights send it requests', async ({ page }) => {
  await new Kube().scale(NS, 'reviews-v3', 0);
  const dialog = await openWizard(page, consoleUrl(), NS, 'reviews', 'Traffic Shifting');
  const effect = dialog.getByTestId('effect-preview');
  await expect(effect.getByTestId('effect-v3')).toContainText('0/0', { timeout: 30_000 });
  await dialog.getByLabel('Weight of v1').fill('80');
  await dialog.getByLabel('Weight of v3').fill('20');
  await dialog.getByLabel('Weight of v2').fill('0');
  await expect(dialog.getByTestId('weight-total')).toHaveText('100 %');
  await expect(effect.getByTestId('effect-warning-v3')).toContainText(/no ready pod .* would fail \(503\)/, {
    timeout: 15_000,
  });
  await expect(effect.getByTestId('effect-warning-v1')).toHaveCount(0);
  // nothing to v3: no warning
  await dialog.getByLabel('Weight of v3').fill('0');
  await dialog.getByLabel('Weight of v2').fill('20');
  await expect(dialog.getByTestId('weight-total')).toHaveText('100 %');
  await expect(effect.getByTestId('effect-warning-v3')).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await new Kube().scale(NS, 'reviews-v3', 1);
});

test('Request Routing by header says what metrics cannot tell, and bounds it', async ({ page }) => {
  const dialog = await openWizard(page, consoleUrl(), NS, 'reviews', 'Request Routing');
  const effect = dialog.getByTestId('effect-preview');
  // the form starts with end-user = jason → v2, every other request → v1
  await expect(effect.getByTestId('effect-uncertain')).toContainText(
    'rule 1 (header end-user exact "jason")',
    {
      timeout: 30_000,
    },
  );
  await expect.poll(() => rps(effect.getByTestId('effect-predicted-v1'))).toBeGreaterThan(0);
  const v2 = effect.getByTestId('effect-predicted-v2');
  await expect(v2).toContainText('0 rps');
  await expect(v2).toContainText(/up to [\d.]+ rps/);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
});
