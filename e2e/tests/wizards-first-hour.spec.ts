import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { bookinfoObjects, Kube } from '../support/kube';
import { consoleUrl } from '../support/graph';
import { resetIstioConfig } from '../support/mesh';
import { applyWizard, openWizard } from '../support/routing';

/**
 * What a new user tripped over with the wizards on details, on the live demo stack: Istio's own
 * destination-rule-all.yaml names details v2, which does not run. The Gateway and Traffic Shifting wizards
 * open with values that are accepted; the Circuit Breaker is not blocked by the unused subset (shown beside
 * the preview as already there); the YAML editor refuses an unknown field at its line; Delete routing offers
 * to delete what was written by hand, listing it first. This file writes details' VirtualService and
 * DestinationRule itself (as kubectl would) and puts the scenario's Istio config back after.
 */
test.describe.configure({ mode: 'serial' });

const NS = 'bookinfo';
const api = (path: string) => `${consoleUrl()}/api/namespaces/${NS}${path}`;
const detailsRule = bookinfoObjects('destination-rule-all.yaml').find((o) => o.metadata.name === 'details');
if (!detailsRule) throw new Error('destination-rule-all.yaml has no details rule');
/** A VirtualService written by hand (kubectl apply): every request to v1. */
const detailsVs = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'details' },
  spec: { hosts: ['details'], http: [{ route: [{ destination: { host: 'details', subset: 'v1' } }] }] },
};

let kube: Kube;
test.beforeAll(async () => {
  await resetIstioConfig();
  kube = new Kube(process.env.MESHLENS_E2E_KUBECONFIG ?? '');
  await kube.apply(detailsRule, NS);
});
test.afterAll(async () => {
  await resetIstioConfig();
});

async function shot(page: Page, name: string) {
  await page.screenshot({ path: test.info().outputPath(`${name}.png`) });
}

test('Gateway opens with values that are accepted', async ({ page }) => {
  const dialog = await openWizard(page, consoleUrl(), NS, 'details', 'Gateway');
  await expect(dialog.getByLabel('Hosts')).toHaveValue('*');
  await expect(dialog.getByLabel("Keep routing the mesh's own traffic")).toBeChecked();
  const preview = dialog.getByTestId('yaml-preview');
  await expect(preview).toContainText('kind: Gateway', { timeout: 15_000 });
  await expect(preview).toContainText('- bookinfo/details-gateway');
  await expect(dialog.getByRole('alert')).toHaveCount(0);
  await expect(dialog.getByRole('button', { name: 'Apply', exact: true })).toBeEnabled();
  await expect(dialog.getByTestId('gateway-hosts-note')).toContainText(
    'Host: details.bookinfo.svc.cluster.local',
  );
  await shot(page, 'gateway-opens-clean');
  // Asked for what would capture the mesh's traffic, the refusal speaks the form's words.
  await dialog.getByRole('radio', { name: 'Attach an existing gateway' }).check();
  await dialog.getByLabel('Gateway name', { exact: true }).fill('no-such-gateway');
  const alert = dialog.getByRole('alert');
  await expect(alert.locator('li strong')).toHaveText('Gateway name', { timeout: 15_000 });
  await shot(page, 'gateway-refusal-in-form-words');
  await page.keyboard.press('Escape');
});

test('Traffic Shifting on details offers only the version that runs', async ({ page }) => {
  const dialog = await openWizard(page, consoleUrl(), NS, 'details', 'Traffic Shifting');
  await expect(dialog.getByLabel('Weight of v1', { exact: true })).toHaveValue('100');
  await expect(dialog.getByLabel('Weight of v2', { exact: true })).toHaveCount(0);
  await expect(dialog.getByTestId('idle-versions')).toContainText('v2');
  await expect(dialog.getByTestId('yaml-preview')).toContainText('subset: v1', { timeout: 15_000 });
  await expect(dialog.getByRole('alert')).toHaveCount(0);
  await expect(dialog.getByRole('button', { name: 'Apply', exact: true })).toBeEnabled();
  await shot(page, 'traffic-shifting-details');
  await page.keyboard.press('Escape');
});

test('Circuit Breaker on details: the unused subset is shown as already there, and does not block', async ({
  page,
}) => {
  const dialog = await openWizard(page, consoleUrl(), NS, 'details', 'Circuit Breaker');
  const existing = dialog.getByTestId('preview-existing');
  await expect(existing).toContainText('spec/subsets[1]/labels', { timeout: 15_000 });
  await expect(existing).toContainText('KIA0203');
  await expect(existing.locator('li.sev-warning')).toHaveCount(1);
  await expect(dialog.getByRole('alert')).toHaveCount(0);
  await shot(page, 'circuit-breaker-existing-warnings');
  await applyWizard(page);
  const dr = (await (await fetch(api('/istio/destinationrules/details'))).json()) as {
    object: { spec: { trafficPolicy?: { outlierDetection?: { consecutive5xxErrors?: number } } } };
  };
  expect(dr.object.spec.trafficPolicy?.outlierDetection?.consecutive5xxErrors).toBe(5);
});

test('the YAML editor refuses an unknown field at its line', async ({ page }) => {
  await page.goto(`${consoleUrl()}/istio/${NS}/destinationrules/details`);
  await expect(page.locator('.cm-content')).toContainText('host: details', { timeout: 20_000 });
  const lines = await page.locator('.cm-content .cm-line').allInnerTexts();
  const original = `${lines.join('\n').replace(/\n+$/, '')}\n`;
  const edited = original.replace(/^spec:\n/m, 'spec:\n  subsetz: []\n');
  const line = edited.split('\n').indexOf('  subsetz: []') + 1;
  expect(line).toBeGreaterThan(1);
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(edited);
  const problems = page.getByTestId('problems');
  await expect(problems.locator('li.sev-error')).toContainText(`line ${line}`, { timeout: 15_000 });
  await expect(problems.locator('li.sev-error')).toContainText('unknown field "subsetz"');
  await expect(page.locator('.cm-lintRange-error')).toContainText('subsetz');
  await expect(page.getByRole('button', { name: 'Review & save' })).toBeDisabled();
  await shot(page, 'editor-unknown-field');
  const dr = (await (await fetch(api('/istio/destinationrules/details'))).json()) as {
    object: { spec: Record<string, unknown> };
  };
  expect(dr.object.spec).not.toHaveProperty('subsetz');
});

test('Delete routing offers to delete what was written by hand, listing it first', async ({ page }) => {
  // kubectl first, then a wizard's edit (as Timeouts & Retries posts it): the VirtualService stays the user's.
  await kube.apply(detailsVs, NS);
  const edit = await fetch(api('/services/details/routing'), {
    method: 'POST',
    // A write is taken only from the console's own origin (as its page sends it).
    headers: { 'content-type': 'application/json', origin: new URL(consoleUrl()).origin },
    body: JSON.stringify({ timeoutsRetries: { timeout: '5s' } }),
  });
  expect(edit.status).toBe(200);

  const dialog = await openWizard(page, consoleUrl(), NS, 'details', 'Delete routing');
  const form = dialog.getByRole('form', { name: 'Delete routing' });
  await expect(form).toContainText('VirtualService details — written by hand', { timeout: 15_000 });
  const remove = dialog.getByRole('button', { name: 'Delete', exact: true });
  await expect(remove).toBeDisabled();
  await shot(page, 'delete-routing-kept');
  await form.getByLabel('Also delete what was written by hand').check();
  const going = form.getByRole('group', { name: 'Will be deleted' });
  await expect(going.getByRole('listitem')).toHaveText([
    /^VirtualService details — written by hand$/,
    /^DestinationRule details — written by hand$/,
  ]);
  await expect(dialog.getByTestId('preview-steps')).toContainText('delete VirtualService details');
  await expect(remove).toBeEnabled();
  await shot(page, 'delete-routing-hand-written');
  await applyWizard(page, 'Delete');
  for (const kind of ['virtualservices', 'destinationrules'])
    expect((await fetch(api(`/istio/${kind}/details`))).status).toBe(404);
});
