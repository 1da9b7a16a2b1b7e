/**
 * TRAFFIC-SEMANTICS.md §8 "Outcome cheat-sheet", row by row: what the evaluator decides for each situation.
 * Rows whose outcome is produced by the simulator (UH, UO, UF, app errors, DC) test the evaluator's
 * contribution — the route, the policy and the retry decision; packages/mesh-sim tests the resulting codes,
 * flags and samples.
 */
import { describe, expect, it } from 'vitest';
import { evaluateHttp } from './evaluate';
import { isRetriable, retryDecision } from './retry';
import { circuitBreakerLimits, outlierDetectionSettings } from './policy';
import type { HttpOutcome } from './evaluate.types';
import { dr, draws, get, mesh, productpage, vs } from '../test/fixtures';

const reviewsDr = dr('reviews', {
  host: 'reviews',
  subsets: [
    { name: 'v1', labels: { version: 'v1' } },
    { name: 'v2', labels: { version: 'v2' } },
  ],
});

function route(o: HttpOutcome) {
  if (o.kind !== 'route') throw new Error(`expected a route, got ${o.kind}`);
  return o;
}

function reviewsRule(rule: Record<string, unknown>) {
  return mesh({
    virtualServices: [
      vs('reviews', {
        hosts: ['reviews'],
        http: [{ ...rule, route: [{ destination: { host: 'reviews', subset: 'v1' } }] }],
      }),
    ],
    destinationRules: [reviewsDr],
  });
}

describe('§8 outcome cheat-sheet', () => {
  it('Normal: routed upstream, no fault, default retries, no timeout, mTLS', () => {
    const o = route(
      evaluateHttp(reviewsRule({}), productpage, get('reviews:9080', '/reviews/0'), Math.random),
    );
    expect(o.destination).toEqual({ host: 'reviews.bookinfo.svc.cluster.local', subset: 'v1', port: 9080 });
    expect(o.subsetLabels).toEqual({ version: 'v1' });
    expect(o.fault).toEqual({});
    expect(o.timeoutMs).toBeUndefined();
    expect(o.retries.attempts).toBe(2);
    expect(o.clientMtls).toBe(true);
  });

  it('App on B returns 5xx (not retried): the default retryOn does not cover upstream 5xx responses', () => {
    const o = route(evaluateHttp(reviewsRule({}), productpage, get('reviews'), Math.random));
    for (const status of [500, 502, 503, 504])
      expect(isRetriable(o.retries, { kind: 'status', status })).toBe(false);
  });

  it('App 503 with retryOn covering it: retried, at most 1 + attempts tries', () => {
    for (const retryOn of ['5xx', 'gateway-error', '503', 'retriable-status-codes,503']) {
      const o = route(
        evaluateHttp(
          reviewsRule({ retries: { attempts: 3, retryOn } }),
          productpage,
          get('reviews'),
          Math.random,
        ),
      );
      expect(o.retries.attempts).toBe(3);
      expect(isRetriable(o.retries, { kind: 'status', status: 503 })).toBe(true);
    }
    const numeric = retryDecision({ attempts: 3, retryOn: '503' });
    expect(numeric.retriableStatusCodes).toEqual([503]);
    expect(numeric.retryOn).toContain('retriable-status-codes');
    expect(isRetriable(numeric, { kind: 'status', status: 500 })).toBe(false);
  });

  it('Fault abort: the configured status, no delay', () => {
    const m = reviewsRule({ fault: { abort: { httpStatus: 503, percentage: { value: 100 } } } });
    const o = route(evaluateHttp(m, productpage, get('reviews'), Math.random));
    expect(o.fault).toEqual({ abortStatus: 503 });
  });

  it('Fault abort percentage: rolled per request; unset percentage never aborts', () => {
    const m = reviewsRule({ fault: { abort: { httpStatus: 500, percentage: { value: 30 } } } });
    expect(route(evaluateHttp(m, productpage, get('reviews'), draws(0.29))).fault.abortStatus).toBe(500);
    expect(
      route(evaluateHttp(m, productpage, get('reviews'), draws(0.31))).fault.abortStatus,
    ).toBeUndefined();
    const unset = reviewsRule({ fault: { abort: { httpStatus: 500 } } });
    expect(route(evaluateHttp(unset, productpage, get('reviews'), draws(0))).fault).toEqual({});
  });

  it('gRPC abort: HTTP 200 plus the grpc-status', () => {
    const m = reviewsRule({ fault: { abort: { grpcStatus: 'UNAVAILABLE', percentage: { value: 100 } } } });
    expect(route(evaluateHttp(m, productpage, get('reviews'), Math.random)).fault).toEqual({
      abortStatus: 200,
      abortGrpcStatus: 'UNAVAILABLE',
    });
  });

  it('Fault delay: delayed then routed upstream; deprecated integer percent honoured', () => {
    const m = reviewsRule({ fault: { delay: { fixedDelay: '1.5s', percentage: { value: 100 } } } });
    expect(route(evaluateHttp(m, productpage, get('reviews'), Math.random)).fault).toEqual({ delayMs: 1500 });
    const legacy = reviewsRule({ fault: { delay: { fixedDelay: '200ms', percent: 50 } } });
    expect(route(evaluateHttp(legacy, productpage, get('reviews'), draws(0.49))).fault).toEqual({
      delayMs: 200,
    });
    expect(route(evaluateHttp(legacy, productpage, get('reviews'), draws(0.5))).fault).toEqual({});
    const unset = reviewsRule({ fault: { delay: { fixedDelay: '5s' } } });
    expect(route(evaluateHttp(unset, productpage, get('reviews'), draws(0))).fault).toEqual({});
  });

  it('Delay then abort: two independent draws, delay first', () => {
    const m = reviewsRule({
      fault: {
        delay: { fixedDelay: '2s', percentage: { value: 50 } },
        abort: { httpStatus: 500, percentage: { value: 50 } },
      },
    });
    expect(route(evaluateHttp(m, productpage, get('reviews'), draws(0.1, 0.2))).fault).toEqual({
      delayMs: 2000,
      abortStatus: 500,
    });
    expect(route(evaluateHttp(m, productpage, get('reviews'), draws(0.1, 0.9))).fault).toEqual({
      delayMs: 2000,
    });
    expect(route(evaluateHttp(m, productpage, get('reviews'), draws(0.9, 0.2))).fault).toEqual({
      abortStatus: 500,
    });
  });

  it('No VS rule matched: noRoute (404 NR) naming the VirtualService', () => {
    const m = mesh({
      virtualServices: [
        vs('reviews', {
          hosts: ['reviews'],
          http: [{ match: [{ uri: { prefix: '/v2' } }], route: [{ destination: { host: 'reviews' } }] }],
        }),
      ],
    });
    expect(evaluateHttp(m, productpage, get('reviews', '/reviews/1'), Math.random)).toMatchObject({
      kind: 'noRoute',
      virtualService: 'bookinfo/reviews',
    });
  });

  it('VS references an undefined subset: noCluster (503 NC)', () => {
    const m = mesh({
      virtualServices: [
        vs('reviews', {
          hosts: ['reviews'],
          http: [{ route: [{ destination: { host: 'reviews', subset: 'v9' } }] }],
        }),
      ],
      destinationRules: [reviewsDr],
    });
    expect(evaluateHttp(m, productpage, get('reviews'), Math.random)).toMatchObject({
      kind: 'noCluster',
      virtualService: 'bookinfo/reviews',
      destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'v9' },
    });
  });

  it('No ready endpoints / all ejected (UH): the evaluator hands over the subset labels and outlier settings', () => {
    const m = mesh({
      virtualServices: [
        vs('reviews', {
          hosts: ['reviews'],
          http: [{ route: [{ destination: { host: 'reviews', subset: 'v4' } }] }],
        }),
      ],
      destinationRules: [
        dr('reviews', {
          host: 'reviews',
          trafficPolicy: {
            outlierDetection: {
              consecutive5xxErrors: 1,
              interval: '1s',
              baseEjectionTime: '3m',
              maxEjectionPercent: 100,
            },
          },
          subsets: [{ name: 'v4', labels: { version: 'v4' } }],
        }),
      ],
    });
    const o = route(evaluateHttp(m, productpage, get('reviews'), Math.random));
    // No Bookinfo workload carries version=v4: mesh-sim finds no endpoint and answers 503 UH.
    expect(o.subsetLabels).toEqual({ version: 'v4' });
    expect(outlierDetectionSettings(o.policy)).toMatchObject({
      consecutive5xxErrors: 1,
      intervalMs: 1000,
      baseEjectionTimeMs: 180_000,
      maxEjectionPercent: 100,
      minHealthPercent: 0,
    });
    expect(outlierDetectionSettings(undefined)).toBeUndefined();
  });

  it('Pending queue / max requests overflow (UO): limits from the DestinationRule, overflow never retried', () => {
    const m = mesh({
      virtualServices: [],
      destinationRules: [
        dr('reviews', {
          host: 'reviews',
          trafficPolicy: {
            connectionPool: {
              tcp: { maxConnections: 1 },
              http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 },
            },
          },
        }),
      ],
    });
    const o = route(evaluateHttp(m, productpage, get('reviews'), Math.random));
    const limits = circuitBreakerLimits(o.policy);
    expect(limits).toMatchObject({ maxConnections: 1, maxPendingRequests: 1, maxRequestsPerConnection: 1 });
    expect(limits.maxRequests).toBe(4_294_967_295);
    expect(isRetriable(o.retries, { kind: 'overflow' })).toBe(false);
  });

  it("B's pod unreachable: connect failures retried twice by default (UF,URX); attempts 0 disables (UF)", () => {
    const def = route(evaluateHttp(reviewsRule({}), productpage, get('reviews'), Math.random));
    expect(def.retries.attempts).toBe(2);
    expect(isRetriable(def.retries, { kind: 'connectFailure' })).toBe(true);
    const off = route(
      evaluateHttp(reviewsRule({ retries: { attempts: 0 } }), productpage, get('reviews'), Math.random),
    );
    expect(off.retries.attempts).toBe(0);
    expect(isRetriable(off.retries, { kind: 'connectFailure' })).toBe(false);
  });

  it("B's app refuses (sidecar answers 503): A retries only when retryOn covers 5xx/503", () => {
    const def = route(evaluateHttp(reviewsRule({}), productpage, get('reviews'), Math.random));
    expect(isRetriable(def.retries, { kind: 'status', status: 503 })).toBe(false);
    const fiveXx = route(
      evaluateHttp(
        reviewsRule({ retries: { attempts: 2, retryOn: '5xx' } }),
        productpage,
        get('reviews'),
        Math.random,
      ),
    );
    expect(isRetriable(fiveXx.retries, { kind: 'status', status: 503 })).toBe(true);
  });

  it('Route timeout (504 UT): timeout set; default none; per-try timeouts retried only on reset/5xx/gateway-error', () => {
    const t = route(evaluateHttp(reviewsRule({ timeout: '0.5s' }), productpage, get('reviews'), Math.random));
    expect(t.timeoutMs).toBe(500);
    const none = route(evaluateHttp(reviewsRule({}), productpage, get('reviews'), Math.random));
    expect(none.timeoutMs).toBeUndefined();
    const zero = route(
      evaluateHttp(reviewsRule({ timeout: '0s' }), productpage, get('reviews'), Math.random),
    );
    expect(zero.timeoutMs).toBeUndefined();
    const perTry = route(
      evaluateHttp(
        reviewsRule({ retries: { attempts: 3, perTryTimeout: '100ms' } }),
        productpage,
        get('reviews'),
        Math.random,
      ),
    );
    expect(perTry.retries.perTryTimeoutMs).toBe(100);
    expect(isRetriable(perTry.retries, { kind: 'perTryTimeout' })).toBe(false);
    const withReset = retryDecision({ attempts: 3, perTryTimeout: '100ms', retryOn: 'reset' });
    expect(isRetriable(withReset, { kind: 'perTryTimeout' })).toBe(true);
  });

  it("AuthorizationPolicy deny (403): not the evaluator's decision; a 403 is never retried by default", () => {
    // mesh-sim answers 403 at B's sidecar; here: routing is normal and the 403 is final.
    const o = route(evaluateHttp(reviewsRule({}), productpage, get('reviews'), Math.random));
    expect(isRetriable(o.retries, { kind: 'status', status: 403 })).toBe(false);
  });

  // "Caller hangs up early (0, DC)" depends only on the caller's behaviour: mesh-sim's concern, nothing to decide here.
});
