/**
 * Trace view benchmark (`npm run bench -- trace-view`): the production-like test build in Chromium, the API
 * answered in the page (no server), a trace of 200 spans over 20 services; navigation → every span row of the
 * waterfall drawn, and → a span's details open after a click. Issue 14's target: a 200-span trace renders
 * under 1 s.
 */
import { loadavg } from 'node:os';
import { TraceResponseSchema, type Span, type TraceResponse } from '@meshlens/contract';
import { launchChromium } from '../../e2e/support/browser';
import { buildTestWeb } from '../../e2e/support/buildWeb';
import { serveStatic } from '../../e2e/support/staticServer';
import { SYNTHETIC_CONFIG } from '../../e2e/support/synthetic';
import { percentile, round1, type BenchContext, type BenchResult } from '../lib';

const SPANS = 200;
const RUNS = 7;
const ID = '4bf92f3577b34da6a3ce929d0e0e4736';

/** A trace of `n` spans: each hop a client span and its server span, fanning out over 20 services. */
export function syntheticTrace(n: number): TraceResponse {
  const spans: Span[] = [];
  const start = 1_780_000_000_000_000;
  const add = (parent: Span | null, kind: 'client' | 'server', service: number, at: number, dur: number) => {
    const app = `svc-${String(service).padStart(2, '0')}`;
    const s: Span = {
      spanId: (spans.length + 1).toString(16).padStart(16, '0'),
      parentId: parent?.spanId ?? null,
      service: `${app}.ns-${service % 4}`,
      app,
      namespace: `ns-${service % 4}`,
      pod: `${app}-v1-5d4f8b7c9-x${service}`,
      kind,
      operation: `${app}.ns-${service % 4}.svc.cluster.local:8080/*`,
      startUs: at,
      durationUs: dur,
      error: spans.length % 37 === 36,
      statusCode: spans.length % 37 === 36 ? 503 : 200,
      responseFlags: spans.length % 37 === 36 ? 'UF' : '-',
      upstreamCluster:
        kind === 'client' ? `outbound|8080||${app}.ns-${service % 4}.svc.cluster.local` : 'inbound|8080||',
      peerAddress: `10.244.0.${service + 1}`,
      requestId: '8c1f9a2e-0b6a-4c3e-9d1f-2a7b5c4e3d21',
      tags: { component: 'proxy', 'span.kind': kind, 'http.method': 'GET' },
    };
    spans.push(s);
    return s;
  };
  // Breadth first: every server span calls up to 3 others until n spans exist.
  const root = add(null, 'client', 0, start, 900_000);
  const queue: { parent: Span; depth: number }[] = [
    { parent: add(root, 'server', 1, start + 500, 890_000), depth: 1 },
  ];
  while (spans.length < n && queue.length) {
    const { parent, depth } = queue.shift()!;
    for (let i = 0; i < 3 && spans.length + 2 <= n; i++) {
      const at = parent.startUs + 1000 + i * (parent.durationUs / 4);
      const dur = Math.max(2000, parent.durationUs / 4 - 2000);
      const service = (spans.length / 2 + 2) % 20;
      const c = add(parent, 'client', depth % 20, at, dur);
      queue.push({ parent: add(c, 'server', service, at + 300, dur - 600), depth: depth + 1 });
    }
  }
  const end = Math.max(...spans.map((s) => s.startUs + s.durationUs));
  return TraceResponseSchema.parse({
    tracing: { enabled: true },
    trace: { id: ID, startUs: start, durationUs: end - start, spans },
  });
}

export async function runTraceViewBench({ log }: BenchContext): Promise<BenchResult> {
  const trace = syntheticTrace(SPANS);
  const body = JSON.stringify(trace);
  const config = JSON.stringify({ ...SYNTHETIC_CONFIG, tracing: { enabled: true } });
  log('building the web app (test mode)');
  const site = await serveStatic(buildTestWeb());
  const browser = await launchChromium();
  const drawn: number[] = [];
  const detail: number[] = [];
  const load = loadavg()[0]!;
  try {
    for (let run = -1; run < RUNS; run++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.route('**/api/**', (route) => {
        const path = new URL(route.request().url()).pathname;
        return route.fulfill({
          body: path.endsWith(`/api/traces/${ID}`) ? body : path.endsWith('/api/config') ? config : '{}',
          contentType: 'application/json',
        });
      });
      const t0 = Date.now();
      await page.goto(`${site.url}/traces/${ID}`);
      await page.waitForFunction(
        (n) => document.querySelectorAll('[data-testid="span-row"]').length === n,
        trace.trace.spans.length,
        { polling: 'raf', timeout: 60_000 },
      );
      const ms = Date.now() - t0;
      const t1 = Date.now();
      await page.locator('[data-testid="span-row"]').nth(150).click();
      await page.getByTestId('span-detail').waitFor();
      // the first run warms the HTTP and compile caches of the build; it is not counted
      if (run >= 0) {
        drawn.push(ms);
        detail.push(Date.now() - t1);
      }
      log(`trace view: ${trace.trace.spans.length} spans drawn in ${ms} ms${run < 0 ? ' (warm-up)' : ''}`);
      await context.close();
    }
  } finally {
    await browser.close();
    await site.close();
  }
  const figures = {
    spans: trace.trace.spans.length,
    drawnP50Ms: round1(percentile(drawn, 50)),
    drawnMaxMs: Math.max(...drawn),
    spanDetailP50Ms: round1(percentile(detail, 50)),
    loadAverage: round1(load),
    target_200SpansUnder1s: percentile(drawn, 50) < 1000,
  };
  const markdown = [
    `A synthetic trace of ${trace.trace.spans.length} spans over 20 services (client and server span per hop,`,
    'fanning out three ways), answered in the page; a fresh browser context per run (navigation → every span',
    `row of the waterfall drawn, then a click → the span's details), ${RUNS} runs after one warm-up. Load`,
    `average at the start: ${round1(load)}.`,
    '',
    '| figure | value |',
    '|---|---|',
    ...Object.entries(figures).map(([k, v]) => `| ${k} | ${v} |`),
    '',
    `Target (issue 14): a 200-span trace renders under 1 s — ${figures.target_200SpansUnder1s ? 'met' : 'NOT met'} (p50 ${figures.drawnP50Ms} ms, from navigation, the app's own load included).`,
  ].join('\n');
  return { name: 'trace-view', figures, markdown };
}
