import { expect, test } from '@playwright/test';
import { nodeId } from '@meshlens/contract';
import { canvasTextCount, cutCanvasText, recordCanvasText } from '../support/canvasText';
import { openGraph } from '../support/graph';
import { labelReport } from '../support/labels';
import { resetIstioConfig } from '../support/mesh';

// The scenario's own Istio config, whatever a spec before this one left.
test.beforeAll(resetIstioConfig);

/**
 * Issue 16, item 11 on Bookinfo (the shared stack, read only): at the default zoom every node label is
 * drawn and no label is drawn over another, whatever the graph type and edge labels; the side panel's
 * chart draws no tick label past its edge. travels-demo.spec.ts checks the travels mesh.
 */
const VIEWS = [
  'namespaces=bookinfo&graphType=versionedApp',
  'namespaces=bookinfo,istio-system&graphType=versionedApp',
  'namespaces=bookinfo,istio-system&graphType=workload',
  'namespaces=bookinfo&graphType=workload&edges=rate&security=1',
  'namespaces=bookinfo&graphType=app&edges=percent',
  'namespaces=bookinfo,istio-system&graphType=service&edges=rate',
  'namespaces=bookinfo,istio-system&graphType=versionedApp&edges=rate&security=1',
];

for (const view of VIEWS) {
  test(`no label drawn over another: ${view}`, async ({ page }) => {
    await openGraph(page, `${view}&duration=60&refresh=0`);
    const report = await labelReport(page);
    expect(report.overlaps, `zoom ${report.zoom.toFixed(2)}`).toEqual([]);
    // …and not because labels are missing: every node label is drawn, inside the canvas
    expect(report.nodeLabels).toBeGreaterThan(5);
    expect(report.nodeLabelsDrawn, `node labels drawn at zoom ${report.zoom.toFixed(2)}`).toBe(
      report.nodeLabels,
    );
    expect(report.outside).toEqual([]);
    expect(report.boxOverlaps).toEqual([]);
    if (view.includes('edges=') || view.includes('security=1')) {
      expect(report.edgeLabels).toBeGreaterThanOrEqual(4); // the service graph has 4 or 5 edges
      expect(report.edgeLabelsDrawn, 'most edge labels are drawn').toBeGreaterThanOrEqual(
        Math.ceil(report.edgeLabels * 0.6),
      );
    }
  });
}

test('the side panel chart draws its time axis inside the chart', async ({ page }) => {
  await recordCanvasText(page, '.node-charts');
  const productpage = nodeId.versionedApp('bookinfo', 'productpage', 'v1');
  await openGraph(
    page,
    `namespaces=bookinfo&graphType=versionedApp&duration=60&refresh=10000&selected=${encodeURIComponent(productpage)}`,
  );
  // the node's charts (from the metrics API) draw rates and times
  await expect(page.locator('.node-charts canvas').first()).toBeVisible({ timeout: 40_000 });
  await expect.poll(() => canvasTextCount(page)).toBeGreaterThan(4);
  expect(await cutCanvasText(page)).toEqual([]);
});
