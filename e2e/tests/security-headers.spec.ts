import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { nodeId } from '@meshlens/contract';
import { launchChromium } from '../support/browser';
import { clickElement, consoleUrl, cyState, openGraph } from '../support/graph';
import { resetIstioConfig } from '../support/mesh';

/**
 * The console under its own Content-Security-Policy in Chromium: the graph (Cytoscape, its layout, the
 * side panel's uPlot charts) and the Istio Config editor (CodeMirror) run without a single CSP
 * violation; and the attacks of issue 11 from a second loopback origin: framing, a cross-site write,
 * and DNS rebinding (a foreign name resolving to 127.0.0.1). This file makes and removes its own state
 * (routing of `details`).
 */
test.describe.configure({ mode: 'serial' });

const NS = 'bookinfo';
const origin = () => new URL(consoleUrl()).origin;
const api = (path: string) => `${consoleUrl()}/api/namespaces/${NS}${path}`;

interface Violation {
  directive: string;
  blocked: string;
  sample: string;
  source: string;
}

/** Records every CSP violation of the page (and of its workers' loads) from the first script on. */
async function recordViolations(
  page: Page,
): Promise<() => Promise<{ violations: Violation[]; console: string[] }>> {
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text()))
      consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: Violation[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      w.__csp.push({
        directive: e.violatedDirective,
        blocked: e.blockedURI,
        sample: e.sample,
        source: `${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`,
      }),
    );
  });
  return async () => ({
    violations: await page.evaluate(() => (window as unknown as { __csp: Violation[] }).__csp),
    console: consoleErrors,
  });
}

test.beforeAll(async () => {
  await resetIstioConfig();
  const res = await fetch(api('/services/details/routing'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: origin() },
    body: JSON.stringify({ trafficShifting: { v1: 100 } }),
  });
  expect(res.status, await res.text()).toBe(200);
});
test.afterAll(async () => {
  await resetIstioConfig();
});

test('every answer carries the security headers; the page has no inline script', async ({ request }) => {
  const page = await request.get(`${consoleUrl()}/graph`, { headers: { accept: 'text/html' } });
  const csp = page.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("script-src 'self';");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(page.headers()['x-content-type-options']).toBe('nosniff');
  expect(page.headers()['referrer-policy']).toBe('no-referrer');
  const html = await page.text();
  expect(html).toMatch(/<script type="application\/json" id="meshlens-config">/);
  for (const tag of html.match(/<script\b[^>]*>/g) ?? []) expect(tag).toMatch(/\bsrc=|application\/json/);
  const apiAnswer = await request.get(`${consoleUrl()}/api/namespaces`);
  expect(apiAnswer.headers()['cache-control']).toBe('no-store');
});

test('the graph, its side panel charts and the YAML editor run without a CSP violation', async ({ page }) => {
  test.setTimeout(180_000);
  const report = await recordViolations(page);
  await openGraph(page, 'namespaces=bookinfo&graphType=versionedApp&duration=60&refresh=10000');
  const details = nodeId.service(NS, 'details');
  await expect.poll(async () => (await cyState(page)).nodes, { timeout: 60_000 }).toContain(details);
  await clickElement(page, details);
  await expect(page.getByTestId('side-panel').getByTestId('panel-title')).toHaveText('details');
  // The side panel's charts (uPlot, from the metrics API) draw.
  await expect(page.getByTestId('side-panel').locator('.node-charts .uplot').first()).toBeVisible({
    timeout: 60_000,
  });

  await page.goto(`${consoleUrl()}/istio?namespaces=${NS}`);
  await expect(
    page
      .getByRole('table', { name: 'Istio objects' })
      .getByRole('row')
      .filter({ hasText: 'details' })
      .first(),
  ).toBeVisible({ timeout: 20_000 });
  await page.goto(`${consoleUrl()}/istio/${NS}/virtualservices/details`);
  await expect(page.locator('.cm-content')).toContainText('host: details', { timeout: 20_000 });
  // An edit: CodeMirror restyles, the linter marks a problem, then a valid edit and its diff.
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.insertText('  oops: [\n');
  await expect(page.getByTestId('problems')).toBeVisible({ timeout: 15_000 });
  await page.keyboard.press('Control+Z');
  await expect(page.getByTestId('editor-status')).toHaveText(/valid/, { timeout: 15_000 });

  const { violations, console } = await report();
  expect(violations, JSON.stringify(violations)).toEqual([]);
  expect(console, console.join('\n')).toEqual([]);
});

/** A page of another loopback origin (another port): it frames the console and writes to it. */
async function attackerSite(body: string): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><html><body>${body}</body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

/** The ratings VirtualService as the cluster has it (status, resourceVersion): an attack must not change it. */
const ratings = async () => {
  const res = await fetch(api('/istio/virtualservices/ratings'));
  const body = (await res.json()) as { object?: { metadata?: { resourceVersion?: string } } };
  return `${res.status} ${body.object?.metadata?.resourceVersion ?? '-'}`;
};

test('another origin can neither frame the console nor write to it', async ({ page }) => {
  const target = `${consoleUrl()}/graph`;
  const write = api('/services/ratings/routing');
  const before = await ratings();
  const { url, server } = await attackerSite(
    `<iframe id="framed" src="${target}" width="600" height="400"></iframe>
     <script>
       window.written = fetch(${JSON.stringify(write)}, {
         method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' },
         body: JSON.stringify({ faultInjection: { abort: { percentage: 100, httpStatus: 500 } } }),
       }).then(() => 'answered', (e) => String(e));
     </script>
     <form id="f" method="POST" target="sink" enctype="text/plain"
       action=${JSON.stringify(write)}><input name='{"faultInjection":{"abort":{"percentage":100,"httpStatus":500}},"x":"' value='"}'></form>
     <iframe name="sink"></iframe>`,
  );
  try {
    const refused: string[] = [];
    page.on('console', (m) => {
      if (/frame-ancestors|X-Frame-Options|Refused to display/i.test(m.text())) refused.push(m.text());
    });
    // What became of each write of the foreign page: the console's status, or why the browser failed it.
    const fetched: string[] = [];
    const posted: number[] = [];
    page.on('response', (r) => {
      if (r.url() !== write) return;
      if (r.request().isNavigationRequest()) posted.push(r.status());
      else fetched.push(String(r.status()));
    });
    page.on('requestfailed', (r) => {
      if (r.url() === write && !r.isNavigationRequest()) fetched.push(r.failure()?.errorText ?? 'failed');
    });
    await page.goto(url);
    await page.evaluate(() => (window as unknown as { written: Promise<string> }).written);
    await page.evaluate(() => (document.getElementById('f') as HTMLFormElement).submit());
    await expect.poll(() => posted, { timeout: 10_000 }).toEqual([403]);
    // The no-cors fetch was answered 403 (the browser withholds the answer from the page:
    // Cross-Origin-Resource-Policy).
    expect(fetched.length).toBeGreaterThan(0);
    for (const f of fetched) expect(f).toMatch(/^403$|ERR_BLOCKED_BY_RESPONSE/);
    // The framed console never loads: Chromium shows its error page in the frame instead.
    await expect.poll(() => refused.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const framed = page.frames().find((f) => f !== page.mainFrame() && f.name() !== 'sink');
    expect(framed?.url()).not.toBe(target);
    expect(await ratings()).toBe(before);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('DNS rebinding: a foreign name resolving to 127.0.0.1 gets 421 and cannot write', async () => {
  const { port, pathname } = new URL(consoleUrl());
  const before = await ratings();
  // The attacker's name resolves to the console's address, as after a rebinding.
  const browser = await launchChromium(['--host-resolver-rules=MAP rebind.attacker.test 127.0.0.1']);
  try {
    const page = await browser.newPage();
    const foreign = `http://rebind.attacker.test:${port}${pathname}`;
    const answer = await page.goto(`${foreign}/graph`);
    expect(answer?.status()).toBe(421);
    // From that page (same origin as far as the browser knows), a write is refused too.
    const status = await page.evaluate(
      async (url) =>
        (
          await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ faultInjection: { abort: { percentage: 100, httpStatus: 500 } } }),
          })
        ).status,
      `${foreign}/api/namespaces/${NS}/services/ratings/routing`,
    );
    expect(status).toBe(421);
    expect(await ratings()).toBe(before);
  } finally {
    await browser.close();
  }
});
