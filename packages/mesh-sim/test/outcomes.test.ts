/**
 * The outcome cheat-sheet (TRAFFIC-SEMANTICS.md §8), row by row, on Bookinfo: requests are simulated
 * deterministically (seeded) on a static inventory, and the resulting samples are read back from the
 * exposition text, per reporter.
 */
import { describe, expect, it } from 'vitest';
import { addObject, inventoryFromObjects } from '../src/engine/inventory';
import { Engine } from '../src/engine/simulate';
import { loadScenario } from '../src/scenario/load';
import { scenarioObjects } from '../src/scenario/manifests';
import { requests, sample, scrape, send, simulation, total, yaml } from './helpers';

const REVIEWS_TO_RATINGS = { source_app: 'reviews', destination_service_name: 'ratings' };
const JASON = { 'end-user': 'jason' };

describe('normal traffic', () => {
  it('records each hop once per reporter, with mTLS on the destination side only', () => {
    const { engine } = simulation();
    send(engine, 200);
    const s = scrape(engine);
    const hop = { source_workload: 'productpage-v1', destination_service_name: 'reviews' };
    expect(requests(s, { ...hop, reporter: 'source', response_code: '200', response_flags: '-' })).toBe(200);
    expect(requests(s, { ...hop, reporter: 'destination', connection_security_policy: 'mutual_tls' })).toBe(
      200,
    );
    expect(requests(s, { ...hop, reporter: 'source', connection_security_policy: 'unknown' })).toBe(200);
    // Without a VirtualService, reviews' service spreads over v1, v2 and v3.
    for (const v of ['v1', 'v2', 'v3'])
      expect(requests(s, { ...hop, reporter: 'source', destination_version: v })).toBeGreaterThan(40);
    const principal = s.find(
      (x) => x.labels.reporter === 'destination' && x.labels.destination_app === 'reviews',
    )!;
    expect(principal.labels.source_principal).toBe(
      'spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage',
    );
    expect(principal.labels.destination_principal).toBe(
      'spiffe://cluster.local/ns/bookinfo/sa/bookinfo-reviews',
    );
  });

  it('gateways report only their outbound leg, as reporter=source', () => {
    const { engine } = simulation();
    send(engine, 50);
    const s = scrape(engine);
    expect(requests(s, { source_workload: 'istio-ingressgateway', reporter: 'source' })).toBe(50);
    expect(requests(s, { source_workload: 'istio-ingressgateway', reporter: 'destination' })).toBe(50);
    expect(requests(s, { destination_workload: 'istio-ingressgateway' })).toBe(0);
    const gw = s.find((x) => x.labels.source_workload === 'istio-ingressgateway')!;
    expect(gw.labels.source_workload_namespace).toBe('istio-system');
    expect(gw.labels.destination_service).toBe('productpage.bookinfo.svc.cluster.local');
  });

  it('serves a service from the pods its Endpoints list, when the cluster has Endpoints', () => {
    const scenario = loadScenario('bookinfo');
    const inventory = inventoryFromObjects(scenarioObjects(scenario));
    const v2 = inventory.pods.find((p) => p.workload === 'reviews-v2')!;
    addObject(inventory, {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'reviews', namespace: 'bookinfo' },
      subsets: [{ addresses: [{ ip: '10.0.0.7', targetRef: { kind: 'Pod', name: v2.name } }] }],
    });
    const engine = new Engine(scenario, inventory, { seed: 3 });
    send(engine, 30);
    const s = scrape(engine);
    expect(requests(s, { reporter: 'destination', destination_service_name: 'reviews' })).toBe(30);
    expect(requests(s, { reporter: 'destination', destination_workload: 'reviews-v2' })).toBe(30);
  });

  it("counts callers' latency including their callees'", () => {
    const { engine } = simulation({
      behaviour: {
        'reviews-v1': { latency: { median: 50, p99: 50 } },
        'reviews-v2': { latency: { median: 50, p99: 50 } },
        'reviews-v3': { latency: { median: 50, p99: 50 } },
        'ratings-v1': { latency: { median: 100, p99: 100 } },
      },
    });
    send(engine, 100);
    const s = scrape(engine);
    const meanOf = (m: Record<string, string>) =>
      total(s, 'istio_request_duration_milliseconds_sum', m) /
      total(s, 'istio_request_duration_milliseconds_count', m);
    const dest = { reporter: 'destination' };
    expect(meanOf({ ...dest, destination_workload: 'ratings-v1' })).toBeGreaterThanOrEqual(99);
    expect(meanOf({ ...dest, destination_workload: 'reviews-v2' })).toBeGreaterThanOrEqual(149);
    expect(meanOf({ ...dest, destination_workload: 'reviews-v1' })).toBeLessThan(60);
    // The caller's own view includes the hop and is never shorter than the server's.
    expect(meanOf({ reporter: 'source', destination_workload: 'reviews-v2' })).toBeGreaterThanOrEqual(
      meanOf({ ...dest, destination_workload: 'reviews-v2' }),
    );
  });
});

describe('application errors and retries', () => {
  it('a 5xx from the app that is not retried shows on both reporters with the same code', () => {
    const { engine } = simulation({
      behaviour: { 'ratings-v1': { errorRate: 1, errorCodes: { '500': 1 } } },
    });
    send(engine, 100);
    const s = scrape(engine);
    const src = requests(s, {
      ...REVIEWS_TO_RATINGS,
      reporter: 'source',
      response_code: '500',
      response_flags: '-',
    });
    expect(src).toBeGreaterThan(30);
    expect(requests(s, { ...REVIEWS_TO_RATINGS, reporter: 'destination', response_code: '500' })).toBe(src);
  });

  it('503s retried per retryOn: one source sample with URX, one destination sample per attempt', () => {
    const { engine } = simulation({
      behaviour: { 'ratings-v1': { errorRate: 1, errorCodes: { '503': 1 } } },
      objects: yaml(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ratings }
spec:
  hosts: [ratings]
  http:
    - route: [{ destination: { host: ratings } }]
      retries: { attempts: 2, retryOn: 5xx }
`),
    });
    send(engine, 100);
    const s = scrape(engine);
    const src = requests(s, { ...REVIEWS_TO_RATINGS, reporter: 'source' });
    expect(src).toBeGreaterThan(30);
    expect(
      requests(s, { ...REVIEWS_TO_RATINGS, reporter: 'source', response_code: '503', response_flags: 'URX' }),
    ).toBe(src);
    expect(requests(s, { ...REVIEWS_TO_RATINGS, reporter: 'destination', response_code: '503' })).toBe(
      3 * src,
    );
  });

  it('Istio default retries do not retry an upstream 503', () => {
    const { engine } = simulation({
      behaviour: { 'ratings-v1': { errorRate: 1, errorCodes: { '503': 1 } } },
    });
    send(engine, 60);
    const s = scrape(engine);
    const src = requests(s, { ...REVIEWS_TO_RATINGS, reporter: 'source', response_flags: '-' });
    expect(requests(s, { ...REVIEWS_TO_RATINGS, reporter: 'destination' })).toBe(src);
  });

  it('an unreachable pod gives UF,URX after the default retries, and UF alone without retries', () => {
    const unreachable = { unreachableRate: 1 };
    const behaviour = { 'reviews-v1': unreachable, 'reviews-v2': unreachable, 'reviews-v3': unreachable };
    const { engine } = simulation({ behaviour });
    send(engine, 40);
    let s = scrape(engine);
    const hop = { source_workload: 'productpage-v1', destination_service_name: 'reviews' };
    expect(requests(s, { ...hop, reporter: 'source', response_code: '503', response_flags: 'UF,URX' })).toBe(
      40,
    );
    expect(requests(s, { ...hop, reporter: 'destination' })).toBe(0);

    const noRetries = simulation({
      behaviour,
      objects: yaml(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews }
spec:
  hosts: [reviews]
  http: [{ route: [{ destination: { host: reviews } }], retries: { attempts: 0 } }]
`),
    }).engine;
    send(noRetries, 40);
    s = scrape(noRetries);
    expect(requests(s, { ...hop, reporter: 'source', response_code: '503', response_flags: 'UF' })).toBe(40);
  });

  it('a server sidecar that cannot reach its app puts the cause on the destination sample', () => {
    const { engine } = simulation({ behaviour: { 'ratings-v1': { appResetRate: 1 } } });
    send(engine, 60);
    const s = scrape(engine);
    const dst = requests(s, {
      ...REVIEWS_TO_RATINGS,
      reporter: 'destination',
      response_code: '503',
      response_flags: 'UC',
    });
    expect(dst).toBeGreaterThan(20);
    expect(
      requests(s, { ...REVIEWS_TO_RATINGS, reporter: 'source', response_code: '503', response_flags: '-' }),
    ).toBe(dst);
  });
});

describe('fault injection', () => {
  it('abort: 500 FI on the source only, for jason only (virtual-service-ratings-test-abort.yaml)', () => {
    const { engine } = simulation({
      objects: [...sample('destination-rule-all.yaml'), ...sample('virtual-service-ratings-test-abort.yaml')],
    });
    send(engine, 100, { headers: JASON });
    send(engine, 100);
    const s = scrape(engine);
    const fi = requests(s, {
      ...REVIEWS_TO_RATINGS,
      reporter: 'source',
      response_code: '500',
      response_flags: 'FI',
    });
    expect(fi).toBeGreaterThan(30);
    expect(requests(s, { ...REVIEWS_TO_RATINGS, reporter: 'destination', response_flags: 'FI' })).toBe(0);
    const ok = requests(s, { ...REVIEWS_TO_RATINGS, reporter: 'source', response_code: '200' });
    expect(ok).toBeGreaterThan(30);
    expect(requests(s, { ...REVIEWS_TO_RATINGS, reporter: 'destination' })).toBe(ok);
    // The abort happens before any host is picked: no peer, the service from the route's cluster.
    const sampleFi = s.find((x) => x.labels.response_flags === 'FI')!;
    expect(sampleFi.labels.destination_workload).toBe('unknown');
    expect(sampleFi.labels.destination_service).toBe('ratings.bookinfo.svc.cluster.local');
  });

  it('delay: DI on the source, whose duration includes the delay; the destination is unaffected', () => {
    const { engine } = simulation({
      objects: [...sample('destination-rule-all.yaml'), ...sample('virtual-service-ratings-test-delay.yaml')],
    });
    send(engine, 60, { headers: JASON });
    const s = scrape(engine);
    const di = { ...REVIEWS_TO_RATINGS, reporter: 'source', response_code: '200', response_flags: 'DI' };
    const n = requests(s, di);
    expect(n).toBeGreaterThan(20);
    expect(total(s, 'istio_request_duration_milliseconds_sum', di) / n).toBeGreaterThanOrEqual(7000);
    const dest = { ...REVIEWS_TO_RATINGS, reporter: 'destination' };
    expect(requests(s, dest)).toBe(n);
    expect(total(s, 'istio_request_duration_milliseconds_sum', dest) / n).toBeLessThan(1000);
  });

  it('delay then abort: DI,FI, source only', () => {
    const { engine } = simulation({
      objects: yaml(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: details }
spec:
  hosts: [details]
  http:
    - fault:
        delay: { fixedDelay: 1s, percentage: { value: 100 } }
        abort: { httpStatus: 503, percentage: { value: 100 } }
      route: [{ destination: { host: details } }]
`),
    });
    send(engine, 30);
    const s = scrape(engine);
    const hop = { source_workload: 'productpage-v1', destination_service_name: 'details' };
    expect(requests(s, { ...hop, reporter: 'source', response_code: '503', response_flags: 'DI,FI' })).toBe(
      30,
    );
    expect(requests(s, { ...hop, reporter: 'destination' })).toBe(0);
  });
});

describe('gRPC and TCP (travels)', () => {
  const TO_FLIGHTS = { source_workload: 'travels-v1', destination_service_name: 'flights' };
  const run = (setup: Parameters<typeof simulation>[0], seconds = 10) => {
    const { engine } = simulation({ scenario: 'travels', ...setup });
    for (let i = 0; i < seconds * 5; i++) engine.tick(i * 200, 200);
    return scrape(engine);
  };

  it('gRPC UNAVAILABLE is retried by the default policy: HTTP 200, grpc 14, URX; 3 attempts each', () => {
    const s = run({ behaviour: { 'flights-v1': { errorRate: 1, grpcErrorCodes: { '14': 1 } } } });
    const src = requests(s, { ...TO_FLIGHTS, reporter: 'source' });
    expect(src).toBeGreaterThan(20);
    const final = { ...TO_FLIGHTS, reporter: 'source', request_protocol: 'grpc', response_code: '200' };
    expect(requests(s, { ...final, grpc_response_status: '14', response_flags: 'URX' })).toBe(src);
    expect(requests(s, { ...TO_FLIGHTS, reporter: 'destination', grpc_response_status: '14' })).toBe(3 * src);
    // Message counters carry the 20 peer labels only, on both reporters.
    expect(total(s, 'istio_request_messages_total', { ...TO_FLIGHTS, reporter: 'source' })).toBe(src);
  });

  it('gRPC DEADLINE_EXCEEDED is not in the default retryOn', () => {
    const s = run({ behaviour: { 'flights-v1': { errorRate: 1, grpcErrorCodes: { '4': 1 } } } });
    const src = requests(s, {
      ...TO_FLIGHTS,
      reporter: 'source',
      grpc_response_status: '4',
      response_flags: '-',
    });
    expect(src).toBeGreaterThan(20);
    expect(requests(s, { ...TO_FLIGHTS, reporter: 'destination' })).toBe(src);
  });

  it('a gRPC fault abort answers HTTP 200 with the grpc-status', () => {
    const s = run({
      objects: yaml(
        `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: flights }
spec:
  hosts: [flights]
  http:
    - fault: { abort: { grpcStatus: UNAVAILABLE, percentage: { value: 100 } } }
      route: [{ destination: { host: flights } }]
`,
        'travel-agency',
      ),
    });
    const src = requests(s, { ...TO_FLIGHTS, reporter: 'source' });
    expect(src).toBeGreaterThan(20);
    expect(
      requests(s, {
        ...TO_FLIGHTS,
        reporter: 'source',
        response_code: '200',
        grpc_response_status: '14',
        response_flags: 'FI',
      }),
    ).toBe(src);
    expect(requests(s, { ...TO_FLIGHTS, reporter: 'destination' })).toBe(0);
  });

  it('TCP: connections and bytes on both reporters; maxConnections overflow is UO on the source', () => {
    const toDb = { source_workload: 'hotels-v1', destination_service_name: 'mysqldb' };
    let s = run({});
    const opened = total(s, 'istio_tcp_connections_opened_total', { ...toDb, reporter: 'source' });
    expect(opened).toBeGreaterThan(20);
    expect(total(s, 'istio_tcp_connections_closed_total', { ...toDb, reporter: 'destination' })).toBe(opened);
    expect(
      total(s, 'istio_tcp_sent_bytes_total', {
        ...toDb,
        reporter: 'destination',
        connection_security_policy: 'mutual_tls',
      }),
    ).toBeGreaterThan(opened * 1000);

    s = run({
      behaviour: { 'mysqldb-v1': { latency: { median: 400, p99: 800 } } },
      objects: yaml(
        `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: mysqldb }
spec: { host: mysqldb, trafficPolicy: { connectionPool: { tcp: { maxConnections: 1 } } } }
`,
        'travel-agency',
      ),
    });
    const uo = total(s, 'istio_tcp_connections_opened_total', {
      ...toDb,
      reporter: 'source',
      response_flags: 'UO',
    });
    expect(uo).toBeGreaterThan(0);
    expect(
      total(s, 'istio_tcp_connections_opened_total', { reporter: 'destination', response_flags: 'UO' }),
    ).toBe(0);
  });
});
