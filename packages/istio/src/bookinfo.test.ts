/** Every Istio networking sample of Bookinfo (data/istio/bookinfo/*.yaml), evaluated as Envoy would route it. */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateHttp } from './evaluate';
import { loadBalancerKind } from './policy';
import { mulberry32 } from './random';
import type { Caller, HttpOutcome, MeshConfig } from './evaluate.types';
import { BOOKINFO_DIR, bookinfoMesh, get, productpage, reviewsV2 } from '../test/fixtures';

const FQDN = (s: string) => `${s}.bookinfo.svc.cluster.local`;
const jason = { 'end-user': 'jason' };
const ingress: Caller = {
  namespace: 'istio-system',
  labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
  gateways: ['bookinfo/bookinfo-gateway'],
};

function route(o: HttpOutcome) {
  if (o.kind !== 'route') throw new Error(`expected a route, got ${o.kind}: ${o.explanation?.join(' | ')}`);
  return o;
}

/** Share of requests per subset over n seeded draws. */
function split(m: MeshConfig, caller: Caller, host: string, n = 10_000, seed = 42): Record<string, number> {
  const random = mulberry32(seed);
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const o = route(evaluateHttp(m, caller, get(host), random));
    const k = o.destination.subset ?? '-';
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, (100 * v) / n]));
}

const covered = new Set<string>();
function sample(file: string, fn: () => void) {
  covered.add(file);
  it(file, fn);
}

describe('Bookinfo networking samples', () => {
  sample('bookinfo.yaml', () => {
    // The application itself: no Istio objects, default routing with default retries and auto mTLS.
    const o = route(
      evaluateHttp(bookinfoMesh([]), productpage, get('reviews:9080', '/reviews/0'), Math.random),
    );
    expect(o.virtualService).toBeUndefined();
    expect(o.destination).toEqual({ host: FQDN('reviews'), port: 9080 });
    expect(o.retries).toMatchObject({ attempts: 2, retriableStatusCodes: [] });
    expect(o.clientMtls).toBe(true);
  });

  sample('bookinfo-versions.yaml', () => {
    // Per-version Services: a call to reviews-v2 is a default route to that service.
    const m = bookinfoMesh([]);
    m.services.push(
      ...['v1', 'v2', 'v3'].map((v) => ({
        name: `reviews-${v}`,
        namespace: 'bookinfo',
        ports: [{ port: 9080 }],
      })),
    );
    const o = route(evaluateHttp(m, productpage, get('reviews-v2'), Math.random));
    expect(o.destination).toEqual({ host: FQDN('reviews-v2'), port: 9080 });
  });

  sample('bookinfo-gateway.yaml', () => {
    const m = bookinfoMesh(['bookinfo-gateway.yaml']);
    for (const path of ['/productpage', '/static/css/x.css', '/login', '/logout', '/api/v1/products/1']) {
      const o = route(evaluateHttp(m, ingress, get('bookinfo.example.com', path), Math.random));
      expect(o.virtualService).toBe('bookinfo/bookinfo');
      expect(o.destination).toEqual({ host: FQDN('productpage'), port: 9080 });
    }
    expect(evaluateHttp(m, ingress, get('1.2.3.4:8080', '/admin'), Math.random)).toMatchObject({
      kind: 'noRoute',
      virtualService: 'bookinfo/bookinfo',
    });
    // Bound to the gateway only: sidecars keep default routing.
    expect(route(evaluateHttp(m, reviewsV2, get('productpage'), Math.random)).virtualService).toBeUndefined();
  });

  sample('certmanager-gateway.yaml', () => {
    const m = bookinfoMesh(['certmanager-gateway.yaml', 'bookinfo-gateway.yaml']);
    const certGw: Caller = { ...ingress, gateways: ['istio-system/cert-manager-gateway'] };
    const o = route(
      evaluateHttp(m, certGw, get('example.com', '/.well-known/acme-challenge/token'), Math.random),
    );
    expect(o.destination).toEqual({
      host: 'cert-manager-resolver.istio-system.svc.cluster.local',
      port: 8089,
    });
    expect(evaluateHttp(m, certGw, get('example.com', '/productpage'), Math.random).kind).toBe('noRoute');
    // The bookinfo gateway does not see the cert-manager VirtualService.
    expect(
      evaluateHttp(m, ingress, get('example.com', '/.well-known/acme-challenge/t'), Math.random).kind,
    ).toBe('noRoute');
  });

  sample('destination-rule-all.yaml', () => {
    const m = bookinfoMesh(['destination-rule-all.yaml']);
    // Without a VirtualService the DR's subsets are not used; top-level policy (none) applies; auto mTLS.
    const o = route(evaluateHttp(m, productpage, get('ratings'), Math.random));
    expect(o.destinationRule).toBe('bookinfo/ratings');
    expect(o.subsetLabels).toBeUndefined();
    expect(o.policy).toBeUndefined();
    expect(o.clientMtls).toBe(true);
  });

  sample('destination-rule-all-mtls.yaml', () => {
    const m = bookinfoMesh(['destination-rule-all-mtls.yaml', 'virtual-service-all-v1.yaml']);
    const o = route(evaluateHttp(m, productpage, get('details'), Math.random));
    expect(o.destination.subset).toBe('v1');
    expect(o.policy).toEqual({ tls: { mode: 'ISTIO_MUTUAL' } });
    expect(o.clientMtls).toBe(true);
    // ISTIO_MUTUAL is explicit: even toward pods without a sidecar; auto mTLS would send plaintext there.
    const noSidecar = (mm: MeshConfig) => ({
      ...mm,
      workloads: mm.workloads?.map((w) => (w.labels.app === 'details' ? { ...w, sidecar: false } : w)),
    });
    expect(route(evaluateHttp(noSidecar(m), productpage, get('details'), Math.random)).clientMtls).toBe(true);
    const auto = noSidecar(bookinfoMesh(['destination-rule-all.yaml', 'virtual-service-all-v1.yaml']));
    expect(route(evaluateHttp(auto, productpage, get('details'), Math.random)).clientMtls).toBe(false);
  });

  sample('destination-rule-reviews.yaml', () => {
    const m = bookinfoMesh(['destination-rule-reviews.yaml', 'virtual-service-reviews-v3.yaml']);
    const o = route(evaluateHttp(m, productpage, get('reviews'), Math.random));
    expect(o.subsetLabels).toEqual({ version: 'v3' });
    expect(loadBalancerKind(o.policy)).toBe('RANDOM');
  });

  sample('egress-rule-google-apis.yaml', () => {
    const m = bookinfoMesh(['egress-rule-google-apis.yaml']);
    const o = route(
      evaluateHttp(m, productpage, get('www.googleapis.com', '/books/v1/volumes'), Math.random),
    );
    expect(o.virtualService).toBe('bookinfo/rewrite-port-for-googleapis');
    expect(o.destination).toEqual({ host: 'www.googleapis.com', port: 443 });
    expect(o.destinationRule).toBe('bookinfo/originate-tls-for-googleapis');
    // Port 443's entry replaces the top-level fields: TLS origination, and LB back to the default.
    expect(o.policy).toEqual({ tls: { mode: 'SIMPLE' } });
    expect(loadBalancerKind(o.policy)).toBe('LEAST_REQUEST');
    expect(o.clientMtls).toBe(false);
  });

  sample('fault-injection-details-v1.yaml', () => {
    const m = bookinfoMesh(['fault-injection-details-v1.yaml']);
    const o = route(evaluateHttp(m, productpage, get('details', '/details/0'), Math.random));
    expect(o.ruleIndex).toBe(0);
    expect(o.fault).toEqual({ abortStatus: 555 });
    expect(o.subsetLabels).toEqual({ version: 'v1' });
  });

  sample('virtual-service-all-v1.yaml', () => {
    const alone = bookinfoMesh(['virtual-service-all-v1.yaml']);
    for (const svc of ['productpage', 'reviews', 'ratings', 'details']) {
      expect(evaluateHttp(alone, productpage, get(svc), Math.random)).toMatchObject({
        kind: 'noCluster',
        virtualService: `bookinfo/${svc}`,
        destination: { host: FQDN(svc), subset: 'v1', port: 9080 },
      });
    }
    const withDr = bookinfoMesh(['virtual-service-all-v1.yaml', 'destination-rule-all.yaml']);
    for (const svc of ['productpage', 'reviews', 'ratings', 'details']) {
      const o = route(evaluateHttp(withDr, productpage, get(svc), Math.random));
      expect(o.subsetLabels).toEqual({ version: 'v1' });
      expect(o.destinationRule).toBe(`bookinfo/${svc}`);
    }
  });

  sample('virtual-service-details-v2.yaml', () => {
    const m = bookinfoMesh(['virtual-service-details-v2.yaml', 'destination-rule-all.yaml']);
    expect(route(evaluateHttp(m, productpage, get('details'), Math.random)).subsetLabels).toEqual({
      version: 'v2',
    });
  });

  for (const [file, ratingsSubset] of [
    ['virtual-service-ratings-db.yaml', 'v2'],
    ['virtual-service-ratings-mysql.yaml', 'v2-mysql'],
    ['virtual-service-ratings-mysql-vm.yaml', 'v2-mysql-vm'],
  ] as const) {
    sample(file, () => {
      const m = bookinfoMesh([file, 'destination-rule-all.yaml']);
      expect(route(evaluateHttp(m, productpage, get('reviews'), Math.random)).destination.subset).toBe('v3');
      const o = route(evaluateHttp(m, reviewsV2, get('ratings'), Math.random));
      expect(o.subsetLabels).toEqual({ version: ratingsSubset });
    });
  }

  sample('virtual-service-ratings-test-abort.yaml', () => {
    const m = bookinfoMesh(['virtual-service-ratings-test-abort.yaml', 'destination-rule-all.yaml']);
    const random = mulberry32(7);
    for (let i = 0; i < 200; i++) {
      expect(route(evaluateHttp(m, reviewsV2, get('ratings', '/ratings/0', jason), random)).fault).toEqual({
        abortStatus: 500,
      });
      const other = route(
        evaluateHttp(m, reviewsV2, get('ratings', '/ratings/0', { 'end-user': 'alice' }), random),
      );
      expect(other.fault).toEqual({});
      expect(other.ruleIndex).toBe(1);
    }
    expect(route(evaluateHttp(m, reviewsV2, get('ratings'), random)).fault).toEqual({});
    // Header names are case-insensitive.
    expect(
      route(evaluateHttp(m, reviewsV2, get('ratings', '/', { 'End-User': 'jason' }), random)).fault
        .abortStatus,
    ).toBe(500);
  });

  sample('virtual-service-ratings-test-delay.yaml', () => {
    const m = bookinfoMesh(['virtual-service-ratings-test-delay.yaml', 'destination-rule-all.yaml']);
    const o = route(evaluateHttp(m, reviewsV2, get('ratings', '/ratings/0', jason), Math.random));
    expect(o.fault).toEqual({ delayMs: 7000 });
    expect(o.timeoutMs).toBeUndefined();
    expect(route(evaluateHttp(m, reviewsV2, get('ratings'), Math.random)).fault).toEqual({});
  });

  for (const [file, expected] of [
    ['virtual-service-reviews-80-20.yaml', { v1: 80, v2: 20 }],
    ['virtual-service-reviews-90-10.yaml', { v1: 90, v2: 10 }],
    ['virtual-service-reviews-50-v3.yaml', { v1: 50, v3: 50 }],
    ['virtual-service-reviews-v2-v3.yaml', { v2: 50, v3: 50 }],
    ['virtual-service-reviews-v3.yaml', { v3: 100 }],
  ] as const) {
    sample(file, () => {
      const shares = split(bookinfoMesh([file, 'destination-rule-all.yaml']), productpage, 'reviews');
      expect(Object.keys(shares).sort()).toEqual(Object.keys(expected).sort());
      for (const [subset, pct] of Object.entries(expected))
        expect(Math.abs((shares[subset] ?? 0) - pct)).toBeLessThanOrEqual(2);
    });
  }

  for (const [file, others] of [
    ['virtual-service-reviews-jason-v2-v3.yaml', 'v3'],
    ['virtual-service-reviews-test-v2.yaml', 'v1'],
  ] as const) {
    sample(file, () => {
      const m = bookinfoMesh([file, 'destination-rule-all.yaml']);
      expect(
        route(evaluateHttp(m, productpage, get('reviews', '/reviews/0', jason), Math.random)).destination,
      ).toEqual({
        host: FQDN('reviews'),
        subset: 'v2',
        port: 9080,
      });
      const variants: Record<string, string>[] = [{}, { 'end-user': 'jason2' }, { 'end-user': 'Jason' }];
      for (const headers of variants) {
        const o = route(evaluateHttp(m, productpage, get('reviews', '/reviews/0', headers), Math.random));
        expect(o.destination.subset).toBe(others);
        expect(o.ruleIndex).toBe(1);
      }
    });
  }

  it('covers every Istio sample file in data/istio/bookinfo/', () => {
    const files = readdirSync(BOOKINFO_DIR).filter((f) => f.endsWith('.yaml'));
    expect(files.filter((f) => !covered.has(f))).toEqual([]);
    // gateway-api/ holds Gateway API HTTPRoutes, not Istio networking objects: out of the evaluator's scope.
  });
});
