import type { BenchFunction } from './lib';

/**
 * The benchmarks `npm run bench` runs, in order. Each loads its module under bench/ and returns the
 * BenchFunction it exports (see ./lib.ts). The imports are static paths, so a missing module or export
 * fails the typecheck, and at run time fails the run. Add one entry per benchmark.
 */
export interface BenchEntry {
  name: string;
  description: string;
  /** The module's path from the repo root, for the list. */
  module: string;
  load: () => Promise<BenchFunction>;
}

export const benches: BenchEntry[] = [
  {
    name: 'demo-cluster',
    module: 'bench/demo-cluster/demo-cluster.ts',
    load: async () => (await import('./demo-cluster/demo-cluster')).runDemoClusterBench,
    description:
      'Kubernetes API emulator at 1,000 services / 5,000 pods: create, list latencies, watch delay, memory',
  },
  {
    name: 'mesh-sim',
    module: 'bench/mesh-sim/mesh-sim.ts',
    load: async () => (await import('./mesh-sim/mesh-sim')).runMeshSimBench,
    description: 'simulator at 1,000 services / 5,000 edges: kept request rate, CPU, /metrics scrape time',
  },
  {
    name: 'istio',
    module: 'bench/istio/istio.ts',
    load: async () => (await import('./istio/istio')).runIstioBench,
    description:
      'routing evaluator and validations at 1,000 / 5,000 services: µs per evaluateHttp/evaluateTcp, validateMesh time',
  },
  {
    name: 'graph',
    module: 'bench/graph/graph.ts',
    load: async () => (await import('./graph/graph')).runGraphBench,
    description:
      'graph API at 100 / 1,000 services (3,000 when asked): latency, PromQL count and time, server RSS',
  },
  {
    name: 'graph-kiali',
    module: 'bench/graph-kiali/kiali.ts',
    load: async () => (await import('./graph-kiali/kiali')).runGraphKialiBench,
    description:
      "graph beside Kiali's per-namespace query set on one Prometheus, 1,000 services in 100 namespaces",
  },
  {
    name: 'graph-pipeline',
    module: 'bench/graph-pipeline/pipeline.ts',
    load: async () => (await import('./graph-pipeline/pipeline')).runGraphPipelineBench,
    description:
      'pure graph pipeline on synthetic Prometheus answers at 100 / 1,000 / 3,000 services: parse, build p50/p95, heap',
  },
  {
    name: 'graph-server',
    module: 'bench/graph-server/server.ts',
    load: async () => (await import('./graph-server/server')).runGraphServerBench,
    description:
      'the console server process alone (Prometheus stubbed) at 100 / 1,000 / 3,000 services: own latency, RSS',
  },
  {
    name: 'overview',
    module: 'bench/overview/overview.ts',
    load: async () => (await import('./overview/overview')).runOverviewBench,
    description: 'overview API at 800 namespaces of 3 services: latency p50/p95, PromQL per request',
  },
  {
    name: 'details',
    module: 'bench/details/details.ts',
    load: async () => (await import('./details/details')).runDetailsBench,
    description:
      "detail page API at 1,000 services: a service's inbound metrics (every chart), outbound metrics, facts, node graph",
  },
  {
    name: 'tracing',
    module: 'bench/tracing/tracing.ts',
    load: async () => (await import('./tracing/tracing')).runTracingBench,
    description: "tracing routes with 10,000 traces held in the demo's Jaeger API: trace list, one trace",
  },
  {
    name: 'trace-view',
    module: 'bench/trace-view/traceView.ts',
    load: async () => (await import('./trace-view/traceView')).runTraceViewBench,
    description: 'browser: a 200-span trace drawn as a waterfall in Chromium, and a span opened',
  },
  {
    name: 'web',
    module: 'bench/web/web.ts',
    load: async () => (await import('./web/web')).runWebBench,
    description: 'browser: layout and render times of large graphs in Chromium',
  },
  {
    name: 'lists',
    module: 'bench/lists/lists.ts',
    load: async () => (await import('./lists/lists')).runListsBench,
    description: 'browser: Workloads list of 10,000 rows in Chromium: first rows, scroll frame times, sort',
  },
  {
    name: 'stack',
    module: 'bench/stack/stack.ts',
    load: async () => (await import('./stack/stack')).runStackBench,
    description: 'demo stack start-up time (bookinfo) and time to the first istio_requests_total sample',
  },
];
