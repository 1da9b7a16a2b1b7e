import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { consoleUrl } from '../support/graph';
import { resetIstioConfig } from '../support/mesh';

/**
 * The Istio Config list and the YAML editor, on a VirtualService this file writes through the routing API
 * (in order: each edit starts from the weights the one before saved). The file starts from the scenario's
 * Istio config and puts it back when it ends.
 */
test.describe.configure({ mode: 'serial' });

const NS = 'bookinfo';
const api = (path: string) => `${consoleUrl()}/api/namespaces/${NS}${path}`;
// Writes through the API carry the console's own Origin, as its page does (the server refuses others).

interface VsAnswer {
  object: { metadata: { resourceVersion: string }; spec: { http: { route: { weight?: number }[] }[] } };
}
const readWeights = async () =>
  ((await (await fetch(api('/istio/virtualservices/reviews'))).json()) as VsAnswer).object.spec.http
    .at(-1)
    ?.route.map((r) => r.weight);

test.beforeAll(async () => {
  await resetIstioConfig();
  const res = await fetch(api('/services/reviews/routing'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: new URL(consoleUrl()).origin },
    body: JSON.stringify({ trafficShifting: { v1: 80, v2: 20 } }),
  });
  expect(res.status).toBe(200);
});
test.afterAll(async () => {
  await resetIstioConfig();
});

async function editorText(page: Page): Promise<string> {
  // one .cm-line per line; the document ends with a newline (an empty last line)
  const lines = await page.locator('.cm-content .cm-line').allInnerTexts();
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

async function replaceText(page: Page, text: string) {
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
}

test('the Istio Config list shows the VirtualService, its validation and the services it touches', async ({
  page,
}) => {
  await page.goto(`${consoleUrl()}/istio?namespaces=${NS}`);
  const table = page.getByRole('table', { name: 'Istio objects' });
  const row = table.getByRole('row').filter({ hasText: 'VirtualService' }).filter({ hasText: 'reviews' });
  await expect(row).toHaveCount(1, { timeout: 20_000 });
  await expect(row.getByTestId('validation')).toContainText('Valid');
  await page.getByLabel('Kind').selectOption('DestinationRule');
  await expect(table.getByRole('row').filter({ hasText: 'VirtualService' })).toHaveCount(0);
  await page.getByLabel('Kind').selectOption('');
  // the service link opens the graph focused on reviews
  await row.getByRole('link', { name: 'reviews', exact: true }).last().click();
  await expect(page).toHaveURL(/\/graph\?.*focus=svc%3Abookinfo%2Freviews/);
});

test('an invalid weight shows a marker at its line and is not saved', async ({ page }) => {
  await page.goto(`${consoleUrl()}/istio/${NS}/virtualservices/reviews`);
  await expect(page.locator('.cm-content')).toContainText('weight: 80', { timeout: 20_000 });
  await expect(page.getByTestId('editor-status')).toHaveText(/valid/);
  const original = await editorText(page);
  const edited = original.replace('weight: 80', 'weight: abc');
  const line = edited.split('\n').findIndex((l) => l.includes('weight: abc')) + 1;
  expect(line).toBeGreaterThan(1);
  await replaceText(page, edited);

  const problems = page.getByTestId('problems');
  await expect(problems).toContainText(`line ${line}`, { timeout: 15_000 });
  await expect(problems).toContainText('spec/http[0]/route[0]/weight');
  // the marker underlines the weight on that line, and the gutter marks it
  await expect(page.locator('.cm-lintRange-error')).toContainText('abc');
  await expect(page.locator('.cm-gutter-lint .cm-lint-marker-error')).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'Review & save' })).toBeDisabled();
  expect(await readWeights()).toEqual([80, 20]);
});

test('a valid edit shows the diff against the cluster, then saves', async ({ page }) => {
  await page.goto(`${consoleUrl()}/istio/${NS}/virtualservices/reviews`);
  await expect(page.locator('.cm-content')).toContainText('weight: 80', { timeout: 20_000 });
  const original = await editorText(page);
  await replaceText(page, original.replace('weight: 80', 'weight: 70').replace('weight: 20', 'weight: 30'));
  await expect(page.getByTestId('editor-status')).toHaveText(/^valid/, { timeout: 15_000 });
  await page.getByRole('button', { name: 'Review & save' }).click();
  const diff = page.getByTestId('diff');
  await expect(diff.locator('.diff-row.diff-del')).toHaveText([/^-\s+weight: 80$/, /^-\s+weight: 20$/]);
  await expect(diff.locator('.diff-row.diff-add')).toHaveText([/^\+\s+weight: 70$/, /^\+\s+weight: 30$/]);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('editor-status')).toContainText('saved');
  expect(await readWeights()).toEqual([70, 30]);
});

test('a save over someone else’s change is refused with their version, and can reload it', async ({
  page,
}) => {
  await page.goto(`${consoleUrl()}/istio/${NS}/virtualservices/reviews`);
  await expect(page.locator('.cm-content')).toContainText('weight: 70', { timeout: 20_000 });
  const mine = (await editorText(page))
    .replace('weight: 70', 'weight: 90')
    .replace('weight: 30', 'weight: 10');
  await replaceText(page, mine);
  await expect(page.getByTestId('editor-status')).toHaveText(/^valid/, { timeout: 15_000 });

  // Meanwhile another user changes the object (through the console's API, as a second browser would).
  const theirs = (await (await fetch(api('/istio/virtualservices/reviews'))).json()) as VsAnswer;
  const route = theirs.object.spec.http.at(-1)!.route;
  route[0]!.weight = 60;
  route[1]!.weight = 40;
  const put = await fetch(api('/istio/virtualservices/reviews'), {
    method: 'PUT',
    headers: { 'content-type': 'application/json', origin: new URL(consoleUrl()).origin },
    body: JSON.stringify(theirs.object),
  });
  expect(put.status).toBe(200);

  await page.getByRole('button', { name: 'Review & save' }).click();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  const conflict = page.getByRole('alert').filter({ hasText: 'Someone changed this object' });
  await expect(conflict).toBeVisible();
  // their version against mine, line by line (their newer resourceVersion and generation show too)
  const rows = (kind: string) =>
    conflict.getByTestId('diff').locator(`.diff-row.diff-${kind}`).filter({ hasText: 'weight' });
  await expect(rows('del')).toHaveText([/^-\s+weight: 60$/, /^-\s+weight: 40$/]);
  await expect(rows('add')).toHaveText([/^\+\s+weight: 90$/, /^\+\s+weight: 10$/]);
  expect(await readWeights()).toEqual([60, 40]); // nothing of mine was written

  await conflict.getByRole('button', { name: /Reload theirs/ }).click();
  await expect(page.locator('.cm-content')).toContainText('weight: 60');
  await expect(page.locator('.cm-content')).not.toContainText('weight: 90');
});
