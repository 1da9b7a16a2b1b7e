import { defineConfig } from '@playwright/test';
import { CHROMIUM_LAUNCH } from './support/browser';

// One output folder per run: two runs at once (several people share a checkout) must not clean up
// each other's traces. Workers inherit the variable from the runner process.
process.env.MESHLENS_E2E_RUN ??= `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`;

/**
 * E2E against the full demo stack (bookinfo) in Debian's Chromium:
 *   npx playwright test -c e2e/playwright.config.ts
 * One worker: the tests share one stack, and the fault test changes the mesh (it runs last and undoes it).
 */
export default defineConfig({
  testDir: './tests',
  outputDir: `./test-results/${process.env.MESHLENS_E2E_RUN}`,
  globalSetup: './global-setup.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  reporter: [['list']],
  use: {
    viewport: { width: 1280, height: 800 },
    launchOptions: CHROMIUM_LAUNCH,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
