/**
 * The change history on the demo: traffic shifting applied through the console's API shows on the Changes
 * page with its diff; Revert (confirmed) puts the routing back; a change made straight to the API server
 * shows as external with its field manager, and reverting an older change over it answers 409 with the diff.
 */
import { expect, test } from '@playwright/test';
import { consoleUrl } from '../support/graph';
import { Kube, type KubeObject } from '../support/kube';
import { resetIstioConfig } from '../support/mesh';

const NS = 'bookinfo';
const VS = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService' };

test.use({ colorScheme: 'light' });

test.beforeAll(async () => {
  await resetIstioConfig();
});
test.afterAll(async () => {
  await resetIstioConfig();
});

/** A write as the console's own page makes it (the stack signs everyone in anonymously). */
async function shift(weights: Record<string, number>): Promise<void> {
  const res = await fetch(`${consoleUrl()}/api/namespaces/${NS}/services/reviews/routing`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
    body: JSON.stringify({ trafficShifting: weights }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

async function reviewsVs(kube: Kube): Promise<KubeObject | undefined> {
  const kinds = await kube.istioKinds();
  const kind = kinds.find((k) => k.kind === 'VirtualService');
  if (!kind) throw new Error('no VirtualService kind');
  return (await kube.list(kind, NS)).find((o) => o.metadata.name === 'reviews');
}

const split = (vs: KubeObject | undefined) =>
  (
    vs?.spec as { http?: { route: { destination: { subset?: string }; weight?: number }[] }[] } | undefined
  )?.http
    ?.at(-1)
    ?.route.map((r) => `${r.destination.subset ?? ''}=${r.weight ?? 100}`)
    .join(',');

test('a traffic shift shows on the Changes page with its diff, and Revert puts the routing back', async ({
  page,
}) => {
  const kube = new Kube();
  expect(await reviewsVs(kube)).toBeUndefined();
  await shift({ v1: 50, v3: 50 });
  expect(split(await reviewsVs(kube))).toBe('v1=50,v3=50');

  await page.goto(`${consoleUrl()}/changes?namespace=${NS}&name=reviews&since=1h`);
  const row = page
    .getByTestId('change-row')
    .filter({ hasText: 'traffic shifting reviews: v1 50, v3 50' })
    .first();
  await expect(row).toBeVisible();
  await expect(row).toContainText('anonymous');
  await expect(row).toContainText('console');
  await row.click();
  await expect(page).toHaveURL(/change=/);
  const detail = page.getByTestId('change-detail');
  await expect(detail.getByRole('heading', { name: 'traffic shifting reviews: v1 50, v3 50' })).toBeVisible();
  await expect(detail.getByText('created VirtualService bookinfo/reviews')).toBeVisible();
  // The diff of the VirtualService: every line added, the weights among them.
  await expect(detail.getByTestId('diff').filter({ hasText: 'subset: v3' })).toContainText('+ ');
  await page.screenshot({ path: test.info().outputPath('changes-page.png') });
  // the graph of the 10 minutes before and after the change, one click away
  await expect(detail.getByTestId('change-compare')).toHaveAttribute(
    'href',
    /\/graph\?namespaces=bookinfo&compare=\d{10}&compareWindow=600$/,
  );

  await detail.getByRole('button', { name: 'Revert…' }).click();
  await expect(detail.getByRole('group', { name: 'Confirm revert' })).toContainText('2 objects');
  await detail.getByRole('button', { name: 'Revert', exact: true }).click();
  await expect(detail.getByRole('status')).toContainText('Reverted.');
  // The routing is back as before the change: no VirtualService of reviews.
  await expect.poll(async () => reviewsVs(kube)).toBeUndefined();
  // The revert is a change of its own, at the top of the list.
  await expect(page.getByTestId('change-row').first()).toContainText('revert: traffic shifting reviews');
});

test('an older change reverted over a later external edit answers 409 with the diff', async ({ page }) => {
  const kube = new Kube();
  await shift({ v1: 80, v2: 20 });
  const vs = await reviewsVs(kube);
  if (!vs) throw new Error('the shift made no VirtualService');
  // Someone edits the weights straight through the API server.
  const http = (vs.spec as { http: { route: { weight?: number }[] }[] }).http;
  for (const r of http.at(-1)?.route ?? []) r.weight = 50;
  await kube.apply({ ...vs, ...VS }, NS);
  expect(split(await reviewsVs(kube))).toBe('v1=50,v2=50');

  await page.goto(`${consoleUrl()}/changes?namespace=${NS}&name=reviews&since=1h`);
  const external = page
    .getByTestId('change-row')
    .filter({ hasText: `edit VirtualService ${NS}/reviews` })
    .first();
  await expect(external).toContainText('external');
  const older = page
    .getByTestId('change-row')
    .filter({ hasText: 'traffic shifting reviews: v1 80, v2 20' })
    .first();
  await older.click();
  const detail = page.getByTestId('change-detail');
  await detail.getByRole('button', { name: 'Revert…' }).click();
  await detail.getByRole('button', { name: 'Revert', exact: true }).click();
  const conflict = detail.getByTestId('revert-conflict');
  await expect(conflict).toContainText('Not reverted (409)');
  await expect(conflict).toContainText('VirtualService bookinfo/reviews');
  await expect(conflict.getByTestId('diff')).toContainText('- ');
  await expect(conflict.getByTestId('diff')).toContainText('weight: 50');
  await page.screenshot({ path: test.info().outputPath('changes-conflict.png') });
  // Nothing was written.
  expect(split(await reviewsVs(kube))).toBe('v1=50,v2=50');
});

test('a change is marked on the graph’s replay track and on the metrics charts, naming it', async ({
  page,
}) => {
  await shift({ v1: 100 });
  const name = 'traffic shifting reviews: v1 100';

  await page.goto(`${consoleUrl()}/namespaces/${NS}/services/reviews/inbound`);
  const chart = page.getByTestId('chart-request_count');
  await expect(chart).toBeVisible();
  const mark = chart.locator(`[data-testid="chart-marker"][aria-label*="${name}"]`);
  await expect(mark).toHaveCount(1);
  await expect(mark).toHaveAttribute('title', new RegExp(`${name} \\(anonymous\\)`));

  await chart.screenshot({ path: test.info().outputPath('chart-marker.png') });

  await page.goto(`${consoleUrl()}/graph?namespaces=${NS}&graphType=versionedApp`);
  await page.getByTestId('replay-open').click();
  const replayMark = page.locator(`[data-testid="replay-marker"][aria-label*="${name}"]`);
  await expect(replayMark).toHaveCount(1);
  await page.getByTestId('replay').screenshot({ path: test.info().outputPath('replay-markers.png') });
  await replayMark.click();
  // The replay jumps to just after the change.
  await expect(page).toHaveURL(/queryTime=\d+/);
});
