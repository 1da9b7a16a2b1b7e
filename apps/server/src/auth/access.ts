/**
 * Access reviews per user, cached briefly: may this user make this call (SelfSubjectAccessReview with the
 * user's own credentials), and which namespaces may the user read — the shared informer cache serves a
 * user only those.
 */
import type { AccessDecision, AccessAttributes, ClusterAccess, Credentials } from './cluster';
import { credentialKey } from './cluster';

/**
 * What "may read a namespace" means: list its pods, services and deployments, the objects the console
 * shows from the shared cache (graph nodes, workloads, health). Asked first for all namespaces at once
 * (three reviews; true for cluster-wide viewers), else per namespace.
 */
export const VISIBILITY_CHECKS: readonly Omit<AccessAttributes, 'namespace'>[] = [
  { verb: 'list', group: '', resource: 'pods' },
  { verb: 'list', group: '', resource: 'services' },
  { verb: 'list', group: 'apps', resource: 'deployments' },
];

/** `all`: every namespace (cluster-wide rights); else the set of readable ones. */
export type Readable = 'all' | ReadonlySet<string>;

export const isReadable = (r: Readable, namespace: string) => r === 'all' || r.has(namespace);

export interface AccessReviews {
  canI(credentials: Credentials, attributes: AccessAttributes): Promise<AccessDecision>;
  /** Which of `namespaces` these credentials may read (`console`: all, with no review). */
  readable(credentials: Credentials, namespaces: readonly string[]): Promise<Readable>;
}

export interface AccessReviewOptions {
  /** How long an answer is reused, ms. */
  ttlMs: number;
  /** Reviews in flight at once per call (default 16). */
  concurrency?: number;
  /** Cached answers kept at most (default 20,000). */
  maxEntries?: number;
  now?: () => number;
}

/** Runs `fn` over `items` with at most `limit` at a time. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export function accessReviews(cluster: ClusterAccess, options: AccessReviewOptions): AccessReviews {
  const now = options.now ?? Date.now;
  const max = options.maxEntries ?? 20_000;
  const concurrency = options.concurrency ?? 16;
  const cache = new Map<string, { expires: number; value: Promise<AccessDecision> }>();

  const canI = (c: Credentials, a: AccessAttributes): Promise<AccessDecision> => {
    const key = `${credentialKey(c)}\u0000${a.verb}\u0000${a.group}\u0000${a.resource}\u0000${a.namespace}\u0000${a.name ?? ''}`;
    const t = now();
    const hit = cache.get(key);
    if (hit && hit.expires > t) return hit.value;
    if (cache.size >= max)
      for (const [k, v] of cache) {
        if (v.expires <= t || cache.size >= max) cache.delete(k);
        else break;
      }
    const value = cluster.canI(c, a);
    cache.set(key, { expires: t + options.ttlMs, value });
    // A failed review is not kept: the next request asks again.
    value.catch(() => {
      if (cache.get(key)?.value === value) cache.delete(key);
    });
    return value;
  };

  const allowedIn = async (c: Credentials, namespace: string) =>
    (await Promise.all(VISIBILITY_CHECKS.map((v) => canI(c, { ...v, namespace })))).every((d) => d.allowed);

  return {
    canI,
    async readable(c, namespaces) {
      if (c.kind === 'console') return 'all';
      if (await allowedIn(c, '')) return 'all';
      const ok = await mapLimited(namespaces, concurrency, (ns) => allowedIn(c, ns));
      return new Set(namespaces.filter((_, i) => ok[i]));
    },
  };
}
