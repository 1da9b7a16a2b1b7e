/**
 * How many log follows (`follow=true`: a response that stays open, each holding a stream from the
 * cluster down to the kubelet) one client may have open at once. A follow holds its place from before the
 * cluster is asked until its response is closed, whichever side ends it (the client goes away, the cluster
 * ends the stream, a bound of the console, an error); the place is given back once only.
 */
import { TooManyRequestsError } from '../errors';

/** When a refused client is told to try again (s): a follow ends as soon as its page closes it. */
export const FOLLOW_RETRY_AFTER_SECONDS = 5;

export interface FollowLimiter {
  /** Holds one place for `client`, or throws TooManyRequestsError when it has `max` open; returns its release. */
  acquire(client: string): () => void;
  /** Follows open for `client`. */
  open(client: string): number;
}

/** At most `max` follows open per client; 0 = no limit (still counted). */
export function followLimiter(max: number): FollowLimiter {
  const counts = new Map<string, number>();
  const open = (client: string) => counts.get(client) ?? 0;
  return {
    open,
    acquire(client) {
      const n = open(client);
      if (max > 0 && n >= max)
        throw new TooManyRequestsError(
          `you already follow ${n} logs, the most one user may at once (logs.maxFollowsPerClient); ` +
            'close one (a log view in another tab or window) and try again',
          FOLLOW_RETRY_AFTER_SECONDS,
          { limit: max, open: n },
        );
      counts.set(client, n + 1);
      let held = true;
      return () => {
        if (!held) return;
        held = false;
        const left = open(client) - 1;
        if (left > 0) counts.set(client, left);
        else counts.delete(client);
      };
    },
  };
}
