/**
 * Screenshots at 1280×800 (light theme) against the real demo stack, for the docs:
 *   npx tsx e2e/screenshots.ts [bookinfo|travels|generated|pages]...   (default: all four)
 * Writes docs/screenshots/graph-bookinfo.png, graph-travels.png, graph-generated-1000.png, and (pages, on
 * bookinfo) overview.png, workloads.png and service-inbound-metrics.png.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GraphResponse, NamespacesResponse } from '@meshlens/contract';
import { startStack } from '@meshlens/stack';
import type { ScenarioName } from '@meshlens/stack';
import { launchChromium } from './support/browser';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, 'docs', 'screenshots');

interface Shot {
  scenario: ScenarioName;
  file: string;
  services?: number;
  /** View settings beyond the namespaces. */
  query: string;
  /**
   * Pages other than the graph, on the same stack: the address (before `?`), what to wait for, and the
   * page's time range in seconds when it draws charts over it (taken once the stack has had traffic that
   * long, so the charts are not mostly empty).
   */
  pages?: { file: string; path: string; query: string; ready: string; rangeSeconds?: number }[];
}

const SHOTS: Record<string, Shot> = {
  bookinfo: {
    scenario: 'bookinfo',
    file: 'graph-bookinfo.png',
    query: 'graphType=versionedApp&edges=rate&selected=svc:bookinfo/reviews',
  },
  travels: { scenario: 'travels', file: 'graph-travels.png', query: 'graphType=versionedApp' },
  pages: {
    scenario: 'bookinfo',
    file: 'graph-bookinfo.png',
    query: '',
    pages: [
      { file: 'overview.png', path: '/overview', query: '&duration=60', ready: '.sparkline path' },
      { file: 'workloads.png', path: '/workloads', query: '&duration=600', ready: '.et-body [role=row]' },
      {
        file: 'service-inbound-metrics.png',
        path: '/namespaces/bookinfo/services/reviews/inbound',
        query: '&duration=300',
        ready: '[data-testid=chart-request_count] canvas',
        rangeSeconds: 300,
      },
    ],
  },
  generated: {
    scenario: 'generated',
    file: 'graph-generated-1000.png',
    services: 1000,
    query: 'graphType=service',
  },
};

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

async function shoot(shot: Shot): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'meshlens-shots-'));
  const stack = await startStack({
    scenario: shot.scenario,
    stateDir,
    services: shot.services,
    scrapeIntervalSeconds: 2,
    consoleArgs: ['--log-level', 'warn'],
    onProgress: (m) => process.stderr.write(`[${shot.scenario}] ${m}\n`),
  });
  const browser = await launchChromium();
  try {
    const base = (stack.urls.console ?? '').replace(/\/+$/, '');
    const { namespaces } = await getJson<NamespacesResponse>(`${base}/api/namespaces`);
    const names = namespaces
      .map((n) => n.name)
      .filter((n) => !['kube-system', 'kube-public', 'kube-node-lease', 'default'].includes(n));
    const ns = names.join(',');
    // wait until the graph has traffic (Prometheus needs a few scrapes for rate()) and every call path has
    // shown up: the same number of edges on two polls in a row
    const deadline = Date.now() + 120_000;
    let edges = -1;
    let trafficSince: number | undefined;
    for (;;) {
      const g = await getJson<GraphResponse>(`${base}/api/graph?namespaces=${ns}&duration=60s`);
      const now = g.edges.filter((e) => !e.isIdle).length;
      if (now > 0) trafficSince ??= Date.now();
      if (now >= 5 && now === edges) break;
      if (Date.now() > deadline) throw new Error(`${shot.scenario}: the graph has ${now} edges with traffic`);
      edges = now;
      await new Promise((r) => setTimeout(r, 2000)); // the scrape interval: the next poll can differ
    }
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    await page.addInitScript(() => localStorage.setItem('meshlens.theme', 'light'));
    if (shot.pages) {
      mkdirSync(outDir, { recursive: true });
      for (const p of shot.pages) {
        const wait = (trafficSince ?? Date.now()) + (p.rangeSeconds ?? 0) * 1000 - Date.now();
        if (wait > 0) {
          process.stderr.write(
            `${p.file}: waiting ${Math.ceil(wait / 1000)} s for charts that fill the range\n`,
          );
          await new Promise((r) => setTimeout(r, wait));
        }
        await page.goto(`${base}${p.path}?namespaces=${ns}&refresh=0${p.query}`);
        await page.waitForSelector(p.ready, { state: 'attached', timeout: 60_000 });
        await page.waitForLoadState('networkidle');
        await page.evaluate(() => document.fonts.ready.then(() => undefined));
        await page.screenshot({ path: join(outDir, p.file) });
        process.stderr.write(`wrote docs/screenshots/${p.file}\n`);
      }
      return;
    }
    await page.goto(`${base}/graph?namespaces=${ns}&duration=60&refresh=0&${shot.query}`);
    await page.waitForSelector('[data-testid=graph-canvas][data-ready=true]', { timeout: 120_000 });
    // a large graph is drawn at once in a radial placement, then fcose refines it in a worker
    await page.waitForFunction(
      () => document.querySelector('[data-testid=graph-canvas]')?.getAttribute('data-layout') !== 'radial',
      undefined,
      { timeout: 120_000 },
    );
    await page.waitForFunction(
      () => (document.querySelector('[data-testid=graph-status]')?.textContent ?? '').length > 0,
    );
    if (shot.query.includes('selected=')) await page.getByTestId('panel-title').waitFor();
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: join(outDir, shot.file) });
    process.stderr.write(`wrote docs/screenshots/${shot.file}\n`);
  } finally {
    await browser.close();
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(SHOTS);
execFileSync('npm', ['run', 'build', '-w', '@meshlens/web'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});
for (const name of wanted) {
  const shot = SHOTS[name];
  if (!shot) throw new Error(`unknown screenshot ${name}: expected ${Object.keys(SHOTS).join(', ')}`);
  await shoot(shot);
}
