/**
 * The multicluster scenario on the real stack: two demo clusters (east, west), mesh-sim creating each
 * cluster's objects in its own and labelling every report with its proxy's cluster, Prometheus, and the
 * console reading both clusters through the kubeconfig's contexts. The graph shows reviews once per
 * cluster and edges across clusters; one cluster going down is a warning naming it, the other still served.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive, sleep, startStack, type Stack } from '../src/index';

/** The fields of the console's graph answer (packages/contract GraphResponse) this test reads. */
interface GraphResponse {
  nodes: { id: string; type: string; service?: string; cluster: string }[];
  edges: { id: string; rps: number }[];
  warnings: { code: string; message: string }[];
}

/** Polls `read` until `ok` holds for its answer (at most `timeoutMs`); returns the last answer. */
async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!ok(last) && Date.now() < deadline) {
    await sleep(500);
    last = await read();
  }
  return last;
}

describe('startStack with the multicluster scenario', () => {
  let stateDir: string;
  let stack: Stack | undefined;

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'meshlens-multicluster-test-'));
    stack = await startStack({
      scenario: 'multicluster',
      stateDir,
      scrapeIntervalSeconds: 1,
      handleSignals: false,
    });
  }, 150_000);

  afterAll(async () => {
    await stack?.stop();
    await rm(stateDir, { recursive: true, force: true });
  });

  const graph = async (): Promise<GraphResponse> => {
    const res = await fetch(
      `${stack!.urls.console}/api/graph?namespaces=bookinfo&graphType=workload&duration=60s`,
    );
    expect(res.status).toBe(200);
    return (await res.json()) as GraphResponse;
  };

  it('starts a demo cluster per cluster, one kubeconfig context each', async () => {
    const clusters = stack!.endpoints.clusters!;
    expect(clusters.map((c) => c.name)).toEqual(['east', 'west']);
    expect(new Set(clusters.map((c) => c.url)).size).toBe(2);
    expect(stack!.endpoints.cluster).toBe(clusters[0]!.url);
    const kubeconfig = YAML.parse(await readFile(stack!.kubeconfigPath, 'utf8')) as {
      contexts: { name: string }[];
      'current-context': string;
    };
    expect(kubeconfig.contexts.map((c) => c.name)).toEqual(['east', 'west']);
    expect(kubeconfig['current-context']).toBe('east');
    // Each cluster serves its own Deployments: reviews v3 runs in west only.
    const deployments = async (url: string) => {
      const res = await fetch(`${url}/apis/apps/v1/namespaces/bookinfo/deployments`, {
        headers: {
          authorization: `Bearer ${tokenOf(kubeconfig, clusters.indexOf(clusters.find((c) => c.url === url)!))}`,
        },
      });
      return ((await res.json()) as { items: { metadata: { name: string } }[] }).items
        .map((d) => d.metadata.name)
        .sort();
    };
    expect(await deployments(clusters[0]!.url)).toEqual([
      'details-v1',
      'productpage-v1',
      'reviews-v1',
      'reviews-v2',
    ]);
    expect(await deployments(clusters[1]!.url)).toEqual(['ratings-v1', 'reviews-v3']);
  });

  it('graphs reviews once per cluster, with edges across clusters', async () => {
    const g = await until(
      graph,
      (x) =>
        x.edges.some(
          (e) => e.id === 'wl:bookinfo/reviews-v2@east>svc:bookinfo/ratings@west:http' && e.rps > 0,
        ) &&
        x.edges.some(
          (e) => e.id === 'svc:bookinfo/reviews@west>wl:bookinfo/reviews-v3@west:http' && e.rps > 0,
        ),
      60_000,
    );
    const reviews = g.nodes.filter((n) => n.type === 'service' && n.service === 'reviews');
    expect(reviews.map((n) => [n.id, n.cluster])).toEqual([
      ['svc:bookinfo/reviews@east', 'east'],
      ['svc:bookinfo/reviews@west', 'west'],
    ]);
    const edges = new Set(g.edges.filter((e) => e.rps > 0).map((e) => e.id));
    // productpage (east) calls reviews served from both clusters; reviews v2 (east) calls ratings (west).
    expect(edges).toContain('wl:bookinfo/productpage-v1@east>svc:bookinfo/reviews@east:http');
    expect(edges).toContain('wl:bookinfo/productpage-v1@east>svc:bookinfo/reviews@west:http');
    expect(edges).toContain('wl:bookinfo/reviews-v2@east>svc:bookinfo/ratings@west:http');
    const node = (id: string) => g.nodes.find((n) => n.id === id);
    expect(node('wl:bookinfo/reviews-v3@west')?.cluster).toBe('west');
    expect(node('wl:bookinfo/productpage-v1@east')?.cluster).toBe('east');
    expect(g.warnings.filter((w) => w.code.startsWith('Cluster'))).toEqual([]);
  }, 70_000);

  it('one cluster down: a warning naming it, the other cluster still served', async () => {
    const west = stack!.endpoints.clusters![1]!;
    process.kill(west.pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (isAlive(west.pid) && Date.now() < deadline) await sleep(100);
    expect(isAlive(west.pid)).toBe(false);
    const g = await until(graph, (x) => x.warnings.some((w) => w.code === 'ClusterUnavailable'), 60_000);
    const warning = g.warnings.find((w) => w.code === 'ClusterUnavailable');
    expect(warning?.message).toMatch(/^cluster west: watches of .* are failing/);
    expect(g.warnings.some((w) => w.code === 'InventoryWatchBroken')).toBe(false);
    // The home cluster's inventory and Prometheus's traffic are still there.
    expect(g.nodes.some((n) => n.id === 'wl:bookinfo/productpage-v1@east')).toBe(true);
  }, 80_000);
});

/** The bearer token of the kubeconfig's i-th user (the demo clusters' admin). */
function tokenOf(kubeconfig: unknown, i: number): string {
  return (kubeconfig as { users: { user: { token: string } }[] }).users[i]!.user.token;
}
