import { describe, expect, it } from 'vitest';
import { accessReviews, isReadable } from './access';
import type { AccessAttributes, ClusterAccess, Credentials } from './cluster';

/** A cluster that answers access reviews from a rule list, and counts them. */
function fakeCluster(allow: (c: Credentials, a: AccessAttributes) => boolean) {
  const asked: string[] = [];
  let failNext = false;
  const cluster: ClusterAccess = {
    whoami: () => Promise.reject(new Error('not used')),
    async canI(c, a) {
      asked.push(`${a.verb} ${a.resource}@${a.namespace || '*'}`);
      if (failNext) {
        failNext = false;
        throw new Error('API server down');
      }
      return { allowed: allow(c, a) };
    },
    istioClient: () => {
      throw new Error('not used');
    },
    consoleUserName: () => undefined,
  };
  return { cluster, asked, failOnce: () => (failNext = true) };
}

const editor: Credentials = { kind: 'token', token: 'editor' };
const viewer: Credentials = { kind: 'token', token: 'viewer' };
const NAMESPACES = ['bookinfo', 'istio-system', 'default'];

describe('readable namespaces', () => {
  it('is every namespace after three cluster-wide reviews for a cluster-wide reader', async () => {
    const f = fakeCluster((c) => c === viewer);
    const r = accessReviews(f.cluster, { ttlMs: 10_000 });
    expect(await r.readable(viewer, NAMESPACES)).toBe('all');
    expect(f.asked.sort()).toEqual(['list deployments@*', 'list pods@*', 'list services@*']);
  });

  it('asks per namespace otherwise, and needs pods, services and deployments', async () => {
    const f = fakeCluster(
      (c, a) =>
        c === editor &&
        (a.namespace === 'bookinfo' || (a.namespace === 'default' && a.resource !== 'deployments')),
    );
    const r = accessReviews(f.cluster, { ttlMs: 10_000 });
    const readable = await r.readable(editor, NAMESPACES);
    expect(readable).not.toBe('all');
    expect([...(readable as Set<string>)]).toEqual(['bookinfo']);
    expect(isReadable(readable, 'bookinfo')).toBe(true);
    expect(isReadable(readable, 'default')).toBe(false);
    expect(f.asked).toHaveLength(3 + 3 * NAMESPACES.length);
  });

  it('asks nothing for the console’s own identity', async () => {
    const f = fakeCluster(() => false);
    const r = accessReviews(f.cluster, { ttlMs: 10_000 });
    expect(await r.readable({ kind: 'console' }, NAMESPACES)).toBe('all');
    expect(f.asked).toEqual([]);
  });

  it('reuses answers per user for ttlMs, then asks again; failures are not kept', async () => {
    let t = 0;
    const f = fakeCluster((c) => c === viewer);
    const r = accessReviews(f.cluster, { ttlMs: 10_000, now: () => t });
    await r.readable(viewer, NAMESPACES);
    await r.readable(viewer, NAMESPACES);
    expect(f.asked).toHaveLength(3);
    // Another user is asked about separately.
    await r.readable(editor, ['bookinfo']);
    expect(f.asked).toHaveLength(9);
    t = 10_000;
    await r.readable(viewer, NAMESPACES);
    expect(f.asked).toHaveLength(12);

    const update = {
      verb: 'update',
      group: 'networking.istio.io',
      resource: 'virtualservices',
      namespace: 'bookinfo',
    };
    f.failOnce();
    await expect(r.canI(viewer, update)).rejects.toThrow('API server down');
    expect(await r.canI(viewer, update)).toEqual({ allowed: true });
    expect(await r.canI(viewer, update)).toEqual({ allowed: true });
    expect(f.asked.filter((a) => a.startsWith('update'))).toHaveLength(2);
  });
});
