import { expect, test, type Page } from '@playwright/test';
import { nodeId } from '@meshlens/contract';
import { consoleUrl } from '../support/graph';
import { startConsole, type ExtraConsole } from '../support/console';
import { Kube, type IstioKind, type KubeObject } from '../support/kube';
import { resetIstioConfig } from '../support/mesh';
import { applyWizard, openWizard } from '../support/routing';

/**
 * Strategy anonymous (the demo's default, the shared stack): no sign-in, everyone acts as the console's
 * own Kubernetes identity, and the masthead says so and names it; writes work with the console's rights.
 * Then the same stack through a second console process with `--view-only`: no write control anywhere, and
 * a write sent to the API anyway is refused (403) and changes nothing.
 */
test.describe.configure({ mode: 'serial' });

const NS = 'bookinfo';
const VS: IstioKind = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  plural: 'virtualservices',
};
const graphUrl = (url: string) =>
  `${url}/graph?namespaces=${NS}&graphType=versionedApp&duration=60&idle=true&selected=${encodeURIComponent(
    nodeId.service(NS, 'reviews'),
  )}`;

test.beforeAll(async () => {
  await resetIstioConfig();
});
test.afterAll(async () => {
  await resetIstioConfig();
});

test('the masthead says plainly that everyone acts as the console’s identity, and names it', async ({
  page,
}) => {
  // Who the console's kubeconfig is, as the API server says: what the masthead must name.
  const consoleUser = await new Kube().whoami();
  await page.goto(graphUrl(consoleUrl()));
  await expect(page).not.toHaveURL(/\/signin/);
  const banner = page.getByTestId('anonymous-banner');
  await expect(banner).toHaveText(`⚠No sign-in: everyone here acts as the console's identity ${consoleUser}`);
  await expect(banner.locator('code')).toHaveText(consoleUser);
  await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
});

test('writes work with the console’s rights', async ({ page }) => {
  test.setTimeout(120_000);
  const dialog = await openWizard(page, consoleUrl(), NS, 'reviews', 'Timeouts & Retries');
  await dialog.getByLabel('Request timeout').fill('9s');
  await expect(dialog.getByTestId('yaml-preview')).toContainText('timeout: 9s');
  await applyWizard(page);
  // In the cluster itself, not only in the console's answer.
  const kube = new Kube();
  await expect
    .poll(async () => {
      const reviews = (await kube.list(VS, NS)).find((o) => o.metadata.name === 'reviews');
      return (reviews?.spec as { http?: { timeout?: string }[] } | undefined)?.http?.map((h) => h.timeout);
    })
    .toContain('9s');
});

test.describe('viewOnly: true', () => {
  let viewOnly: ExtraConsole;
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    await resetIstioConfig();
    viewOnly = await startConsole(['--view-only']);
  });
  test.afterAll(async () => {
    await viewOnly?.stop();
  });

  /** The Istio objects of bookinfo, as the cluster has them. */
  const clusterState = async () =>
    JSON.stringify(
      (await new Kube().list(VS, NS)).map((o: KubeObject) => [o.metadata.name, o.metadata.resourceVersion]),
    );

  async function firstObject(page: Page) {
    const config = await page.evaluate(async (ns) => {
      const res = await fetch(`api/istio/config?namespaces=${ns}`);
      return (await res.json()) as {
        items: { kind: string; metadata: { name: string } }[];
        kinds: { kind: string; plural: string }[];
      };
    }, NS);
    const first = config.items[0];
    expect(first, 'the bookinfo scenario has Istio objects').toBeDefined();
    return { plural: config.kinds.find((k) => k.kind === first!.kind)!.plural, name: first!.metadata.name };
  }

  test('no write control is shown: no Actions (hence no wizard, no delete), no editor save', async ({
    page,
  }) => {
    await page.goto(graphUrl(viewOnly.url));
    await expect(page.getByTestId('whoami')).toContainText('View-only');
    const panel = page.getByTestId('side-panel');
    await expect(panel.getByTestId('panel-title')).toHaveText('reviews');
    // The panel is drawn (its read-only link is there) but has no Actions menu.
    await expect(panel.getByRole('link', { name: 'All Istio config of reviews' })).toBeVisible();
    await expect(panel.getByRole('button', { name: /Actions/ })).toHaveCount(0);
    await expect(page.getByRole('menuitem')).toHaveCount(0);

    const { plural, name } = await firstObject(page);
    await page.goto(`${viewOnly.url}/istio/${NS}/${plural}/${name}`);
    await expect(page.getByTestId('editor-status')).toHaveText('read-only');
    await expect(page.getByTestId('yaml-editor')).toContainText(`name: ${name}`);
    await expect(page.getByRole('button', { name: 'Review & save' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Reset' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Save' })).toHaveCount(0);
  });

  test('a write sent to the API anyway is refused with 403 and changes nothing', async ({ page }) => {
    await page.goto(`${viewOnly.url}/istio?namespaces=${NS}`);
    const { plural, name } = await firstObject(page);
    const before = await clusterState();
    const answers = await page.evaluate(
      async ({ ns, plural, name }) => {
        const send = async (method: string, path: string, body?: unknown) => {
          const res = await fetch(path, {
            method,
            headers: { 'content-type': 'application/json' },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          });
          return {
            what: `${method} ${path}`,
            status: res.status,
            body: (await res.json()) as { error?: { message: string } },
          };
        };
        const current = (await (await fetch(`api/namespaces/${ns}/istio/${plural}/${name}`)).json()) as {
          object: unknown;
        };
        return [
          await send('POST', `api/namespaces/${ns}/services/reviews/routing`, {
            faultInjection: { abort: { httpStatus: 500, percentage: 100 } },
          }),
          await send('DELETE', `api/namespaces/${ns}/services/reviews/routing`),
          await send('PUT', `api/namespaces/${ns}/istio/${plural}/${name}`, current.object),
          await send('DELETE', `api/namespaces/${ns}/istio/${plural}/${name}`),
        ];
      },
      { ns: NS, plural, name },
    );
    for (const a of answers) {
      expect(a.status, a.what).toBe(403);
      expect(a.body.error?.message, a.what).toMatch(/^The console is view-only/);
    }
    expect(await clusterState()).toBe(before);
  });
});
