/**
 * Leader election over a coordination.k8s.io/v1 Lease, as client-go's leaselock does it: the holder renews
 * `renewTime` every tick; a candidate takes the Lease over only when the record has not changed for
 * `leaseDurationSeconds` by its own clock (the time it last saw the record change, never the holder's
 * timestamps, so clock skew cannot hand it over early). Every write is conditional on the Lease's
 * resourceVersion: of two candidates racing, one gets a 409 and stands by.
 */
import { KubeApiError, type IstioKubeClient, type KubeObject } from '../istio/kubeClient';

export interface LeaseElector {
  readonly identity: string;
  /** Acquire or renew; true when this instance holds the Lease now. */
  tryAcquireOrRenew(): Promise<boolean>;
  /** Whether the last successful acquire/renew is recent enough to act on (within the lease duration). */
  isLeader(): boolean;
  /** The holder as last seen. */
  holder(): string | undefined;
  /** Gives the Lease up (on shutdown) so a standby takes over at once. */
  release(): Promise<void>;
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
export const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export function leaseElector(options: {
  client: IstioKubeClient;
  namespace: string;
  name: string;
  identity: string;
  durationSeconds: number;
  now?: () => number;
}): LeaseElector {
  const { client, namespace, name, identity, durationSeconds } = options;
  const now = options.now ?? Date.now;
  const key = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace, name };
  let observed: { rv: string; holder?: string; at: number } | undefined;
  let renewedAt: number | undefined;

  const spec = (o: KubeObject) => (o.spec ?? {}) as LeaseSpec;
  const write = async (o: KubeObject, create: boolean): Promise<boolean> => {
    try {
      const out = create ? await client.create(o) : await client.replace(o);
      observed = { rv: out.metadata.resourceVersion ?? '', holder: identity, at: now() };
      renewedAt = now();
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && (err.status === 409 || err.status === 404)) return false;
      throw err;
    }
  };

  return {
    identity,
    holder: () => observed?.holder,
    isLeader: () =>
      renewedAt !== undefined &&
      observed?.holder === identity &&
      now() - renewedAt < durationSeconds * 1000 * 0.8,
    async tryAcquireOrRenew() {
      const t = now();
      let current: KubeObject | undefined;
      try {
        current = await client.get(key);
      } catch (err) {
        renewedAt = undefined;
        throw err;
      }
      if (!current) {
        return write(
          {
            apiVersion: key.apiVersion,
            kind: 'Lease',
            metadata: { name, namespace },
            spec: {
              holderIdentity: identity,
              leaseDurationSeconds: durationSeconds,
              acquireTime: microTime(t),
              renewTime: microTime(t),
              leaseTransitions: 0,
            },
          },
          true,
        );
      }
      const s = spec(current);
      const rv = current.metadata.resourceVersion ?? '';
      if (!observed || observed.rv !== rv)
        observed = { rv, ...(s.holderIdentity ? { holder: s.holderIdentity } : {}), at: t };
      const held = !!s.holderIdentity;
      const mine = s.holderIdentity === identity;
      const duration = (s.leaseDurationSeconds ?? durationSeconds) * 1000;
      if (held && !mine && t < observed.at + duration) {
        renewedAt = undefined;
        return false;
      }
      const ok = await write(
        {
          ...current,
          spec: {
            ...s,
            holderIdentity: identity,
            leaseDurationSeconds: durationSeconds,
            renewTime: microTime(t),
            ...(mine ? {} : { acquireTime: microTime(t), leaseTransitions: (s.leaseTransitions ?? 0) + 1 }),
          },
        },
        false,
      );
      if (!ok) renewedAt = undefined;
      return ok;
    },
    async release() {
      if (renewedAt === undefined) return;
      renewedAt = undefined;
      const current = await client.get(key).catch(() => undefined);
      if (!current || spec(current).holderIdentity !== identity) return;
      await client
        .replace({
          ...current,
          spec: { ...spec(current), holderIdentity: null, renewTime: microTime(now()) },
        })
        .catch(() => undefined);
    },
  };
}
