import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import {
  GraphQuerySchema,
  GraphResponseSchema,
  type GraphQueryInput,
  type GraphResponse,
} from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import { deriveSnapshot, type RawInventory } from '../inventory/derive';
import type { VectorSample } from '../prometheus/client';
import { buildGraph, startGraph, typedSamples, type GraphSamples } from './buildGraph';
import type { HealthRule } from '../health/tolerances';

/**
 * Golden files of the pure pipeline: recorded Prometheus answers + inventory in __golden__/fixtures/<set>/,
 * expected answers in __golden__/<set>/<case>.json. UPDATE_GOLDEN=1 rewrites the expected answers.
 */
const root = new URL('./__golden__/', import.meta.url);
const update = process.env.UPDATE_GOLDEN === '1';

interface FixtureSet {
  name: string;
  time: number;
  namespaces: string[];
  inventory: RawInventory;
  answers: Record<string, VectorSample[] | undefined>;
}

function loadSet(name: string): FixtureSet {
  const dir = new URL(`fixtures/${name}/`, root);
  const read = (file: string) => JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as unknown;
  const answers: FixtureSet['answers'] = {};
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.json') || file === 'inventory.json' || file === 'meta.json') continue;
    answers[file.replace(/\.json$/, '')] = (read(file) as { data: { result: VectorSample[] } }).data.result;
  }
  const meta = read('meta.json') as { time: number; namespaces: string[] };
  return {
    name,
    time: meta.time,
    namespaces: meta.namespaces,
    inventory: read('inventory.json') as RawInventory,
    answers,
  };
}

export function runCase(
  set: FixtureSet,
  params: Partial<GraphQueryInput>,
  healthRules: HealthRule[] = [],
): GraphResponse {
  const q = GraphQuerySchema.parse({ namespaces: set.namespaces.join(','), ...params });
  const http = q.protocols.some((p) => p !== 'tcp');
  const samples: GraphSamples = {
    requests: http ? set.answers.requests : undefined,
    mtls: http ? set.answers.mtls : undefined,
    responseTime: http ? set.answers[`responseTime-${q.responseTime}`] : undefined,
    throughput: http ? set.answers.throughput : undefined,
    tcp: q.protocols.includes('tcp') ? set.answers.tcp : undefined,
  };
  const inventory = deriveSnapshot(set.inventory, true);
  const ctx = { inventory, healthRules, cluster: 'Kubernetes', timestamp: set.time, warnings: [] };
  const answer = buildGraph(q, samples, ctx);
  // The server's order (appenders before the slow answers, throughput before response times) gives the
  // same answer.
  const typed = typedSamples(samples);
  const staged = startGraph(q, typed, inventory);
  staged.prepare(ctx);
  for (const step of [...staged.deferred].reverse()) staged.run(step, typed);
  expect(staged.finish(ctx)).toEqual(answer);
  return answer;
}

function checkGolden(set: string, name: string, answer: GraphResponse): void {
  GraphResponseSchema.parse(answer);
  const dir = new URL(`${set}/`, root);
  const file = new URL(`${name}.json`, dir);
  const text = `${JSON.stringify(answer, null, 1)}\n`;
  if (update || !existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, text);
    if (!update) throw new Error(`golden ${set}/${name}.json was missing; written now, check it and re-run`);
    return;
  }
  expect(JSON.parse(text)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}

export const CASES: Record<string, Partial<GraphQueryInput>> = {
  workload: { graphType: 'workload' },
  'workload-no-service-nodes': { graphType: 'workload', injectServiceNodes: 'false' },
  app: { graphType: 'app' },
  versionedApp: { graphType: 'versionedApp' },
  service: { graphType: 'service' },
  'versionedApp-idle': { graphType: 'versionedApp', includeIdle: 'true' },
  'versionedApp-box-namespace': { graphType: 'versionedApp', boxBy: 'namespace' },
  'workload-box-app': { graphType: 'workload', boxBy: 'app' },
  'versionedApp-rt-avg': { graphType: 'versionedApp', responseTime: 'avg' },
  'workload-tcp-only': { graphType: 'workload', protocols: 'tcp' },
  'workload-http-only': { graphType: 'workload', protocols: 'http' },
};

/**
 * What a case's name promises, checked on its answer for every fixture set, so that no golden quietly
 * stops showing its point (an `-idle` without idle nodes, an empty `-tcp-only`, an `-http-only` the same
 * as the full graph because the set has no TCP traffic).
 */
function expectShowsItsName(name: string, g: GraphResponse): void {
  const protocols = [...new Set(g.edges.map((e) => e.protocol))].sort();
  if (name.endsWith('-tcp-only')) expect(protocols, `${name}: only TCP edges, at least one`).toEqual(['tcp']);
  else if (name.endsWith('-http-only'))
    expect(protocols, `${name}: only HTTP edges, at least one`).toEqual(['http']);
  else expect(protocols, `${name}: HTTP and TCP edges, which the -only cases split`).toEqual(['http', 'tcp']);
  const idle = g.nodes.filter((n) => n.isIdle).map((n) => n.id);
  if (name.endsWith('-idle')) expect(idle.length, `${name}: idle nodes`).toBeGreaterThan(0);
  else expect(idle, `${name}: no idle nodes without includeIdle`).toEqual([]);
  const boxes = g.nodes.filter((n) => n.type === 'box').length;
  if (name.includes('-box-')) expect(boxes, `${name}: box nodes`).toBeGreaterThan(0);
  else expect(boxes, `${name}: no box nodes`).toBe(0);
  expect(g.responseTime).toBe(name.endsWith('-rt-avg') ? 'avg' : 'p95');
}

const sets = existsSync(new URL('fixtures/', root))
  ? readdirSync(new URL('fixtures/', root)).filter((d) =>
      existsSync(new URL(`fixtures/${d}/meta.json`, root)),
    )
  : [];

describe.each(sets)('golden %s', (setName) => {
  const set = loadSet(setName);
  it.each(Object.keys(CASES))('%s', (name) => {
    const answer = runCase(set, CASES[name]!);
    checkGolden(setName, name, answer);
    expectShowsItsName(name, answer);
  });
});

describe('golden files', () => {
  it('are all different: no case repeats another', () => {
    expect(sets.length).toBeGreaterThan(0);
    const seen = new Map<string, string>();
    for (const set of sets)
      for (const name of Object.keys(CASES)) {
        const file = `${set}/${name}.json`;
        const text = readFileSync(new URL(file, root), 'utf8');
        expect(seen.get(text), `${file} is the same as`).toBeUndefined();
        seen.set(text, file);
      }
  });
});

describe('semantics on the hand-made Bookinfo answers', () => {
  const set = loadSet('bookinfo-handcrafted');
  const node = (g: GraphResponse, id: string) => g.nodes.find((n) => n.id === id);
  const edge = (g: GraphResponse, id: string) => g.edges.find((e) => e.id === id);

  it('counts each request once: destination-reported into the namespace, as Kiali reads it', () => {
    const g = runCase(set, { graphType: 'workload' });
    // gateway (10 rps, both reporters) + unknown (1 rps, destination only); never 20 + 1.
    expect(node(g, 'svc:bookinfo/productpage')?.httpIn).toBe(11);
    expect(edge(g, 'unknown>svc:bookinfo/productpage:http')?.rps).toBe(1);
    expect(node(g, 'unknown')).toMatchObject({ type: 'unknown', isRoot: true });
    expect(node(g, 'wl:istio-system/istio-ingressgateway')).toMatchObject({
      isRoot: true,
      isGateway: true,
      isOutside: true,
    });
  });

  it('keeps no-response traffic (code -, DC) and client-side overflow (503 UO) with their flags', () => {
    const g = runCase(set, { graphType: 'workload' });
    const ratings = edge(g, 'wl:bookinfo/reviews-v3>svc:bookinfo/ratings:http')!;
    expect(ratings.responses['-']).toEqual({ DC: 0.1 });
    expect(ratings.rateNoResponse).toBe(0.1);
    const details = edge(g, 'wl:bookinfo/productpage-v1>svc:bookinfo/details:http')!;
    expect(details.responses['503']).toEqual({ UO: 0.5 });
    expect(details.errorPct).toBe(5);
    // and a request that matched no route goes into the `unknown` service, with its host
    const nr = edge(g, 'wl:bookinfo/productpage-v1>svc:unknown/unknown:http')!;
    expect(nr.responses).toEqual({ '404': { NR: 0.3 } });
    expect(nr.responseHosts).toEqual({ '404': { 'reviews:9080': 0.3 } });
    expect(details.healthStatus).toBe('Degraded');
    // the overflowed requests reached no workload: only the service node sees them
    expect(edge(g, 'svc:bookinfo/details>wl:bookinfo/details-v1:http')?.rps).toBe(9.5);
  });

  it('turns a ServiceEntry host into a service-entry node', () => {
    const g = runCase(set, { graphType: 'versionedApp' });
    expect(node(g, 'se:www.googleapis.com')).toMatchObject({
      type: 'serviceEntry',
      isServiceEntry: true,
      serviceEntryLocation: 'MESH_EXTERNAL',
    });
  });

  it('splits reviews traffic by version and shows the 80/20 VirtualService badges on the service', () => {
    const g = runCase(set, { graphType: 'versionedApp' });
    expect(node(g, 'svc:bookinfo/reviews')).toMatchObject({
      hasVS: true,
      hasDR: true,
      hasTrafficShifting: true,
    });
    expect(node(g, 'svc:bookinfo/details')).toMatchObject({
      hasVS: false,
      hasDR: true,
      hasTrafficShifting: false,
    });
    const shares = ['v1', 'v2', 'v3'].map(
      (v) => edge(g, `svc:bookinfo/reviews>vapp:bookinfo/reviews/${v}:http`)!.percentOfSource,
    );
    expect(shares).toEqual([34, 33, 33]);
  });

  it('marks mTLS from destination-reported samples, and the missing sidecar from pods', () => {
    const g = runCase(set, { graphType: 'workload', includeIdle: 'true' });
    expect(edge(g, 'wl:istio-system/istio-ingressgateway>svc:bookinfo/productpage:http')?.mtlsPct).toBe(100);
    expect(edge(g, 'unknown>svc:bookinfo/productpage:http')?.mtlsPct).toBe(0);
    expect(node(g, 'wl:bookinfo/legacy-client')).toMatchObject({ isIdle: true, hasMissingSidecar: true });
    expect(node(g, 'wl:data/mongodb-v1')).toMatchObject({ isOutside: true, tcpIn: 2048 });
  });

  it('grades health with Kiali tolerances, and per-namespace overrides from config', () => {
    const g = runCase(set, { graphType: 'workload' });
    // ratings-v1: 0.2 rps of 503 reported by both proxies with different flags (source `-`, destination
    // `UF`): two series for Kiali's de-duplication (keyed by code and flags), so 0.4 of 5.2 rps (7.7 %)
    // → Degraded; no response 0.1 → Degraded too.
    expect(node(g, 'wl:bookinfo/ratings-v1')?.healthStatus).toBe('Degraded');
    expect(node(g, 'wl:bookinfo/details-v1')?.healthStatus).toBe('Healthy');
    const strict = runCase(set, { graphType: 'workload' }, [
      {
        namespace: 'bookinfo',
        tolerance: [{ code: '5XX', degraded: 1, failure: 3, protocol: 'http', direction: '.*' }],
      },
    ]);
    expect(node(strict, 'wl:bookinfo/ratings-v1')?.healthStatus).toBe('Failure');
    expect(node(strict, 'wl:bookinfo/ratings-v1')?.healthReason).toBe(
      'HTTP server errors (5xx): 7.7 % of inbound requests, failure at 3 %',
    );
  });
});
