/**
 * Records golden inputs from the real stack: demo cluster + mesh-sim Bookinfo + Prometheus (1 s scrape).
 * Writes src/graph/__golden__/fixtures/<set>/: the Prometheus answers of the graph queries (at one instant)
 * and the raw inventory the informers hold. Then run `UPDATE_GOLDEN=1 npx vitest run apps/server/src/graph`
 * and review the diff of the expected answers.
 *
 * The Bookinfo played is mesh-sim's plus what the golden cases need to show their point (golden.test.ts
 * checks it): ratings-v2 reading its MongoDB over TCP (Istio's bookinfo-ratings-v2 and bookinfo-db
 * samples), so `-tcp-only` has TCP edges and `-http-only` differs from the full graph; and a MySQL
 * database nobody calls (bookinfo-mysql), so `-idle` has idle nodes.
 *
 *   npx tsx apps/server/scripts/record-golden.ts
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphQuerySchema } from '@meshlens/contract';
import { startDemoCluster } from '@meshlens/demo-cluster';
import { loadScenario, startMeshSim, type ScenarioInput } from '@meshlens/mesh-sim';
import { startPrometheus, waitForPromQL } from '@meshlens/stack';
import { pino } from 'pino';
import { startInventory } from '../src/inventory/informers';
import type { RawInventory } from '../src/inventory/derive';
import { loadKubeConfig } from '../src/server';
import { createPrometheusClient } from '../src/prometheus/client';
import { buildGraphQueries } from '../src/graph/queries';
import { applyFile, applyYaml } from '../test/stackHelpers';

const WINDOW_S = 20;
const RATINGS_JASON_ONLY = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings
spec:
  hosts: [ratings]
  http:
  - match:
    - headers:
        end-user:
          exact: jason
    route:
    - destination:
        host: ratings
`;
const out = (set: string) => new URL(`../src/graph/__golden__/fixtures/${set}/`, import.meta.url);
const log = (m: string) => process.stderr.write(`record-golden: ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dir = await mkdtemp(join(tmpdir(), 'meshlens-record-'));
const kubeconfigPath = join(dir, 'kubeconfig');
const cluster = await startDemoCluster({ host: '127.0.0.1', port: 0 });
await cluster.writeKubeconfig(kubeconfigPath);
const scenarioPath = join(dir, 'bookinfo-golden.json');
await writeFile(scenarioPath, JSON.stringify(goldenScenario()));
const sim = await startMeshSim({
  kubeconfigPath,
  scenario: scenarioPath,
  metricsPort: 0,
  rateScale: 10,
  log,
});
const prom = await startPrometheus({ scrapeTargets: [sim.metricsUrl], scrapeIntervalSeconds: 1 });
const logger = pino({ level: 'warn' }, pino.destination(2));
const inventory = startInventory(loadKubeConfig(kubeconfigPath), logger);
const client = createPrometheusClient({ url: prom.url });

/** mesh-sim's Bookinfo with ratings-v2 → mongodb (TCP) and an idle mysqldb (scenario JSON is YAML). */
function goldenScenario(): ScenarioInput {
  const bookinfo = loadScenario('bookinfo');
  const db = (name: string, port: number) => ({
    name,
    namespace: 'bookinfo',
    ports: [{ port, protocol: 'tcp' as const, name: `tcp-${name}` }],
  });
  return {
    ...bookinfo,
    name: 'bookinfo-golden',
    services: [...bookinfo.services, db('mongodb', 27017), db('mysqldb', 3306)],
    workloads: [
      ...bookinfo.workloads,
      {
        name: 'ratings-v2',
        namespace: 'bookinfo',
        app: 'ratings',
        version: 'v2',
        serviceAccount: 'bookinfo-ratings-v2',
        latency: { median: 3, p99: 15 },
        responseBytes: 260,
        calls: [{ to: 'mongodb', port: 27017, tcpBytes: { sent: 1200, received: 300 } }],
      },
      { name: 'mongodb-v1', namespace: 'bookinfo', app: 'mongodb', version: 'v1' },
      { name: 'mysqldb-v1', namespace: 'bookinfo', app: 'mysqldb', version: 'v1' },
    ],
  };
}

async function record(set: string, note: string) {
  await inventory.waitForSync(10_000);
  const time = Math.round(Date.now() / 1000);
  const answers: Record<string, unknown> = {};
  for (const responseTime of ['p95', 'avg'] as const) {
    const q = GraphQuerySchema.parse({ namespaces: 'bookinfo', duration: WINDOW_S, responseTime });
    for (const pq of buildGraphQueries(q)) {
      const name = pq.name === 'responseTime' ? `responseTime-${responseTime}` : pq.name;
      if (answers[name]) continue;
      const r = await client.query(pq.promql, { time });
      answers[name] = { status: 'success', data: { resultType: 'vector', result: r.samples } };
    }
  }
  const strip = (o: Record<string, unknown>) => {
    const meta = { ...(o.metadata as Record<string, unknown>) };
    delete meta.managedFields;
    delete meta.uid;
    delete meta.resourceVersion;
    return { ...o, metadata: meta };
  };
  const kinds: (keyof RawInventory)[] = [
    'namespaces',
    'services',
    'deployments',
    'replicasets',
    'pods',
    'serviceentries',
    'virtualservices',
    'destinationrules',
  ];
  const raw = Object.fromEntries(
    kinds.map((k) => [
      k,
      inventory.list(k).map((o) => strip(JSON.parse(JSON.stringify(o)) as Record<string, unknown>)),
    ]),
  );
  const target = out(set);
  await mkdir(target, { recursive: true });
  const write = (name: string, value: unknown) =>
    writeFile(new URL(name, target), `${JSON.stringify(value, null, 1)}\n`);
  for (const [name, value] of Object.entries(answers)) await write(`${name}.json`, value);
  await write('inventory.json', raw);
  await write('meta.json', {
    time,
    namespaces: ['bookinfo'],
    source: `recorded from the demo stack: ${note}`,
  });
  log(`${set}: ${Object.keys(answers).join(', ')} at ${time}`);
}

try {
  await waitForPromQL(prom.url, 'sum(rate(istio_requests_total[5s])) > 0', (s) => s.length > 0, 60_000, 250);
  await sleep((WINDOW_S + 2) * 1000);
  const played = 'mesh-sim bookinfo + ratings-v2 → mongodb (tcp) + idle mysqldb, rateScale 10';
  await record('bookinfo-recorded', `${played}, no Istio config`);
  await applyFile(kubeconfigPath, 'destination-rule-all.yaml');
  await applyFile(kubeconfigPath, 'virtual-service-reviews-80-20.yaml');
  await applyFile(kubeconfigPath, 'fault-injection-details-v1.yaml');
  // ratings routed for jason only: reviews' other calls match no route (404 NR, service `unknown`)
  await applyYaml(kubeconfigPath, RATINGS_JASON_ONLY, 'bookinfo');
  await sleep((WINDOW_S + 2) * 1000);
  await record(
    'bookinfo-faults-recorded',
    `${played}, destination-rule-all + reviews 80/20 + details abort 555 (fault-injection-details-v1) + ratings routed for end-user jason only (the rest 404 NR)`,
  );
} finally {
  await inventory.close();
  await prom.close();
  await sim.close();
  await cluster.close();
  await rm(dir, { recursive: true, force: true });
}
