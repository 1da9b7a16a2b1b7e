/**
 * The benchmarks `npm run bench` runs, in order. Each names a module (path from the repo root) and the
 * BenchFunction it exports (see packages/stack/src/bench.ts). A module that does not exist yet, or lacks
 * the export, is reported as "not available yet" and skipped. Add one line per benchmark.
 */
export interface BenchEntry {
  name: string;
  module: string;
  export: string;
  description: string;
}

export const benches: BenchEntry[] = [
  {
    name: 'demo-cluster',
    module: 'packages/demo-cluster/src/bench.ts',
    export: 'runDemoClusterBench',
    description:
      'Kubernetes API emulator at 1,000 services / 5,000 pods: create, list latencies, watch delay, memory',
  },
  {
    name: 'mesh-sim',
    module: 'packages/mesh-sim/src/bench.ts',
    export: 'runMeshSimBench',
    description: 'simulator at 1,000 services / 5,000 edges: kept request rate, CPU, /metrics scrape time',
  },
  {
    name: 'istio',
    module: 'packages/istio/bench.ts',
    export: 'runIstioBench',
    description:
      'routing evaluator and validations at 1,000 / 5,000 services: µs per evaluateHttp/evaluateTcp, validateMesh time',
  },
  {
    name: 'graph',
    module: 'apps/server/src/bench.ts',
    export: 'runGraphBench',
    description: 'graph API at 100 / 1,000 / 3,000 services: latency, PromQL count and time, server RSS',
  },
  {
    name: 'graph-pipeline',
    module: 'bench/graph-pipeline/pipeline.ts',
    export: 'runGraphPipelineBench',
    description:
      'pure graph pipeline on synthetic Prometheus answers at 100 / 1,000 / 3,000 services: parse, build p50/p95, heap',
  },
  {
    name: 'graph-server',
    module: 'bench/graph-server/server.ts',
    export: 'runGraphServerBench',
    description:
      'the console server process alone (Prometheus stubbed) at 100 / 1,000 / 3,000 services: own latency, RSS',
  },
  {
    name: 'web',
    module: 'e2e/bench/web.bench.ts',
    export: 'runWebBench',
    description: 'browser: layout and render times of large graphs in Chromium',
  },
  {
    name: 'stack',
    module: 'scripts/bench-stack.ts',
    export: 'runStackBench',
    description: 'demo stack start-up time (bookinfo) and time to the first istio_requests_total sample',
  },
];
