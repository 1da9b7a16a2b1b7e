/**
 * The outcome cheat-sheet (TRAFFIC-SEMANTICS.md §8), continued: answers the client proxy gives itself
 * (NR, NC, UH, UO, outlier ejection, timeouts), mTLS, mirroring, unmeshed callers, determinism.
 */
import { describe, expect, it } from 'vitest';
import { requests, sample, scrape, send, simulation, total, yaml } from './helpers';

const REVIEWS_TO_RATINGS = { source_app: 'reviews', destination_service_name: 'ratings' };
const JASON = { 'end-user': 'jason' };

describe('local replies of the client proxy (source sample only)', () => {
  it('no matching VirtualService rule: 404 NR, the Host header as service, its name unknown', () => {
    const { engine } = simulation({
      objects: [
        ...sample('destination-rule-all.yaml'),
        ...yaml(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews }
spec:
  hosts: [reviews]
  http:
    - match: [{ headers: { end-user: { exact: jason } } }]
      route: [{ destination: { host: reviews, subset: v2 } }]
`),
      ],
    });
    send(engine, 40);
    send(engine, 10, { headers: JASON });
    const s = scrape(engine);
    const nr = {
      source_workload: 'productpage-v1',
      reporter: 'source',
      response_code: '404',
      response_flags: 'NR',
    };
    expect(
      requests(s, { ...nr, destination_service: 'reviews:9080', destination_service_name: 'unknown' }),
    ).toBe(40);
    expect(requests(s, { reporter: 'destination', destination_app: 'reviews' })).toBe(10);
  });

  it('a subset no DestinationRule defines: 503 NC', () => {
    const { engine } = simulation({ objects: sample('virtual-service-reviews-v3.yaml') });
    send(engine, 25);
    const s = scrape(engine);
    expect(
      requests(s, {
        source_workload: 'productpage-v1',
        reporter: 'source',
        response_code: '503',
        response_flags: 'NC',
      }),
    ).toBe(25);
    expect(requests(s, { reporter: 'destination', destination_app: 'reviews' })).toBe(0);
  });

  it('a subset that selects no pods: 503 UH', () => {
    const { engine } = simulation({
      objects: yaml(`
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews }
spec:
  host: reviews
  subsets: [{ name: v9, labels: { version: v9 } }]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews }
spec:
  hosts: [reviews]
  http: [{ route: [{ destination: { host: reviews, subset: v9 } }] }]
`),
    });
    send(engine, 20);
    const s = scrape(engine);
    const uh = {
      reporter: 'source',
      response_code: '503',
      response_flags: 'UH',
      destination_service_name: 'reviews',
    };
    expect(requests(s, uh)).toBe(20);
    expect(requests(s, { reporter: 'destination', destination_app: 'reviews' })).toBe(0);
  });

  it('connection-pool overflow under load: 503 UO, source only', () => {
    const { engine, scenario } = simulation({
      behaviour: {
        'reviews-v1': { latency: { median: 300, p99: 600 } },
        'reviews-v2': { latency: { median: 300, p99: 600 } },
        'reviews-v3': { latency: { median: 300, p99: 600 } },
      },
      objects: yaml(`
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews }
spec:
  host: reviews
  trafficPolicy:
    connectionPool:
      tcp: { maxConnections: 1 }
      http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 }
`),
    });
    scenario.entry[0]!.paths = [{ path: '/productpage', weight: 1 }];
    engine.rateScale = 4; // 20 requests/s at 0.3 s each: about 6 in flight for a pool of 2
    for (let i = 0; i < 50; i++) engine.tick(i * 200, 200);
    const s = scrape(engine);
    const hop = { source_workload: 'productpage-v1', destination_service_name: 'reviews' };
    const uo = requests(s, { ...hop, reporter: 'source', response_code: '503', response_flags: 'UO' });
    const ok = requests(s, { ...hop, reporter: 'source', response_code: '200' });
    expect(uo).toBeGreaterThan(0.3 * (uo + ok));
    expect(ok).toBeGreaterThan(0);
    expect(requests(s, { ...hop, reporter: 'destination' })).toBe(ok);
  });

  it('outlier detection ejects a failing host; with every host ejected, 503 UH', () => {
    const { engine } = simulation({
      behaviour: { 'ratings-v1': { errorRate: 1, errorCodes: { '500': 1 } } },
      objects: yaml(`
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: ratings }
spec:
  host: ratings
  trafficPolicy:
    outlierDetection: { consecutive5xxErrors: 3, baseEjectionTime: 30s, maxEjectionPercent: 100 }
`),
    });
    send(engine, 200);
    const s = scrape(engine);
    // Ejection is per client proxy: reviews-v2 and reviews-v3 each see 3 errors, then UH.
    expect(requests(s, { ...REVIEWS_TO_RATINGS, reporter: 'destination', response_code: '500' })).toBe(6);
    expect(requests(s, { ...REVIEWS_TO_RATINGS, reporter: 'source', response_flags: 'UH' })).toBeGreaterThan(
      50,
    );
  });

  it('route timeout: 504 UT on the source, 0 DC on the destination', () => {
    const { engine } = simulation({
      behaviour: { 'ratings-v1': { latency: { median: 1000, p99: 1500 } } },
      objects: yaml(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ratings }
spec:
  hosts: [ratings]
  http: [{ route: [{ destination: { host: ratings } }], timeout: 0.5s }]
`),
    });
    send(engine, 60);
    const s = scrape(engine);
    const ut = { ...REVIEWS_TO_RATINGS, reporter: 'source', response_code: '504', response_flags: 'UT' };
    const n = requests(s, ut);
    expect(n).toBeGreaterThan(20);
    expect(total(s, 'istio_request_duration_milliseconds_sum', ut) / n).toBeLessThan(520);
    expect(
      requests(s, {
        ...REVIEWS_TO_RATINGS,
        reporter: 'destination',
        response_code: '0',
        response_flags: 'DC',
      }),
    ).toBe(n);
  });
});

describe('mTLS and mirroring', () => {
  it('STRICT PeerAuthentication: mutual_tls on destination samples; plaintext clients are refused (UC)', () => {
    const strict = yaml(`
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: default }
spec: { mtls: { mode: STRICT } }
`);
    let { engine } = simulation({ objects: strict });
    send(engine, 30);
    let s = scrape(engine);
    expect(requests(s, { reporter: 'destination', connection_security_policy: 'none' })).toBe(0);
    expect(
      requests(s, { reporter: 'destination', connection_security_policy: 'mutual_tls' }),
    ).toBeGreaterThan(90);

    ({ engine } = simulation({
      objects: [
        ...strict,
        ...yaml(`
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: details }
spec: { host: details, trafficPolicy: { tls: { mode: DISABLE } } }
`),
      ],
    }));
    send(engine, 30);
    s = scrape(engine);
    const hop = { source_workload: 'productpage-v1', destination_service_name: 'details' };
    expect(requests(s, { ...hop, reporter: 'source', response_code: '503', response_flags: 'UC' })).toBe(30);
    expect(requests(s, { ...hop, reporter: 'destination' })).toBe(0);
  });

  it('PeerAuthentication DISABLE: plaintext, no principals', () => {
    const { engine } = simulation({
      objects: yaml(`
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: default }
spec: { mtls: { mode: DISABLE } }
`),
    });
    send(engine, 20);
    const s = scrape(engine);
    const dest = s.filter((x) => x.name === 'istio_requests_total' && x.labels.reporter === 'destination');
    expect(dest.length).toBeGreaterThan(0);
    for (const d of dest) {
      expect(d.labels.connection_security_policy).toBe('none');
      expect(d.labels.source_principal).toBe('unknown');
      expect(d.labels.destination_principal).toBe('unknown');
    }
  });

  it('mirroring: destination samples at the mirror target only', () => {
    const { engine } = simulation({
      objects: [
        ...sample('destination-rule-all.yaml'),
        ...yaml(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews }
spec:
  hosts: [reviews]
  http:
    - route: [{ destination: { host: reviews, subset: v1 } }]
      mirror: { host: reviews, subset: v2 }
`),
      ],
    });
    send(engine, 40);
    const s = scrape(engine);
    expect(requests(s, { reporter: 'source', destination_workload: 'reviews-v1' })).toBe(40);
    expect(requests(s, { reporter: 'destination', destination_workload: 'reviews-v2' })).toBe(40);
    expect(requests(s, { reporter: 'source', destination_workload: 'reviews-v2' })).toBe(0);
  });
});

describe('callers outside the mesh', () => {
  it('an unmeshed caller has only destination samples, with source_* unknown', () => {
    const { engine, scenario } = simulation({ scenario: 'travels' });
    const entry = scenario.entry.find((e) => e.workload === 'partners/partner-sync')!;
    for (let i = 0; i < 30; i++) engine.entryRequest(entry);
    const s = scrape(engine);
    const fromUnknown = {
      reporter: 'destination',
      source_workload: 'unknown',
      destination_service_name: 'travels',
    };
    expect(requests(s, fromUnknown)).toBe(30);
    expect(requests(s, { source_workload: 'partner-sync' })).toBe(0);
    const x = s.find((y) => y.labels.source_workload === 'unknown')!;
    expect(x.labels).toMatchObject({
      source_canonical_revision: 'latest',
      source_principal: 'unknown',
      source_workload_namespace: 'unknown',
      connection_security_policy: 'none',
    });
  });
});

describe('determinism', () => {
  it('the same seed gives the same samples', () => {
    const run = () => {
      const { engine } = simulation({
        seed: 7,
        objects: [...sample('destination-rule-all.yaml'), ...sample('virtual-service-reviews-80-20.yaml')],
      });
      for (let i = 0; i < 20; i++) engine.tick(i * 200, 200);
      return scrape(engine);
    };
    expect(run()).toEqual(run());
  });
});

describe('the server and the calling app', () => {
  it('AuthorizationPolicy: 403 with no flag on both reporters; the app is not reached', () => {
    const { engine } = simulation({
      objects: yaml(`
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: no-ratings-for-reviews }
spec:
  selector: { matchLabels: { app: ratings } }
  action: DENY
  rules:
    - from: [{ source: { principals: [cluster.local/ns/bookinfo/sa/bookinfo-reviews] } }]
      to: [{ operation: { methods: [GET], paths: [/ratings/*] } }]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: details-from-productpage }
spec:
  selector: { matchLabels: { app: details } }
  rules:
    - from: [{ source: { namespaces: [bookinfo] } }]
      to: [{ operation: { paths: [/details/*] } }]
`),
    });
    send(engine, 60);
    const s = scrape(engine);
    const denied = requests(s, {
      ...REVIEWS_TO_RATINGS,
      reporter: 'destination',
      response_code: '403',
      response_flags: '-',
    });
    expect(denied).toBeGreaterThan(20);
    expect(
      requests(s, { ...REVIEWS_TO_RATINGS, reporter: 'source', response_code: '403', response_flags: '-' }),
    ).toBe(denied);
    expect(requests(s, { ...REVIEWS_TO_RATINGS, response_code: '200' })).toBe(0);
    // The ALLOW policy on details matches productpage's calls: nothing denied there.
    expect(
      requests(s, { destination_service_name: 'details', response_code: '200', reporter: 'destination' }),
    ).toBe(60);
  });

  it('an ALLOW policy that matches nothing denies all, and principals need mTLS', () => {
    const allowNothing = yaml(`
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: allow-nothing }
spec: { selector: { matchLabels: { app: details } } }
`);
    let { engine } = simulation({ objects: allowNothing });
    send(engine, 20);
    let s = scrape(engine);
    expect(
      requests(s, { destination_service_name: 'details', reporter: 'destination', response_code: '403' }),
    ).toBe(20);

    ({ engine } = simulation({
      objects: yaml(`
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: default }
spec: { mtls: { mode: DISABLE } }
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: details-from-productpage }
spec:
  selector: { matchLabels: { app: details } }
  rules: [{ from: [{ source: { principals: [cluster.local/ns/bookinfo/sa/bookinfo-productpage] } }] }]
`),
    }));
    send(engine, 20);
    s = scrape(engine);
    expect(
      requests(s, { destination_service_name: 'details', reporter: 'destination', response_code: '403' }),
    ).toBe(20);
  });

  it("the calling app hangs up after its own timeout: 0 DC where it shows (Bookinfo's 2.5 s and 3 s)", () => {
    const { engine } = simulation({
      objects: [...sample('destination-rule-all.yaml'), ...sample('virtual-service-ratings-test-delay.yaml')],
    });
    send(engine, 90, { headers: JASON });
    const s = scrape(engine);
    // reviews-v3 waits 2.5 s for ratings, which is held 7 s by the fault: it hangs up during the delay.
    const v3 = { source_workload: 'reviews-v3', destination_service_name: 'ratings' };
    const hung = requests(s, { ...v3, reporter: 'source', response_code: '0', response_flags: 'DI,DC' });
    expect(hung).toBeGreaterThan(15);
    expect(
      total(s, 'istio_request_duration_milliseconds_sum', { ...v3, reporter: 'source' }) / hung,
    ).toBeLessThanOrEqual(2500);
    expect(requests(s, { ...v3, reporter: 'destination' })).toBe(0);
    // reviews-v2 waits the 7 s out; productpage (3 s) gives up on it: 0 DC on both of that hop's sidecars.
    const toV2 = { source_workload: 'productpage-v1', destination_workload: 'reviews-v2' };
    const gaveUp = requests(s, { ...toV2, reporter: 'source', response_code: '0', response_flags: 'DC' });
    expect(gaveUp).toBeGreaterThan(15);
    expect(requests(s, { ...toV2, reporter: 'destination', response_code: '0', response_flags: 'DC' })).toBe(
      gaveUp,
    );
    expect(requests(s, { ...v3, reporter: 'source', response_code: '200' })).toBe(0);
  });
});
