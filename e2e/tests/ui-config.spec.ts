import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startStack, type Stack } from '@meshlens/stack';
import { WEB_TEST_DIR } from '../support/buildWeb';

/**
 * The UI takes its defaults from the server (`/api/config`): a console started with a non-default
 * `--duration`, `--refresh-interval` and `--graph-type` opens the graph with them (the pickers and the
 * graph request), offers them as choices, and a URL's own values still win. A stack of its own.
 */
test.describe.configure({ mode: 'serial' });

const NS = 'bookinfo';
let stack: Stack;
let stateDir: string;
let url: string;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  stateDir = mkdtempSync(join(tmpdir(), 'meshlens-e2e-uiconfig-'));
  stack = await startStack({
    scenario: 'bookinfo',
    stateDir,
    scrapeIntervalSeconds: 2,
    consoleArgs: [
      '--web-dir',
      WEB_TEST_DIR,
      '--duration',
      '2h',
      '--refresh-interval',
      '45s',
      '--graph-type',
      'workload',
      '--log-level',
      'warn',
    ],
    handleSignals: false,
    onProgress: (m) => process.stderr.write(`[e2e ui-config stack] ${m}\n`),
  });
  if (!stack.urls.console) throw new Error('the stack started without a console');
  url = stack.urls.console.replace(/\/+$/, '');
});

test.afterAll(async () => {
  await stack?.stop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

test('the graph opens with the server-configured range, refresh and graph type', async ({ page }) => {
  const graphRequest = page.waitForRequest(
    (r) =>
      new URL(r.url()).pathname.endsWith('/api/graph') &&
      new URL(r.url()).searchParams.get('duration') === '7200' &&
      new URL(r.url()).searchParams.get('graphType') === 'workload',
  );
  await page.goto(`${url}/graph?namespaces=${NS}`);
  await graphRequest;
  await expect(page.getByTestId('duration')).toHaveValue('7200');
  await expect(page.getByTestId('refresh')).toHaveValue('45000');
  await expect(page.getByTestId('graph-type')).toHaveValue('workload');
  await expect(page.getByTestId('duration').locator('option:checked')).toHaveText('Last 2h');
  await expect(page.getByTestId('refresh').locator('option:checked')).toHaveText('Every 45s');
  // The server's defaults stay out of the URL: a shared link follows the server's settings.
  expect(new URL(page.url()).searchParams.has('duration')).toBe(false);
});

test("the URL's own range and refresh win over the server's defaults", async ({ page }) => {
  const graphRequest = page.waitForRequest(
    (r) =>
      new URL(r.url()).pathname.endsWith('/api/graph') &&
      new URL(r.url()).searchParams.get('duration') === '300',
  );
  await page.goto(`${url}/graph?namespaces=${NS}&duration=300&refresh=0&graphType=app`);
  await graphRequest;
  await expect(page.getByTestId('duration')).toHaveValue('300');
  await expect(page.getByTestId('refresh')).toHaveValue('0');
  await expect(page.getByTestId('graph-type')).toHaveValue('app');
  // Picking the server's default range removes it from the URL again.
  await page.getByTestId('duration').selectOption('7200');
  await expect(page).toHaveURL((u) => !u.searchParams.has('duration'));
});
