import { expect, test, type Page } from '@playwright/test';
import { reviewsTimeouts, writeInDefault } from '../support/authWrites';
import { cyState, tapElement, waitForGraph } from '../support/graph';
import {
  addExpiredSession,
  AUTH_NS,
  backAt,
  reviewsGraphUrl,
  startAuthStack,
  type AuthStack,
  type DemoUser,
} from '../support/authStack';

/**
 * Sign-in with strategy token, in Chromium, on a stack of its own: the console started with
 * `--auth-strategy token` against the demo cluster with its three users (admin, bookinfo-editor, viewer;
 * tokens in STATE/users.json) and their RBAC. Each test signs in in a fresh browser context.
 */
test.describe.configure({ mode: 'serial' });

const NS = AUTH_NS;
let auth: AuthStack;
let url: string;
const tokenOf = (name: DemoUser['name']) => auth.user(name).token;
const graphUrl = (service = 'reviews') => reviewsGraphUrl(url, service);

test.beforeAll(async () => {
  test.setTimeout(240_000);
  auth = await startAuthStack({
    label: 'auth',
    auth: 'token',
    consoleArgs: ['--auth-strategy', 'token'],
    sessionKey: true,
  });
  url = auth.url;
});

test.afterAll(async () => {
  await auth?.stop();
});

/** Signs in on the sign-in page the console sends an anonymous visitor of `target` to, and lands there. */
async function signIn(page: Page, token: string, target = graphUrl()) {
  await page.goto(target);
  await expect(page).toHaveURL(/\/signin\?next=/);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await backAt(page, url, target);
}

test('sign in, and see only the namespaces the user may read', async ({ page }) => {
  await page.goto(`${url}/graph?namespaces=${NS}`);
  await expect(page).toHaveURL(/\/signin\?next=%2Fgraph%3Fnamespaces%3Dbookinfo/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.getByLabel('Token').fill('not-a-token-of-this-cluster');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('signin-error')).toHaveText('The API server did not accept this token.');

  await page.getByLabel('Token').fill(tokenOf('bookinfo-editor'));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await backAt(page, url, `${url}/graph?namespaces=${NS}`);
  await expect(page.getByTestId('whoami-user')).toHaveText('bookinfo-editor');
  await page.getByTestId('namespace-picker').click();
  const listed = page.getByRole('dialog', { name: 'Namespaces' }).getByRole('list', { name: 'Namespaces' });
  await expect(listed.locator('li')).toHaveText([NS]);
  // Its callers in namespaces the editor may not read (the ingress gateway of istio-system) are one node,
  // "no access", that names none of them.
  await page.keyboard.press('Escape');
  await waitForGraph(page);
  await expect.poll(async () => (await cyState(page)).nodes, { timeout: 30_000 }).toContain('inaccessible');
  expect((await cyState(page)).nodes.join(' ')).not.toContain('istio-system');
  await tapElement(page, 'inaccessible');
  await expect(page.getByTestId('inaccessible')).toHaveText('namespaces you may not read');

  // The viewer reads every namespace.
  const viewer = await page.context().browser()!.newContext();
  const vpage = await viewer.newPage();
  await signIn(vpage, tokenOf('viewer'), `${url}/istio?namespaces=${NS}`);
  await vpage.getByTestId('namespace-picker').click();
  const all = await vpage
    .getByRole('dialog', { name: 'Namespaces' })
    .getByRole('list', { name: 'Namespaces' })
    .locator('li')
    .allTextContents();
  expect(all).toEqual(expect.arrayContaining([NS, 'istio-system', 'default']));
  await viewer.close();
});

test('a viewer finds every write control disabled, saying which permission is missing', async ({ page }) => {
  await signIn(page, tokenOf('viewer'));
  const panel = page.getByTestId('side-panel');
  await expect(panel.getByTestId('panel-title')).toHaveText('reviews');
  await expect(panel.getByRole('button', { name: /Actions/ })).toBeDisabled();
  await expect(panel.getByTestId('actions-denied')).toHaveText(
    `You may not create virtualservices.networking.istio.io in ${NS}`,
  );

  // The editor of an Istio object: read-only, Review & save disabled, the reason shown.
  const config = await page.evaluate(async (ns) => {
    const res = await fetch(`api/istio/config?namespaces=${ns}`);
    return (await res.json()) as {
      items: { kind: string; metadata: { name: string } }[];
      kinds: { kind: string; plural: string }[];
    };
  }, NS);
  const first = config.items[0];
  expect(first, 'the bookinfo scenario has Istio objects').toBeDefined();
  const plural = config.kinds.find((k) => k.kind === first!.kind)!.plural;
  await page.goto(`${url}/istio/${NS}/${plural}/${first!.metadata.name}`);
  await expect(page.getByTestId('save-denied')).toContainText(
    `You may not update ${plural}.networking.istio.io "${first!.metadata.name}" in ${NS}`,
  );
  await expect(page.getByRole('button', { name: 'Review & save' })).toBeDisabled();
  await expect(page.getByTestId('editor-status')).toHaveText('read-only');
});

test('a write that gets past the UI is refused by the API server, and the page says who was refused what', async ({
  page,
}) => {
  await signIn(page, tokenOf('viewer'));
  // Pretend every access review said yes: the UI lets the viewer open a wizard.
  await page.route('**/api/auth/can-i', async (route) => {
    const { checks } = route.request().postDataJSON() as { checks: object[] };
    await route.fulfill({
      json: { results: checks.map((c) => ({ ...c, allowed: true, message: 'pretend' })) },
    });
  });
  await page.reload();
  const panel = page.getByTestId('side-panel');
  await panel.getByRole('button', { name: /Actions/ }).click();
  await page.getByRole('menuitem', { name: 'Timeouts & Retries' }).click();
  const dialog = page.getByRole('dialog', { name: /Timeouts & Retries/ });
  await dialog.getByLabel('Request timeout').fill('3s');
  const refusal = dialog.getByTestId('write-error').first();
  await expect(refusal).toContainText('Not allowed for viewer.');
  await expect(refusal).toContainText('Kubernetes refused viewer');
  await expect(refusal).toContainText('User "viewer" cannot');
});

test('the bookinfo editor writes in bookinfo and is refused elsewhere', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, tokenOf('bookinfo-editor'));
  const panel = page.getByTestId('side-panel');
  await panel.getByRole('button', { name: /Actions/ }).click();
  await expect(page.getByRole('menuitem', { name: 'Timeouts & Retries' })).toBeEnabled();
  await page.getByRole('menuitem', { name: 'Timeouts & Retries' }).click();
  const dialog = page.getByRole('dialog', { name: /Timeouts & Retries/ });
  await dialog.getByLabel('Request timeout').fill('7s');
  await expect(dialog.getByTestId('yaml-preview')).toContainText('timeout: 7s');
  const apply = dialog.getByRole('button', { name: 'Apply', exact: true });
  await expect(apply).toBeEnabled();
  await apply.click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });

  expect(await reviewsTimeouts(page, NS)).toContain('7s');

  // Elsewhere: the API server refuses the editor's own token, and the answer says who and what.
  const refused = await writeInDefault(page, { csrf: true });
  expect(refused.status).toBe(403);
  expect(refused.body.error.message).toMatch(
    /^Kubernetes refused bookinfo-editor: .*User "bookinfo-editor" cannot/,
  );
  // (The stack is this file's own: nothing to put back.)
});

test('sign-out ends the session: the pages lead to the sign-in page again', async ({ page }) => {
  await signIn(page, tokenOf('viewer'));
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signin$/);
  const cookies = await page.context().cookies();
  expect(cookies.filter((c) => c.name.startsWith('meshlens-session'))).toEqual([]);
  await page.goto(`${url}/istio?namespaces=${NS}`);
  await expect(page).toHaveURL(/\/signin\?next=%2Fistio/);
});

test('an expired session leads to the sign-in page, which says so, then back to the page', async ({
  page,
}) => {
  await addExpiredSession(page, auth, { u: 'viewer', g: ['system:authenticated'], t: tokenOf('viewer') });
  const target = `${url}/istio?namespaces=${NS}`;
  await page.goto(target);
  await expect(page).toHaveURL(/\/signin\?next=%2Fistio%3Fnamespaces%3Dbookinfo/);
  await expect(page.getByTestId('signin-notice')).toHaveText('Your session expired; sign in again.');
  await page.getByLabel('Token').fill(tokenOf('viewer'));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await backAt(page, url, target);
  await expect(page.getByTestId('whoami-user')).toHaveText('viewer');
});
