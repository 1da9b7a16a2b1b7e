/**
 * What one graph request, and one client, may cost: a longest `duration`, a most namespaces, and a number
 * of graph computations (answers not already cached or in flight) per client per minute.
 */
import type { GraphQuery } from '@meshlens/contract';
import type { Request } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { InputError, TooManyRequestsError } from '../errors';

export interface GraphLimits {
  maxDurationSeconds: number;
  maxNamespaces: number;
  /** 0 = no limit. */
  maxComputationsPerClientPerMinute: number;
}

/** The request's `duration` and namespace count against the limits: 400 naming the parameter. */
export function checkGraphQuery(q: GraphQuery, limits: GraphLimits): void {
  const issues: { param: string; message: string }[] = [];
  if (q.duration > limits.maxDurationSeconds)
    issues.push({
      param: 'duration',
      message: `at most ${limits.maxDurationSeconds}s on this server (graph.maxDurationSeconds), got ${q.duration}s`,
    });
  if (q.namespaces.length > limits.maxNamespaces)
    issues.push({
      param: 'namespaces',
      message: `at most ${limits.maxNamespaces} namespaces on this server (graph.maxNamespaces), got ${q.namespaces.length}`,
    });
  if (issues.length)
    throw new InputError(issues.map((i) => `${i.param}: ${i.message}`).join('; '), { issues });
}

/**
 * Who a request counts against. The signed-in user (app.ts passes the principal's key); with `anonymous`, the
 * remote address (the socket's, not X-Forwarded-For). Kept a function so sign-in can plug in its own.
 */
export type ClientOf = (req: Request) => string;
export const remoteClient: ClientOf = (req) => req.socket.remoteAddress ?? 'unknown';

export interface ComputationLimiter {
  /** Counts one computation for `client`, or throws TooManyRequestsError past the limit. */
  take(client: string): Promise<void>;
}

/** At most `perMinute` computations per client in each minute (from the client's first); 0 = unlimited. */
export function computationLimiter(perMinute: number): ComputationLimiter | undefined {
  if (perMinute <= 0) return undefined;
  const limiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
  return {
    async take(client) {
      try {
        await limiter.consume(client);
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        const retryAfter = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
        throw new TooManyRequestsError(
          `this client started ${perMinute} graph computations in the last minute ` +
            `(graph.maxComputationsPerClientPerMinute); answers already computed are still served — ` +
            `retry a new one in ${retryAfter} s`,
          retryAfter,
          { limit: perMinute, windowSeconds: 60 },
        );
      }
    },
  };
}
