/**
 * `npm run tour`: starts the demo stack (bookinfo) on free ports with a temporary state folder, then drives
 * the console in Chromium through a canary rollout of reviews v3 (10 → 50 → 100 %), a fault-injection
 * drill on ratings with its rollback, and a guarded rollout of reviews v3 (made to fail half its requests)
 * that rolls itself back. Each step waits (bounded) for the graph to show it and saves a
 * numbered screenshot; captions go to .tour/captions.md. Exits non-zero when a step does not show in time.
 *   npm run tour [-- --keep]   (--keep: leave the stack running after the tour, until Ctrl-C)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack } from '@meshlens/stack';
import { launchChromium } from '../e2e/support/browser';
import { buildTestWeb } from '../e2e/support/buildWeb';
import { waitForGraph } from '../e2e/support/graph';
import {
  STEPS,
  TOUR_DURATION_SECONDS,
  TOUR_QUERY,
  TOUR_RATE_SCALE,
  TOUR_REFRESH_SECONDS,
} from './tour-steps';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, '.tour');
const keep = process.argv.includes('--keep');
const log = (m: string) => process.stderr.write(`[tour] ${m}\n`);
const tourStarted = Date.now();

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
log('building the web app (test mode: exposes the graph to the tour), unless a fresh build is there…');
const webDir = buildTestWeb({ reuse: true });

const stateDir = mkdtempSync(join(tmpdir(), 'meshlens-tour-'));
const stack = await startStack({
  scenario: 'bookinfo',
  stateDir,
  scrapeIntervalSeconds: 2,
  // more requests, so a short rate window still shows a split within a few points; the console offers that
  // window and a quick refresh as its defaults
  rateScale: TOUR_RATE_SCALE,
  consoleArgs: [
    '--web-dir',
    webDir,
    '--log-level',
    'warn',
    '--duration',
    `${TOUR_DURATION_SECONDS}s`,
    '--refresh-interval',
    `${TOUR_REFRESH_SECONDS}s`,
  ],
  handleSignals: true,
  onProgress: (m) => log(m),
});
const url = (stack.urls.console ?? '').replace(/\/+$/, '');
log(`console at ${url}`);

const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
const captions: string[] = [
  '# meshlens tour: canary rollout, fault drill and guarded rollout on Bookinfo',
  '',
];
let n = 0;
const shot = async (caption: string) => {
  n += 1;
  const file = `${String(n).padStart(2, '0')}.png`;
  await page.screenshot({ path: join(out, file) });
  captions.push(`${n}. ![${file}](${file}) ${caption}`);
  log(`${file}: ${caption}`);
};

let failed: string | null = null;
const started = Date.now();
try {
  await page.goto(`${url}/graph?${TOUR_QUERY}`);
  await waitForGraph(page);
  await shot('Bookinfo with no routing of its own: reviews splits its traffic evenly over v1, v2 and v3');
  for (const step of STEPS) {
    log(`step: ${step.title} (bound ${step.boundSeconds} s)`);
    try {
      const took = await step.run(
        { page, url, shot, kubeconfigPath: stack.kubeconfigPath },
        step.boundSeconds * 1000,
      );
      await page.keyboard.press('Escape');
      await shot(`${step.title} — shown by the graph after ${took}`);
    } catch (err) {
      failed = `${step.title}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
      await shot(`FAILED: ${step.title}`).catch(() => undefined);
      break;
    }
  }
} finally {
  captions.push(
    '',
    failed
      ? `**Failed** — ${failed}`
      : `All steps shown in ${((Date.now() - started) / 1000).toFixed(0)} s; the whole tour, with the build and ` +
          `the stack's start, took ${((Date.now() - tourStarted) / 1000).toFixed(0)} s.`,
  );
  writeFileSync(join(out, 'captions.md'), `${captions.join('\n')}\n`);
  await browser.close();
  if (keep && !failed) {
    log(`--keep: the stack stays up at ${url} (Ctrl-C to stop)`);
    await new Promise(() => undefined);
  }
  await stack.stop();
  rmSync(stateDir, { recursive: true, force: true });
}
log(failed ? `FAILED ${failed}` : `done: ${n} screenshots and captions.md in .tour/`);
process.exit(failed ? 1 : 0);
