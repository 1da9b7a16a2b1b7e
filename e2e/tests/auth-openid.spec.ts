import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { nodeId } from '@meshlens/contract';
import { startStack, type Stack } from '@meshlens/stack';
import { EncryptJWT } from 'jose';
import { WEB_TEST_DIR } from '../support/buildWeb';
import { reviewsTimeouts, writeInDefault } from '../support/authWrites';

/**
 * Sign-in with strategy openid, in Chromium, on a stack of its own: `startStack({ auth: 'openid' })` runs
 * the demo's OpenID provider (oidc-provider) with the three demo users and per-run passwords (listed in
 * STATE/users.json), the demo cluster trusting its ID tokens, and the console signing people in with it.
 * Each test signs in through the provider's login form in a fresh browser context.
 */
test.describe.configure({ mode: 'serial' });

interface DemoUser {
  name: 'admin' | 'bookinfo-editor' | 'viewer';
  token: string;
  password: string;
}

const NS = 'bookinfo';
const PROVIDER = 'the demo identity provider';
const SESSION_KEY = randomBytes(32).toString('base64url');
let stack: Stack;
let stateDir: string;
let url: string;
let users: DemoUser[];

const userOf = (name: DemoUser['name']) => {
  const u = users.find((x) => x.name === name);
  if (!u) throw new Error(`no demo user ${name} in users.json`);
  return u;
};
const graphUrl = (service = 'reviews') =>
  `${url}/graph?namespaces=${NS}&graphType=versionedApp&duration=60&idle=true&selected=${encodeURIComponent(
    nodeId.service(NS, service),
  )}`;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  stateDir = mkdtempSync(join(tmpdir(), 'meshlens-e2e-openid-'));
  // Not STATE/session-key: the stack writes its own key there.
  const keyFile = join(stateDir, 'e2e-session-key');
  writeFileSync(keyFile, `${SESSION_KEY}\n`, { mode: 0o600 });
  stack = await startStack({
    scenario: 'bookinfo',
    stateDir,
    scrapeIntervalSeconds: 2,
    consoleArgs: ['--web-dir', WEB_TEST_DIR, '--session-key-file', keyFile, '--log-level', 'warn'],
    handleSignals: false,
    onProgress: (m) => process.stderr.write(`[e2e openid stack] ${m}\n`),
    auth: 'openid',
  });
  if (!stack.urls.console) throw new Error('the stack started without a console');
  url = stack.urls.console.replace(/\/+$/, '');
  // As a person would: the users and passwords the demo lists in STATE/users.json.
  users = (JSON.parse(readFileSync(join(stateDir, 'users.json'), 'utf8')) as { users: DemoUser[] }).users;
});

test.afterAll(async () => {
  await stack?.stop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

/** On the provider's login form: fills it in as `name` and submits. */
async function providerLogin(page: Page, name: DemoUser['name'], password = userOf(name).password) {
  await expect(page).toHaveURL(new RegExp(`^${stack.endpoints.oidc!.issuer}/interaction/`));
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
  await backAt(page, target);
  await expect(page.getByTestId('whoami-user')).toHaveText(name);
}

/** The page is `target` again (its path and query; the app may add settings to the query). */
async function backAt(page: Page, target: string) {
  await expect(page).toHaveURL(new RegExp(`^${url}/(?!signin)`));
  const want = new URL(target);
  await expect.poll(() => new URL(page.url()).pathname).toBe(want.pathname);
  const got = new URL(page.url()).searchParams;
  for (const [k, v] of want.searchParams) expect(got.get(k), k).toBe(v);
}

test('sign in through the provider, and see only the namespaces the user may read', async ({ page }) => {
  await page.goto(`${url}/graph?namespaces=${NS}`);
  await expect(page).toHaveURL(/\/signin\?next=%2Fgraph%3Fnamespaces%3Dbookinfo/);
  await page.getByRole('link', { name: `Sign in with ${PROVIDER}` }).click();
  // A wrong password: the provider's form says so, and the user stays there.
  await providerLogin(page, 'bookinfo-editor', 'not-the-password');
  await expect(page.getByRole('alert')).toHaveText('Wrong user name or password.');
  await page.getByLabel('Password').fill(userOf('bookinfo-editor').password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await backAt(page, `${url}/graph?namespaces=${NS}`);
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
  await expect(page).toHaveURL(new RegExp(`^${stack.endpoints.oidc!.issuer}/session/end`));
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

/** A session cookie sealed as the console seals them (auth/session.ts), that expired a minute ago. */
async function expiredSession(username: string): Promise<string> {
  const enc = new Uint8Array(
    hkdfSync('sha256', Buffer.from(SESSION_KEY), 'meshlens-session', 'cookie A256GCM', 32),
  );
  const kid = createHash('sha256').update(enc).digest('base64url').slice(0, 12);
  const now = Math.floor(Date.now() / 1000);
  return new EncryptJWT({
    u: username,
    g: [],
    t: 'an-id-token-that-ended',
    s: 'SelfSubjectReview',
    sid: 'e2e',
  })
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid })
    .setIssuedAt(now - 3600)
    .setExpirationTime(now - 60)
    .encrypt(enc);
}

test('an expired session leads to the sign-in page, which says so, then back to the page', async ({
  page,
}) => {
  await page.context().addCookies([
    {
      name: 'meshlens-session',
      value: await expiredSession('viewer'),
      domain: new URL(url).hostname,
      path: '/',
      httpOnly: true,
      sameSite: 'Strict',
    },
  ]);
  const target = `${url}/istio?namespaces=${NS}`;
  await page.goto(target);
  await expect(page).toHaveURL(/\/signin\?next=%2Fistio%3Fnamespaces%3Dbookinfo/);
  await expect(page.getByTestId('signin-notice')).toHaveText('Your session expired; sign in again.');
  await page.getByRole('link', { name: `Sign in with ${PROVIDER}` }).click();
  await providerLogin(page, 'viewer');
  await backAt(page, target);
  await expect(page.getByTestId('whoami-user')).toHaveText('viewer');
});
