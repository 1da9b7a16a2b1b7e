/**
 * Synthetic Prometheus answers for the pure graph pipeline at any size, without Prometheus: a seeded call
 * DAG shaped like mesh-sim's `generated` scenario (N services over ⌈N/100⌉ namespaces, ~5 outgoing edges
 * each, ~15% gRPC, some TCP servers, 10% of apps with two versions, 8% failing, an ingress gateway in front
 * of the first 5%), turned into the JSON bodies the five graph queries return, and the matching inventory.
 * Generated in memory at bench time; nothing is committed.
 */
import type { InventorySnapshot, ServiceInfo, WorkloadInfo } from '../../inventory/types';

type Proto = 'http' | 'grpc' | 'tcp';

export interface SyntheticInput {
  namespaces: string[];
  /** Prometheus `/api/v1/query` answer bodies (JSON text) by query name. */
  bodies: Record<'requests' | 'mtls' | 'tcp' | 'responseTime' | 'throughput', string>;
  inventory: InventorySnapshot;
  time: number;
}

function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

export function syntheticInput(services: number, seed = 1, edgesPerService = 5): SyntheticInput {
  const random = seeded(seed);
  const n = services;
  const k = Math.max(1, Math.ceil(n / 100));
  const names = Array.from({ length: n }, (_, i) => `svc-${pad(i, String(n - 1).length)}`);
  const nsOf = names.map((_, i) => `ns-${pad(i % k, String(k - 1).length)}`);
  const protocols: Proto[] = names.map((_, i) => {
    const x = random();
    if (i >= 0.8 * n && x < 0.35) return 'tcp';
    return x > 0.85 ? 'grpc' : 'http';
  });
  const roots = Math.max(1, Math.ceil(n * 0.05));
  for (let i = 0; i < roots; i++) protocols[i] = 'http';
  const edges = new Set<string>();
  const pairs: [number, number][] = [];
  const addEdge = (i: number, j: number) => {
    const key = `${i}>${j}`;
    if (i >= j || j < roots || edges.has(key) || protocols[i] === 'tcp') return false;
    edges.add(key);
    pairs.push([i, j]);
    return true;
  };
  for (let j = roots; j < n; j++)
    for (let tries = 0; tries < 20; tries++) if (addEdge(Math.floor(random() * j), j)) break;
  const target = Math.round(n * edgesPerService);
  for (let tries = 0; edges.size < target && tries < target * 20; tries++) {
    const i = Math.floor(random() * (n - 1));
    addEdge(i, i + 1 + Math.floor(random() * (n - 1 - i)));
  }
  const versions = names.map(() => (random() < 0.1 ? ['v1', 'v2'] : ['v1']));
  const failing = names.map(() => random() < 0.08);

  const requests: string[] = [];
  const mtls: string[] = [];
  const tcp: string[] = [];
  const rt: string[] = [];
  const tp: string[] = [];
  const time = 1_795_306_956;
  const v = (x: number) => `[${time},"${x}"]`;
  const ep = (srcNs: string, srcWl: string, srcApp: string, srcVer: string, j: number, ver: string) => {
    const ns = nsOf[j]!;
    const name = names[j]!;
    return {
      source_workload_namespace: srcNs,
      source_workload: srcWl,
      source_canonical_service: srcApp,
      source_canonical_revision: srcVer,
      destination_service_namespace: ns,
      destination_service_name: name,
      destination_service: `${name}.${ns}.svc.cluster.local`,
      destination_workload_namespace: ns,
      destination_workload: `${name}-${ver}`,
      destination_canonical_service: name,
      destination_canonical_revision: ver,
    };
  };
  const metric = (labels: Record<string, string>) => JSON.stringify(labels);
  const emit = (srcNs: string, srcWl: string, srcApp: string, srcVer: string, j: number) => {
    const proto = protocols[j]!;
    for (const ver of versions[j]!) {
      const base = ep(srcNs, srcWl, srcApp, srcVer, j, ver);
      const rate = 0.3 + random() * 6;
      if (proto === 'tcp') {
        for (const reporter of ['source', 'destination'])
          tcp.push(
            `{"metric":${metric({ ...base, reporter, response_flags: '-', connection_security_policy: reporter === 'destination' ? 'mutual_tls' : 'unknown' })},"value":${v(rate * 4800)}}`,
          );
        continue;
      }
      const codes: [string, string, number][] =
        proto === 'grpc' ? [['200', '0', rate]] : [['200', '', rate * (failing[j] ? 0.95 : 1)]];
      if (failing[j])
        codes.push(['500', proto === 'grpc' ? '14' : '', rate * 0.04], ['503', '', rate * 0.01]);
      for (const [code, grpc, x] of codes) {
        const labels: Record<string, string> = {
          ...base,
          reporter: 'source',
          request_protocol: proto,
          response_code: code,
          response_flags: code === '503' ? 'UF' : '-',
        };
        if (grpc) labels.grpc_response_status = grpc;
        requests.push(`{"metric":${metric(labels)},"value":${v(x)}}`);
      }
      mtls.push(
        `{"metric":${metric({ ...base, reporter: 'destination', request_protocol: proto, connection_security_policy: 'mutual_tls' })},"value":${v(rate)}}`,
      );
      rt.push(
        `{"metric":${metric({ ...base, reporter: 'source', request_protocol: proto })},"value":${v(1 + random() * 50)}}`,
      );
      tp.push(
        `{"metric":${metric({ ...base, reporter: 'source', request_protocol: proto })},"value":${v(rate * 1500)}}`,
      );
    }
  };
  for (let r = 0; r < roots; r++)
    emit('istio-system', 'istio-ingressgateway', 'istio-ingressgateway', 'latest', r);
  for (const [i, j] of pairs)
    for (const ver of versions[i]!) emit(nsOf[i]!, `${names[i]}-${ver}`, names[i]!, ver, j);

  const body = (result: string[]) =>
    `{"status":"success","data":{"resultType":"vector","result":[${result.join(',')}]}}`;
  const workloads: WorkloadInfo[] = [];
  const svcs: ServiceInfo[] = [];
  names.forEach((name, i) => {
    const ns = nsOf[i]!;
    svcs.push({ namespace: ns, name, labels: { app: name }, annotations: {}, selector: { app: name } });
    for (const version of versions[i]!) {
      const replicas = 1 + Math.floor(random() * 2);
      workloads.push({
        namespace: ns,
        name: `${name}-${version}`,
        kind: 'Deployment',
        labels: { app: name, version },
        annotations: {},
        app: name,
        version,
        desired: replicas,
        available: replicas,
        pods: replicas,
        podsWithSidecar: replicas,
        isGateway: false,
      });
    }
  });
  workloads.push({
    namespace: 'istio-system',
    name: 'istio-ingressgateway',
    kind: 'Deployment',
    labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
    annotations: {},
    app: 'istio-ingressgateway',
    desired: 1,
    available: 1,
    pods: 1,
    podsWithSidecar: 1,
    isGateway: true,
  });
  const namespaces = [...new Set(nsOf)].sort();
  return {
    namespaces,
    time,
    bodies: {
      requests: body(requests),
      mtls: body(mtls),
      tcp: body(tcp),
      responseTime: body(rt),
      throughput: body(tp),
    },
    inventory: {
      synced: true,
      namespaces: ['istio-system', ...namespaces].map((name) => ({ name, labels: {}, annotations: {} })),
      workloads,
      services: svcs,
      serviceEntries: [],
      hostConfig: {},
      failing: [],
    },
  };
}
