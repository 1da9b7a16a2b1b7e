/**
 * What one graph request, and one client, may cost: a longest `duration`, a most namespaces, and a number
 * of graph computations (answers not already cached or in flight) per client per minute.
 */
import { MIN_DURATION_SECONDS, type GraphQuery } from '@meshlens/contract';
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
export function checkGraphQuery(q: GraphQuery, limits: GraphLimits, nowMs = Date.now()): void {
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
  issues.push(...compareIssues(q, limits, nowMs / 1000));
  if (issues.length)
    throw new InputError(issues.map((i) => `${i.param}: ${i.message}`).join('; '), { issues });
}

/** The shortest "after" window a comparison may have (seconds): its rates need a few scrapes. */
export const MIN_COMPARE_AFTER_SECONDS = MIN_DURATION_SECONDS;

function compareIssues(q: GraphQuery, limits: GraphLimits, now: number) {
  const issues: { param: string; message: string }[] = [];
  if (q.compare === undefined) {
    if (q.compareWindow !== undefined)
      issues.push({ param: 'compareWindow', message: 'only with compare (the moment the windows meet)' });
    return issues;
  }
  if (q.queryTime !== undefined)
    issues.push({ param: 'queryTime', message: 'not with compare: the windows are compare ± compareWindow' });
  if (q.compareWindow !== undefined && q.compareWindow > limits.maxDurationSeconds)
    issues.push({
      param: 'compareWindow',
      message: `at most ${limits.maxDurationSeconds}s on this server (graph.maxDurationSeconds), got ${q.compareWindow}s`,
    });
  if (q.compare > now - MIN_COMPARE_AFTER_SECONDS)
    issues.push({
      param: 'compare',
      message: `must be at least ${MIN_COMPARE_AFTER_SECONDS}s in the past (the window after it needs traffic), got ${Math.round(q.compare - now)}s from now`,
    });
  return issues;
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
