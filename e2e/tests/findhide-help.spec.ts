import { expect, test } from '@playwright/test';
import type { Locator } from '@playwright/test';
import { openGraph } from '../support/graph';
import { resetIstioConfig } from '../support/mesh';

// The scenario's own Istio config, whatever a spec before this one left.
test.beforeAll(resetIstioConfig);

/**
 * Issue 16, item 9: the find/hide help closes with Esc and with a click outside it, and covers neither
 * the toolbar nor the replay bar. Uses the shared Bookinfo stack read-only.
 */
const QUERY = 'namespaces=bookinfo&graphType=versionedApp&duration=60&refresh=0';

async function box(locator: Locator) {
  const b = await locator.boundingBox();
  if (!b) throw new Error('not laid out');
  return b;
}
const overlaps = (
  a: { x: number; y: number; width: number; height: number },
  b: { x: number; y: number; width: number; height: number },
) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

test('the find/hide help leaves the toolbar and the replay bar uncovered, and closes with Esc or a click outside', async ({
  page,
}) => {
  await openGraph(page, QUERY);
  await page.getByTestId('replay-open').click();
  const replay = page.getByTestId('replay');
  await expect(replay).toBeVisible();

  const helpButton = page.getByRole('button', { name: 'Find and hide help' });
  const help = page.getByRole('dialog', { name: 'Find and hide help' });
  await helpButton.click();
  await expect(help).toBeVisible();
  await expect(helpButton).toHaveAttribute('aria-expanded', 'true');

  // nothing of the replay bar or the toolbar is under the help; the help is inside the window
  const helpBox = await box(help);
  for (const covered of [
    replay,
    replay.getByRole('button', { name: 'Back to live' }),
    replay.getByLabel('Replay speed'),
    page.locator('.graph-bar'),
  ])
    expect(overlaps(helpBox, await box(covered)), 'the help covers a control').toBe(false);
  const viewport = page.viewportSize()!;
  expect(helpBox.y + helpBox.height).toBeLessThanOrEqual(viewport.height);
  expect(helpBox.x + helpBox.width).toBeLessThanOrEqual(viewport.width);
  // the replay controls stay usable while the help is open, and a click on the replay bar closes it
  await replay.getByLabel('Replay speed').selectOption({ label: '1 s / frame' });
  await expect(help).toBeVisible();
  await replay.getByTestId('replay-time').click();
  await expect(help).toBeHidden();

  // Escape closes it and gives the focus back to the "?" button
  await helpButton.click();
  await expect(help).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();
  await expect(helpButton).toBeFocused();
  await expect(helpButton).toHaveAttribute('aria-expanded', 'false');

  // Escape in the find field closes the help first, without clearing what was typed
  await page.getByTestId('find').fill('ns = bookinfo');
  await helpButton.click();
  await expect(help).toBeVisible();
  await page.getByTestId('find').focus();
  await expect(help).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();
  await expect(page.getByTestId('find')).toHaveValue('ns = bookinfo');

  // a click on the graph outside the help closes it
  await helpButton.click();
  await expect(help).toBeVisible();
  const canvas = await box(page.getByTestId('graph-canvas'));
  await page.mouse.click(canvas.x + 15, canvas.y + canvas.height - 15);
  await expect(help).toBeHidden();

  // clicks inside the help do not close it; the "?" button toggles it
  await helpButton.click();
  await help.getByRole('table').click();
  await expect(help).toBeVisible();
  await helpButton.click();
  await expect(help).toBeHidden();
});
