import { defineConfig } from 'vitest/config';

/**
 * Two projects. `unit` (npm run test:unit): fast, in-process tests; they may not listen on a port
 * (scripts/vitest-unit-guard.ts makes that fail). `integration` (npm run test:integration): files named
 * `*.integration.test.ts`, which start real servers or processes (Prometheus, the demo cluster, mesh-sim,
 * the console server, kubectl, child processes), and the long property runs, `*.property.test.ts` (tens of
 * thousands of generated objects: half a minute of CPU that would double the unit run).
 * `npx vitest run <path>` runs both kinds under <path>.
 */
const INTEGRATION = '**/*.integration.test.{ts,tsx}';
const PROPERTY = '**/*.property.test.{ts,tsx}';

export default defineConfig({
  test: {
    // 2-core machines: integration tests start real servers (Prometheus, the demo cluster).
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            '{apps,packages}/*/{src,test}/**/*.test.{ts,tsx}',
            'bench/**/*.test.ts',
            'scripts/**/*.test.ts',
          ],
          exclude: ['**/node_modules/**', '**/dist/**', 'e2e/**', INTEGRATION, PROPERTY],
          setupFiles: ['scripts/vitest-unit-guard.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [
            `{apps,packages}/*/{src,test}/${INTEGRATION}`,
            `{apps,packages}/*/{src,test}/${PROPERTY}`,
            `bench/${INTEGRATION}`,
          ],
          exclude: ['**/node_modules/**', '**/dist/**', 'e2e/**'],
        },
      },
    ],
  },
});
