import { readdirSync } from 'node:fs';
import { defineConfig } from '@playwright/test';
import type { Project } from '@playwright/test';
import { CHROMIUM_LAUNCH } from './support/browser';

// One output folder per run: two runs at once (several people share a checkout) must not clean up
// each other's traces. Workers inherit the variable from the runner process.
process.env.MESHLENS_E2E_RUN ??= `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`;

const TEST_DIR = './tests';

/**
 * MESHLENS_E2E_ORDER=reverse runs the spec files in reverse alphabetical order, to show that none depends on
 * another having run first: one project per file, each depending on the one before it, which is how
 * Playwright orders projects (a file that fails skips those after it).
 */
function reverseOrderProjects(): Project[] {
  const files = readdirSync(new URL(TEST_DIR, import.meta.url))
    .filter((f) => f.endsWith('.spec.ts'))
    .sort()
    .reverse();
  const names = files.map((f, i) => `${i + 1}-${f.replace(/\.spec\.ts$/, '')}`);
  return files.map((file, i) => ({
    name: names[i],
    testMatch: new RegExp(`[\\/]${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
    dependencies: i > 0 ? [names[i - 1] as string] : [],
  }));
}

const order = process.env.MESHLENS_E2E_ORDER ?? 'alphabetical';
if (order !== 'alphabetical' && order !== 'reverse')
  throw new Error(`MESHLENS_E2E_ORDER=${order}: expected alphabetical (the default) or reverse`);

/**
 * E2E against the full demo stack (bookinfo) in Debian's Chromium:
 *   npx playwright test -c e2e/playwright.config.ts
 * One worker: the specs share one stack. Each spec file sets up the mesh it needs and undoes its changes
 * (support/mesh.ts), so any file passes alone and in any order (e2e/README.md).
 */
export default defineConfig({
  testDir: TEST_DIR,
  ...(order === 'reverse' ? { projects: reverseOrderProjects() } : {}),
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
