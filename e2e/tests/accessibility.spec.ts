/**
 * Issue 12: every page, in both themes, passes axe-core (no serious or critical violation), and the main
 * controls are reachable and usable from the keyboard alone (Tab, Enter, Space, Escape).
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import type { AuthInfoResponse } from '@meshlens/contract';
import { consoleUrl, waitForGraph } from '../support/graph';
import { resetIstioConfig, waitForBookinfoTraffic } from '../support/mesh';
import { openWizard } from '../support/routing';

const NS = 'bookinfo';
const SHELL = `namespaces=${NS}&duration=600&refresh=0`;
const THEMES = ['light', 'dark'] as const;
type Theme = (typeof THEMES)[number];

test.beforeAll(async () => {
  await resetIstioConfig();
  await waitForBookinfoTraffic(60);
});

async function useTheme(page: Page, theme: Theme): Promise<void> {
  await page.addInitScript((t) => localStorage.setItem('meshlens.theme', t), theme);
}

/** Runs axe on the page as it is; fails naming every serious or critical rule and the elements it hit. */
async function expectNoSeriousViolation(page: Page, what: string): Promise<void> {
  // The graph's canvas is drawn by Cytoscape: axe sees a <canvas>, the graph's text alternative is the
  // side panel and the status line, which it does check.
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = bad
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n` +
        v.nodes
          .slice(0, 8)
          .map(
            (n) => `    ${n.target.join(' ')}  ${n.failureSummary?.split('\n').slice(1, 2).join('') ?? ''}`,
          )
          .join('\n'),
    )
    .join('\n');
  expect(bad.length, `${what}: axe found serious/critical violations:\n${report}`).toBe(0);
}

interface Visit {
  name: string;
  open: (page: Page) => Promise<void>;
}

const goto = (page: Page, path: string) => page.goto(`${consoleUrl()}${path}`);
const rows = (page: Page) => page.locator('.et-body [role="row"]');

const PAGES: Visit[] = [
  {
    name: 'graph',
    open: async (page) => {
      await goto(page, `/graph?${SHELL}&graphType=versionedApp&selected=svc:${NS}/reviews`);
      await waitForGraph(page);
      await expect(page.getByTestId('panel-title')).toHaveText('reviews');
    },
  },
  {
    name: 'overview',
    open: async (page) => {
      await goto(page, `/overview?${SHELL}`);
      await expect(page.getByTestId(`ns-card-${NS}`)).toContainText('Workloads');
    },
  },
  ...(['applications', 'workloads', 'services'] as const).map((list) => ({
    name: list,
    open: async (page: Page) => {
      await goto(page, `/${list}?${SHELL}`);
      await expect(rows(page).first()).toBeVisible();
    },
  })),
  {
    name: 'service overview tab',
    open: async (page) => {
      await goto(page, `/namespaces/${NS}/services/reviews?${SHELL}`);
      await expect(page.getByTestId('pods')).toContainText('istio-proxy');
      await expect(page.getByTestId('mini-graph')).toBeVisible();
    },
  },
  {
    name: 'service traffic tab',
    open: async (page) => {
      await goto(page, `/namespaces/${NS}/services/reviews/traffic?${SHELL}`);
      await expect(page.getByTestId('traffic-inbound')).toContainText('productpage');
    },
  },
  {
    name: 'service inbound metrics tab',
    open: async (page) => {
      await goto(page, `/namespaces/${NS}/services/reviews/inbound?${SHELL}`);
      await expect(page.getByTestId('chart-request_count').locator('canvas')).toHaveCount(1);
    },
  },
  {
    name: 'workload logs tab',
    open: async (page) => {
      await goto(page, `/namespaces/${NS}/workloads/reviews-v2/logs?${SHELL}`);
      await expect(page.locator('.log-row').first()).toBeVisible();
    },
  },
  {
    name: 'Istio config list',
    open: async (page) => {
      await goto(page, `/istio?namespaces=${NS}`);
      const table = page.getByRole('table', { name: 'Istio objects' });
      await expect(table.getByRole('row').filter({ hasText: 'VirtualService' }).first()).toBeVisible();
    },
  },
  {
    name: 'editor',
    open: async (page) => {
      await goto(page, `/istio/${NS}/virtualservices/bookinfo`);
      await expect(page.locator('.cm-content')).toContainText('bookinfo-gateway');
    },
  },
  {
    name: 'wizard dialog',
    open: async (page) => {
      await goto(page, `/graph?${SHELL}&graphType=versionedApp&selected=svc:${NS}/reviews`);
      await waitForGraph(page);
      const dialog = await openWizard(page, consoleUrl(), NS, 'reviews', 'Traffic Shifting');
      await expect(dialog.getByTestId('yaml-preview')).not.toBeEmpty({ timeout: 15_000 });
    },
  },
  {
    // The e2e stack is anonymous (the page sends a signed-in visitor on); the page as a token console shows
    // it: only /api/auth/info differs, the rest of the page is the product's.
    name: 'sign-in page',
    open: async (page) => {
      const info: AuthInfoResponse = {
        strategy: 'token',
        authenticated: false,
        viewOnly: false,
        canSignOut: false,
      };
      await page.route('**/api/auth/info', (route) => route.fulfill({ json: info }));
      await goto(page, '/signin?next=%2Fgraph');
      await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    },
  },
  {
    // A change made and undone through the console's API (routing of details, no other visit reads it),
    // so the page shows a change with its diffs.
    name: 'changes page',
    open: async (page) => {
      const routing = `${consoleUrl()}/api/namespaces/${NS}/services/details/routing`;
      const headers = { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' };
      const made = await fetch(routing, {
        method: 'POST',
        headers,
        body: JSON.stringify({ trafficShifting: { v1: 100 } }),
      });
      expect(made.status, await made.clone().text()).toBe(200);
      expect((await fetch(routing, { method: 'DELETE', headers })).status).toBe(200);
      await goto(page, `/changes?namespace=${NS}&name=details&since=1h`);
      await page.getByTestId('change-row').filter({ hasText: 'traffic shifting details' }).first().click();
      await expect(page.getByTestId('change-detail').getByTestId('diff').first()).toBeVisible();
    },
  },
];

for (const theme of THEMES)
  for (const visit of PAGES)
    test(`axe: ${visit.name}, ${theme} theme`, async ({ page }) => {
      await useTheme(page, theme);
      await visit.open(page);
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
      await expectNoSeriousViolation(page, `${visit.name} (${theme})`);
    });

/**
 * Presses Tab (or Shift+Tab) until `target` has the focus, at most `max` times: the control is reachable
 * from the keyboard in the page's tab order.
 */
async function tabTo(page: Page, target: Locator, what: string, { max = 80, back = false } = {}) {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  await expect(target, `${what} is reached with ${back ? 'Shift+' : ''}Tab`).toBeFocused({ timeout: 1 });
}

test('the main controls are reachable and usable from the keyboard alone', async ({ page }) => {
  await goto(page, `/overview?${SHELL}`);
  await expect(page.getByTestId(`ns-card-${NS}`)).toBeVisible();

  // nav links: Tab to one, Enter follows it
  const nav = page.getByRole('navigation', { name: 'Main' });
  await tabTo(page, nav.getByRole('link', { name: 'Workloads' }), 'the Workloads nav link');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/workloads\?/);
  await expect(rows(page)).toHaveCount(6);

  // namespace picker: Enter opens it with the focus in its filter, Space toggles a namespace, Escape
  // closes it and gives the focus back to its button
  const picker = page.getByTestId('namespace-picker');
  await tabTo(page, picker, 'the namespace picker', { back: true });
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Namespaces' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('textbox', { name: 'Filter namespaces' })).toBeFocused();
  await page.keyboard.type('book');
  const bookinfo = dialog.getByRole('checkbox', { name: NS });
  await tabTo(page, bookinfo, 'the bookinfo checkbox');
  await page.keyboard.press('Space');
  await expect(bookinfo).not.toBeChecked();
  await page.keyboard.press('Space');
  await expect(bookinfo).toBeChecked();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(picker).toBeFocused();

  // list filter and sort header
  const name = page.getByRole('searchbox', { name: 'Name' });
  await tabTo(page, name, 'the Name filter');
  await page.keyboard.type('reviews');
  await expect(rows(page)).toHaveCount(3);
  const sort = page.getByRole('columnheader', { name: 'Name', exact: true }).getByRole('button');
  await tabTo(page, sort, 'the Name sort header');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('columnheader', { name: 'Name', exact: true })).toHaveAttribute(
    'aria-sort',
    'descending',
  );
  await page.keyboard.press('Space');
  await expect(page.getByRole('columnheader', { name: 'Name', exact: true })).toHaveAttribute(
    'aria-sort',
    'ascending',
  );

  // detail tabs
  await goto(page, `/namespaces/${NS}/services/reviews?${SHELL}`);
  const tabs = page.getByRole('navigation', { name: 'Service reviews' });
  await tabTo(page, tabs.getByRole('link', { name: 'Traffic' }), 'the Traffic tab');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/services\/reviews\/traffic\?/);
  await expect(tabs.getByRole('link', { name: 'Traffic' })).toHaveAttribute('aria-current', 'page');

  // graph toolbar: the Display menu opens with Enter and closes with Escape
  await goto(page, `/graph?${SHELL}&graphType=versionedApp&selected=svc:${NS}/reviews`);
  await waitForGraph(page);
  const display = page.getByTestId('display-menu');
  await tabTo(page, display, 'the Display menu');
  await page.keyboard.press('Enter');
  const options = page.getByRole('group', { name: 'Display options' });
  await expect(options).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(options).toBeHidden();
  await expect(display).toBeFocused();
  const graphType = page.getByRole('combobox', { name: 'Graph type' });
  await tabTo(page, graphType, 'the graph type', { back: true });
  await graphType.press('ArrowDown'); // a native select changes with the arrows
  await expect(page).not.toHaveURL(/graphType=versionedApp/);

  // wizard: Actions opens its menu on the first item, arrows move, Enter opens the wizard with the focus
  // inside; Tab stays inside; Escape closes it and gives the focus back to Actions
  await goto(page, `/graph?${SHELL}&graphType=versionedApp&selected=svc:${NS}/reviews`);
  await waitForGraph(page);
  const actions = page.getByTestId('side-panel').getByRole('button', { name: /Actions/ });
  await tabTo(page, actions, 'the Actions button');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('menuitem').first()).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('menuitem').nth(1)).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(page.getByRole('menuitem', { name: 'Traffic Shifting' })).toBeFocused();
  await page.keyboard.press('Enter');
  const wizard = page.getByRole('dialog', { name: /Traffic Shifting/ });
  await expect(wizard).toBeVisible();
  await expect
    .poll(() => wizard.evaluate((el) => el.contains(document.activeElement)), {
      message: 'focus in the wizard',
    })
    .toBe(true);
  for (let i = 0; i < 30; i++) await page.keyboard.press('Tab');
  expect(await wizard.evaluate((el) => el.contains(document.activeElement)), 'Tab stays in the wizard').toBe(
    true,
  );
  await page.keyboard.press('Escape');
  await expect(wizard).toBeHidden();
  await expect(actions).toBeFocused();
});
