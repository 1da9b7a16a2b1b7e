import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { edgeId, nodeId } from '@meshlens/contract';
import type { GraphResponse } from '@meshlens/contract';
import { startStack } from '@meshlens/stack';
import type { Stack } from '@meshlens/stack';
import { BASE_PATH } from '../global-setup';
import { WEB_TEST_DIR } from '../support/buildWeb';
import { waitForGraph } from '../support/graph';
import { labelReport } from '../support/labels';

/**
 * Issue 16 on the travels demo (HTTP, gRPC and TCP, a database, an external host behind a ServiceEntry),
 * on a stack of this file's own: TCP edges in bytes/s and connections (item 2), health reasons in words
 * (item 3), and labels that never collide at the default zoom (item 11).
 */
test.describe.configure({ mode: 'serial' });

let stack: Stack | undefined;
let stateDir = '';
let url = '';
const NS = 'namespaces=istio-system,travel-agency,travel-control,travel-portal&duration=60';
const mysqldb = nodeId.service('travel-agency', 'mysqldb');
const mysqldbV1 = nodeId.versionedApp('travel-agency', 'mysqldb', 'v1');
const dbEdge = edgeId(mysqldb, mysqldbV1, 'tcp');

test.beforeAll(async () => {
  test.setTimeout(180_000);
  stateDir = mkdtempSync(join(tmpdir(), 'meshlens-e2e-travels-'));
  stack = await startStack({
    scenario: 'travels',
    stateDir,
    scrapeIntervalSeconds: 2,
    consoleArgs: ['--web-dir', WEB_TEST_DIR, '--base-path', BASE_PATH, '--log-level', 'warn'],
    handleSignals: false,
  });
  const base = (stack.urls.console ?? '').replace(/\/+$/, '');
  if (!base) throw new Error('the travels stack started without a console');
  url = base.endsWith(BASE_PATH) ? base : `${base}${BASE_PATH}`;
  // the tests open paused graphs: wait until Prometheus has the whole mesh, TCP connections included
  await expect
    .poll(
      async () => {
        const res = await fetch(`${url}/api/graph?${NS.replace('duration=60', 'duration=60s')}`);
        const graph = (await res.json()) as GraphResponse;
        const traffic = graph.edges.filter((e) => !e.isIdle);
        return traffic.length >= 40 && graph.edges.some((e) => e.id === dbEdge && e.connections);
      },
      { message: 'the travels mesh shows in the graph', timeout: 120_000, intervals: [2000] },
    )
    .toBe(true);
});

test.afterAll(async () => {
  await stack?.stop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

/** A paused graph (refresh=0) unless the query asks for a refresh. */
async function openGraph(page: Page, query: string): Promise<void> {
  await page.goto(`${url}/graph?${NS}&${query.includes('refresh=') ? query : `${query}&refresh=0`}`);
  await waitForGraph(page);
}

test('a TCP edge shows bytes/s and connections, never requests', async ({ page }) => {
  await openGraph(page, `graphType=versionedApp&selected=${encodeURIComponent(dbEdge)}`);
  const panel = page.getByTestId('side-panel');
  await expect(panel.getByTestId('panel-title')).toHaveText('mysqldb → mysqldb v1');
  await expect(panel.getByTestId('edge-rate')).toHaveText(/^\d+(\.\d)? (B|KiB|MiB)\/s$/);
  await expect(panel.getByTestId('edge-connections')).toHaveText(/^\d+(\.\d+)? conn\/s$/);
  await expect(panel.getByTestId('tcp-flags')).toContainText(/none\s*\d+(\.\d+)? conn\/s\s*\d+(\.\d)?%/);
  await expect(panel).not.toContainText('rps');
  await expect(panel).not.toContainText('Responses');
  // the database's own panel: TCP in, no HTTP rows
  await page.getByRole('button', { name: 'mysqldb v1' }).click();
  await expect(panel.getByTestId('node-traffic')).toContainText(/TCP in\s*\d/);
  await expect(panel.getByTestId('node-traffic')).not.toContainText('HTTP');
  // the TCP edge's label in rate mode is bytes/s too
  await page.getByTestId('edge-labels').selectOption('rate');
  await expect
    .poll(() => page.evaluate((id) => String(window.__cy?.getElementById(id).data('rateLabel')), dbEdge))
    .toMatch(/^\d+(\.\d)? (B|KiB|MiB)\/s$/);
});

test('health reasons are sentences, not regular expressions', async ({ page }) => {
  await openGraph(page, 'graphType=versionedApp&refresh=10000');
  const reasons = page.getByTestId('side-panel').locator('.links li .muted');
  // travels has failing calls (cars v2, the exchange-rates API): the summary lists them with reasons
  await expect.poll(() => reasons.count(), { timeout: 60_000 }).toBeGreaterThan(0);
  for (const reason of await reasons.allInnerTexts()) {
    expect(reason).toMatch(
      /^(HTTP|gRPC|TCP) [^:]+: (< )?\d+(\.\d)? % of (inbound|outbound) requests, (degraded (at|above) [\d.]+ %, )?failure at [\d.]+ %$/,
    );
    expect(reason).not.toMatch(/[\^$|[\]\\]/);
  }
});

const VIEWS = [
  'graphType=versionedApp',
  'graphType=workload',
  'graphType=versionedApp&edges=rate',
  'graphType=versionedApp&edges=rate&security=1',
  'graphType=workload&edges=rt&security=1',
  'graphType=app&edges=percent',
  'graphType=service&edges=rate',
];

for (const view of VIEWS)
  test(`no label drawn over another: ${view}`, async ({ page }) => {
    await openGraph(page, view);
    const report = await labelReport(page);
    expect(report.overlaps, `zoom ${report.zoom.toFixed(2)}`).toEqual([]);
    expect(report.nodeLabelsDrawn, `node labels drawn at zoom ${report.zoom.toFixed(2)}`).toBe(
      report.nodeLabels,
    );
    expect(report.nodeLabels).toBeGreaterThan(20);
    expect(report.outside).toEqual([]);
    expect(report.boxOverlaps).toEqual([]);
    if (view.includes('edges=')) {
      expect(report.edgeLabels).toBeGreaterThan(20);
      expect(report.edgeLabelsDrawn, 'half the edge labels or more are drawn').toBeGreaterThanOrEqual(
        Math.ceil(report.edgeLabels / 2),
      );
    }
  });

test('a label left out for lack of room shows on hover and on selection', async ({ page }) => {
  await openGraph(page, 'graphType=versionedApp&edges=rate&security=1');
  const hidden = await page.evaluate(() => window.__cy?.$('edge.label-hidden').map((e) => e.id()) ?? []);
  expect(hidden.length).toBeGreaterThan(0);
  const opacity = (id: string) =>
    page.evaluate((edge) => Number(window.__cy?.getElementById(edge).style('text-opacity')), id);
  expect(await opacity(hidden[0]!)).toBe(0);
  await page.evaluate((edge) => void window.__cy?.getElementById(edge).emit('tap'), hidden[0]!);
  await expect.poll(() => opacity(hidden[0]!)).toBe(1);
  // Selecting an edge opens the side panel, whose charts ask the graph for more steps: the answer that
  // comes back has new rates and may hide other labels. So selection and hover are checked again in one
  // task, on an edge hidden at that moment (cytoscape applies a class change to the style at once).
  await expect.poll(() => page.evaluate(() => window.__cy?.$('edge:selected').length ?? 0)).toBe(1);
  const hover = await page.evaluate(() => {
    const edge = window.__cy?.$('edge.label-hidden').filter((e) => !e.selected())[0];
    if (!edge) return null;
    const opacity = () => Number(edge.style('text-opacity'));
    const before = opacity();
    edge.select();
    const selected = opacity();
    edge.unselect();
    const unselected = opacity();
    edge.emit('mouseover');
    const over = opacity();
    edge.emit('mouseout');
    return { before, selected, unselected, over, out: opacity() };
  });
  expect(hover).toEqual({ before: 0, selected: 1, unselected: 0, over: 1, out: 0 });
  // and the external host's label is whole (wrapped at its dots, not cut)
  const host = await page.evaluate(() =>
    String(window.__cy?.getElementById('se:api.exchange-rates.example.com').style('label')),
  );
  expect(host.replace(/\n/g, '')).toBe('api.exchange-rates.example.com');
  expect(host.split('\n').every((line) => line.length <= 20)).toBe(true);
});
