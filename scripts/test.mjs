#!/usr/bin/env node
// `npm test`: the README's second command, so on a fresh clone it first installs what the tests need —
// the npm dependencies, and as root the Debian packages (Prometheus, Chromium, kubectl) — then runs
// typecheck, lint, unit, integration and browser tests, stopping at the first that fails.
import { spawnSync } from 'node:child_process';
import { TEST_PACKAGES, ensureDebianPackages, ensureDependencies, root } from './bootstrap.mjs';

const STEPS = ['typecheck', 'lint', 'test:unit', 'test:integration', 'test:e2e'];

ensureDependencies();
if (!ensureDebianPackages(TEST_PACKAGES)) process.exit(1);

for (const step of STEPS) {
  console.error(`\nmeshlens: npm run ${step}`);
  const { status, signal } = spawnSync('npm', ['run', step], { cwd: root, stdio: 'inherit' });
  if (status !== 0) {
    console.error(
      `meshlens: npm run ${step} failed (${signal ?? `exit ${status}`}); the steps after it did not run.`,
    );
    process.exit(status || 1);
  }
}
