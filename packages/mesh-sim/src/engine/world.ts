/**
 * The simulator's view of the mesh at one moment: workloads with their pods, identities and behaviour,
 * services with their endpoints, and the evaluator's MeshConfig. Rebuilt whenever the inventory changes
 * (the next request sees the change); counters, pools and ejections live elsewhere and survive rebuilds.
 */
import type { Caller, MeshConfig } from '@meshlens/istio';
import { lognormal, type Random } from '../random';
import type { CallSpec, ExternalServiceSpec, Protocol, Scenario, WorkloadSpec } from '../scenario/schema';
import type { FragmentTable } from '../metrics/labels';
import {
  HISTOGRAM_BUCKETS_ANNOTATION,
  histogramLayout,
  parseHistogramBuckets,
  type HistogramBucketsSpec,
  type HistogramLayout,
} from '../metrics/telemetry';
import { LATEST, UNKNOWN, type Fragment, type SourceValues } from '../metrics/labels';
import { Authorizer } from './authz';
import {
  ERROR_RATE_ANNOTATION,
  type Inventory,
  type IstioObject,
  type PodView,
  type ServiceView,
} from './inventory';

export const CLUSTER_DOMAIN = 'cluster.local';

export interface WorkloadRt {
  key: string;
  name: string;
  namespace: string;
  spec: WorkloadSpec;
  labels: Record<string, string>;
  pods: PodView[];
  sidecar: boolean;
  gateway: boolean;
  serviceAccount: string;
  /** The cluster its proxies report as their own (`source_cluster` / `destination_cluster`). */
  cluster: string;
  caller: Caller;
  latency: (r: Random) => number;
  /** Source identity, by whether the connection is mTLS. */
  source: [plain: Fragment, mtls: Fragment];
  principal: string;
  /** Destination identities, by service FQDN and mTLS. */
  destCache: Map<string, Fragment>;
  /** Its proxy's histogram buckets (statsHistogramBuckets annotation, else the mesh default). */
  histograms: HistogramLayout;
}

export interface ServiceRt {
  fqdn: string;
  name: string;
  namespace: string;
  view: ServiceView;
  /** Ready pods selected by the service. */
  pods: PodView[];
}

export interface ExternalRt {
  host: string;
  /** ServiceEntry namespace (for labels) and its behaviour from the scenario. */
  namespace: string;
  spec: ExternalServiceSpec | undefined;
  ports: { port: number; protocol: Protocol }[];
  latency: (r: Random) => number;
}

const DEFAULT_BEHAVIOUR: Omit<WorkloadSpec, 'name' | 'namespace' | 'app'> = {
  replicas: 1,
  role: 'app',
  labels: {},
  annotations: {},
  latency: { median: 10, p99: 50 },
  errorRate: 0,
  errorCodes: { '500': 1 },
  grpcErrorCodes: { '14': 1 },
  responseBytes: 1500,
  unreachableRate: 0,
  appResetRate: 0,
  calls: [],
};

/** Istio's protocol selection from a Service port: appProtocol, else the port name's prefix. */
export function portProtocol(p: { name?: string; appProtocol?: string; protocol?: string }): Protocol {
  const v = (p.appProtocol ?? p.name ?? p.protocol ?? '').toLowerCase();
  if (v.startsWith('grpc')) return 'grpc';
  if (v.startsWith('http') && v !== 'https') return 'http';
  if (v === 'tcp' || v.startsWith('tcp-') || /^(mysql|mongo|redis|tls|https|kafka)/.test(v)) return 'tcp';
  return v ? 'tcp' : 'http';
}

const matchesLabels = (labels: Record<string, string>, selector: Record<string, string>) => {
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
};

export class World {
  readonly config: MeshConfig;
  readonly workloads = new Map<string, WorkloadRt>();
  readonly services = new Map<string, ServiceRt>();
  readonly externals = new Map<string, ExternalRt>();
  private readonly behaviour = new Map<string, WorkloadSpec>();
  private readonly noPeer = new Map<string, Fragment>();
  readonly unknownSource: Fragment;
  /** AuthorizationPolicies as server sidecars enforce them. */
  readonly authz: Authorizer;
  /** Configuration the simulated proxies could not use (e.g. a malformed bucket annotation). */
  readonly warnings: string[] = [];

  constructor(
    readonly scenario: Scenario,
    readonly inventory: Inventory,
    readonly fragments: FragmentTable,
    /** Mesh-wide statsHistogramBuckets (a pod's own annotation wins). */
    readonly histogramBuckets?: HistogramBucketsSpec,
  ) {
    for (const w of scenario.workloads) this.behaviour.set(`${w.namespace}/${w.name}`, w);
    this.authz = new Authorizer(inventory.authorizationPolicies);
    const byWorkload = new Map<string, PodView[]>();
    for (const p of inventory.pods) {
      const k = `${p.namespace}/${p.workload}`;
      let list = byWorkload.get(k);
      if (!list) byWorkload.set(k, (list = []));
      list.push(p);
    }
    for (const [key, pods] of byWorkload) this.addWorkload(key, pods);

    const readyByNamespace = new Map<string, PodView[]>();
    for (const p of inventory.pods) {
      if (!p.ready) continue;
      let list = readyByNamespace.get(p.namespace);
      if (!list) readyByNamespace.set(p.namespace, (list = []));
      list.push(p);
    }
    const readyByName = new Map(
      inventory.pods.filter((p) => p.ready).map((p) => [`${p.namespace}/${p.name}`, p]),
    );
    for (const view of inventory.services) {
      const fqdn = `${view.name}.${view.namespace}.svc.${CLUSTER_DOMAIN}`;
      const fromEndpoints = inventory.endpoints.get(`${view.namespace}/${view.name}`);
      const pods = fromEndpoints
        ? fromEndpoints.flatMap((n) => readyByName.get(`${view.namespace}/${n}`) ?? [])
        : view.selector
          ? (readyByNamespace.get(view.namespace) ?? []).filter((p) =>
              matchesLabels(p.labels, view.selector!),
            )
          : [];
      // The same Service in several clusters (multi-primary): one host whose endpoints span them all.
      const same = this.services.get(fqdn);
      if (same) for (const p of pods) if (!same.pods.includes(p)) same.pods.push(p);
      if (!same) this.services.set(fqdn, { fqdn, name: view.name, namespace: view.namespace, view, pods });
    }
    for (const se of inventory.serviceEntries) this.addServiceEntry(se);

    const workloads = [...this.workloads.values()].map((w) => ({
      name: w.name,
      namespace: w.namespace,
      labels: w.labels,
      sidecar: w.sidecar,
    }));
    this.config = {
      virtualServices: inventory.virtualServices as unknown as MeshConfig['virtualServices'],
      destinationRules: inventory.destinationRules as unknown as MeshConfig['destinationRules'],
      peerAuthentications: inventory.peerAuthentications as unknown as MeshConfig['peerAuthentications'],
      serviceEntries: inventory.serviceEntries as unknown as MeshConfig['serviceEntries'],
      services: [
        ...new Map(inventory.services.map((s) => [`${s.namespace}/${s.name}`, s] as const)).values(),
      ].map((s) => ({
        name: s.name,
        namespace: s.namespace,
        ports: s.ports.map((p) => ({
          port: p.port,
          ...(p.name !== undefined ? { name: p.name } : {}),
          ...(p.appProtocol !== undefined ? { protocol: p.appProtocol } : {}),
        })),
        ...(s.selector ? { selector: s.selector } : {}),
      })),
      workloads,
      clusterDomain: CLUSTER_DOMAIN,
    };
    this.unknownSource = fragments.source({
      source_workload: UNKNOWN,
      source_canonical_service: UNKNOWN,
      source_canonical_revision: LATEST,
      source_workload_namespace: UNKNOWN,
      source_principal: UNKNOWN,
      source_app: UNKNOWN,
      source_version: UNKNOWN,
      source_cluster: UNKNOWN,
    });
  }

  private addWorkload(key: string, pods: PodView[]): void {
    const first = pods[0]!;
    const spec = this.withErrorRate(key, this.behaviour.get(key) ?? this.behaviourByApp(first), first);
    const ready = pods.filter((p) => p.ready);
    const gateway = spec.role === 'gateway' || first.labels.istio === 'ingressgateway';
    const principal = `spiffe://${this.scenario.trustDomain}/ns/${first.namespace}/sa/${first.serviceAccount}`;
    const gateways = gateway
      ? this.inventory.gateways
          .filter((g) => matchesLabels(first.labels, (g.spec?.selector as Record<string, string>) ?? {}))
          .map((g) => `${g.metadata.namespace ?? 'default'}/${g.metadata.name}`)
      : undefined;
    const cluster = first.cluster ?? spec.cluster ?? this.scenario.cluster;
    const rt: WorkloadRt = {
      key,
      name: first.workload,
      namespace: first.namespace,
      spec,
      labels: first.labels,
      pods: ready,
      sidecar: first.sidecar,
      gateway,
      serviceAccount: first.serviceAccount,
      cluster,
      caller: { namespace: first.namespace, labels: first.labels, ...(gateways ? { gateways } : {}) },
      latency: lognormal(spec.latency.median, spec.latency.p99),
      source: [this.sourceFragment(first, UNKNOWN, cluster), this.sourceFragment(first, principal, cluster)],
      principal,
      destCache: new Map(),
      histograms: this.histogramsOf(key, first),
    };
    this.workloads.set(key, rt);
  }

  /** The pod's mesh-sim.meshlens.io/error-rate over the scenario's errorRate (a malformed one is ignored). */
  private withErrorRate(key: string, spec: WorkloadSpec, pod: PodView): WorkloadSpec {
    const text = pod.annotations?.[ERROR_RATE_ANNOTATION];
    if (text === undefined) return spec;
    const rate = Number(text);
    if (text.trim() === '' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
      this.warnings.push(
        `${key}: ${ERROR_RATE_ANNOTATION} ${JSON.stringify(text)} ignored: not a number from 0 to 1`,
      );
      return spec;
    }
    return { ...spec, errorRate: rate };
  }

  /** As Istio builds the proxy's bootstrap: a malformed annotation is ignored (Envoy's defaults). */
  private histogramsOf(key: string, pod: PodView): HistogramLayout {
    const annotation = pod.annotations?.[HISTOGRAM_BUCKETS_ANNOTATION];
    if (annotation === undefined) return histogramLayout(this.histogramBuckets);
    try {
      return histogramLayout(parseHistogramBuckets(annotation));
    } catch (err) {
      this.warnings.push(`${key}: ${HISTOGRAM_BUCKETS_ANNOTATION} ignored: ${(err as Error).message}`);
      return histogramLayout(undefined);
    }
  }

  /** A pod of a workload the scenario does not describe (created by hand): borrow its app's behaviour. */
  private behaviourByApp(pod: PodView): WorkloadSpec {
    const app = pod.labels.app ?? pod.workload;
    const same = this.scenario.workloads.find((w) => w.namespace === pod.namespace && w.app === app);
    return same
      ? { ...same, name: pod.workload }
      : { ...DEFAULT_BEHAVIOUR, name: pod.workload, namespace: pod.namespace, app };
  }

  /** The reporting proxy's own identity; `cluster` is its own cluster (Istio's CLUSTER_ID). */
  private sourceFragment(pod: PodView, principal: string, cluster: string): Fragment {
    const l = pod.labels;
    return this.fragments.source({
      source_workload: pod.workload,
      source_canonical_service: canonicalService(pod),
      source_canonical_revision: canonicalRevision(pod),
      source_workload_namespace: pod.namespace,
      source_principal: principal,
      source_app: l.app ?? UNKNOWN,
      source_version: l.version ?? UNKNOWN,
      source_cluster: cluster,
    } satisfies SourceValues);
  }

  private addServiceEntry(se: IstioObject): void {
    const spec = (se.spec ?? {}) as { hosts?: string[]; ports?: { number?: number; protocol?: string }[] };
    const ports = (spec.ports ?? []).map((p) => ({
      port: Number(p.number),
      protocol: portProtocol({ protocol: p.protocol ?? '' }),
    }));
    for (const host of spec.hosts ?? []) {
      const ext = this.scenario.externalServices.find((e) => e.host === host);
      this.externals.set(host, {
        host,
        namespace: se.metadata.namespace ?? 'default',
        spec: ext,
        ports,
        latency: lognormal(ext?.latency.median ?? 80, ext?.latency.p99 ?? 400),
      });
    }
  }

  /** The workload serving a pod. */
  workloadOf(pod: PodView): WorkloadRt | undefined {
    return this.workloads.get(`${pod.namespace}/${pod.workload}`);
  }

  /** Destination identity of a workload reached as `service` (METRICS.md §2: the peer's own labels). */
  destination(w: WorkloadRt, svc: { fqdn: string; name: string }, mtls: boolean, sidecar = true): Fragment {
    const key = `${svc.fqdn}|${mtls ? 1 : 0}|${sidecar ? 1 : 0}`;
    let f = w.destCache.get(key);
    if (!f) {
      const pod = w.pods[0] ?? { labels: w.labels, workload: w.name };
      f = this.fragments.destination({
        destination_workload: w.name,
        destination_workload_namespace: w.namespace,
        destination_principal: mtls ? w.principal : UNKNOWN,
        // Without a sidecar the peer is known only from endpoint metadata, which has no app/version.
        destination_app: sidecar ? (w.labels.app ?? UNKNOWN) : UNKNOWN,
        destination_version: sidecar ? (w.labels.version ?? UNKNOWN) : UNKNOWN,
        destination_service: svc.fqdn,
        destination_canonical_service: canonicalService(pod as PodView),
        destination_canonical_revision: canonicalRevision(pod as PodView),
        destination_service_name: svc.name,
        destination_service_namespace: w.namespace,
        // From the peer's metadata (or the endpoint's, without a sidecar): the cluster it runs in.
        destination_cluster: w.cluster,
      });
      w.destCache.set(key, f);
    }
    return f;
  }

  /**
   * Destination identity when no upstream host was picked (local replies NR/NC/UH/UO/FI): the service
   * comes from the cluster's metadata (`host`, `name`) or, without a cluster, from the Host header.
   */
  destinationWithoutPeer(service: string, serviceName: string): Fragment {
    const key = `${service}|${serviceName}`;
    const cached = this.noPeer.get(key);
    if (cached) return cached;
    const f = this.fragments.destination({
      destination_workload: UNKNOWN,
      destination_workload_namespace: UNKNOWN,
      destination_principal: UNKNOWN,
      destination_app: UNKNOWN,
      destination_version: UNKNOWN,
      destination_service: service,
      destination_canonical_service: UNKNOWN,
      destination_canonical_revision: LATEST,
      destination_service_name: serviceName,
      destination_service_namespace: UNKNOWN,
      destination_cluster: UNKNOWN,
    });
    this.noPeer.set(key, f);
    return f;
  }

  /** Protocol of a call: as declared, else from the destination Service or ServiceEntry port. */
  callProtocol(call: CallSpec, fqdn: string): Protocol {
    if (call.protocol) return call.protocol;
    const svc = this.services.get(fqdn);
    const port = svc?.view.ports.find((p) => p.port === call.port);
    if (port) return portProtocol(port);
    const ext = this.externals.get(fqdn)?.ports.find((p) => p.port === call.port);
    return ext?.protocol ?? 'http';
  }
}

export function canonicalService(pod: Pick<PodView, 'labels' | 'workload'>): string {
  const l = pod.labels;
  return l['service.istio.io/canonical-name'] ?? l['app.kubernetes.io/name'] ?? l.app ?? pod.workload;
}

export function canonicalRevision(pod: Pick<PodView, 'labels'>): string {
  const l = pod.labels;
  return l['service.istio.io/canonical-revision'] ?? l['app.kubernetes.io/version'] ?? l.version ?? LATEST;
}
