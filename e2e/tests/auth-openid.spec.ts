import { expect, test, type Page } from '@playwright/test';
import { reviewsTimeouts, writeInDefault } from '../support/authWrites';
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
 * Sign-in with strategy openid, in Chromium, on a stack of its own: `startStack({ auth: 'openid' })` runs
 * the demo's OpenID provider (oidc-provider) with the three demo users and per-run passwords (listed in
 * STATE/users.json), the demo cluster trusting its ID tokens, and the console signing people in with it.
 * Each test signs in through the provider's login form in a fresh browser context.
 */
test.describe.configure({ mode: 'serial' });

const NS = AUTH_NS;
const PROVIDER = 'the demo identity provider';
let auth: AuthStack;
let url: string;
const passwordOf = (name: DemoUser['name']) => {
  const password = auth.user(name).password;
  if (!password) throw new Error(`users.json lists no password for ${name}`);
  return password;
};
const graphUrl = (service = 'reviews') => reviewsGraphUrl(url, service);

test.beforeAll(async () => {
  test.setTimeout(240_000);
  auth = await startAuthStack({ label: 'openid', auth: 'openid', consoleArgs: [], sessionKey: true });
  url = auth.url;
});

test.afterAll(async () => {
  await auth?.stop();
});

/** On the provider's login form: fills it in as `name` and submits. */
async function providerLogin(page: Page, name: DemoUser['name'], password = passwordOf(name)) {
  await expect(page).toHaveURL(new RegExp(`^${auth.stack.endpoints.oidc!.issuer}/interaction/`));
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Signs in from the sign-in page the console sends an anonymous visitor of `target` to, and lands there. */
async function signIn(page: Page, name: DemoUser['name'], target = graphUrl()) {
  await page.goto(target);
  await expect(page).toHaveURL(/\/signin\?next=/);
  await page.getByRole('link', { name: `Sign in with ${PROVIDER}` }).click();
  await providerLogin(page, name);
  await backAt(page, url, target);
  await expect(page.getByTestId('whoami-user')).toHaveText(name);
}

test('sign in through the provider, and see only the namespaces the user may read', async ({ page }) => {
  await page.goto(`${url}/graph?namespaces=${NS}`);
  await expect(page).toHaveURL(/\/signin\?next=%2Fgraph%3Fnamespaces%3Dbookinfo/);
  await page.getByRole('link', { name: `Sign in with ${PROVIDER}` }).click();
  // A wrong password: the provider's form says so, and the user stays there.
  await providerLogin(page, 'bookinfo-editor', 'not-the-password');
  await expect(page.getByRole('alert')).toHaveText('Wrong user name or password.');
  await page.getByLabel('Password').fill(passwordOf('bookinfo-editor'));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await backAt(page, url, `${url}/graph?namespaces=${NS}`);
  await expect(page.getByTestId('whoami-user')).toHaveText('bookinfo-editor');
  await page.getByTestId('namespace-picker').click();
  const listed = page.getByRole('dialog', { name: 'Namespaces' }).getByRole('list', { name: 'Namespaces' });
  await expect(listed.locator('li')).toHaveText([NS]);

  for (const name of ['viewer', 'admin'] as const) {
    const other = await page.context().browser()!.newContext();
    const opage = await other.newPage();
    await signIn(opage, name, `${url}/istio?namespaces=${NS}`);
    await opage.getByTestId('namespace-picker').click();
    const all = await opage
      .getByRole('dialog', { name: 'Namespaces' })
      .getByRole('list', { name: 'Namespaces' })
      .locator('li')
      .allTextContents();
    expect(all, name).toEqual(expect.arrayContaining([NS, 'istio-system', 'default']));
    await other.close();
  }
});

test('cancelling at the provider lands on the sign-in page, which says so', async ({ page }) => {
  await page.goto(`${url}/istio?namespaces=${NS}`);
  await page.getByRole('link', { name: `Sign in with ${PROVIDER}` }).click();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page).toHaveURL(/\/signin\?next=%2Fistio%3Fnamespaces%3Dbookinfo$/);
  await expect(page.getByTestId('signin-notice')).toHaveText(
    `${PROVIDER} did not sign you in (access denied: the user cancelled the sign-in).`,
  );
});

test('a viewer finds every write control disabled, saying which permission is missing', async ({ page }) => {
  await signIn(page, 'viewer');
  const panel = page.getByTestId('side-panel');
  await expect(panel.getByTestId('panel-title')).toHaveText('reviews');
  await expect(panel.getByRole('button', { name: /Actions/ })).toBeDisabled();
  await expect(panel.getByTestId('actions-denied')).toHaveText(
    `You may not create virtualservices.networking.istio.io in ${NS}`,
  );
});

test('the bookinfo editor writes in bookinfo and is refused elsewhere', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, 'bookinfo-editor');
  const panel = page.getByTestId('side-panel');
  await panel.getByRole('button', { name: /Actions/ }).click();
  await page.getByRole('menuitem', { name: 'Timeouts & Retries' }).click();
  const dialog = page.getByRole('dialog', { name: /Timeouts & Retries/ });
  await dialog.getByLabel('Request timeout').fill('9s');
  await expect(dialog.getByTestId('yaml-preview')).toContainText('timeout: 9s');
  await dialog.getByRole('button', { name: 'Apply', exact: true }).click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });
  expect(await reviewsTimeouts(page, NS)).toContain('9s');

  const refused = await writeInDefault(page, { csrf: true });
  expect(refused.status).toBe(403);
  expect(refused.body.error.message).toMatch(
    /^Kubernetes refused bookinfo-editor: .*User "bookinfo-editor" cannot/,
  );
});

test('sign-out ends the session here and at the provider', async ({ page }) => {
  await signIn(page, 'viewer');
  await page.getByRole('button', { name: 'Sign out' }).click();
  // The provider asks, then sends the browser back to the console's sign-in page.
  await expect(page).toHaveURL(new RegExp(`^${auth.stack.endpoints.oidc!.issuer}/session/end`));
  await page.getByRole('button', { name: 'Yes, sign me out' }).click();
  await expect(page).toHaveURL(new RegExp(`^${url}/signin`));
  const cookies = await page.context().cookies(url);
  expect(cookies.filter((c) => c.name.startsWith('meshlens-session'))).toEqual([]);
  // Signing in again needs the password again: the provider's session ended too.
  await page.goto(`${url}/istio?namespaces=${NS}`);
  await expect(page).toHaveURL(/\/signin\?next=%2Fistio/);
  await page.getByRole('link', { name: `Sign in with ${PROVIDER}` }).click();
  await expect(page.getByLabel('Password')).toBeVisible();
});

test('an expired session leads to the sign-in page, which says so, then back to the page', async ({
  page,
}) => {
  await addExpiredSession(page, auth, { u: 'viewer', g: [], t: 'an-id-token-that-ended' });
  const target = `${url}/istio?namespaces=${NS}`;
  await page.goto(target);
  await expect(page).toHaveURL(/\/signin\?next=%2Fistio%3Fnamespaces%3Dbookinfo/);
  await expect(page.getByTestId('signin-notice')).toHaveText('Your session expired; sign in again.');
  await page.getByRole('link', { name: `Sign in with ${PROVIDER}` }).click();
  await providerLogin(page, 'viewer');
  await backAt(page, url, target);
  await expect(page.getByTestId('whoami-user')).toHaveText('viewer');
});
