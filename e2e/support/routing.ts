/** Helpers for the routing wizards and the YAML editor, shared by the e2e specs and `npm run tour`. */
import { expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import { nodeId } from '@meshlens/contract';
import { waitForGraph } from './graph';

export const GRAPH_QUERY =
  'namespaces=bookinfo,istio-system&graphType=versionedApp&duration=30&refresh=10000&edges=percent';

/** Share (%) of the requests reaching each version of `app`, from the edges the graph draws into them. */
export function versionSplit(page: Page, ns: string, app: string): Promise<Record<string, number>> {
  return page.evaluate(
    ({ prefix }) => {
      const cy = window.__cy;
      const rates: Record<string, number> = {};
      if (!cy) return rates;
      cy.edges().forEach((e) => {
        const target = e.target().id();
        if (!target.startsWith(prefix) || e.data('protocol') === 'tcp') return;
        const version = target.slice(prefix.length);
        rates[version] = (rates[version] ?? 0) + (Number(e.data('rate')) || 0);
      });
      const total = Object.values(rates).reduce((a, b) => a + b, 0);
      return Object.fromEntries(
        Object.entries(rates).map(([v, r]) => [v, total > 0 ? (r / total) * 100 : 0]),
      );
    },
    { prefix: `vapp:${ns}/${app}/` },
  );
}

/** Largest distance, in points, between the split the graph shows and the one expected. */
export function splitDistance(split: Record<string, number>, expected: Record<string, number>): number {
  return Math.max(...Object.entries(expected).map(([v, w]) => Math.abs((split[v] ?? 0) - w)));
}

/** Polls until the graph's split of `app` is within `tolerance` points of `expected`; returns the seconds taken. */
export async function waitForSplit(
  page: Page,
  ns: string,
  app: string,
  expected: Record<string, number>,
  tolerance: number,
  timeoutMs: number,
): Promise<number> {
  const start = Date.now();
  await expect
    .poll(async () => splitDistance(await versionSplit(page, ns, app), expected), {
      message: `the ${app} split reaches ${JSON.stringify(expected)} ±${tolerance}`,
      timeout: timeoutMs,
      intervals: [1000],
    })
    .toBeLessThanOrEqual(tolerance);
  return (Date.now() - start) / 1000;
}

export function edgeHealth(page: Page, id: string): Promise<string | undefined> {
  return page.evaluate((edge) => window.__cy?.getElementById(edge).data('health') as string | undefined, id);
}

/** Opens the graph with `service` selected, and the wizard `title` from its Actions menu. */
export async function openWizard(page: Page, baseUrl: string, ns: string, service: string, title: string) {
  const id = nodeId.service(ns, service);
  if (!page.url().includes('/graph')) {
    await page.goto(`${baseUrl}/graph?${GRAPH_QUERY}&selected=${encodeURIComponent(id)}`);
    await waitForGraph(page);
  } else {
    await page.evaluate((nodeIdToSelect) => void window.__cy?.getElementById(nodeIdToSelect).emit('tap'), id);
  }
  const panel = page.getByTestId('side-panel');
  await expect(panel.getByTestId('panel-title')).toHaveText(service);
  await panel.getByRole('button', { name: /Actions/ }).click();
  await page.getByRole('menuitem', { name: title }).click();
  const dialog = page.getByRole('dialog', { name: new RegExp(title) });
  await expect(dialog).toBeVisible();
  return dialog;
}

/** Waits for the server's preview, then applies and waits for the dialog to close. */
export async function applyWizard(page: Page, buttonName: 'Apply' | 'Delete' = 'Apply') {
  const dialog = page.getByTestId('wizard');
  await expect(dialog.getByTestId('yaml-preview')).not.toBeEmpty({ timeout: 15_000 });
  const button = dialog.getByRole('button', { name: buttonName, exact: true });
  await expect(button).toBeEnabled({ timeout: 15_000 });
  await button.click();
  await expect(dialog).toBeHidden({ timeout: 20_000 });
}
