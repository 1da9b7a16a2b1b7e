/**
 * Multi-cluster: each proxy reports its own cluster on its side of a sample and the peer's (from the peer's
 * metadata) on the other, as Istio's stats filter does with CLUSTER_ID; a peer it does not know is
 * `unknown`. The `multicluster` scenario: two clusters, reviews served from both, cross-cluster calls.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/simulate';
import { inventoryFromObjects } from '../src/engine/inventory';
import { mergeInventories } from '../src/kube/clusters';
import { loadScenario } from '../src/scenario/load';
import { scenarioObjectsByCluster } from '../src/scenario/manifests';
import { scenarioClusters } from '../src/scenario/schema';
import { requests, scrape, send, simulation } from './helpers';

/** The multicluster scenario on its two clusters' inventories, as mesh-sim reads them (one watch each). */
function multicluster(seed = 7) {
  const scenario = loadScenario('multicluster');
  const parts = [...scenarioObjectsByCluster(scenario)].map(([cluster, objects]) => ({
    cluster,
    inventory: inventoryFromObjects(structuredClone(objects)),
  }));
  return { scenario, parts, engine: new Engine(scenario, mergeInventories(parts), { seed }) };
}

describe('multi-cluster labels', () => {
  it('splits the scenario into east and west: Deployments in their own cluster, the rest in both', () => {
    const { scenario, parts } = multicluster();
    expect(scenarioClusters(scenario)).toEqual(['east', 'west']);
    const deployments = (c: string) =>
      parts
        .find((p) => p.cluster === c)!
        .inventory.pods.map((p) => p.workload)
        .sort();
    expect(deployments('east')).toEqual([
      'details-v1',
      'istio-ingressgateway',
      'productpage-v1',
      'reviews-v1',
      'reviews-v2',
    ]);
    expect(deployments('west')).toEqual(['ratings-v1', 'reviews-v3']);
    for (const p of parts)
      expect(p.inventory.services.map((s) => s.name).sort()).toEqual([
        'details',
        'istio-ingressgateway',
        'productpage',
        'ratings',
        'reviews',
      ]);
  });

  it('labels each side with its proxy cluster; reviews is served from both; calls cross clusters', () => {
    const { engine } = multicluster();
    send(engine, 600);
    const s = scrape(engine);
    const to = (dstWl: string, extra: Record<string, string> = {}) => ({
      destination_workload: dstWl,
      ...extra,
    });
    // productpage (east) → reviews: v1/v2 in east, v3 in west, reported by both proxies with both clusters.
    for (const reporter of ['source', 'destination']) {
      const base = { reporter, source_workload: 'productpage-v1', source_cluster: 'east' };
      expect(requests(s, { ...base, ...to('reviews-v1', { destination_cluster: 'east' }) })).toBeGreaterThan(
        0,
      );
      expect(requests(s, { ...base, ...to('reviews-v3', { destination_cluster: 'west' }) })).toBeGreaterThan(
        0,
      );
      expect(requests(s, { ...base, ...to('reviews-v3', { destination_cluster: 'east' }) })).toBe(0);
      expect(requests(s, { ...base, ...to('reviews-v1', { destination_cluster: 'west' }) })).toBe(0);
      // reviews v2 (east) → ratings (west): a cross-cluster edge; v3 → ratings stays in west.
      expect(
        requests(s, {
          reporter,
          source_workload: 'reviews-v2',
          source_cluster: 'east',
          destination_cluster: 'west',
        }),
      ).toBeGreaterThan(0);
      expect(
        requests(s, {
          reporter,
          source_workload: 'reviews-v3',
          source_cluster: 'west',
          destination_cluster: 'west',
        }),
      ).toBeGreaterThan(0);
    }
    // No sample names a cluster but east, west or unknown; every known workload carries its own.
    const clusterOf: Record<string, string> = {
      'istio-ingressgateway': 'east',
      'productpage-v1': 'east',
      'details-v1': 'east',
      'reviews-v1': 'east',
      'reviews-v2': 'east',
      'reviews-v3': 'west',
      'ratings-v1': 'west',
    };
    const http = s.filter((x) => x.name === 'istio_requests_total');
    expect(http.length).toBeGreaterThan(0);
    for (const x of http) {
      const l = x.labels;
      expect(l.source_cluster).toBe(clusterOf[l.source_workload!] ?? 'unknown');
      expect(l.destination_cluster).toBe(clusterOf[l.destination_workload!] ?? 'unknown');
    }
  });

  it('a single-cluster scenario reports its default cluster; an unknown peer is "unknown"', () => {
    const { engine } = simulation();
    send(engine, 50);
    // A path the gateway's VirtualService does not route: 404 NR, no peer on the destination side.
    send(engine, 20, { path: '/no-such-page' });
    const s = scrape(engine);
    expect(requests(s, { source_cluster: 'Kubernetes', destination_cluster: 'Kubernetes' })).toBeGreaterThan(
      0,
    );
    expect(
      requests(s, {
        source_workload: 'istio-ingressgateway',
        response_flags: 'NR',
        source_cluster: 'Kubernetes',
        destination_cluster: 'unknown',
      }),
    ).toBeGreaterThan(0);
    for (const x of s.filter((y) => y.name === 'istio_requests_total'))
      expect(['Kubernetes', 'unknown']).toContain(x.labels.destination_cluster);
  });
});
