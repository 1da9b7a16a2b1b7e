/**
 * `npm run bench -- istio`: cost of the routing evaluator and the validations on a generated mesh of
 * 1,000 and 5,000 services (each with a VirtualService — a header rule and an 80/20 split — and a
 * DestinationRule with two subsets, two workloads per service). Registered in bench/registry.ts.
 */
import type { BenchContext, BenchResult } from '../lib';
import {
  evaluateHttp,
  evaluateTcp,
  mulberry32,
  validateMesh,
  type DestinationRule,
  type MeshConfig,
  type VirtualService,
} from '@meshlens/istio';

function generatedMesh(n: number): MeshConfig {
  const services = Array.from({ length: n }, (_, i) => ({
    name: `svc${i}`,
    namespace: `ns${i % 100}`,
    ports: [{ port: 8080, name: 'http' }],
    selector: { app: `svc${i}` },
  }));
  const meta = (s: { name: string; namespace: string }) => ({ name: s.name, namespace: s.namespace });
  const virtualServices: VirtualService[] = services.map((s) => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: meta(s),
    spec: {
      hosts: [s.name],
      http: [
        {
          match: [{ headers: { 'end-user': { exact: 'jason' } } }],
          route: [{ destination: { host: s.name, subset: 'v2' } }],
        },
        {
          route: [
            { destination: { host: s.name, subset: 'v1' }, weight: 80 },
            { destination: { host: s.name, subset: 'v2' }, weight: 20 },
          ],
          retries: { attempts: 3, retryOn: '5xx' },
          timeout: '2s',
        },
      ],
    },
  }));
  const destinationRules: DestinationRule[] = services.map((s) => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: meta(s),
    spec: {
      host: s.name,
      trafficPolicy: { connectionPool: { http: { http1MaxPendingRequests: 100 } } },
      subsets: ['v1', 'v2'].map((v) => ({ name: v, labels: { version: v } })),
    },
  }));
  const workloads = services.flatMap((s) =>
    ['v1', 'v2'].map((v) => ({
      name: `${s.name}-${v}`,
      namespace: s.namespace,
      labels: { app: s.name, version: v },
    })),
  );
  return {
    services,
    virtualServices,
    destinationRules,
    peerAuthentications: [],
    serviceEntries: [],
    workloads,
  };
}

function timeIt(iterations: number, fn: (i: number) => void): number {
  for (let i = 0; i < Math.min(2000, iterations); i++) fn(i); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) fn(i);
  return ((performance.now() - t0) * 1000) / iterations; // µs per call
}

export async function runIstioBench({ log }: BenchContext): Promise<BenchResult> {
  const figures: Record<string, number> = {};
  const rows: string[] = [];
  for (const n of [1000, 5000]) {
    log(`istio: mesh of ${n} services`);
    const config = generatedMesh(n);
    const random = mulberry32(1);
    const callers = Array.from({ length: 100 }, (_, i) => ({
      namespace: `ns${i}`,
      labels: { app: `caller${i}` },
    }));
    const httpUs = timeIt(100_000, (i) => {
      const k = i % n;
      evaluateHttp(
        config,
        callers[k % 100] as (typeof callers)[number],
        {
          host: `svc${k}.ns${k % 100}:8080`,
          path: '/api',
          method: 'GET',
          headers: i % 10 === 0 ? { 'end-user': 'jason' } : {},
        },
        random,
      );
    });
    const tcpUs = timeIt(100_000, (i) => {
      const k = i % n;
      evaluateTcp(config, callers[k % 100] as (typeof callers)[number], `svc${k}.ns${k % 100}`, 8080, random);
    });
    const t0 = performance.now();
    validateMesh(config);
    const validateMs = performance.now() - t0;
    figures[`evaluateHttpUs_${n}`] = Math.round(httpUs * 10) / 10;
    figures[`evaluateTcpUs_${n}`] = Math.round(tcpUs * 10) / 10;
    figures[`validateMeshMs_${n}`] = Math.round(validateMs);
    rows.push(`| ${n} | ${httpUs.toFixed(1)} µs | ${tcpUs.toFixed(1)} µs | ${validateMs.toFixed(0)} ms |`);
  }
  const markdown = [
    'Routing evaluator and validations (`packages/istio`), one thread, after warm-up.',
    'Each service has a VirtualService (header rule + 80/20 split, retries, timeout) and a DestinationRule',
    '(two subsets, a connection pool); 10% of HTTP requests carry `end-user: jason`.',
    '',
    '| services | evaluateHttp | evaluateTcp | validateMesh (all VS + DR) |',
    '|---|---|---|---|',
    ...rows,
  ].join('\n');
  return { name: 'istio', figures, markdown };
}
