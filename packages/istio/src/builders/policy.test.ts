/** Fault injection, timeouts and retries, circuit breakers, gateways and delete routing over Bookinfo. */
import { RoutingIntentSchema, type RoutingIntentInput } from '@meshlens/contract';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MeshConfig } from '../evaluate.types';
import type { DestinationRule, VirtualService } from '../model';
import { evaluateHttp } from '../evaluate';
import { circuitBreakerLimits, loadBalancerKind, outlierDetectionSettings } from '../policy';
import { mulberry32 } from '../random';
import { validateObject, withObject } from '../validation/mesh';
import type { CrdSchemas } from '../validation/schema';
import { bookinfoMesh, get, loadBookinfo, productpage, type K8sObject } from '../../test/fixtures';
import { ingressWorkload, loadSchemas } from '../../test/validationFixtures';
import { buildRouting, type RoutingPlan } from './build';
import type { IntentError } from './context';

let schemas: CrdSchemas;
beforeAll(() => {
  schemas = loadSchemas();
});

const build = (input: RoutingIntentInput, mesh: MeshConfig, service = 'reviews') =>
  buildRouting(RoutingIntentSchema.parse(input), { mesh, namespace: 'bookinfo', service });

function applied(mesh: MeshConfig, plan: RoutingPlan): MeshConfig {
  let m = mesh;
  for (const o of [plan.destinationRule, plan.virtualService, plan.gateway]) if (o) m = withObject(m, o);
  return m;
}
function expectValid(mesh: MeshConfig, plan: RoutingPlan): MeshConfig {
  const after = applied(mesh, plan);
  for (const o of [plan.destinationRule, plan.virtualService, plan.gateway]) {
    if (!o) continue;
    const v = validateObject(o, after, { schemas });
    expect(
      v.checks.filter((c) => c.severity === 'error'),
      `${o.kind} ${o.metadata.name}`,
    ).toEqual([]);
  }
  return after;
}
const catchError = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e as IntentError;
  }
  throw new Error('expected an IntentError');
};

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

describe('gateway', () => {
  const withIngress = (files: string[]) => {
    const m = bookinfoMesh(files);
    return { ...m, workloads: [...(m.workloads ?? []), ingressWorkload] };
  };

  it('creates a Gateway and binds the VirtualService to it and to the mesh', () => {
    const mesh = withIngress([]);
    const plan = build(
      { trafficShifting: { v1: 100 }, gateway: { create: { port: 8080, hosts: ['reviews.example.com'] } } },
      mesh,
    );
    expect(plan.gateway?.metadata).toMatchObject({
      name: 'reviews-gateway',
      labels: { 'meshlens.io/wizard': 'gateway' },
    });
    expect(plan.gateway?.spec).toEqual({
      selector: { istio: 'ingressgateway' },
      servers: [
        { port: { number: 8080, name: 'http-8080', protocol: 'HTTP' }, hosts: ['reviews.example.com'] },
      ],
    });
    expect(plan.virtualService?.spec.gateways).toEqual(['bookinfo/reviews-gateway', 'mesh']);
    expect(plan.virtualService?.spec.hosts).toEqual(['reviews', 'reviews.example.com']);
    const after = expectValid(mesh, plan);
    const atGateway = evaluateHttp(
      after,
      { namespace: 'istio-system', labels: ingressWorkload.labels, gateways: ['bookinfo/reviews-gateway'] },
      get('reviews.example.com', '/'),
      mulberry32(3),
    );
    expect(atGateway.kind === 'route' && atGateway.destination.subset).toBe('v1');
  });

  it('attaches to bookinfo-gateway; refuses a wildcard host bound to the mesh and a missing gateway', () => {
    const mesh = withIngress(['bookinfo-gateway.yaml']);
    const plan = build(
      { gateway: { attach: { namespace: 'bookinfo', name: 'bookinfo-gateway' }, includeMesh: false } },
      mesh,
      'productpage',
    );
    expect(plan.virtualService?.spec.gateways).toEqual(['bookinfo/bookinfo-gateway']);
    expect(plan.virtualService?.spec.hosts).toEqual(['productpage', '*']);
    expectValid(mesh, plan);
    const wild = catchError(() =>
      build(
        { gateway: { attach: { namespace: 'bookinfo', name: 'bookinfo-gateway' } } },
        mesh,
        'productpage',
      ),
    );
    expect(wild.causes[0]).toMatchObject({ path: 'gateway', code: 'ML2003' });
    const missing = catchError(() =>
      build({ gateway: { attach: { namespace: 'bookinfo', name: 'nope' } } }, mesh),
    );
    expect(missing.causes[0]).toMatchObject({ path: 'gateway/attach', code: 'KIA1102' });
  });
});

describe('delete routing', () => {
  it('deletes meshlens objects (VirtualService first) and reports hand-written ones', () => {
    const base = bookinfoMesh(['virtual-service-ratings-test-abort.yaml', 'destination-rule-all.yaml']);
    const mesh = withObject(
      base,
      build({ trafficShifting: { v1: 80, v2: 20 } }, base).virtualService as VirtualService,
    );
    const dr = build({ trafficShifting: { v1: 80, v2: 20 } }, base).destinationRule;
    expect(dr).toBeUndefined(); // the hand-written rule already had the subsets
    const reviews = build({ deleteRouting: {} }, mesh);
    expect(reviews.deletes.map((d) => `${d.kind} ${d.name}`)).toEqual(['VirtualService reviews']);
    expect(reviews.kept.map((k) => `${k.kind} ${k.name}`)).toEqual(['DestinationRule reviews']);

    const owned = bookinfoMesh([]);
    const built = build({ trafficShifting: { v1: 80, v2: 20 } }, owned);
    const after = applied(owned, built);
    const del = build({ deleteRouting: {} }, after);
    expect(del.deletes.map((d) => `${d.kind} ${d.name}`)).toEqual([
      'VirtualService reviews',
      'DestinationRule reviews',
    ]);

    const ratings = build({ deleteRouting: {} }, mesh, 'ratings');
    expect(ratings.deletes).toEqual([]);
    expect(ratings.kept.map((k) => k.kind).sort()).toEqual(['DestinationRule', 'VirtualService']);
    const forced = build({ deleteRouting: { includeHandWritten: true } }, mesh, 'ratings');
    expect(forced.deletes.map((d) => d.kind)).toEqual(['VirtualService', 'DestinationRule']);
  });

  it('keeps a DestinationRule whose subsets another VirtualService still uses', () => {
    const owned = bookinfoMesh([]);
    const after = applied(owned, build({ trafficShifting: { v1: 80, v2: 20 } }, owned));
    const other: K8sObject = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews-from-front', namespace: 'front' },
      spec: {
        hosts: ['reviews.bookinfo.svc.cluster.local'],
        http: [{ route: [{ destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'v2' } }] }],
      },
    };
    const del = build({ deleteRouting: {} }, withObject(after, other as unknown as VirtualService));
    expect(del.deletes.map((d) => d.kind)).toEqual(['VirtualService']);
    expect(del.kept[0]?.reason).toContain('front/reviews-from-front');
  });
});
