/**
 * Writes the hand-made golden inputs (src/graph/__golden__/fixtures/bookinfo-handcrafted/): Prometheus
 * answers shaped exactly like the graph queries' (the labels of `sum by (…)`), for a Bookinfo mesh with
 * an ingress gateway, an unmeshed caller, a circuit-breaker overflow, a no-response (DC) request, an
 * egress service entry and a TCP database in another namespace; plus the raw inventory (objects as the
 * informers hold them, from data/istio/bookinfo manifests). record-golden.ts records the same files
 * from the real stack. Run: npx tsx apps/server/scripts/handcraft-golden.ts
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';

const out = new URL('../src/graph/__golden__/fixtures/bookinfo-handcrafted/', import.meta.url);
const data = new URL('../../../data/istio/bookinfo/', import.meta.url);
const TIME = 1_795_300_000;
const NS = 'bookinfo';

interface Side {
  ns: string;
  wl: string;
  app: string;
  ver: string;
}
const wl = (ns: string, name: string, app: string, ver: string): Side => ({ ns, wl: name, app, ver });
const GW = wl('istio-system', 'istio-ingressgateway', 'istio-ingressgateway', 'latest');
const UNKNOWN = wl('unknown', 'unknown', 'unknown', 'unknown');
const PP = wl(NS, 'productpage-v1', 'productpage', 'v1');
const DET = wl(NS, 'details-v1', 'details', 'v1');
const REV = ['v1', 'v2', 'v3'].map((v) => wl(NS, `reviews-${v}`, 'reviews', v));
const RAT1 = wl(NS, 'ratings-v1', 'ratings', 'v1');
const RAT2 = wl(NS, 'ratings-v2', 'ratings', 'v2');
const MONGO = wl('data', 'mongodb-v1', 'mongodb', 'v1');

function endpoint(reporter: string, src: Side, svc: { ns: string; name: string; host: string }, dst: Side) {
  return {
    reporter,
    source_workload_namespace: src.ns,
    source_workload: src.wl,
    source_canonical_service: src.app,
    source_canonical_revision: src.ver,
    destination_service_namespace: svc.ns,
    destination_service_name: svc.name,
    destination_service: svc.host,
    destination_workload_namespace: dst.ns,
    destination_workload: dst.wl,
    destination_canonical_service: dst.app,
    destination_canonical_revision: reporter === 'source' && dst.wl === 'unknown' ? 'latest' : dst.ver,
  };
}
const svc = (ns: string, name: string) => ({ ns, name, host: `${name}.${ns}.svc.cluster.local` });

interface Flow {
  src: Side;
  svc: { ns: string; name: string; host: string };
  dst: Side;
  code: string;
  flags: string;
  rps: number;
  /** Which proxies report it: meshed both sides = both; client-side local replies = source only. */
  reporters: ('source' | 'destination')[];
  destFlags?: string;
  mtls?: boolean;
  ms: number;
  bytes: number;
}
const both = ['source', 'destination'] as ('source' | 'destination')[];
const flows: Flow[] = [
  {
    src: GW,
    svc: svc(NS, 'productpage'),
    dst: PP,
    code: '200',
    flags: '-',
    rps: 10,
    reporters: both,
    ms: 42,
    bytes: 5200,
  },
  {
    src: UNKNOWN,
    svc: svc(NS, 'productpage'),
    dst: PP,
    code: '200',
    flags: '-',
    rps: 1,
    reporters: ['destination'],
    mtls: false,
    ms: 38,
    bytes: 5100,
  },
  {
    src: PP,
    svc: svc(NS, 'details'),
    dst: DET,
    code: '200',
    flags: '-',
    rps: 9.5,
    reporters: both,
    ms: 3,
    bytes: 178,
  },
  {
    src: PP,
    // a local reply (circuit-breaker overflow): no upstream host, so the service namespace is unknown
    svc: { ...svc(NS, 'details'), ns: 'unknown' },
    dst: UNKNOWN,
    code: '503',
    flags: 'UO',
    rps: 0.5,
    reporters: ['source'],
    ms: 0.4,
    bytes: 81,
  },
  {
    src: PP,
    svc: svc(NS, 'reviews'),
    dst: REV[0]!,
    code: '200',
    flags: '-',
    rps: 3.4,
    reporters: both,
    ms: 8,
    bytes: 295,
  },
  {
    src: PP,
    svc: svc(NS, 'reviews'),
    dst: REV[1]!,
    code: '200',
    flags: '-',
    rps: 3.3,
    reporters: both,
    ms: 21,
    bytes: 375,
  },
  {
    src: PP,
    svc: svc(NS, 'reviews'),
    dst: REV[2]!,
    code: '200',
    flags: '-',
    rps: 3.3,
    reporters: both,
    ms: 24,
    bytes: 375,
  },
  {
    src: REV[1]!,
    svc: svc(NS, 'ratings'),
    dst: RAT1,
    code: '200',
    flags: '-',
    rps: 1.5,
    reporters: both,
    ms: 2,
    bytes: 48,
  },
  {
    src: REV[1]!,
    svc: svc(NS, 'ratings'),
    dst: RAT1,
    code: '503',
    flags: '-',
    destFlags: 'UF',
    rps: 0.2,
    reporters: both,
    ms: 1,
    bytes: 91,
  },
  {
    src: REV[1]!,
    svc: svc(NS, 'ratings'),
    dst: RAT2,
    code: '200',
    flags: '-',
    rps: 1.6,
    reporters: both,
    ms: 6,
    bytes: 48,
  },
  {
    src: REV[2]!,
    svc: svc(NS, 'ratings'),
    dst: RAT1,
    code: '200',
    flags: '-',
    rps: 3.2,
    reporters: both,
    ms: 2,
    bytes: 48,
  },
  {
    src: REV[2]!,
    svc: svc(NS, 'ratings'),
    dst: RAT1,
    code: '0',
    flags: 'DC',
    rps: 0.1,
    reporters: both,
    ms: 2500,
    bytes: 0,
  },
  {
    // no VirtualService route matched the Host header: 404 NR at the caller, no service identified
    src: PP,
    svc: { ns: 'unknown', name: 'unknown', host: 'reviews:9080' },
    dst: UNKNOWN,
    code: '404',
    flags: 'NR',
    rps: 0.3,
    reporters: ['source'],
    ms: 0.2,
    bytes: 19,
  },
  {
    src: PP,
    svc: { ns: NS, name: 'www.googleapis.com', host: 'www.googleapis.com' },
    dst: UNKNOWN,
    code: '200',
    flags: '-',
    rps: 0.5,
    reporters: ['source'],
    ms: 120,
    bytes: 1400,
  },
];

const vector = (result: { metric: Record<string, string>; value: number }[]) => ({
  status: 'success',
  data: {
    resultType: 'vector',
    result: result.map((r) => ({ metric: r.metric, value: [TIME, String(r.value)] })),
  },
});

// Only the samples the graph's selectors return, as Kiali reads them: destination reports into the
// namespace, source reports out of it, and source reports of outside callers that reached no workload.
const hostNamespace = (f: Flow) => f.svc.host.split('.')[1];
const dedup = flows
  .flatMap((f) => f.reporters.map((reporter) => ({ f, reporter })))
  .filter(({ f, reporter }) =>
    reporter === 'destination'
      ? f.dst.ns === NS
      : f.src.ns === NS || (f.dst === UNKNOWN && hostNamespace(f) === NS),
  );
const requests = dedup.map(({ f, reporter }) => ({
  metric: {
    ...endpoint(reporter, f.src, f.svc, f.dst),
    request_protocol: 'http',
    response_code: f.code,
    grpc_response_status: '',
    response_flags: reporter === 'destination' ? (f.destFlags ?? f.flags) : f.flags,
  },
  value: f.rps,
}));
// Destination reports by connection_security_policy (the `mtls` query), summed over codes and flags.
const mtlsRows = flows
  .filter((f) => f.reporters.includes('destination'))
  .map((f) => ({
    metric: {
      ...endpoint('destination', f.src, f.svc, f.dst),
      request_protocol: 'http',
      connection_security_policy: f.mtls === false ? 'none' : 'mutual_tls',
    },
    value: f.rps,
  }));
const rtKey = (f: Flow, reporter: string) => ({
  ...endpoint(reporter, f.src, f.svc, f.dst),
  request_protocol: 'http',
});
function mergeBy<T extends { metric: Record<string, string>; value: number }>(
  rows: T[],
  combine: (a: number, b: number) => number,
) {
  const m = new Map<string, T>();
  for (const r of rows) {
    const k = JSON.stringify(r.metric);
    const prev = m.get(k);
    m.set(k, prev ? { ...prev, value: combine(prev.value, r.value) } : r);
  }
  return [...m.values()];
}
const responseTimeP95 = mergeBy(
  dedup.map(({ f, reporter }) => ({ metric: rtKey(f, reporter), value: f.ms * 1.6 })),
  Math.max,
);
const responseTimeAvg = mergeBy(
  dedup.map(({ f, reporter }) => ({ metric: rtKey(f, reporter), value: f.ms })),
  (a, b) => (a + b) / 2,
);
const throughput = mergeBy(
  dedup
    .filter(({ f }) => f.bytes > 0)
    .map(({ f, reporter }) => ({ metric: rtKey(f, reporter), value: f.bytes * f.rps })),
  (a, b) => a + b,
);
const tcp = (['source', 'destination'] as const).map((reporter) => ({
  metric: {
    ...endpoint(reporter, RAT2, svc('data', 'mongodb'), MONGO),
    response_flags: '-',
    connection_security_policy: reporter === 'source' ? 'unknown' : 'mutual_tls',
  },
  value: 2048,
}));

// Inventory: the Bookinfo manifests (deployments, services), the egress ServiceEntry, the reviews
// DestinationRule + 80/20 VirtualService, plus pods with istio-proxy, the gateway and an unmeshed client.
async function manifests(file: string, namespace: string) {
  const docs = parseAllDocuments(await readFile(new URL(file, data), 'utf8')).map(
    (d) => d.toJS() as Record<string, unknown>,
  );
  return docs.filter(Boolean).map(
    (o) =>
      ({ ...o, metadata: { ...(o.metadata as object), namespace } }) as {
        kind: string;
        metadata: { name: string; namespace: string };
        spec?: Record<string, unknown>;
      },
  );
}
const pod = (ns: string, deploy: string, labels: Record<string, string>, sidecar = true) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: `${deploy}-5d8f9c7b6-abcde`,
    namespace: ns,
    labels,
    ownerReferences: [{ kind: 'ReplicaSet', name: `${deploy}-5d8f9c7b6`, controller: true }],
  },
  spec: {
    containers: [{ name: deploy.replace(/-v\d$/, '') }, ...(sidecar ? [{ name: 'istio-proxy' }] : [])],
  },
});
const rs = (ns: string, deploy: string) => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: {
    name: `${deploy}-5d8f9c7b6`,
    namespace: ns,
    ownerReferences: [{ kind: 'Deployment', name: deploy, controller: true }],
  },
});
const deployment = (ns: string, name: string, labels: Record<string, string>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns, labels },
  spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels } } },
  status: { replicas: 1, availableReplicas: 1 },
});

async function main() {
  const book = await manifests('bookinfo.yaml', NS);
  const deployments = [
    ...book
      .filter((o) => o.kind === 'Deployment')
      .map((d) => ({ ...d, status: { replicas: 1, availableReplicas: 1 } })),
    deployment(NS, 'ratings-v2', { app: 'ratings', version: 'v2' }),
    deployment(NS, 'legacy-client', { app: 'legacy-client' }),
    deployment('istio-system', 'istio-ingressgateway', {
      app: 'istio-ingressgateway',
      istio: 'ingressgateway',
    }),
    deployment('data', 'mongodb-v1', { app: 'mongodb', version: 'v1' }),
  ];
  const labelsOf = (d: (typeof deployments)[number]) =>
    (d.spec as { template?: { metadata?: { labels?: Record<string, string> } } }).template?.metadata
      ?.labels ?? {};
  const raw = {
    namespaces: ['bookinfo', 'istio-system', 'data', 'default'].map((name) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name,
        labels: name === 'istio-system' ? {} : { 'istio-injection': 'enabled' },
        creationTimestamp: '2026-11-21T23:00:00Z',
      },
    })),
    services: [
      ...book.filter((o) => o.kind === 'Service'),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'mongodb', namespace: 'data' },
        spec: { selector: { app: 'mongodb' } },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'istio-ingressgateway', namespace: 'istio-system' },
        spec: { selector: { istio: 'ingressgateway' } },
      },
    ],
    deployments,
    replicasets: deployments.map((d) => rs(d.metadata.namespace, d.metadata.name)),
    pods: deployments.map((d) =>
      pod(d.metadata.namespace, d.metadata.name, labelsOf(d), d.metadata.name !== 'legacy-client'),
    ),
    serviceentries: (await manifests('egress-rule-google-apis.yaml', NS)).filter(
      (o) => o.kind === 'ServiceEntry',
    ),
    virtualservices: (await manifests('virtual-service-reviews-80-20.yaml', NS)).filter(
      (o) => o.kind === 'VirtualService',
    ),
    destinationrules: (await manifests('destination-rule-all.yaml', NS)).filter(
      (o) => o.kind === 'DestinationRule',
    ),
  };
  await mkdir(out, { recursive: true });
  const write = (name: string, value: unknown) =>
    writeFile(new URL(name, out), `${JSON.stringify(value, null, 1)}\n`);
  await write('requests.json', vector(requests));
  await write('mtls.json', vector(mergeBy(mtlsRows, (a, b) => a + b)));
  await write('responseTime-p95.json', vector(responseTimeP95));
  await write('responseTime-avg.json', vector(responseTimeAvg));
  await write('throughput.json', vector(throughput));
  await write('tcp.json', vector(tcp));
  await write('inventory.json', raw);
  await write('meta.json', {
    time: TIME,
    namespaces: [NS],
    source: 'handcrafted (scripts/handcraft-golden.ts)',
  });
}
await main();
