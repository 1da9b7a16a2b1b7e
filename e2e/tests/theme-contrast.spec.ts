import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { nodeId } from '@meshlens/contract';
import { auditContrast } from '../support/contrast';
import { consoleUrl, waitForGraph } from '../support/graph';
import { Kube } from '../support/kube';
import { createNamespace, deleteNamespace, e2eKubeconfig } from '../support/namespace';

/**
 * Issue 16, item 4: every page is legible in both themes (WCAG AA, from computed styles), the graph's
 * canvas follows a theme switch (no light namespace boxes on a dark page), and the YAML editor is dark in
 * the dark theme (gutter included). The editor opens an object of this file's own namespace.
 */
const NS = 'i16-theme-contrast';
const vs = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'theme-vs' },
  spec: {
    hosts: ['i16-theme.example.com'],
    http: [{ route: [{ destination: { host: 'i16-theme.example.com', subset: 'v1' }, weight: 100 }] }],
  },
};
const GRAPH = 'namespaces=bookinfo&graphType=versionedApp&duration=60&refresh=0';
const reviews = nodeId.service('bookinfo', 'reviews');

test.beforeAll(async () => {
  await createNamespace(e2eKubeconfig(), NS);
  await new Kube(e2eKubeconfig()).apply(vs, NS);
});
test.afterAll(async () => {
  await new Kube(e2eKubeconfig()).delete(vs, NS);
  await deleteNamespace(e2eKubeconfig(), NS);
});

type Theme = 'light' | 'dark';
/** An `rgb(…)` colour darker than mid-grey. */
const isDark = (rgb: string) =>
  (rgb.match(/\d+/g) ?? []).slice(0, 3).reduce((a, c) => a + Number(c), 0) < 3 * 128;
async function useTheme(page: Page, theme: Theme): Promise<void> {
  await page.addInitScript((t) => localStorage.setItem('meshlens.theme', t), theme);
}

async function expectLegible(page: Page, what: string, scope?: string): Promise<void> {
  const failures = await auditContrast(page, scope);
  expect(failures, `${what}: text below WCAG AA`).toEqual([]);
}

/** The graph canvas's colours, from Cytoscape's computed styles, and the contrast of each on the page. */
function canvasColours(page: Page) {
  return page.evaluate(() => {
    const cy = window.__cy;
    if (!cy) throw new Error('no graph');
    const css = getComputedStyle(document.documentElement);
    const v = (name: string) => css.getPropertyValue(name).trim();
    const rgb = (c: string): number[] => {
      const d = document.createElement('div');
      d.style.color = c;
      document.body.append(d);
      const out = getComputedStyle(d)
        .color.match(/[\d.]+/g)!
        .slice(0, 3)
        .map(Number);
      d.remove();
      return out;
    };
    const lum = (c: number[]) =>
      c
        .map((x) => (x / 255 <= 0.04045 ? x / 255 / 12.92 : ((x / 255 + 0.055) / 1.055) ** 2.4))
        .reduce((a, x, i) => a + x * [0.2126, 0.7152, 0.0722][i]!, 0);
    const ratio = (a: string, b: string) => {
      const [x, y] = [lum(rgb(a)), lum(rgb(b))];
      return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
    };
    const bg = getComputedStyle(document.querySelector('[data-testid=graph-canvas]')!).backgroundColor;
    const box = cy.nodes('[nodeType = "box"]').first();
    const nodes = cy.nodes('[nodeType != "box"]');
    return {
      bg,
      graphBg: rgb(v('--graph-bg')).join(','),
      pageBg: rgb(bg).join(','),
      boxFill: box.nonempty() ? rgb(box.style('background-color') as string).join(',') : '',
      wantedBoxFill: rgb(v('--graph-box-fill')).join(','),
      boxBorder: box.nonempty() ? rgb(box.style('border-color') as string).join(',') : '',
      wantedBoxBorder: rgb(v('--graph-box-border')).join(','),
      labelContrast: Math.min(...nodes.map((n) => ratio(n.style('color') as string, bg))),
      boxLabelContrast: box.nonempty() ? ratio(box.style('color') as string, bg) : 99,
      edgeContrast: Math.min(...cy.edges().map((e) => ratio(e.style('line-color') as string, bg))),
      nodeBorderContrast: Math.min(...nodes.map((n) => ratio(n.style('border-color') as string, bg))),
    };
  });
}

async function expectCanvasFollowsTheme(page: Page): Promise<void> {
  const c = await canvasColours(page);
  expect(c.pageBg, 'the canvas background').toBe(c.graphBg);
  expect(c.boxFill, 'namespace box fill').toBe(c.wantedBoxFill);
  expect(c.boxBorder, 'namespace box border').toBe(c.wantedBoxBorder);
  expect(c.labelContrast, 'node labels').toBeGreaterThanOrEqual(4.5);
  expect(c.boxLabelContrast, 'namespace labels').toBeGreaterThanOrEqual(4.5);
  expect(c.edgeContrast, 'edges').toBeGreaterThanOrEqual(3);
  expect(c.nodeBorderContrast, 'node borders').toBeGreaterThanOrEqual(3);
}

for (const theme of ['light', 'dark'] as const) {
  test(`every page is legible in the ${theme} theme`, async ({ page }) => {
    await useTheme(page, theme);

    // graph: side panel on reviews, legend and find help open, namespace boxes (two namespaces)
    await page.goto(
      `${consoleUrl()}/graph?${GRAPH.replace('bookinfo', 'bookinfo,istio-system')}&selected=${encodeURIComponent(reviews)}`,
    );
    await waitForGraph(page);
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    await page.getByRole('button', { name: 'Legend' }).click();
    await expectLegible(page, 'graph page');
    await expectCanvasFollowsTheme(page);
    await page.getByRole('button', { name: 'Find and hide help' }).click();
    await expectLegible(page, 'find help', '#findhide-help');
    await page.keyboard.press('Escape');

    // a wizard, opened and cancelled (nothing written)
    await page
      .getByTestId('side-panel')
      .getByRole('button', { name: /Actions/ })
      .click();
    await page.getByRole('menuitem', { name: 'Traffic Shifting' }).click();
    const wizard = page.getByRole('dialog', { name: /Traffic Shifting/ });
    await expect(wizard.getByTestId('yaml-preview')).not.toBeEmpty({ timeout: 15_000 });
    await expectLegible(page, 'traffic shifting wizard', '[role=dialog]');
    await page.keyboard.press('Escape');
    await expect(wizard).toBeHidden();

    // Istio Config, filtered, and the YAML editor with its problems marked
    await page.goto(`${consoleUrl()}/istio?namespaces=${NS}&kind=VirtualService`);
    await expect(page.getByRole('link', { name: 'theme-vs' })).toBeVisible({ timeout: 20_000 });
    await expectLegible(page, 'Istio Config');
    await page.getByRole('link', { name: 'theme-vs' }).click();
    await expect(page.locator('.cm-content')).toContainText('i16-theme.example.com');
    await expect(page.locator('.cm-lint-marker').first()).toBeVisible({ timeout: 15_000 });
    await expectLegible(page, 'YAML editor');
    const editor = await page.evaluate(() => {
      // the colour painted behind an element: its own background, or the first ancestor's that has one
      const bg = (selector: string) => {
        for (let e = document.querySelector(selector); e; e = e.parentElement) {
          const c = getComputedStyle(e).backgroundColor;
          if (!/rgba\(.*,\s*0\)$/.test(c) && c !== 'transparent') return c;
        }
        return getComputedStyle(document.documentElement).backgroundColor;
      };
      const key = [...document.querySelectorAll('.cm-line span')].find((s) => s.textContent === 'apiVersion');
      return {
        editor: bg('.cm-content'),
        gutter: bg('.cm-lineNumbers'),
        key: key ? getComputedStyle(key).color : '',
      };
    });
    expect(editor.key, 'YAML keys are highlighted').not.toBe('');
    expect(isDark(editor.editor), `editor background ${editor.editor}`).toBe(theme === 'dark');
    expect(isDark(editor.gutter), `gutter background ${editor.gutter}`).toBe(theme === 'dark');
    // a lint message, as a tooltip over the text
    await page.locator('.cm-lint-marker').first().hover();
    await expect(page.locator('.cm-tooltip')).toBeVisible();
    await expectLegible(page, 'lint tooltip', '.cm-tooltip');

    await page.goto(`${consoleUrl()}/overview`);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expectLegible(page, 'Overview');
  });
}

test('the graph follows a switch to the dark theme at once, namespace boxes included', async ({ page }) => {
  await useTheme(page, 'light');
  await page.goto(`${consoleUrl()}/graph?${GRAPH.replace('bookinfo', 'bookinfo,istio-system')}`);
  await waitForGraph(page);
  const light = await canvasColours(page);
  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect.poll(async () => (await canvasColours(page)).boxFill).not.toBe(light.boxFill);
  await expectCanvasFollowsTheme(page);
  await expectLegible(page, 'graph page after the switch');
  // and back
  await page.getByRole('button', { name: 'Switch to light theme' }).click();
  await expect.poll(async () => (await canvasColours(page)).boxFill).toBe(light.boxFill);
  await expectCanvasFollowsTheme(page);
});
