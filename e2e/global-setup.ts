import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, waitForPromQL } from '@meshlens/stack';
import { buildTestWeb } from './support/buildWeb';
import { Kube } from './support/kube';
import { snapshotIstioConfig } from './support/mesh';

export const BASE_PATH = '/meshlens';

/**
 * Builds the web app in test mode, starts the full demo stack (demo cluster, mesh-sim bookinfo, a real
 * Prometheus, the console serving the test build under /meshlens) and hands its URLs to the tests, with a
 * snapshot of the Istio config as the scenario created it: each spec restores that (resetIstioConfig) before
 * it starts and when it ends, so no spec depends on another having run before it.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const WEB_TEST_DIR = buildTestWeb();
  const stateDir = mkdtempSync(join(tmpdir(), 'meshlens-e2e-'));
  const stack = await startStack({
    scenario: 'bookinfo',
    stateDir,
    scrapeIntervalSeconds: 2,
    consoleArgs: ['--web-dir', WEB_TEST_DIR, '--base-path', BASE_PATH, '--log-level', 'warn'],
    handleSignals: true,
    onProgress: (m) => process.stderr.write(`[e2e stack] ${m}\n`),
  });
  if (!stack.urls.console) throw new Error('the stack started without a console');
  // The console prints its URL with the base path (READY http://127.0.0.1:PORT/meshlens).
  const url = stack.urls.console.replace(/\/+$/, '');
  process.env.MESHLENS_E2E_URL = url.endsWith(BASE_PATH) ? url : `${url}${BASE_PATH}`;
  process.env.MESHLENS_E2E_KUBECONFIG = stack.kubeconfigPath;
  process.env.MESHLENS_E2E_PROMETHEUS = stack.urls.prometheus;
  try {
    // Bookinfo's traffic in Prometheus before any spec: a spec run alone on a fresh stack otherwise opens
    // the graph (refresh paused) on an answer from before the first scrapes, with no traffic in it.
    await waitForPromQL(
      stack.urls.prometheus,
      'sum(rate(istio_requests_total{destination_workload_namespace="bookinfo"}[60s])) > 0',
      (samples) => samples.length > 0,
      120_000,
      1000,
    );
    await snapshotIstioConfig(new Kube(stack.kubeconfigPath), join(stateDir, 'istio-baseline.json'));
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return async () => {
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
  };
}
