// temporary: screenshots of the rollout UI (not committed)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack } from '@meshlens/stack';
import { launchChromium } from './support/browser';
import { Kube } from './support/kube';

const out = '/tmp/rollout-shots';
const stack = await startStack({
  scenario: 'bookinfo',
  stateDir: mkdtempSync(join(tmpdir(), 'ro-shots-')),
  scrapeIntervalSeconds: 2,
  consoleArgs: ['--log-level', 'warn'],
  handleSignals: true,
});
const base = (stack.urls.console ?? '').replace(/\/+$/, '');
const H = { 'Sec-Fetch-Site': 'same-origin', 'Content-Type': 'application/json' };
const post = async (path: string, body: unknown) => {
  const r = await fetch(`${base}${path}`, { method: 'POST', headers: H, body: JSON.stringify(body) });
  return (await r.json()) as { id: string; phase: string };
};
const get = async (path: string) => (await (await fetch(`${base}${path}`)).json()) as { phase: string; steps: { outcome?: string }[] };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const browser = await launchChromium();
try {
  await sleep(15000);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  await page.addInitScript(() => localStorage.setItem('meshlens.theme', 'light'));
  // wizard
  await page.goto(`${base}/graph?namespaces=bookinfo&graphType=versionedApp&duration=30&refresh=0&selected=svc:bookinfo/reviews`);
  await page.getByTestId('side-panel').getByRole('button', { name: /Actions/ }).click({ timeout: 60000 });
  await page.getByRole('menuitem', { name: 'Traffic Shifting' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Weight of v1', { exact: true }).fill('100');
  await dialog.getByTestId('roll-out-gradually').locator('summary').click();
  await sleep(1500);
  await page.screenshot({ path: `${out}/wizard.png` });
  await page.keyboard.press('Escape');
  const r1 = await post('/api/namespaces/bookinfo/services/reviews/rollouts', {
    target: 'v3', baseline: { v1: 100 }, steps: [25, 50, 100], waitSeconds: 10,
    gates: { maxErrorPercent: 5, maxP95Ms: 500, maxP95IncreasePercent: 300, minRequests: 5 },
  });
  await page.goto(`${base}/rollouts/bookinfo/${r1.id}`);
  for (let i = 0; i < 60 && (await get(`/api/namespaces/bookinfo/rollouts/${r1.id}`)).steps[0]?.outcome !== 'passed'; i++) await sleep(1000);
  await sleep(2000);
  await page.screenshot({ path: `${out}/running.png`, fullPage: true });
  for (let i = 0; i < 60 && (await get(`/api/namespaces/bookinfo/rollouts/${r1.id}`)).phase === 'running'; i++) await sleep(1000);
  await sleep(1500);
  await page.screenshot({ path: `${out}/promoted.png`, fullPage: true });
  await post('/api/namespaces/bookinfo/services/reviews/routing', { trafficShifting: { v1: 100 } });
  const kube = new Kube(stack.kubeconfigPath);
  await kube.setTemplateAnnotation('bookinfo', 'reviews-v3', 'mesh-sim.meshlens.io/error-rate', '0.5');
  await sleep(5000);
  const r2 = await post('/api/namespaces/bookinfo/services/reviews/rollouts', {
    target: 'v3', steps: [25, 50, 100], waitSeconds: 10,
    gates: { maxErrorPercent: 5, maxP95Ms: 500, minRequests: 5 },
  });
  await page.goto(`${base}/rollouts/bookinfo/${r2.id}`);
  for (let i = 0; i < 60 && (await get(`/api/namespaces/bookinfo/rollouts/${r2.id}`)).phase === 'running'; i++) await sleep(1000);
  await sleep(1500);
  await page.screenshot({ path: `${out}/rolledback.png`, fullPage: true });
  await page.goto(`${base}/rollouts`);
  await sleep(2000);
  await page.screenshot({ path: `${out}/list.png` });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.evaluate(() => localStorage.setItem('meshlens.theme', 'dark'));
  await page.goto(`${base}/rollouts/bookinfo/${r2.id}`);
  await sleep(2500);
  await page.screenshot({ path: `${out}/rolledback-dark.png`, fullPage: true });
} finally {
  await browser.close();
  await stack.stop();
}
