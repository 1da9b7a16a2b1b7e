import { describe, expect, it } from 'vitest';
import { clusterWarnings, combineInventories } from './clusters';
import type { Inventory } from './informers';
import { EMPTY_SNAPSHOT, type InventorySnapshot, type WorkloadInfo } from './types';

const workload = (name: string): WorkloadInfo => ({
  namespace: 'bookinfo',
  name,
  kind: 'Deployment',
  labels: {},
  annotations: {},
  pods: 1,
  podsWithSidecar: 1,
  isGateway: false,
});

/** An informer cache stand-in whose snapshot the test sets. */
function fake(snapshot: InventorySnapshot): Inventory & { set(s: InventorySnapshot): void; closed: boolean } {
  let current = snapshot;
  return {
    closed: false,
    set(s) {
      current = s;
    },
    snapshot: () => current,
    list: (kind) => (kind === 'pods' ? [{ metadata: { name: 'home-pod' } }] : []),
    waitForSync: () => Promise.resolve(current.synced),
    ping: () => Promise.resolve(),
    async close() {
      this.closed = true;
    },
  } as Inventory & { set(s: InventorySnapshot): void; closed: boolean };
}

const ns = (name: string) => ({ name, labels: {}, annotations: {} });

describe('the inventory of several clusters', () => {
  it('reads each cluster, tags workloads and services with it, lists a shared namespace once', () => {
    const east = fake({
      ...EMPTY_SNAPSHOT,
      synced: true,
      namespaces: [ns('bookinfo'), ns('istio-system')],
      workloads: [workload('reviews-v1')],
      services: [{ namespace: 'bookinfo', name: 'reviews', labels: {}, annotations: {}, selector: {} }],
    });
    const west = fake({
      ...EMPTY_SNAPSHOT,
      synced: true,
      namespaces: [ns('bookinfo')],
      workloads: [workload('reviews-v3')],
      services: [{ namespace: 'bookinfo', name: 'reviews', labels: {}, annotations: {}, selector: {} }],
    });
    const inv = combineInventories({ name: 'east', inventory: east }, [{ name: 'west', inventory: west }]);
    const s = inv.snapshot();
    expect(s.namespaces.map((n) => n.name)).toEqual(['bookinfo', 'istio-system']);
    expect(s.workloads.map((w) => [w.cluster, w.name])).toEqual([
      ['east', 'reviews-v1'],
      ['west', 'reviews-v3'],
    ]);
    expect(s.services.map((x) => `${x.cluster}/${x.name}`)).toEqual(['east/reviews', 'west/reviews']);
    expect(s.clusters).toEqual([
      { name: 'east', synced: true, failing: [] },
      { name: 'west', synced: true, failing: [] },
    ]);
    expect(clusterWarnings(s)).toEqual([]);
    // Unchanged caches: the same snapshot object (the graph cache keys on nothing else).
    expect(inv.snapshot()).toBe(s);
    expect(inv.list('pods')).toEqual([{ metadata: { name: 'home-pod' } }]);
  });

  it('one cluster down: a warning naming it, the others still served; the home state stays its own', async () => {
    const east = fake({ ...EMPTY_SNAPSHOT, synced: true, workloads: [workload('reviews-v1')] });
    const west = fake({ ...EMPTY_SNAPSHOT, synced: true, workloads: [workload('reviews-v3')] });
    const inv = combineInventories({ name: 'east', inventory: east }, [{ name: 'west', inventory: west }]);
    west.set({
      ...EMPTY_SNAPSHOT,
      synced: true,
      failing: ['pods', 'services'],
      workloads: [workload('reviews-v3')],
    });
    const s = inv.snapshot();
    expect(s.synced).toBe(true);
    expect(s.failing).toEqual([]);
    expect(s.workloads.map((w) => w.name)).toEqual(['reviews-v1', 'reviews-v3']);
    expect(clusterWarnings(s)).toEqual([
      {
        code: 'ClusterUnavailable',
        message: expect.stringMatching(/^cluster west: watches of pods, services are failing/),
      },
    ]);
    // A cluster that never answered: not synced, a warning of its own.
    west.set({ ...EMPTY_SNAPSHOT, synced: false });
    expect(clusterWarnings(inv.snapshot())).toEqual([
      { code: 'ClusterNotSynced', message: expect.stringMatching(/^cluster west: /) },
    ]);
    expect(await inv.waitForSync(10)).toBe(false);
    await inv.close();
    expect(east.closed && west.closed).toBe(true);
  });

  it('one cluster: the cache itself, no cluster states', () => {
    const east = fake({ ...EMPTY_SNAPSHOT, synced: true });
    expect(combineInventories({ name: 'Kubernetes', inventory: east }, [])).toBe(east);
    expect(clusterWarnings(east.snapshot())).toEqual([]);
  });
});
