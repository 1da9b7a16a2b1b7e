import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { componentCommand, spawnReady } from '@meshlens/stack';
import { WEB_TEST_DIR } from './buildWeb';

export interface ExtraConsole {
  /** The console's URL (no trailing slash). */
  url: string;
  stop(): Promise<void>;
}

/**
 * Another console process (the `meshlens` CLI, as the stack starts it) on a free loopback port, serving
 * the test build of the web app, with `args` (e.g. `--view-only`, `--auth-strategy header`) against the
 * demo cluster and Prometheus at `kubeconfig` / `prometheusUrl` (by default the shared stack's).
 */
export async function startConsole(
  args: string[],
  options: { kubeconfig?: string; prometheusUrl?: string } = {},
): Promise<ExtraConsole> {
  const kubeconfig = options.kubeconfig ?? process.env.MESHLENS_E2E_KUBECONFIG;
  const prometheusUrl = options.prometheusUrl ?? process.env.MESHLENS_E2E_PROMETHEUS;
  if (!kubeconfig || !prometheusUrl)
    throw new Error('no kubeconfig or Prometheus URL: run through e2e/playwright.config.ts (globalSetup)');
  const command = componentCommand('meshlens');
  if (!command) throw new Error('the meshlens CLI is not available');
  const logDir = mkdtempSync(join(tmpdir(), 'meshlens-e2e-console-'));
  const proc = await spawnReady(
    command.cmd,
    [
      ...command.args,
      '--kubeconfig',
      kubeconfig,
      '--prometheus-url',
      prometheusUrl,
      '--port',
      '0',
      '--web-dir',
      WEB_TEST_DIR,
      '--log-level',
      'warn',
      ...args,
    ],
    { name: 'meshlens', timeoutMs: 90_000, logFile: join(logDir, 'meshlens.log') },
  );
  return {
    url: proc.url.replace(/\/+$/, ''),
    async stop() {
      await proc.stop();
      rmSync(logDir, { recursive: true, force: true });
    },
  };
}
