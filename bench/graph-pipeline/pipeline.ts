/**
 * Pure graph pipeline benchmark (`npm run bench -- graph-pipeline`): synthetic Prometheus answers (see
 * ./synthetic.ts: mesh-sim's `generated` topology) at 100 / 1,000 / 3,000 services, no Prometheus and no
 * cluster. Per size: JSON parse of the five answers, the pipeline (samples → response), serialization,
 * p50/p95 over a few runs, and the heap held by one answer. Sizes: MESHLENS_BENCH_PIPELINE_SIZES=100,1000
 * to run fewer.
 */
import { GraphQuerySchema } from '@meshlens/contract';
import {
  benchSizes,
  figuresBySize,
  percentile,
  round1,
  sizeTable,
  type BenchContext,
  type BenchResult,
} from '../lib';
import type { VectorSample } from '../../apps/server/src/prometheus/client';
import { buildGraph, type GraphSamples } from '../../apps/server/src/graph/buildGraph';
import { syntheticInput } from './synthetic';

const mb = (bytes: number) => round1(bytes / 1024 / 1024);
const gc = () => (globalThis as { gc?: () => void }).gc?.();

export interface PipelineFigures {
  services: number;
  nodes: number;
  edges: number;
  series: number;
  answersKb: number;
  parseP50Ms: number;
  buildP50Ms: number;
  buildP95Ms: number;
  serializeP50Ms: number;
  heapDeltaMb: number;
}

function parse(body: string): VectorSample[] {
  return (JSON.parse(body) as { data: { result: VectorSample[] } }).data.result;
}

export function benchPipeline(services: number, runs: number): PipelineFigures {
  const input = syntheticInput(services);
  const q = GraphQuerySchema.parse({ namespaces: input.namespaces.join(','), graphType: 'versionedApp' });
  const names = ['requests', 'mtls', 'tcp', 'responseTime', 'throughput'] as const;
  const parses: number[] = [];
  const builds: number[] = [];
  const serializes: number[] = [];
  let nodes = 0;
  let edges = 0;
  let series = 0;
  let heapDelta = 0;
  for (let i = 0; i < runs + 1; i++) {
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    let t = performance.now();
    const samples: GraphSamples = {};
    for (const name of names) samples[name] = parse(input.bodies[name]);
    const parseMs = performance.now() - t;
    series = names.reduce((a, name) => a + (samples[name]?.length ?? 0), 0);
    t = performance.now();
    const response = buildGraph(q, samples, {
      inventory: input.inventory,
      healthRules: [],
      cluster: 'Kubernetes',
      timestamp: input.time,
      warnings: [],
    });
    const buildMs = performance.now() - t;
    t = performance.now();
    const json = JSON.stringify(response);
    const serializeMs = performance.now() - t;
    // Heap still reachable while the answer is served: samples, the response and its JSON.
    const held = process.memoryUsage().heapUsed - heapBefore;
    nodes = response.nodes.length;
    edges = response.edges.length;
    if (json.length === 0) throw new Error('empty answer');
    if (i === 0) continue; // warm-up
    parses.push(parseMs);
    builds.push(buildMs);
    serializes.push(serializeMs);
    heapDelta = Math.max(heapDelta, held);
  }
  const answersKb = Math.round(names.reduce((a, n) => a + input.bodies[n].length, 0) / 1024);
  return {
    services,
    nodes,
    edges,
    series,
    answersKb,
    parseP50Ms: round1(percentile(parses, 50)),
    buildP50Ms: round1(percentile(builds, 50)),
    buildP95Ms: round1(percentile(builds, 95)),
    serializeP50Ms: round1(percentile(serializes, 50)),
    heapDeltaMb: mb(heapDelta),
  };
}

export async function runGraphPipelineBench({ log }: BenchContext): Promise<BenchResult> {
  const sizes = benchSizes('MESHLENS_BENCH_PIPELINE_SIZES');
  const rows: PipelineFigures[] = [];
  for (const n of sizes) {
    const row = benchPipeline(n, n >= 3000 ? 5 : 10);
    log(`graph-pipeline bench: ${JSON.stringify(row)}`);
    rows.push(row);
  }
  const markdown = [
    "The pure graph pipeline on synthetic Prometheus answers (mesh-sim's `generated` scenario topology and",
    'nominal rates: ~5 edges per service, 100 services per namespace, seed 1), no Prometheus: JSON parse of',
    'the five answers, build (samples → response; the `buildMs` of `debug=true`), JSON serialization; one',
    'versionedApp graph with service nodes.',
    '"heapDeltaMb" is the heap still held after one request (parsed answers, response, JSON; max over runs,',
    'with --expose-gc for exact figures).',
    '',
    ...sizeTable(rows),
  ].join('\n');
  return { name: 'graph-pipeline', figures: figuresBySize(rows), markdown };
}
