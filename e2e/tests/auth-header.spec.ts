import { expect, test, type Page } from '@playwright/test';
import { startAuthProxy, type AuthProxy } from '../support/authProxy';
import { writeInDefault } from '../support/authWrites';
import { startConsole, type ExtraConsole } from '../support/console';
import { Kube, type IstioKind } from '../support/kube';
import {
  AUTH_NS,
  reviewsGraphUrl,
  startAuthStack,
  type AuthStack,
  type DemoUser,
} from '../support/authStack';

/**
 * Strategy header, in Chromium, on a stack of its own (the demo cluster with its three users and their
 * RBAC): the console sits behind an authenticating proxy — here a small reverse proxy on loopback
 * (support/authProxy.ts) that stands for oauth2-proxy and adds the signed-in user's headers.
 * (a) The proxy passes `Authorization: Bearer <the user's token>`: the viewer finds write controls
 *     disabled with the reason, the bookinfo editor sees only bookinfo, writes there and is refused
 *     elsewhere; the console reached without the proxy answers 401.
 * (b) `impersonate`: the proxy names the user in X-Forwarded-User; the console believes it only from the
 *     configured proxy address (127.0.0.2 here), and a request from anywhere else is 401.
 */
test.describe.configure({ mode: 'serial' });

const NS = AUTH_NS;
const PROXY_ADDRESS = '127.0.0.2';
const VS: IstioKind = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  plural: 'virtualservices',
};
let auth: AuthStack;
let stack: AuthStack['stack'];
let consoleUrl: string;
const proxies: AuthProxy[] = [];
let viewerProxy: AuthProxy;
let editorProxy: AuthProxy;
const graphUrl = (url: string) => reviewsGraphUrl(url);

test.beforeAll(async () => {
  test.setTimeout(240_000);
  // The proxies listen first: the console is told their Host (--allowed-hosts), as it would be told the
  // public name of a real proxy.
  let target = '';
  const bearerProxy = async (user: DemoUser['name']) => {
    const p = await startAuthProxy({
      target: () => target,
      inject: () => ({ authorization: `Bearer ${auth.user(user).token}` }),
    });
    proxies.push(p);
    return p;
  };
  viewerProxy = await bearerProxy('viewer');
  editorProxy = await bearerProxy('bookinfo-editor');
  auth = await startAuthStack({
    label: 'header',
    // The demo's users and their RBAC (they come with the token strategy's setup; the console is header).
    auth: 'token',
    consoleArgs: [
      '--auth-strategy',
      'header',
      '--allowed-hosts',
      proxies.map((p) => new URL(p.url).host).join(','),
    ],
  });
  ({ stack, url: consoleUrl } = auth);
  target = consoleUrl;
});

test.afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await auth?.stop();
});

async function namespacesListed(page: Page): Promise<string[]> {
  await page.getByTestId('namespace-picker').click();
  const listed = page
    .getByRole('dialog', { name: 'Namespaces' })
    .getByRole('list', { name: 'Namespaces' })
    .locator('li');
  await expect(listed.first()).toBeVisible();
  const names = await listed.allTextContents();
  await page.keyboard.press('Escape');
  return names;
}

test.describe('(a) the proxy passes the user’s bearer token', () => {
  test('without the proxy, the console answers 401 and signs no one in', async ({ request }) => {
    const res = await request.get(`${consoleUrl}/api/namespaces`);
    expect(res.status()).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      'The authenticating proxy passed no Authorization: Bearer header; open the console through the proxy.',
    );
  });

  test('the viewer finds write controls disabled, each with the missing permission', async ({ page }) => {
    await page.goto(graphUrl(viewerProxy.url));
    await expect(page.getByTestId('whoami-user')).toHaveText('viewer');
    expect(await namespacesListed(page)).toEqual(expect.arrayContaining([NS, 'istio-system', 'default']));
    const panel = page.getByTestId('side-panel');
    await expect(panel.getByTestId('panel-title')).toHaveText('reviews');
    await expect(panel.getByRole('button', { name: /Actions/ })).toBeDisabled();
    await expect(panel.getByTestId('actions-denied')).toHaveText(
      `You may not create virtualservices.networking.istio.io in ${NS}`,
    );
    const first = await page.evaluate(async (ns) => {
      const res = await fetch(`api/istio/config?namespaces=${ns}`);
      const c = (await res.json()) as {
        items: { kind: string; metadata: { name: string } }[];
        kinds: { kind: string; plural: string }[];
      };
      const item = c.items[0];
      return item && { plural: c.kinds.find((k) => k.kind === item.kind)!.plural, name: item.metadata.name };
    }, NS);
    expect(first, 'the bookinfo scenario has Istio objects').toBeTruthy();
    await page.goto(`${viewerProxy.url}/istio/${NS}/${first!.plural}/${first!.name}`);
    await expect(page.getByTestId('save-denied')).toContainText(
      `You may not update ${first!.plural}.networking.istio.io "${first!.name}" in ${NS}`,
    );
    await expect(page.getByRole('button', { name: 'Review & save' })).toBeDisabled();
  });

  test('the bookinfo editor sees only bookinfo, writes there, and is refused elsewhere', async ({ page }) => {
    test.setTimeout(120_000);
    await page.goto(graphUrl(editorProxy.url));
    await expect(page.getByTestId('whoami-user')).toHaveText('bookinfo-editor');
    expect(await namespacesListed(page)).toEqual([NS]);

    const panel = page.getByTestId('side-panel');
    await panel.getByRole('button', { name: /Actions/ }).click();
    await page.getByRole('menuitem', { name: 'Timeouts & Retries' }).click();
    const dialog = page.getByRole('dialog', { name: /Timeouts & Retries/ });
    await dialog.getByLabel('Request timeout').fill('8s');
    await expect(dialog.getByTestId('yaml-preview')).toContainText('timeout: 8s');
    const apply = dialog.getByRole('button', { name: 'Apply', exact: true });
    await expect(apply).toBeEnabled();
    await apply.click();
    await expect(dialog).toBeHidden({ timeout: 30_000 });
    const kube = new Kube(stack.kubeconfigPath);
    const reviews = (await kube.list(VS, NS)).find((o) => o.metadata.name === 'reviews');
    expect((reviews?.spec as { http?: { timeout?: string }[] }).http?.map((h) => h.timeout)).toContain('8s');

    const refused = await writeInDefault(page, { csrf: false });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(
      /^Kubernetes refused bookinfo-editor: .*User "bookinfo-editor" cannot/,
    );
    // Another namespace's data is not served either.
    const graph = await page.evaluate(async () => (await fetch('api/graph?namespaces=istio-system')).status);
    expect(graph).toBe(403);
  });
});

test.describe('(b) impersonation from a trusted proxy only', () => {
  let impersonating: ExtraConsole;
  let trustedProxy: AuthProxy;
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    // The proxy connects to the console from the trusted address.
    let target = '';
    trustedProxy = await startAuthProxy({
      target: () => target,
      inject: { 'x-forwarded-user': 'bookinfo-editor' },
      localAddress: PROXY_ADDRESS,
    });
    proxies.push(trustedProxy);
    impersonating = await startConsole(
      [
        '--auth-strategy',
        'header',
        '--auth-header-impersonate',
        '--trusted-proxies',
        PROXY_ADDRESS,
        '--allowed-hosts',
        new URL(trustedProxy.url).host,
      ],
      { kubeconfig: stack.kubeconfigPath, prometheusUrl: stack.urls.prometheus },
    );
    target = impersonating.url;
  });
  test.afterAll(async () => {
    await impersonating?.stop();
  });

  test('through the configured proxy the named user signs in, with that user’s rights', async ({ page }) => {
    await page.goto(graphUrl(trustedProxy.url));
    await expect(page.getByTestId('whoami-user')).toHaveText('bookinfo-editor');
    expect(await namespacesListed(page)).toEqual([NS]);
  });

  test('X-Forwarded-User from any other address is 401', async ({ browser }) => {
    // The browser straight at the console (from 127.0.0.1, not the proxy's 127.0.0.2), naming the admin.
    const context = await browser.newContext({ extraHTTPHeaders: { 'X-Forwarded-User': 'admin' } });
    const page = await context.newPage();
    const res = await page.request.get(`${impersonating.url}/api/namespaces`);
    expect(res.status()).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /^This request did not come through a trusted proxy \(from (::ffff:)?127\.0\.0\.1\)/,
    );
    await page.goto(graphUrl(impersonating.url));
    await expect(page).toHaveURL(/\/signin/);
    await expect(page.getByTestId('whoami-user')).toHaveCount(0);
    await context.close();
  });
});
