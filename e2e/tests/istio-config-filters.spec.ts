import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { consoleUrl } from '../support/graph';
import { Kube } from '../support/kube';
import { createNamespace, deleteNamespace, e2eKubeconfig } from '../support/namespace';

/**
 * Issue 16, item 10: the Istio Config list's filters (kind, validation, service) live in the URL, so a
 * reload, Back from an object's editor and the editor's own way back keep them. The objects are this
 * file's own, in a namespace it creates on the shared stack and deletes afterwards.
 */
const NS = 'i16-config-filters';
const HOST = 'i16-filters.example.com';
const objects = [
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    // a host nobody serves: a warning
    metadata: { name: 'filters-dr' },
    spec: { host: HOST, subsets: [{ name: 'v1', labels: { version: 'v1' } }] },
  },
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    // a subset no DestinationRule defines: an error
    metadata: { name: 'filters-vs' },
    spec: { hosts: [HOST], http: [{ route: [{ destination: { host: HOST, subset: 'nope' } }] }] },
  },
];

test.beforeAll(async () => {
  await createNamespace(e2eKubeconfig(), NS);
  const kube = new Kube(e2eKubeconfig());
  for (const o of objects) await kube.apply(o, NS);
});

test.afterAll(async () => {
  const kube = new Kube(e2eKubeconfig());
  for (const o of objects) await kube.delete(o, NS);
  await deleteNamespace(e2eKubeconfig(), NS);
});

const rows = (page: Page) =>
  page
    .getByRole('table', { name: 'Istio objects' })
    .locator('tbody tr')
    .filter({ has: page.getByRole('link') });
const kind = (page: Page) => page.getByTestId('filter-kind');
const validation = (page: Page) => page.getByTestId('filter-validation');
const service = (page: Page) => page.getByTestId('filter-service');
const param = (page: Page, name: string) => new URL(page.url()).searchParams.get(name);

async function expectRows(page: Page, expected: string[]): Promise<void> {
  await expect
    .poll(async () => (await rows(page).locator('td:first-child').allInnerTexts()).sort(), {
      timeout: 20_000,
    })
    .toEqual(expected);
}

test('the Istio Config filters survive a reload, Back from the editor and the editor’s way back', async ({
  page,
}) => {
  await page.goto(`${consoleUrl()}/istio?namespaces=${NS}`);
  await expectRows(page, ['filters-dr', 'filters-vs']);

  await kind(page).selectOption('VirtualService');
  await expectRows(page, ['filters-vs']);
  expect(param(page, 'kind')).toBe('VirtualService');
  await validation(page).selectOption('error');
  await expectRows(page, ['filters-vs']);
  expect(param(page, 'validation')).toBe('error');
  await validation(page).selectOption('warning');
  await expectRows(page, []);
  await kind(page).selectOption('');
  await expectRows(page, ['filters-dr']);
  expect(param(page, 'kind')).toBeNull();
  // Back undoes the last choice (kind: all → VirtualService), and the list follows
  await page.goBack();
  await expect(kind(page)).toHaveValue('VirtualService');
  await expect(validation(page)).toHaveValue('warning');
  await expectRows(page, []);
  await validation(page).selectOption('error');

  // a reload keeps every filter, the service text included
  await service(page).fill('reviews');
  await expectRows(page, []);
  await expect.poll(() => param(page, 'service')).toBe('reviews');
  await page.reload();
  await expect(kind(page)).toHaveValue('VirtualService');
  await expect(validation(page)).toHaveValue('error');
  await expect(service(page)).toHaveValue('reviews');
  await expectRows(page, []);
  await service(page).fill('');
  await expectRows(page, ['filters-vs']);
  expect(param(page, 'namespaces')).toBe(NS);

  // into the editor and Back
  await rows(page).getByRole('link', { name: 'filters-vs' }).click();
  await expect(page).toHaveURL(new RegExp(`/istio/${NS}/virtualservices/filters-vs`));
  await page.goBack();
  await expect(kind(page)).toHaveValue('VirtualService');
  await expect(validation(page)).toHaveValue('error');
  await expectRows(page, ['filters-vs']);

  // into the editor, and back through its own link
  await rows(page).getByRole('link', { name: 'filters-vs' }).click();
  await page.getByRole('link', { name: '← Istio Config' }).click();
  await expect(page).toHaveURL(/\/istio\?/);
  await expect(kind(page)).toHaveValue('VirtualService');
  await expect(validation(page)).toHaveValue('error');
  await expectRows(page, ['filters-vs']);
});
