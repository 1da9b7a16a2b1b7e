/**
 * The history over a ConfigMap store shared by two consoles (an in-memory API with resourceVersions and
 * 409s, as the API server answers): neither loses the other's changes, and the console's own writes seen
 * on the watch are not recorded twice.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { KubeApiError, type IstioKubeClient, type KubeObject } from '../istio/kubeClient';
import { createHistory } from './history';

function memoryApi(): IstioKubeClient {
  const objects = new Map<string, KubeObject>();
  let rv = 1;
  const key = (o: { metadata: { name: string } }) => o.metadata.name;
  const copy = (o: KubeObject) => JSON.parse(JSON.stringify(o)) as KubeObject;
  return {
    list: async () => [...objects.values()].map(copy),
    get: async (k) => {
      const o = objects.get(k.name);
      return o && copy(o);
    },
    async create(o) {
      if (objects.has(key(o))) throw new KubeApiError(409, 'already exists', 'AlreadyExists');
      const stored = { ...copy(o), metadata: { ...o.metadata, resourceVersion: String(++rv) } };
      objects.set(key(o), stored);
      return copy(stored);
    },
    async replace(o) {
      const now = objects.get(key(o));
      if (!now) throw new KubeApiError(404, 'not found', 'NotFound');
      if (now.metadata.resourceVersion !== o.metadata.resourceVersion)
        throw new KubeApiError(409, 'the object has been modified', 'Conflict');
      const stored = { ...copy(o), metadata: { ...o.metadata, resourceVersion: String(++rv) } };
      objects.set(key(o), stored);
      return copy(stored);
    },
    async delete(k) {
      objects.delete(k.name);
    },
  };
}

const vs = (name: string, manager: string) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: {
    name,
    namespace: 'bookinfo',
    resourceVersion: '9',
    managedFields: [{ manager, operation: 'Update', time: '2026-12-06T07:00:00Z' }],
  },
  spec: { hosts: [name] },
});

const logger = pino({ level: 'silent' });
const input = (summary: string) => ({ actor: 'alice', summary, namespace: 'bookinfo', objects: [] });

describe('history over shared ConfigMaps', () => {
  it('two consoles appending to the same ConfigMap keep both changes (a 409 reads it again)', async () => {
    const api = memoryApi();
    const a = createHistory({ client: api, namespace: 'meshlens', logger });
    const b = createHistory({ client: api, namespace: 'meshlens', logger });
    await Promise.all([a.load(), b.load()]);
    await a.record(input('first, by a'));
    // b started before a wrote: its view is stale, its write conflicts, it re-reads and appends.
    await b.record(input('second, by b'));
    await a.record(input('third, by a'));
    const restarted = createHistory({ client: api, namespace: 'meshlens', logger });
    await restarted.load();
    expect(
      restarted
        .list()
        .map((c) => c.summary)
        .sort(),
    ).toEqual(['first, by a', 'second, by b', 'third, by a']);
  });

  it("records others' changes from the watch, not the console's own", async () => {
    const h = createHistory({ client: memoryApi(), namespace: 'meshlens', logger });
    await h.load();
    h.onWatchEvent('virtualservices', 'ADDED', vs('mine', 'meshlens'), undefined);
    h.onWatchEvent('virtualservices', 'ADDED', vs('theirs', 'kubectl-create'), undefined);
    h.onWatchEvent('pods', 'ADDED', vs('not-istio', 'kubectl'), undefined);
    await h.idle();
    expect(h.list().map((c) => [c.summary, c.actor])).toEqual([
      ['create VirtualService bookinfo/theirs', 'kubectl-create'],
    ]);
    h.close();
  });
});
