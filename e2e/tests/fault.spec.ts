import { expect, test } from '@playwright/test';
import { edgeId, nodeId } from '@meshlens/contract';
import { bookinfoObjects, Kube } from '../support/kube';
import { openGraph, tapElement } from '../support/graph';
import { resetIstioConfig, waitForBookinfoTraffic } from '../support/mesh';
import { cyColour, LIGHT_PALETTE } from '../support/palette';

const NS = 'bookinfo';
const destinationRules = bookinfoObjects('destination-rule-all.yaml');
/** virtual-service-ratings-test-abort.yaml, with the abort applied to every user rather than jason only. */
const abortAll = (() => {
  const [vs] = bookinfoObjects('virtual-service-ratings-test-abort.yaml');
  if (!vs) throw new Error('virtual-service-ratings-test-abort.yaml is empty');
  const http = (vs.spec as { http: Record<string, unknown>[] }).http;
  const faulty = { ...http[0] };
  delete faulty.match;
  return { ...vs, spec: { ...(vs.spec as object), http: [faulty] } };
})();

/** The colours compared are the light theme's, whatever the machine prefers. */
test.use({ colorScheme: 'light' });

test.beforeAll(async () => {
  // no routing config, and the ratings edge Healthy over the 60 s window the test watches
  await resetIstioConfig();
  await waitForBookinfoTraffic(60, { ratingsHealthy: true });
});
test.afterAll(async () => {
  await resetIstioConfig();
});

test('a fault applied through the Kubernetes API turns the ratings edge red within 60 s', async ({
  page,
}) => {
  const edge = edgeId(nodeId.versionedApp(NS, 'reviews', 'v2'), nodeId.service(NS, 'ratings'), 'http');
  await openGraph(page, 'namespaces=bookinfo,istio-system&graphType=versionedApp&duration=60&refresh=10000');
  await expect
    .poll(
      () => page.evaluate((id) => window.__cy?.getElementById(id).data('health') as string | undefined, edge),
      { timeout: 60_000 },
    )
    .toBe('Healthy');
  const lineColour = () =>
    page.evaluate((id) => window.__cy?.getElementById(id).style('line-color') as string, edge);
  expect(await lineColour()).toBe(cyColour(LIGHT_PALETTE.healthy));

  const kube = new Kube();
  for (const dr of destinationRules) await kube.apply(dr, NS);
  await kube.apply(abortAll, NS);
  const applied = Date.now();

  await expect
    .poll(
      () => page.evaluate((id) => window.__cy?.getElementById(id).data('health') as string | undefined, edge),
      {
        message: 'the reviews v2 → ratings edge turns to Failure',
        timeout: 60_000,
        intervals: [1000],
      },
    )
    .toBe('Failure');
  const seconds = (Date.now() - applied) / 1000;
  expect(await lineColour()).toBe(cyColour(LIGHT_PALETTE.failure));
  test.info().annotations.push({ type: 'edge red after', description: `${seconds.toFixed(1)} s` });

  // the side panel shows the 500s with the fault-injection flag
  await tapElement(page, edge);
  const panel = page.getByTestId('side-panel');
  await expect(panel.getByTestId('responses')).toContainText('500');
  await expect(panel.getByTestId('responses')).toContainText('FI');
  // find expressions on edges work against the live data: the edge is Failure, so ≥ 10 % of its requests
  // fail (a higher bar races the 60 s window filling with the fault's 500s)
  await page.getByTestId('find').fill('%httperr >= 10');
  await page.getByTestId('find').press('Enter');
  await expect
    .poll(() => page.evaluate(() => window.__cy?.$('edge.find').map((e) => e.id()) ?? []))
    .toContain(edge);
});
