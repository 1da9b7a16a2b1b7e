/** Fault injection, timeouts and retries, circuit breakers and subsets over Bookinfo. */
import { describe, expect, it } from 'vitest';
import type { DestinationRule } from '../model';
import { evaluateHttp } from '../evaluate';
import { circuitBreakerLimits, loadBalancerKind, outlierDetectionSettings } from '../policy';
import { mulberry32 } from '../random';
import { buildRouting } from './build';
import { bookinfoMesh, get, loadBookinfo, productpage, type K8sObject } from '../../test/fixtures';
import { applied, build, expectValid } from '../../test/builderFixtures';

describe('fault injection and timeouts', () => {
  it('aborts 100% of ratings calls with 500, then removes the fault', () => {
    const mesh = bookinfoMesh([]);
    const plan = build({ faultInjection: { abort: { httpStatus: 500, percentage: 100 } } }, mesh, 'ratings');
    expect(plan.virtualService?.spec).toEqual({
      hosts: ['ratings'],
      http: [
        {
          name: 'meshlens-default',
          route: [{ destination: { host: 'ratings' } }],
          fault: { abort: { httpStatus: 500, percentage: { value: 100 } } },
        },
      ],
    });
    expect(plan.destinationRule).toBeUndefined(); // no subset named: no DestinationRule needed
    const after = expectValid(mesh, plan);
    const out = evaluateHttp(after, productpage, get('ratings:9080', '/ratings/0'), mulberry32(1));
    expect(out.kind === 'route' && out.fault.abortStatus).toBe(500);
    const removed = buildRouting(
      { faultInjection: null },
      { mesh: after, namespace: 'bookinfo', service: 'ratings' },
    );
    expect(removed.virtualService?.spec.http?.[0]?.fault).toBeUndefined();
  });

  it('adds a delay to the catch-all but leaves the user’s match rules alone', () => {
    const mesh = bookinfoMesh(['virtual-service-reviews-jason-v2-v3.yaml', 'destination-rule-all.yaml']);
    const plan = build({ faultInjection: { delay: { fixedDelay: '7s', percentage: 50 } } }, mesh);
    const http = plan.virtualService?.spec.http ?? [];
    expect(http[0]?.fault).toBeUndefined();
    expect(http[1]?.fault).toEqual({ delay: { fixedDelay: '7s', percentage: { value: 50 } } });
    expect(http[1]?.route).toEqual([{ destination: { host: 'reviews', subset: 'v3' } }]);
    expectValid(mesh, plan);
  });

  it('timeout and retries reach the evaluator; null removes them', () => {
    const mesh = bookinfoMesh([]);
    const plan = build(
      {
        timeoutsRetries: {
          timeout: '2s',
          retries: { attempts: 3, perTryTimeout: '500ms', retryOn: '5xx,reset' },
        },
      },
      mesh,
      'details',
    );
    const after = expectValid(mesh, plan);
    const out = evaluateHttp(after, productpage, get('details:9080', '/details/0'), mulberry32(1));
    expect(out.kind).toBe('route');
    if (out.kind !== 'route') return;
    expect(out.timeoutMs).toBe(2000);
    expect(out.retries).toMatchObject({ attempts: 3, perTryTimeoutMs: 500, retryOn: ['5xx', 'reset'] });
    const next = build({ timeoutsRetries: { timeout: null, retries: null } }, after, 'details');
    expect(next.virtualService?.spec.http?.[0]).toEqual({
      name: 'meshlens-default',
      route: [{ destination: { host: 'details' } }],
    });
  });
});

describe('circuit breaker', () => {
  it('sets the limits, keeps the policy fields it does not touch, and the evaluator reads them', () => {
    const mesh = bookinfoMesh(['destination-rule-all-mtls.yaml']);
    const plan = build(
      {
        circuitBreaker: {
          connectionPool: {
            tcp: { maxConnections: 1 },
            http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 },
          },
          outlierDetection: {
            consecutive5xxErrors: 1,
            interval: '1s',
            baseEjectionTime: '3m',
            maxEjectionPercent: 100,
          },
          loadBalancer: { consistentHash: { httpHeaderName: 'x-user' } },
        },
      },
      mesh,
    );
    expect(plan.virtualService).toBeUndefined();
    const dr = plan.destinationRule as DestinationRule;
    const original = loadBookinfo('destination-rule-all-mtls.yaml').find(
      (o) => o.metadata.name === 'reviews',
    ) as K8sObject;
    expect(dr.spec.trafficPolicy?.tls).toEqual(original.spec.trafficPolicy.tls); // ISTIO_MUTUAL kept
    expect(dr.spec.subsets).toEqual(original.spec.subsets);
    expect(dr.metadata.labels?.['meshlens.io/wizard']).toBe('circuitBreaker');
    expectValid(mesh, plan);
    const tp = dr.spec.trafficPolicy;
    expect(circuitBreakerLimits(tp)).toMatchObject({
      maxConnections: 1,
      maxPendingRequests: 1,
      maxRequestsPerConnection: 1,
    });
    expect(outlierDetectionSettings(tp)).toMatchObject({
      consecutive5xxErrors: 1,
      intervalMs: 1000,
      baseEjectionTimeMs: 180_000,
      maxEjectionPercent: 100,
    });
    expect(loadBalancerKind(tp)).toBe('CONSISTENT_HASH');
    // Second pass: change one field, remove outlier detection, switch the balancer back to simple.
    const next = build(
      {
        circuitBreaker: {
          connectionPool: { http: { http2MaxRequests: 10 } },
          outlierDetection: null,
          loadBalancer: { simple: 'ROUND_ROBIN' },
        },
      },
      applied(mesh, plan),
    );
    const tp2 = next.destinationRule?.spec.trafficPolicy;
    expect(tp2?.connectionPool).toEqual({
      tcp: { maxConnections: 1 },
      http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1, http2MaxRequests: 10 },
    });
    expect(tp2?.outlierDetection).toBeUndefined();
    expect(tp2?.loadBalancer).toEqual({ simple: 'ROUND_ROBIN' });
    expect(tp2?.tls).toEqual({ mode: 'ISTIO_MUTUAL' });
  });
});

describe('subsets', () => {
  const managedDr = (subsets: { name: string; version: string }[]) => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: {
      name: 'reviews',
      namespace: 'bookinfo',
      labels: { 'app.kubernetes.io/managed-by': 'meshlens', 'meshlens.io/service': 'reviews' },
    },
    spec: {
      host: 'reviews.bookinfo.svc.cluster.local',
      subsets: subsets.map((s) => ({ name: s.name, labels: { version: s.version } })),
    },
  });
  const otherVs: K8sObject = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'reviews-legacy', namespace: 'front' },
    spec: {
      hosts: ['reviews.bookinfo.svc.cluster.local'],
      http: [{ route: [{ destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'v0' } }] }],
    },
  };

  it('drops a stale subset from its own rule, but never one another VirtualService uses', () => {
    const stale = managedDr([
      { name: 'v0', version: 'v0' },
      { name: 'v9', version: 'v9' },
    ]);
    const plan = build(
      { trafficShifting: { v1: 50, v2: 50 } },
      bookinfoMesh([], [stale as K8sObject, otherVs]),
    );
    expect(plan.destinationRule?.spec.subsets?.map((s) => s.name)).toEqual(['v0', 'v1', 'v2', 'v3']);
  });

  it('reuses a hand-written subset that selects the version, whatever its name', () => {
    const dr: K8sObject = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'reviews-dr', namespace: 'bookinfo' },
      spec: { host: 'reviews', subsets: [{ name: 'stable', labels: { version: 'v1' } }] },
    };
    const plan = build({ trafficShifting: { v1: 90, v2: 10 } }, bookinfoMesh([], [dr]));
    expect(plan.virtualService?.spec.http?.[0]?.route?.map((r) => r.destination.subset)).toEqual([
      'stable',
      'v2',
    ]);
    expect(plan.destinationRule?.metadata.name).toBe('reviews-dr');
    expect(plan.destinationRule?.spec.subsets?.map((s) => s.name)).toEqual(['stable', 'v2', 'v3']);
  });
});
