import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import type { ClusterAccess, WhoAmI } from './cluster';
import { anonymousStrategy, isPrincipal } from './strategies';

/** A cluster whose SelfSubjectReviews answer when the test says. */
function slowCluster() {
  const waiting: { resolve: (w: WhoAmI) => void; reject: (e: Error) => void }[] = [];
  const cluster: ClusterAccess = {
    whoami: () => new Promise<WhoAmI>((resolve, reject) => waiting.push({ resolve, reject })),
    canI: () => Promise.reject(new Error('not used')),
    istioClient: () => {
      throw new Error('not used');
    },
    consoleUserName: () => 'kubeconfig-user',
  };
  return { cluster, waiting };
}
const me = (username: string): WhoAmI => ({
  identity: { username, groups: [] },
  source: 'SelfSubjectReview',
});
const req = {} as Request;
const nameOf = async (p: ReturnType<ReturnType<typeof anonymousStrategy>['authenticate']>) => {
  const r = await p;
  return isPrincipal(r) ? `${r.identity.username} (${r.identitySource})` : r.message;
};

describe('anonymous: the console’s identity', () => {
  it('is asked once per ttl; later requests do not wait for the API server', async () => {
    let t = 0;
    const { cluster, waiting } = slowCluster();
    const s = anonymousStrategy(cluster, { ttlMs: 60_000, now: () => t });
    const first = s.authenticate(req);
    expect(waiting).toHaveLength(1);
    waiting[0]?.resolve(me('sa-meshlens'));
    expect(await nameOf(first)).toBe('sa-meshlens (SelfSubjectReview)');
    expect(await nameOf(s.authenticate(req))).toBe('sa-meshlens (SelfSubjectReview)');
    expect(waiting).toHaveLength(1);
    // After the ttl a new review is asked, but the request is answered with what is known (no waiting).
    t = 60_000;
    expect(await nameOf(s.authenticate(req))).toBe('sa-meshlens (SelfSubjectReview)');
    expect(waiting).toHaveLength(2);
    // The API server fails: the identity it gave before stays.
    waiting[1]?.reject(new Error('hung'));
    await Promise.resolve();
    t = 120_000;
    expect(await nameOf(s.authenticate(req))).toBe('sa-meshlens (SelfSubjectReview)');
  });

  it('falls back to the kubeconfig’s user name when the API server never said', async () => {
    const { cluster, waiting } = slowCluster();
    const s = anonymousStrategy(cluster, { ttlMs: 60_000, now: () => 0 });
    const first = s.authenticate(req);
    waiting[0]?.reject(new Error('404'));
    expect(await nameOf(first)).toBe('kubeconfig-user (kubeconfig)');
  });
});
