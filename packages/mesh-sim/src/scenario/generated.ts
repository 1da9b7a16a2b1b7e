/**
 * The `generated` scenario: N services spread over K namespaces with a seeded random call DAG
 * (about `edgesPerService` outgoing edges each), entered through an ingress gateway, for scale work.
 * Calls per request are chosen so that every service receives a bounded, seeded target rate.
 */
import { seededRandom, type Random } from '../random';
import type { Protocol, ScenarioInput } from './schema';

export interface GenerateOptions {
  services?: number;
  namespaces?: number;
  seed?: number;
  edgesPerService?: number;
}

type WorkloadIn = ScenarioInput['workloads'][number];
type CallIn = NonNullable<WorkloadIn['calls']>[number];

const PORTS: Record<Protocol, number> = { http: 8080, grpc: 9090, tcp: 5432 };
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const logUniform = (r: Random, lo: number, hi: number) => Math.exp(Math.log(lo) + r() * Math.log(hi / lo));
const round = (x: number, digits = 4) => Number(x.toFixed(digits));

export function generateScenario(options: GenerateOptions = {}): ScenarioInput {
  const n = Math.max(1, Math.floor(options.services ?? 50));
  const k = Math.max(1, Math.min(n, Math.floor(options.namespaces ?? Math.ceil(n / 100))));
  const perService = Math.max(0, options.edgesPerService ?? 5);
  const random = seededRandom(options.seed ?? 1);
  const width = String(n - 1).length;
  const nsWidth = String(k - 1).length;

  const names = Array.from({ length: n }, (_, i) => `svc-${pad(i, width)}`);
  const nsOf = Array.from({ length: n }, (_, i) => `ns-${pad(i % k, nsWidth)}`);
  // About 15% gRPC; some of the last fifth are TCP servers (databases, caches) that call nothing.
  const protocols: Protocol[] = names.map((_, i) => {
    const x = random();
    if (i >= 0.8 * n && x < 0.35) return 'tcp';
    return x > 0.85 ? 'grpc' : 'http';
  });
  const roots = Math.max(1, Math.ceil(n * 0.05));
  for (let i = 0; i < roots; i++) protocols[i] = 'http';

  // Edges i -> j with i < j (a DAG): one parent for every non-root, then random extra edges.
  const edges = new Set<string>();
  const parents: number[][] = names.map(() => []);
  const addEdge = (i: number, j: number) => {
    const key = `${i}>${j}`;
    // Roots only receive entry traffic; TCP servers call nobody.
    if (i >= j || j < roots || edges.has(key) || protocols[i] === 'tcp') return false;
    edges.add(key);
    parents[j]!.push(i);
    return true;
  };
  for (let j = roots; j < n; j++) {
    for (let tries = 0; tries < 20; tries++) if (addEdge(Math.floor(random() * j), j)) break;
  }
  const target = Math.round(n * perService);
  for (let tries = 0; edges.size < target && tries < target * 20; tries++) {
    const i = Math.floor(random() * (n - 1));
    const j = i + 1 + Math.floor(random() * (n - 1 - i));
    addEdge(i, j);
  }

  // Rates in topological order: each service gets a target inbound rate, shared among its parents.
  const rate = new Array<number>(n).fill(0);
  const calls: CallIn[][] = names.map(() => []);
  const entryPaths: { path: string; weight: number }[] = [];
  for (let j = 0; j < n; j++) {
    const want = round(logUniform(random, 0.3, 6), 3);
    if (j < roots) {
      rate[j] = want;
      entryPaths.push({ path: `/${names[j]}`, weight: want });
      continue;
    }
    const ps = parents[j]!;
    const weights = ps.map(() => 0.2 + random());
    const total = weights.reduce((a, b) => a + b, 0);
    ps.forEach((p, idx) => {
      const perRequest = round(Math.min(5, ((weights[idx]! / total) * want) / Math.max(rate[p]!, 1e-6)));
      rate[j]! += perRequest * rate[p]!;
      const proto = protocols[j]!;
      calls[p]!.push({
        to: nsOf[p] === nsOf[j] ? names[j]! : `${names[j]}.${nsOf[j]}`,
        port: PORTS[proto],
        protocol: proto,
        perRequest,
        paths: [{ path: `/api/${names[j]}`, weight: 1 }],
        parallel: true,
      });
    });
  }

  const workloads: WorkloadIn[] = [];
  names.forEach((name, i) => {
    const versions = random() < 0.1 ? ['v1', 'v2'] : ['v1'];
    const median = round(logUniform(random, 1, 25), 2);
    const failing = random() < 0.08;
    for (const version of versions) {
      workloads.push({
        name: `${name}-${version}`,
        namespace: nsOf[i]!,
        app: name,
        version,
        replicas: 1 + Math.floor(random() * 2),
        latency: { median, p99: round(median * (3 + random() * 5), 2) },
        errorRate: failing ? round(0.01 + random() * 0.09) : 0,
        errorCodes: { '500': 3, '503': 1 },
        calls: calls[i]!,
      });
    }
  });
  workloads.push({
    name: 'istio-ingressgateway',
    namespace: 'istio-system',
    app: 'istio-ingressgateway',
    role: 'gateway',
    labels: { istio: 'ingressgateway' },
    latency: { median: 0.4, p99: 2 },
    calls: [{ to: 'mesh.example.com', port: 80, protocol: 'http' }],
  });
  workloads.push({
    name: 'load-client',
    namespace: 'outside',
    app: 'load-client',
    version: 'v1',
    latency: { median: 0.2, p99: 1 },
    calls: [
      { to: `${names[0]}.${nsOf[0]}`, port: PORTS.http, protocol: 'http', paths: [{ path: '/', weight: 1 }] },
    ],
  });

  const namespaces = [
    ...Array.from({ length: k }, (_, i) => ({ name: `ns-${pad(i, nsWidth)}`, injection: true })),
    { name: 'istio-system', injection: false },
    { name: 'outside', injection: false },
  ];
  const entryRate = round(
    rate.slice(0, roots).reduce((a, b) => a + b, 0),
    3,
  );
  return {
    name: 'generated',
    description: `${n} services in ${k} namespaces, ${edges.size} call edges (seed ${options.seed ?? 1})`,
    namespaces,
    services: [
      ...names.map((name, i) => ({
        name,
        namespace: nsOf[i]!,
        ports: [{ port: PORTS[protocols[i]!], protocol: protocols[i]!, name: protocols[i]! }],
      })),
      {
        name: 'istio-ingressgateway',
        namespace: 'istio-system',
        app: 'istio-ingressgateway',
        ports: [{ port: 80 }],
      },
    ],
    workloads,
    istioObjects: [
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'Gateway',
        metadata: { name: 'generated-gateway', namespace: 'istio-system' },
        spec: {
          selector: { istio: 'ingressgateway' },
          servers: [{ port: { number: 8080, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
        },
      },
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'generated-entry', namespace: 'istio-system' },
        spec: {
          hosts: ['*'],
          gateways: ['generated-gateway'],
          http: names.slice(0, roots).map((name, i) => ({
            match: [{ uri: { prefix: `/${name}` } }],
            route: [
              { destination: { host: `${name}.${nsOf[i]}.svc.cluster.local`, port: { number: PORTS.http } } },
            ],
          })),
        },
      },
    ],
    entry: [
      {
        workload: 'istio-system/istio-ingressgateway',
        rate: entryRate,
        paths: entryPaths,
        headers: [{ weight: 0.1, set: { 'end-user': 'jason' } }],
      },
      { workload: 'outside/load-client', rate: 0.5 },
    ],
  };
}
