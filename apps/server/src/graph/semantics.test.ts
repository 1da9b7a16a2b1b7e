/**
 * Kiali's graph semantics on hand-built Prometheus answers (issue 13, items 1–8): which reports count,
 * requests that found no destination, gRPC statuses, the service graph, passthrough/blackhole traffic,
 * the rate options and the responses by code, flags and host.
 */
import {
  GraphQuerySchema,
  type GraphEdge,
  type GraphQueryInput,
  type GraphResponse,
} from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import { deriveSnapshot } from '../inventory/derive';
import type { VectorSample } from '../prometheus/client';
import { buildGraph, type GraphSamples } from './buildGraph';
import { buildGraphQueries } from './queries';

const inventory = deriveSnapshot(
  {
    namespaces: [],
    services: [],
    deployments: [],
    replicasets: [],
    pods: [],
    serviceentries: [],
    virtualservices: [],
    destinationrules: [],
  },
  true,
);

interface Wl {
  ns: string;
  wl: string;
  app: string;
}
const wl = (ns: string, name: string): Wl => ({ ns, wl: name, app: name.replace(/-v\d+$/, '') });
const UNKNOWN: Wl = { ns: 'unknown', wl: 'unknown', app: 'unknown' };
const PP = wl('bookinfo', 'productpage-v1');
const REV = wl('bookinfo', 'reviews-v1');
const RAT = wl('bookinfo', 'ratings-v1');
const GW = wl('istio-system', 'istio-ingressgateway');

/** One series of the requests query (REQUEST_LABELS), destination `svc` in the workload's namespace. */
function row(
  reporter: string,
  src: Wl,
  dst: Wl,
  value: number,
  extra: Record<string, string> = {},
): VectorSample {
  const svcNs = dst === UNKNOWN ? 'unknown' : dst.ns;
  return {
    metric: {
      reporter,
      source_workload_namespace: src.ns,
      source_workload: src.wl,
      source_canonical_service: src.app,
      source_canonical_revision: src === UNKNOWN ? 'unknown' : 'v1',
      destination_service_namespace: svcNs,
      destination_service_name: dst.app,
      destination_service: `${dst.app}.${dst.ns}.svc.cluster.local`,
      destination_workload_namespace: dst.ns,
      destination_workload: dst.wl,
      destination_canonical_service: dst.app,
      destination_canonical_revision: dst === UNKNOWN ? 'latest' : 'v1',
      request_protocol: 'http',
      response_code: '200',
      grpc_response_status: '',
      response_flags: '-',
      ...extra,
    },
    value: [1_800_000_000, String(value)],
  };
}

function graph(samples: GraphSamples, params: Partial<GraphQueryInput> = {}): GraphResponse {
  const q = GraphQuerySchema.parse({ namespaces: 'bookinfo', graphType: 'workload', ...params });
  return buildGraph(q, samples, {
    inventory,
    healthRules: [],
    cluster: 'Kubernetes',
    timestamp: 1_800_000_000,
    warnings: [],
  });
}

const edge = (g: GraphResponse, id: string): GraphEdge => {
  const e = g.edges.find((x) => x.id === id);
  if (!e) throw new Error(`no edge ${id}; edges: ${g.edges.map((x) => x.id).join(', ')}`);
  return e;
};

describe('item 1: which reports count (Kiali: destination into the namespaces, source out of them)', () => {
  it('keeps traffic only the destination reports: a caller whose proxy reports no client metrics', () => {
    // reviews' proxy has client metrics off: only ratings' proxy reports reviews → ratings
    const g = graph({
      requests: [
        row('source', PP, REV, 5),
        row('destination', PP, REV, 5),
        row('destination', REV, RAT, 3),
        row('destination', REV, RAT, 1, { response_code: '500' }),
      ],
    });
    const e = edge(g, 'wl:bookinfo/reviews-v1>svc:bookinfo/ratings:http');
    expect(e.rps).toBe(4);
    expect(e.responses).toEqual({ '200': { '-': 3 }, '500': { '-': 1 } });
    expect(g.nodes.find((n) => n.id === 'wl:bookinfo/ratings-v1')?.httpIn).toBe(4);
  });

  it('counts a request reported by both proxies once, plus what only the caller saw', () => {
    const g = graph({
      requests: [
        row('source', PP, REV, 5),
        row('destination', PP, REV, 5),
        // a local reply of productpage's proxy (circuit breaker): no destination report
        row('source', PP, { ...UNKNOWN }, 0.5, {
          response_code: '503',
          response_flags: 'UO',
          destination_service: 'reviews.bookinfo.svc.cluster.local',
          destination_service_name: 'reviews',
        }),
      ],
    });
    const e = edge(g, 'wl:bookinfo/productpage-v1>svc:bookinfo/reviews:http');
    expect(e.rps).toBe(5.5);
    expect(e.responses).toEqual({ '200': { '-': 5 }, '503': { UO: 0.5 } });
  });

  it("reads an outside caller's traffic into the namespace from the destination's report", () => {
    const g = graph({ requests: [row('source', GW, PP, 10), row('destination', GW, PP, 9)] });
    // the gateway is outside bookinfo: Kiali takes the destination report (9), not the gateway's (10)
    expect(edge(g, 'wl:istio-system/istio-ingressgateway>svc:bookinfo/productpage:http').rps).toBe(9);
  });

  it('asks Prometheus for destination reports by destination workload namespace', () => {
    const requests = buildGraphQueries(GraphQuerySchema.parse({ namespaces: 'bookinfo' }))[0]!;
    expect(requests.name).toBe('requests');
    expect(requests.promql).toContain('{reporter="destination",destination_workload_namespace=~"bookinfo"}');
    expect(requests.promql).toContain('{reporter="source",source_workload_namespace=~"bookinfo"}');
    expect(requests.promql).toContain(
      '{reporter="source",source_workload_namespace!~"bookinfo",destination_workload="unknown",destination_service=~',
    );
  });
});

describe('item 2: requests that found no destination', () => {
  it('go into an `unknown` service node with their codes and flags', () => {
    const g = graph({
      requests: [
        row('source', PP, UNKNOWN, 0.4, {
          response_code: '404',
          response_flags: 'NR',
          destination_service: 'reviews:9080',
          destination_service_name: 'unknown',
        }),
      ],
    });
    const e = edge(g, 'wl:bookinfo/productpage-v1>svc:unknown/unknown:http');
    expect(e.responses).toEqual({ '404': { NR: 0.4 } });
    expect(e.responseHosts).toEqual({ '404': { 'reviews:9080': 0.4 } });
    expect(e.rate4xx).toBe(0.4);
    expect(g.nodes.find((n) => n.id === 'svc:unknown/unknown')).toMatchObject({
      type: 'service',
      label: 'unknown',
      namespace: 'unknown',
      isOutside: false,
      httpIn4xx: 0.4,
    });
  });
});

describe('item 3: gRPC responses are keyed by gRPC status', () => {
  const grpc = (status: string, value: number, code = '200') =>
    row('source', PP, REV, value, {
      request_protocol: 'grpc',
      response_code: code,
      grpc_response_status: status,
    });

  it('breaks gRPC responses down by status; errors and health follow it, not the HTTP 200', () => {
    const g = graph({ requests: [grpc('0', 8), grpc('14', 2), grpc('', 0.5, '0')] });
    const e = edge(g, 'wl:bookinfo/productpage-v1>svc:bookinfo/reviews:grpc');
    expect(e.responses).toEqual({ '0': { '-': 8 }, '14': { '-': 2 }, '-': { '-': 0.5 } });
    expect(e.rateGrpcErr).toBe(2);
    expect(e.rateNoResponse).toBe(0.5);
    expect(e.rate2xx).toBe(0);
    expect(e.errorPct).toBeCloseTo((2.5 / 10.5) * 100, 1);
    expect(e.healthStatus).toBe('Failure');
    expect(g.nodes.find((n) => n.id === 'svc:bookinfo/reviews')?.grpcInErr).toBe(2);
  });

  it('maps the HTTP code when the proxy recorded no gRPC status (the gRPC HTTP mapping)', () => {
    const g = graph({ requests: [grpc('', 1, '503'), grpc('', 3, '200')] });
    const e = edge(g, 'wl:bookinfo/productpage-v1>svc:bookinfo/reviews:grpc');
    expect(e.responses).toEqual({ '0': { '-': 3 }, '14': { '-': 1 } });
    expect(e.rateGrpcErr).toBe(1);
  });
});

describe('items 4 and 5: the service graph, reduced as Kiali reduces it', () => {
  it('keeps a service calling itself', () => {
    const g = graph(
      { requests: [row('source', REV, REV, 2), row('destination', REV, REV, 2)] },
      { graphType: 'service' },
    );
    expect(g.edges.map((e) => e.id)).toEqual(['svc:bookinfo/reviews>svc:bookinfo/reviews:http']);
    expect(g.edges[0]!.rps).toBe(2);
  });

  it('holds services plus the non-service sources and their edges into services, no other workloads', () => {
    const db = wl('bookinfo', 'mongodb-v1');
    const g = graph(
      {
        requests: [
          row('destination', GW, PP, 10),
          row('destination', UNKNOWN, PP, 1),
          row('source', PP, REV, 5),
          row('destination', PP, REV, 5),
        ],
        // reviews talks to a workload straight (no service known): Kiali's service graph drops it
        tcp: [
          row('source', REV, db, 100, {
            destination_service: 'unknown',
            destination_service_name: 'unknown',
            destination_service_namespace: 'unknown',
          }),
        ],
      },
      { graphType: 'service' },
    );
    expect(g.nodes.map((n) => n.id).sort()).toEqual([
      'svc:bookinfo/productpage',
      'svc:bookinfo/reviews',
      'unknown',
      'wl:istio-system/istio-ingressgateway',
    ]);
    expect(g.edges.map((e) => e.id).sort()).toEqual([
      'svc:bookinfo/productpage>svc:bookinfo/reviews:http',
      'unknown>svc:bookinfo/productpage:http',
      'wl:istio-system/istio-ingressgateway>svc:bookinfo/productpage:http',
    ]);
  });
});

describe('item 6: PassthroughCluster and BlackHoleCluster', () => {
  const passthrough = {
    destination_service: 'PassthroughCluster',
    destination_service_name: 'PassthroughCluster',
    destination_service_namespace: 'unknown',
  };

  it('draws passthrough traffic from the caller straight to the workload it reached', () => {
    const g = graph({ requests: [row('destination', PP, REV, 2, passthrough)] });
    expect(g.edges.map((e) => e.id)).toEqual(['wl:bookinfo/productpage-v1>wl:bookinfo/reviews-v1:http']);
    expect(g.nodes.some((n) => n.label === 'PassthroughCluster')).toBe(false);
  });

  it('keeps a PassthroughCluster node when no workload is known, and BlackHoleCluster as itself', () => {
    const g = graph({
      requests: [
        row('source', PP, UNKNOWN, 1, passthrough),
        row('source', PP, UNKNOWN, 0.5, {
          destination_service: 'BlackHoleCluster',
          destination_service_name: 'BlackHoleCluster',
          response_code: '502',
        }),
      ],
    });
    expect(g.edges.map((e) => e.id).sort()).toEqual([
      'wl:bookinfo/productpage-v1>svc:unknown/BlackHoleCluster:http',
      'wl:bookinfo/productpage-v1>svc:unknown/PassthroughCluster:http',
    ]);
    expect(g.nodes.find((n) => n.id === 'svc:unknown/BlackHoleCluster')).toMatchObject({
      label: 'BlackHoleCluster',
      type: 'service',
      httpIn5xx: 0.5,
    });
  });
});

describe('item 7: rateHttp, rateGrpc and rateTcp', () => {
  const parse = (p: Record<string, string>) => GraphQuerySchema.parse({ namespaces: 'bookinfo', ...p });

  it("defaults to Kiali's (requests, requests, sent) and rejects other values naming the parameter", () => {
    expect(parse({})).toMatchObject({ rateHttp: 'requests', rateGrpc: 'requests', rateTcp: 'sent' });
    const bad = GraphQuerySchema.safeParse({ namespaces: 'bookinfo', rateGrpc: 'bytes' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['rateGrpc']);
    expect(bad.error?.issues[0]?.message).toBe('expected one of none|requests|sent|received|total');
  });

  it('asks for gRPC messages (one more query) and leaves gRPC out of the requests query', () => {
    const names = (p: Record<string, string>) => buildGraphQueries(parse(p)).map((x) => x.name);
    // gRPC counted in requests: the requests query carries the mTLS too.
    expect(names({})).toEqual(['requests', 'responseTime', 'throughput', 'tcp']);
    const total = buildGraphQueries(parse({ rateGrpc: 'total' }));
    expect(total.map((x) => x.name)).toEqual([
      'requests',
      'mtls',
      'responseTime',
      'throughput',
      'grpcMessages',
      'tcp',
    ]);
    expect(total[0]!.promql).toContain('request_protocol="http"');
    const messages = total.find((x) => x.name === 'grpcMessages')!.promql;
    expect(messages).toContain('istio_request_messages_total');
    expect(messages).toContain('istio_response_messages_total');
    const sent = buildGraphQueries(parse({ rateGrpc: 'sent' })).find((x) => x.name === 'grpcMessages');
    expect(sent?.promql).not.toContain('istio_response_messages_total');
    expect(names({ rateHttp: 'none', rateGrpc: 'none' })).toEqual(['tcp']);
  });

  it('draws gRPC edges from messages/s in both directions for rateGrpc=total', () => {
    const msg = (reporter: string, direction: string, v: number) =>
      row(reporter, PP, REV, v, { request_protocol: 'grpc', meshlens_direction: direction });
    const g = graph(
      {
        grpcMessages: [
          msg('source', 'sent', 4),
          msg('destination', 'sent', 4),
          msg('source', 'received', 6),
          msg('destination', 'received', 6),
        ],
      },
      { rateGrpc: 'total' },
    );
    const e = edge(g, 'wl:bookinfo/productpage-v1>svc:bookinfo/reviews:grpc');
    expect(e.rps).toBe(10);
    expect(e.healthStatus).toBe('Healthy');
  });
});

describe('item 8: responses by code, flags and host', () => {
  it('keeps the requested host per code beside the flags', () => {
    const g = graph({
      requests: [
        row('source', PP, REV, 3),
        row('source', PP, REV, 1, {
          destination_workload: 'unknown',
          destination_workload_namespace: 'unknown',
          response_code: '503',
          response_flags: 'UH',
        }),
      ],
    });
    const e = edge(g, 'wl:bookinfo/productpage-v1>svc:bookinfo/reviews:http');
    expect(e.responses).toEqual({ '200': { '-': 3 }, '503': { UH: 1 } });
    expect(e.responseHosts).toEqual({
      '200': { 'reviews.bookinfo.svc.cluster.local': 3 },
      '503': { 'reviews.bookinfo.svc.cluster.local': 1 },
    });
  });
});

describe('mTLS from the requests query (no mTLS query when the requests query reads every L7 protocol)', () => {
  const OUT = wl('shop', 'cart-v1');
  const mtls = { connection_security_policy: 'mutual_tls' };
  const plain = { connection_security_policy: 'none' };
  const answers = {
    requests: [
      row('destination', PP, REV, 3, mtls),
      row('destination', PP, REV, 1, plain),
      row('source', PP, REV, 4, { connection_security_policy: 'unknown' }),
      // productpage → shop: counted from its source report, its mTLS from the callee's destination report
      row('source', PP, OUT, 2, { connection_security_policy: 'unknown' }),
      row('destination', PP, OUT, 2, mtls),
    ],
  };

  it("reads each edge's mTLS share from the destination reports among the requests", () => {
    const g = graph(answers);
    const inside = edge(g, 'wl:bookinfo/productpage-v1>svc:bookinfo/reviews:http');
    expect(inside.rps).toBe(4);
    expect(inside.mtlsPct).toBe(75);
    const out = edge(g, 'wl:bookinfo/productpage-v1>svc:shop/cart:http');
    // the destination report of a callee outside the namespaces gives the mTLS, not a second count
    expect(out.rps).toBe(2);
    expect(out.mtlsPct).toBe(100);
  });

  it('takes the mTLS answer instead when there is one (gRPC rated by messages, or recorded answers)', () => {
    const g = graph({ ...answers, mtls: [row('destination', PP, REV, 4, plain)] });
    expect(edge(g, 'wl:bookinfo/productpage-v1>svc:bookinfo/reviews:http').mtlsPct).toBe(0);
    // with gRPC in messages the requests query does not carry the mTLS: no mTLS answer, no share
    const messages = graph(answers, { protocols: ['http', 'grpc'], rateGrpc: 'total' });
    expect(edge(messages, 'wl:bookinfo/productpage-v1>svc:bookinfo/reviews:http').mtlsPct).toBeNull();
  });
});
