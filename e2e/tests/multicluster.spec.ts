import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startStack, waitForPromQL, type Stack } from '@meshlens/stack';
import { WEB_TEST_DIR } from '../support/buildWeb';
import { tapElement, waitForGraph } from '../support/graph';

/**
 * The multicluster scenario in Chromium, on a stack of its own: two demo clusters (east, west), mesh-sim
 * labelling every report with its proxy's cluster, and the console reading both clusters. The graph
 * draws a box per cluster around that cluster's namespace boxes, reviews once per cluster, the edges
 * across clusters, and the side panel names a node's cluster.
 */
test.describe.configure({ mode: 'serial' });

let stack: Stack | undefined;
let stateDir: string;
let url: string;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  stateDir = mkdtempSync(join(tmpdir(), 'meshlens-e2e-multicluster-'));
  stack = await startStack({
    scenario: 'multicluster',
    stateDir,
    scrapeIntervalSeconds: 2,
    consoleArgs: ['--web-dir', WEB_TEST_DIR, '--log-level', 'warn'],
    handleSignals: false,
    onProgress: (m) => process.stderr.write(`[e2e multicluster stack] ${m}\n`),
  });
  if (!stack.urls.console) throw new Error('the stack started without a console');
  url = stack.urls.console.replace(/\/+$/, '');
  // Traffic served in west has reached Prometheus.
  await waitForPromQL(
    stack.urls.prometheus,
    'sum(rate(istio_requests_total{reporter="destination",destination_cluster="west"}[20s]))',
    (s) => s.length > 0 && Number(s[0]!.value[1]) > 0,
    90_000,
    500,
  );
});

test.afterAll(async () => {
  await stack?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

interface Drawn {
  parents: Record<string, string | null>;
  boxes: Record<string, { x1: number; y1: number; x2: number; y2: number }>;
}

test('cluster boxes around namespace boxes, one reviews per cluster, the cluster in the side panel', async ({
  page,
}) => {
  await page.goto(`${url}/graph?namespaces=bookinfo,istio-system&graphType=versionedApp&duration=60`);
  await waitForGraph(page);
  const west = 'svc:bookinfo/reviews@west';
  const east = 'svc:bookinfo/reviews@east';
  await expect
    .poll(() => page.evaluate((id) => !!window.__cy?.getElementById(id).nonempty(), west), {
      timeout: 60_000,
    })
    .toBe(true);
  const drawn: Drawn = await page.evaluate(() => {
    const cy = window.__cy!;
    const parents: Drawn['parents'] = {};
    cy.nodes().forEach((n) => {
      parents[n.id()] = n.isChild() ? n.parent().first().id() : null;
    });
    const boxes: Drawn['boxes'] = {};
    cy.nodes('[id ^= "box:cluster:"]').forEach((n) => {
      const bb = n.boundingBox({});
      boxes[n.id()] = { x1: bb.x1, y1: bb.y1, x2: bb.x2, y2: bb.y2 };
    });
    return { parents, boxes };
  });
  expect(Object.keys(drawn.boxes).sort()).toEqual(['box:cluster:east', 'box:cluster:west']);
  expect(drawn.parents[west]).toBe('box:ns:bookinfo@west');
  expect(drawn.parents['box:ns:bookinfo@west']).toBe('box:cluster:west');
  expect(drawn.parents[east]).toBe('box:ns:bookinfo@east');
  expect(drawn.parents['box:ns:bookinfo@east']).toBe('box:cluster:east');
  expect(drawn.parents['vapp:bookinfo/reviews/v3@west']).toBe('box:ns:bookinfo@west');
  expect(drawn.parents['vapp:istio-system/istio-ingressgateway/latest@east']).toBe(
    'box:ns:istio-system@east',
  );
  // The two clusters' boxes do not overlap.
  const [a, b] = [drawn.boxes['box:cluster:east']!, drawn.boxes['box:cluster:west']!];
  expect(a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2).toBe(false);
  // An edge across clusters: reviews v2 in east calls ratings served in west.
  const edges = await page.evaluate(() => window.__cy!.edges().map((e) => e.id()));
  expect(edges).toContain('vapp:bookinfo/reviews/v2@east>svc:bookinfo/ratings@west:http');

  await tapElement(page, west);
  await expect(page.getByTestId('panel-title')).toHaveText('reviews');
  await expect(page.getByTestId('panel-cluster')).toHaveText('cluster west');
  await tapElement(page, east);
  await expect(page.getByTestId('panel-cluster')).toHaveText('cluster east');
});

test("reviews' Traffic tab: productpage's calls to reviews in each cluster, the mini graph centred once", async ({
  page,
}) => {
  await page.goto(`${url}/namespaces/bookinfo/services/reviews/traffic?namespaces=bookinfo&duration=60`);
  const inbound = page.getByTestId('traffic-inbound');
  await expect(inbound.getByRole('row', { name: /productpage.*⇄ east/ })).toBeVisible({ timeout: 60_000 });
  await expect(inbound.getByRole('row', { name: /productpage.*⇄ west/ })).toBeVisible({ timeout: 60_000 });
  await page.goto(`${url}/namespaces/bookinfo/services/reviews?namespaces=bookinfo&duration=60`);
  await expect(page.locator('.mini-centre')).toHaveCount(1, { timeout: 60_000 });
  await expect(page.locator('.mini-node')).not.toHaveCount(1, { timeout: 60_000 });
});
