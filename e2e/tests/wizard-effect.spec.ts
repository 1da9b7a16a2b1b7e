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
  await expect.poll(() => rps(effect.getByTestId('effect-now-v1')), { timeout: 30_000 }).toBeGreaterThan(0);
  const versions = ['v1', 'v2', 'v3'];
  // bookinfo without routing: each version gets about a third of reviews' requests now (once the rate
  // window no longer holds the routing a previous spec left: the preview refreshes with the live rates)
  const nowRates = () => Promise.all(versions.map((v) => rps(effect.getByTestId(`effect-now-${v}`))));
  const smallestShare = async () => {
    const now = await nowRates();
    const sum = now.reduce((a, b) => a + b, 0);
    return sum > 0 ? Math.min(...now) / sum : 0;
  };
  await expect.poll(smallestShare, { timeout: 120_000, intervals: [2000] }).toBeGreaterThan(0.15);
  const total = (await nowRates()).reduce((a, b) => a + b, 0);
  await expect(effect.getByTestId('effect-v3')).toContainText('1/1');

  // all of reviews' requests onto the version with the lowest peak of the last hour (other specs may
  // have sent one version everything: never all of them)
  const peaks = await Promise.all(versions.map((v) => rps(effect.getByTestId(`effect-peak-${v}`))));
  const low = versions[peaks.indexOf(Math.min(...peaks))]!;
  const peak = Math.min(...peaks);
  await dialog.getByLabel(`Weight of ${low}`).fill('100');
  await expect(dialog.getByTestId('weight-total')).toHaveText('100 %');
  await expect
    .poll(() => rps(effect.getByTestId(`effect-predicted-${low}`)), { timeout: 15_000 })
    .toBeGreaterThan(total * 0.7);
  for (const v of versions.filter((x) => x !== low))
    expect(await rps(effect.getByTestId(`effect-predicted-${v}`))).toBe(0);
  const ratio = (await rps(effect.getByTestId(`effect-predicted-${low}`))) / peak;
  expect(ratio).toBeGreaterThan(1.5);
  // N below the ratio: a warning naming it; N above: none
  const below = Math.max(1, Math.floor(ratio * 0.7 * 2) / 2);
  await effect.getByLabel('Warn above this many times the peak').fill(String(below));
  await expect(effect.getByTestId(`effect-warning-${low}`)).toContainText(
    new RegExp(`× its peak of the last hour .*warning above ${below}×`),
  );
  await expect(effect.getByTestId('effect-warnings').locator('li')).toHaveCount(1);
  await effect.getByLabel('Warn above this many times the peak').fill(String(Math.ceil(ratio * 1.5)));
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
