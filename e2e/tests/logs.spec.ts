import { expect, test } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { auditContrast } from '../support/contrast';
import { consoleUrl } from '../support/graph';
import { Kube } from '../support/kube';
import { resetIstioConfig } from '../support/mesh';
import { e2eKubeconfig } from '../support/namespace';

/**
 * Issue 12, logs: reviews-v1's app container and its istio-proxy side by side (real lines from mesh-sim,
 * through the demo cluster's pods/log and the console's streaming route), follow showing new lines as
 * they come, a search and a hide expression filtering them, merged by time, legible in both themes.
 * The page is the workload detail page's Logs tab. The last test injects a fault into ratings; the file restores the baseline.
 */
const PAGE = () => `${consoleUrl()}/namespaces/bookinfo/workloads/reviews-v1/logs`;

test.beforeAll(async () => {
  await resetIstioConfig();
});

test.afterAll(async () => {
  await resetIstioConfig();
});

const pane = (page: Page, container: string) => page.getByRole('region', { name: `${container} log` });
const rows = (p: Locator) => p.locator('.log-row');

async function openLogs(page: Page): Promise<void> {
  await page.goto(PAGE());
  await expect(page.getByRole('heading', { name: 'Workload reviews-v1' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Logs' })).toHaveAttribute('aria-current', 'page');
  await expect(rows(pane(page, 'reviews')).first()).toBeVisible();
  await expect(rows(pane(page, 'istio-proxy')).first()).toBeVisible();
}

test('reviews-v1: the app container and istio-proxy side by side', async ({ page }, info) => {
  await openLogs(page);
  // The app's own lines, and the sidecar's Envoy access lines with their response code.
  await expect(rows(pane(page, 'reviews')).first()).toContainText(/(INFO|WARN|ERROR) +GET \/reviews\/0/);
  const access = rows(pane(page, 'istio-proxy')).first();
  await expect(access).toContainText(/"GET \/reviews\/0 HTTP\/1\.1" \d{3} /);
  await expect(access.locator('.log-code')).toHaveText(/^\d{3}$/);
  await page.screenshot({ path: info.outputPath('logs-light.png') });
  expect(await auditContrast(page, '.logs-panel')).toEqual([]);
  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.screenshot({ path: info.outputPath('logs-dark.png') });
  expect(await auditContrast(page, '.logs-panel')).toEqual([]);
  await page.getByRole('button', { name: 'Switch to light theme' }).click();
});

test('follow: new lines arrive while following', async ({ page }) => {
  await openLogs(page);
  const proxy = pane(page, 'istio-proxy');
  await page.getByRole('button', { name: '▶ Follow' }).click();
  await expect(page.getByRole('button', { name: '■ Following' })).toHaveAttribute('aria-pressed', 'true');
  await expect(proxy.getByText('Following')).toBeVisible();
  const lastTime = () => rows(proxy).last().locator('time').getAttribute('datetime');
  await expect(rows(proxy).first()).toBeVisible();
  const before = await lastTime();
  // Lines written after the follow began appear without a reload.
  await expect.poll(lastTime, { timeout: 20_000 }).not.toBe(before);
  const countBefore = await rows(proxy).count();
  await expect.poll(() => rows(proxy).count(), { timeout: 20_000 }).toBeGreaterThan(countBefore);
});

test('a search and a hide expression filter the lines; merged by time shows both', async ({ page }) => {
  await openLogs(page);
  const app = pane(page, 'reviews');
  const proxy = pane(page, 'istio-proxy');
  // "inbound|" is in every access line of this pod and in no app line.
  await page.getByRole('searchbox', { name: 'Search the lines' }).fill('inbound|');
  await expect(app.getByText('No line matches the filters.')).toBeVisible();
  await expect(rows(proxy).first()).toBeVisible();
  await expect(proxy.locator('mark').first()).toHaveText('inbound|');
  const matching = await rows(proxy).count();
  const total = Number(
    /of (\d+) lines/.exec((await proxy.locator('.log-count').textContent()) ?? '')?.[1] ?? matching,
  );
  expect(matching).toBe(Math.min(total, 2000));
  await page.getByRole('searchbox', { name: 'Search the lines' }).fill('');
  // Hide by expression: the app's INFO lines go, the access lines stay.
  await page.getByRole('textbox', { name: 'Regular expression' }).fill('\\bINFO\\b');
  await page.getByRole('combobox', { name: 'Expression mode' }).selectOption('hide');
  await expect(rows(app).filter({ hasText: /\bINFO\b/ })).toHaveCount(0);
  await expect(rows(proxy).first()).toBeVisible();
  // A broken expression is said, not thrown.
  await page.getByRole('textbox', { name: 'Regular expression' }).fill('([');
  await expect(page.getByRole('alert')).toContainText('Not a regular expression');
  await page.getByRole('textbox', { name: 'Regular expression' }).fill('');
  // Merged: one pane whose rows are tagged with their container, in time order.
  await page.getByRole('radio', { name: 'Merged by time' }).click();
  const merged = page.getByRole('region', { name: /reviews \+ istio-proxy log/ });
  await expect(merged.locator('.log-tag', { hasText: 'istio-proxy' }).first()).toBeVisible();
  await expect(merged.locator('.log-tag', { hasText: 'reviews' }).first()).toBeVisible();
  const times = await merged
    .locator('.log-row time')
    .evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime') ?? ''));
  const key = (t: string) => t.replace(/(\.\d+)?Z$/, (m) => `${(m.slice(1, -1) || '').padEnd(9, '0')}Z`);
  expect(times.map(key)).toEqual([...times.map(key)].sort());
});

test('error lines are marked: a fault injected into ratings shows at reviews-v2', async ({ page }, info) => {
  await new Kube(e2eKubeconfig()).apply(
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'ratings' },
      spec: {
        hosts: ['ratings'],
        http: [
          {
            fault: { abort: { percentage: { value: 50 }, httpStatus: 503 } },
            route: [{ destination: { host: 'ratings' } }],
          },
        ],
      },
    },
    'bookinfo',
  );
  await page.goto(`${consoleUrl()}/namespaces/bookinfo/workloads/reviews-v2/logs`);
  const proxy = pane(page, 'istio-proxy');
  await page.getByRole('button', { name: '▶ Follow' }).click();
  // reviews-v2's proxy logs its calls to ratings: the aborted ones are 503 FI, marked as errors.
  // Earlier specs may have left older aborts (another status) in this pod's log: look for this one's 503.
  const faulted = proxy
    .locator('.log-row.sev-error', { hasText: 'fault_filter_abort' })
    .filter({ has: page.locator('.log-code', { hasText: /^503$/ }) })
    .first();
  await expect(faulted).toBeVisible({ timeout: 30_000 });
  await expect(faulted.locator('.log-code')).toHaveText('503');
  await expect(faulted.locator('.log-flags')).toHaveText('FI');
  await page.getByRole('checkbox', { name: 'Errors only' }).check();
  await expect(proxy.locator('.log-row:not(.sev-error)')).toHaveCount(0);
  await expect(proxy.locator('.log-row.sev-error').first()).toBeVisible();
  await page.screenshot({ path: info.outputPath('logs-errors-light.png') });
  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await page.getByRole('checkbox', { name: 'Errors only' }).uncheck();
  await page.screenshot({ path: info.outputPath('logs-errors-dark.png') });
  expect(await auditContrast(page, '.logs-panel')).toEqual([]);
  await page.getByRole('button', { name: 'Switch to light theme' }).click();
});
