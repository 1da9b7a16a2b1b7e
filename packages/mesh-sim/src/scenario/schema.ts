/**
 * The scenario format: which namespaces, services and workloads exist, how each workload behaves
 * (latency, errors, the calls it makes) and how much traffic enters the mesh. YAML files in
 * packages/mesh-sim/scenarios/ follow this schema; `generated` builds the same shape in code.
 */
import { z } from 'zod';

export const PROTOCOLS = ['http', 'grpc', 'tcp'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label (lowercase letters, digits and "-")')
  .max(63);

/** A mix such as `{ "500": 0.8, "503": 0.2 }`: keys are codes, values relative weights. */
const codeMix = z
  .record(z.string().regex(/^\d+$/, 'keys must be numeric codes'), z.number().nonnegative())
  .refine((m) => Object.keys(m).length > 0, 'must list at least one code');

/** Lognormal latency given by its median and 99th percentile, in milliseconds. */
export const latencySchema = z
  .object({
    median: z.number().positive(),
    p99: z.number().positive(),
  })
  .strict()
  .refine((l) => l.p99 >= l.median, { message: 'p99 must be >= median', path: ['p99'] });

const weighted = <T extends z.ZodType>(item: T) => z.array(item).min(1);

export const pathSchema = z
  .object({ path: z.string().startsWith('/'), weight: z.number().positive() })
  .strict();

/** A share of requests that carries the given headers, e.g. `{ weight: 0.3, set: { end-user: jason } }`. */
export const headerMixSchema = z
  .object({
    weight: z.number().nonnegative(),
    set: z.record(z.string(), z.string()),
  })
  .strict();

export const callSchema = z
  .object({
    /** Host as the calling app writes it: `ratings`, `ratings.bookinfo`, an FQDN, or an external host. */
    to: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    /** Defaults to the protocol of the destination Service port (or ServiceEntry port). */
    protocol: z.enum(PROTOCOLS).optional(),
    /** Mean number of calls per inbound request (fractions are drawn at random). */
    perRequest: z.number().nonnegative().default(1),
    /** Request paths; when absent the inbound request's path is forwarded (what a gateway does). */
    paths: weighted(pathSchema).optional(),
    method: z.string().default('GET'),
    /** Make the call only for inbound requests whose path starts with one of these prefixes. */
    onPaths: z.array(z.string().startsWith('/')).optional(),
    /** Forward the inbound request's headers (end-user, x-request-id, ...) as Bookinfo's apps do. */
    forwardHeaders: z.boolean().default(true),
    /** Mean wire size of the request (HTTP/gRPC), bytes. */
    requestBytes: z.number().nonnegative().default(600),
    /** The calling app's own client timeout, ms: past it the app hangs up (0 DC on both sidecars). */
    timeoutMs: z.number().positive().optional(),
    /** Parallel calls run together (the caller waits for the slowest); the others run one after another. */
    parallel: z.boolean().default(false),
    /** When the call fails (5xx, or no response), the caller fails too, with 500. */
    propagateErrors: z.boolean().default(false),
    /** gRPC messages per call. */
    messages: z
      .object({ request: z.number().nonnegative(), response: z.number().nonnegative() })
      .strict()
      .default({ request: 1, response: 1 }),
    /** TCP: mean bytes per connection in each direction (received = request direction). */
    tcpBytes: z
      .object({ sent: z.number().nonnegative(), received: z.number().nonnegative() })
      .strict()
      .default({ sent: 4000, received: 800 }),
  })
  .strict();

export const workloadSchema = z
  .object({
    name: dnsLabel,
    namespace: dnsLabel,
    app: z.string().min(1),
    version: z.string().min(1).optional(),
    replicas: z.number().int().nonnegative().default(1),
    serviceAccount: dnsLabel.optional(),
    /** `gateway`: an ingress gateway (reports only its outbound leg). */
    role: z.enum(['app', 'gateway']).default('app'),
    /**
     * The cluster it runs in (Istio's cluster id, `source_cluster` / `destination_cluster` of its
     * proxy's reports); default the scenario's `cluster`. Namespaces, Services and Istio objects exist in
     * every cluster of the scenario, as in a multi-primary mesh.
     */
    cluster: z.string().min(1).optional(),
    /** Extra pod labels (e.g. `istio: ingressgateway`). */
    labels: z.record(z.string(), z.string()).default({}),
    /**
     * Pod template annotations, e.g. `sidecar.istio.io/statsHistogramBuckets: '{"istiocustom":[1,5,10]}'`
     * (the simulated proxy honours that one).
     */
    annotations: z.record(z.string(), z.string()).default({}),
    latency: latencySchema.default({ median: 10, p99: 50 }),
    errorRate: z.number().min(0).max(1).default(0),
    errorCodes: codeMix.default({ '500': 1 }),
    grpcErrorCodes: codeMix.default({ '14': 1 }),
    /** Mean wire size of a response, bytes. */
    responseBytes: z.number().nonnegative().default(1500),
    /** Share of connection attempts to these pods that fail as if the pod were unreachable (UF at the caller). */
    unreachableRate: z.number().min(0).max(1).default(0),
    /** Share of requests the pod's sidecar cannot hand to its app (503, UC on the destination sample). */
    appResetRate: z.number().min(0).max(1).default(0),
    calls: z.array(callSchema).default([]),
  })
  .strict();

export const servicePortSchema = z
  .object({
    port: z.number().int().min(1).max(65535),
    protocol: z.enum(PROTOCOLS).default('http'),
    name: z.string().optional(),
    targetPort: z.number().int().min(1).max(65535).optional(),
  })
  .strict();

export const serviceSchema = z
  .object({
    name: dnsLabel,
    namespace: dnsLabel,
    /** Selector `app: <app>`; defaults to the service name. */
    app: z.string().optional(),
    ports: z.array(servicePortSchema).min(1),
  })
  .strict();

export const externalServiceSchema = z
  .object({
    /** Host of a ServiceEntry (MESH_EXTERNAL); the scenario creates the ServiceEntry. */
    host: z.string().min(1),
    namespace: dnsLabel,
    name: dnsLabel,
    port: z.number().int().min(1).max(65535),
    protocol: z.enum(PROTOCOLS).default('http'),
    latency: latencySchema.default({ median: 80, p99: 400 }),
    errorRate: z.number().min(0).max(1).default(0),
    errorCodes: codeMix.default({ '503': 1 }),
    responseBytes: z.number().nonnegative().default(2000),
  })
  .strict();

export const entrySchema = z
  .object({
    /** `namespace/name` of the workload that receives (or originates) the traffic. */
    workload: z.string().regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, 'must be namespace/name'),
    /** Requests per second (before --rate-scale). */
    rate: z.number().nonnegative(),
    paths: weighted(pathSchema).default([{ path: '/', weight: 1 }]),
    method: z.string().default('GET'),
    headers: z.array(headerMixSchema).default([]),
  })
  .strict();

export const manifestSchema = z
  .object({
    /** Path of a multi-document YAML file, relative to the project's data/istio/ folder. */
    file: z.string().min(1),
    /** Namespace for objects that name none. */
    namespace: dnsLabel.optional(),
  })
  .strict();

export const scenarioSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().default(''),
    /** The default cluster (Istio's default cluster id is `Kubernetes`); workloads may name another. */
    cluster: z.string().min(1).default('Kubernetes'),
    trustDomain: z.string().default('cluster.local'),
    manifests: z.array(manifestSchema).default([]),
    namespaces: z.array(z.object({ name: dnsLabel, injection: z.boolean().default(true) }).strict()).min(1),
    services: z.array(serviceSchema).default([]),
    workloads: z.array(workloadSchema).min(1),
    externalServices: z.array(externalServiceSchema).default([]),
    /** Further Istio objects to create (ServiceEntries, Gateways, PeerAuthentications ...), inline. */
    istioObjects: z.array(z.record(z.string(), z.unknown())).default([]),
    entry: z.array(entrySchema).min(1),
  })
  .strict();

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;
export type WorkloadSpec = Scenario['workloads'][number];
export type CallSpec = WorkloadSpec['calls'][number];
export type ServiceSpec = Scenario['services'][number];
export type ExternalServiceSpec = Scenario['externalServices'][number];
export type EntrySpec = Scenario['entry'][number];
export type LatencySpec = z.output<typeof latencySchema>;

/** The clusters of a scenario: its default cluster first, then the others its workloads name. */
export function scenarioClusters(s: Pick<Scenario, 'cluster' | 'workloads'>): string[] {
  return [...new Set([s.cluster, ...s.workloads.map((w) => w.cluster ?? s.cluster)])];
}

/** The cluster a workload runs in. */
export const workloadCluster = (s: Pick<Scenario, 'cluster'>, w: Pick<WorkloadSpec, 'cluster'>): string =>
  w.cluster ?? s.cluster;
