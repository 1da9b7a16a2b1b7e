/**
 * Synthetic Prometheus answers for the pure graph pipeline at any size, without Prometheus: the topology is
 * mesh-sim's `generated` scenario (`generateScenario`: N services over ⌈N/100⌉ namespaces, ~5 outgoing
 * edges each, gRPC and TCP servers, two-version apps, failing workloads, an ingress gateway in front of the
 * first 5%), its nominal rates propagated along the call DAG and turned into the JSON bodies the five graph
 * queries return, plus the matching inventory. Generated in memory at bench time; nothing is committed.
 */
import { mulberry32 } from '@meshlens/istio';
import { generateScenario, type ScenarioInput } from '@meshlens/mesh-sim';
import type { InventorySnapshot, ServiceInfo, WorkloadInfo } from '../../apps/server/src/inventory/types';

type WorkloadIn = ScenarioInput['workloads'][number];
type CallIn = NonNullable<WorkloadIn['calls']>[number];
type Proto = NonNullable<CallIn['protocol']>;

export interface SyntheticInput {
  namespaces: string[];
  /** Prometheus `/api/v1/query` answer bodies (JSON text) by query name. */
  bodies: Record<'requests' | 'mtls' | 'tcp' | 'responseTime' | 'throughput', string>;
  inventory: InventorySnapshot;
  time: number;
}

export function syntheticInput(services: number, seed = 1, edgesPerService = 5): SyntheticInput {
  const scenario = generateScenario({ services, seed, edgesPerService });
  const random = mulberry32(seed);
  const injected = new Set(scenario.namespaces.filter((n) => n.injection !== false).map((n) => n.name));
  const svcKey = (ns: string, name: string) => `${ns}/${name}`;
  const svcProto = new Map<string, Proto>();
  for (const s of scenario.services ?? [])
    svcProto.set(svcKey(s.namespace, s.name), s.ports[0]?.protocol ?? 'http');
  /** Workloads behind each service (selector `app: <name>`), in scenario order. */
  const backends = new Map<string, WorkloadIn[]>();
  for (const w of scenario.workloads) {
    const key = svcKey(w.namespace, w.app);
    if (svcProto.has(key)) backends.set(key, [...(backends.get(key) ?? []), w]);
  }
  /** A call's `to` (`name` or `name.ns`) as a known service key, or undefined (external hosts). */
  const resolve = (from: WorkloadIn, to: string) => {
    const [name, ns = from.namespace] = to.split('.');
    const key = svcKey(ns, name!);
    return svcProto.has(key) ? key : undefined;
  };

  // Nominal inbound request rate per service: entry traffic, then along the DAG (callers come first).
  const inbound = new Map<string, number>();
  const add = (key: string, x: number) => inbound.set(key, (inbound.get(key) ?? 0) + x);
  const gatewayCalls: [string, number][] = [];
  for (const e of scenario.entry) {
    const [ns, name] = e.workload.split('/');
    const w = scenario.workloads.find((x) => x.namespace === ns && x.name === name);
    if (w?.role !== 'gateway') continue; // un-injected load clients report nothing at source
    const paths = e.paths ?? [];
    const total = paths.reduce((a, p) => a + p.weight, 0);
    for (const p of paths) {
      const key = scenario.services?.find((s) => `/${s.name}` === p.path);
      if (!key) continue;
      const k = svcKey(key.namespace, key.name);
      gatewayCalls.push([k, (e.rate * p.weight) / total]);
      add(k, (e.rate * p.weight) / total);
    }
  }
  const workloadRate = (w: WorkloadIn) => {
    const key = svcKey(w.namespace, w.app);
    return (inbound.get(key) ?? 0) / (backends.get(key)?.length ?? 1);
  };

  const requests: string[] = [];
  const mtls: string[] = [];
  const tcp: string[] = [];
  const rt: string[] = [];
  const tp: string[] = [];
  const time = 1_795_306_956;
  const v = (x: number) => `[${time},"${x}"]`;
  const metric = (labels: Record<string, string>) => JSON.stringify(labels);
  /** Samples of `rate` req/s from workload `src` to service `key` with `call` (its protocol and bytes). */
  const emit = (src: WorkloadIn, key: string, rate: number, call?: CallIn) => {
    const [ns, name] = key.split('/') as [string, string];
    const proto: Proto = call?.protocol ?? svcProto.get(key) ?? 'http';
    const dests = backends.get(key) ?? [];
    for (const dst of dests) {
      const x = rate / dests.length;
      const base = {
        source_workload_namespace: src.namespace,
        source_workload: src.name,
        source_canonical_service: src.app,
        source_canonical_revision: src.version ?? 'latest',
        destination_service_namespace: ns,
        destination_service_name: name,
        destination_service: `${name}.${ns}.svc.cluster.local`,
        destination_workload_namespace: dst.namespace,
        destination_workload: dst.name,
        destination_canonical_service: dst.app,
        destination_canonical_revision: dst.version ?? 'latest',
      };
      if (proto === 'tcp') {
        const bytes = (call?.tcpBytes?.sent ?? 4000) + (call?.tcpBytes?.received ?? 800);
        for (const reporter of ['source', 'destination'])
          tcp.push(
            `{"metric":${metric({ ...base, reporter, response_flags: '-', connection_security_policy: reporter === 'destination' ? 'mutual_tls' : 'unknown' })},"value":${v(x * bytes)}}`,
          );
        continue;
      }
      const errorRate = dst.errorRate ?? 0;
      const codes: [string, string, number][] = [['200', proto === 'grpc' ? '0' : '', x * (1 - errorRate)]];
      const mix = Object.entries(dst.errorCodes ?? { '500': 1 });
      const weights = mix.reduce((a, [, w]) => a + w, 0);
      if (errorRate > 0)
        for (const [code, w] of mix)
          codes.push([code, proto === 'grpc' && code === '500' ? '14' : '', (x * errorRate * w) / weights]);
      for (const [code, grpc, y] of codes) {
        const labels: Record<string, string> = {
          ...base,
          reporter: 'source',
          request_protocol: proto,
          response_code: code,
          response_flags: code === '503' ? 'UF' : '-',
        };
        if (grpc) labels.grpc_response_status = grpc;
        requests.push(`{"metric":${metric(labels)},"value":${v(y)}}`);
      }
      mtls.push(
        `{"metric":${metric({ ...base, reporter: 'destination', request_protocol: proto, connection_security_policy: 'mutual_tls' })},"value":${v(x)}}`,
      );
      // A response time between the destination's median and p99.
      const { median = 10, p99 = 50 } = dst.latency ?? {};
      rt.push(
        `{"metric":${metric({ ...base, reporter: 'source', request_protocol: proto })},"value":${v(median + random() * (p99 - median))}}`,
      );
      tp.push(
        `{"metric":${metric({ ...base, reporter: 'source', request_protocol: proto })},"value":${v(x * (dst.responseBytes ?? 1500))}}`,
      );
    }
  };
  const gateway = scenario.workloads.find((w) => w.role === 'gateway');
  if (gateway) for (const [key, rate] of gatewayCalls) emit(gateway, key, rate);
  for (const w of scenario.workloads) {
    if (w.role === 'gateway' || !injected.has(w.namespace)) continue;
    const rate = workloadRate(w);
    for (const call of w.calls ?? []) {
      const key = resolve(w, call.to);
      if (!key) continue;
      const x = rate * (call.perRequest ?? 1);
      // Every version of the caller adds to the callee's inbound rate; it is complete before the callee's turn.
      add(key, x);
      emit(w, key, x, call);
    }
  }

  const body = (result: string[]) =>
    `{"status":"success","data":{"resultType":"vector","result":[${result.join(',')}]}}`;
  const workloads: WorkloadInfo[] = scenario.workloads.map((w) => {
    const replicas = w.replicas ?? 1;
    const isGateway = w.role === 'gateway';
    return {
      namespace: w.namespace,
      name: w.name,
      kind: 'Deployment',
      labels: { app: w.app, ...(w.version ? { version: w.version } : {}), ...w.labels },
      annotations: {},
      app: w.app,
      ...(w.version ? { version: w.version } : {}),
      desired: replicas,
      available: replicas,
      pods: replicas,
      podsWithSidecar: isGateway || injected.has(w.namespace) ? replicas : 0,
      isGateway,
    };
  });
  const svcs: ServiceInfo[] = (scenario.services ?? []).map((s) => {
    const app = s.app ?? s.name;
    return { namespace: s.namespace, name: s.name, labels: { app }, annotations: {}, selector: { app } };
  });
  const namespaces = [...injected].sort();
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
      namespaces: scenario.namespaces.map((n) => ({ name: n.name, labels: {}, annotations: {} })),
      workloads,
      services: svcs,
      serviceEntries: [],
      hostConfig: {},
      failing: [],
    },
  };
}
