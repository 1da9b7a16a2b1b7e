import { sleep, startStack, waitForPromQL } from '@meshlens/stack';
import type { Stack, StackOptions } from '@meshlens/stack';
import { deprioritize } from './lib';

export interface MeshStackOptions {
  /** Services of mesh-sim's generated scenario, and their namespaces (mesh-sim's default if absent). */
  services: number;
  namespaces?: number;
  stateDir: string;
  scrapeIntervalSeconds: number;
  /** The console's arguments (the benches run it as a child process). */
  consoleArgs: string[];
  /** How long the first rate may take to show in Prometheus (a big mesh's first scrapes are slow). */
  dataTimeoutMs?: number;
  log?: (line: string) => void;
}

/** mesh-sim's telemetry profile in every server-side bench, so that their figures compare. */
export const TELEMETRY_PROFILE = 'large-mesh';

/**
 * The stack the server-side benches measure (graph, graph-kiali, overview): mesh-sim's generated scenario
 * with the `large-mesh` telemetry profile, the console as a child process, Prometheus scraping every
 * `scrapeIntervalSeconds`. Returns once the mesh is in Prometheus and steady: a rate over 4 intervals,
 * then 3 more scrapes (past the start's burst of work: the console's first inventory lists, mesh-sim's
 * first traffic, Prometheus's first series), so every edge has a rate over a 60 s window. Only then is
 * mesh-sim put at nice 19: it stands in for the sidecars of a mesh, which run on other machines (started
 * at nice 19 on a busy machine, it served no scrape for minutes). The caller stops the stack.
 */
export async function startMeshStack(options: MeshStackOptions): Promise<Stack> {
  const interval = options.scrapeIntervalSeconds;
  const stackOptions: StackOptions = {
    scenario: 'generated',
    services: options.services,
    ...(options.namespaces !== undefined ? { namespaces: options.namespaces } : {}),
    stateDir: options.stateDir,
    telemetryProfile: TELEMETRY_PROFILE,
    scrapeIntervalSeconds: interval,
    handleSignals: false,
    startTimeoutMs: 300_000,
    consoleArgs: options.consoleArgs,
    ...(options.log ? { onProgress: options.log } : {}),
  };
  const stack = await startStack(stackOptions);
  try {
    await waitForPromQL(
      stack.urls.prometheus,
      `sum(rate(istio_requests_total[${4 * interval}s])) > 0`,
      (s) => s.length > 0,
      options.dataTimeoutMs ?? 300_000,
      1000,
    );
    await sleep(3 * interval * 1000);
    deprioritize(stack.endpoints.pids.meshSim);
    return stack;
  } catch (err) {
    await stack.stop();
    throw err;
  }
}
