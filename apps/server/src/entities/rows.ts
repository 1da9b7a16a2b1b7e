/**
 * The rows of the Applications, Workloads and Services lists (and the overview's health counts): the
 * inventory joined with the rates, graded by the health module exactly as the graph grades its nodes.
 */
import type { EntityKind, EntityRow, HealthCounts } from '@meshlens/contract';
import {
  combine,
  missingSidecar,
  NO_RATES,
  tolerancesFor,
  trafficHealth,
  workloadHealth,
  type HealthRule,
  type Verdict,
} from '../health/index';
import type { InventorySnapshot, WorkloadInfo } from '../inventory/types';
import { serviceRefs, toReference, uniqueRefs, workloadRefs, type IstioIndex } from './istioRefs';
import { entityKey, inboundSummary, trafficOf, type EntityRates, type Traffic } from './rates';

export interface RowsInput {
  snapshot: Pick<InventorySnapshot, 'namespaces' | 'workloads' | 'services'>;
  rates: EntityRates;
  index: IstioIndex;
  rules: readonly HealthRule[];
  namespaces: ReadonlySet<string>;
}

const health = (t: Traffic | undefined, tol: ReturnType<typeof tolerancesFor>): Verdict =>
  trafficHealth(t ? { inbound: t.inbound, outbound: t.outbound, tcpBytesPerSecond: t.tcp } : {}, tol);

function sidecarOf(wls: readonly WorkloadInfo[]): EntityRow['sidecar'] {
  const meshed = wls.filter((w) => !w.isGateway);
  const pods = meshed.reduce((n, w) => n + w.pods, 0);
  if (pods === 0) return 'n/a';
  const withSidecar = meshed.reduce((n, w) => n + w.podsWithSidecar, 0);
  return withSidecar === pods ? 'all' : withSidecar === 0 ? 'none' : 'some';
}

function replicasOf(wls: readonly WorkloadInfo[]): EntityRow['replicas'] {
  const known = wls.filter((w) => w.desired !== undefined);
  const out: EntityRow['replicas'] = { pods: wls.reduce((n, w) => n + w.pods, 0) };
  if (known.length) {
    out.desired = known.reduce((n, w) => n + (w.desired ?? 0), 0);
    out.available = known.reduce((n, w) => n + (w.available ?? 0), 0);
  }
  if (wls.every((w) => w.podsReady !== undefined))
    out.ready = wls.reduce((n, w) => n + (w.podsReady ?? 0), 0);
  return out;
}

/** Workload verdicts plus the missing-sidecar sentences (which never change the status). */
function workloadsVerdict(wls: readonly WorkloadInfo[]): Verdict {
  return combine(...wls.map(workloadHealth));
}
function withSidecarNotes(v: Verdict, wls: readonly WorkloadInfo[]): Verdict {
  const notes = wls.map(missingSidecar).filter((s): s is string => s !== undefined);
  return notes.length ? { status: v.status, reasons: [...v.reasons, ...notes] } : v;
}

const selects = (selector: Record<string, string>, labels: Record<string, string>) => {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
};

interface Grouped {
  nsAnnotations: Map<string, Record<string, string> | undefined>;
  workloads: WorkloadInfo[];
  services: InventorySnapshot['services'];
  servicesOf: (w: WorkloadInfo) => InventorySnapshot['services'];
  /** Workloads per app (`ns/app`), in inventory order. */
  apps: () => Map<string, WorkloadInfo[]>;
  /** Workloads a service selects. */
  selectedBy: (s: InventorySnapshot['services'][number]) => WorkloadInfo[];
}

function group(input: RowsInput): Grouped {
  const { snapshot, namespaces } = input;
  const nsAnnotations = new Map(snapshot.namespaces.map((n) => [n.name, n.annotations]));
  const workloads = snapshot.workloads.filter((w) => namespaces.has(w.namespace));
  const services = snapshot.services.filter((s) => namespaces.has(s.namespace));
  const servicesByNs = new Map<string, typeof services>();
  for (const s of services)
    (servicesByNs.get(s.namespace) ?? servicesByNs.set(s.namespace, []).get(s.namespace)!).push(s);
  const wlsByNs = new Map<string, WorkloadInfo[]>();
  for (const w of workloads)
    (wlsByNs.get(w.namespace) ?? wlsByNs.set(w.namespace, []).get(w.namespace)!).push(w);
  return {
    nsAnnotations,
    workloads,
    services,
    servicesOf: (w) =>
      (servicesByNs.get(w.namespace) ?? []).filter(
        (s) => s.cluster === w.cluster && selects(s.selector, w.labels),
      ),
    apps: () => {
      const apps = new Map<string, WorkloadInfo[]>();
      for (const w of workloads) {
        if (w.app === undefined) continue;
        const key = entityKey(w.namespace, w.app);
        (apps.get(key) ?? apps.set(key, []).get(key)!).push(w);
      }
      return apps;
    },
    selectedBy: (s) =>
      (wlsByNs.get(s.namespace) ?? []).filter(
        (w) => w.cluster === s.cluster && selects(s.selector, w.labels),
      ),
  };
}

/**
 * The health of one workload, app or service: the one place rows and the overview's counts grade an
 * entity, so the two never disagree.
 */
function workloadVerdict(g: Grouped, input: RowsInput, w: WorkloadInfo): Verdict {
  const tol = tolerancesFor(
    {
      namespace: w.namespace,
      kind: 'workload',
      name: w.name,
      objectAnnotations: w.annotations,
      namespaceAnnotations: g.nsAnnotations.get(w.namespace),
    },
    input.rules,
  );
  const t = trafficOf(input.rates, 'workloads', w);
  return combine(health(t, tol), workloadHealth(w));
}

function appVerdict(g: Grouped, input: RowsInput, wls: readonly WorkloadInfo[]): Verdict {
  const { namespace, app } = wls[0]! as WorkloadInfo & { app: string };
  const tol = tolerancesFor(
    {
      namespace,
      kind: 'app',
      name: app,
      objectAnnotations: wls.find((w) => w.annotations['meshlens.io/health-rate'])?.annotations,
      namespaceAnnotations: g.nsAnnotations.get(namespace),
    },
    input.rules,
  );
  const t = input.rates.apps.get(entityKey(namespace, app));
  return combine(health(t, tol), workloadsVerdict(wls));
}

function serviceVerdict(g: Grouped, input: RowsInput, s: InventorySnapshot['services'][number]): Verdict {
  const tol = tolerancesFor(
    {
      namespace: s.namespace,
      kind: 'service',
      name: s.name,
      objectAnnotations: s.annotations,
      namespaceAnnotations: g.nsAnnotations.get(s.namespace),
    },
    input.rules,
  );
  return health(trafficOf(input.rates, 'services', s), tol);
}

/** Rows of one kind, for the selected namespaces, sorted by namespace then name. */
export function buildRows(kind: EntityKind, input: RowsInput): EntityRow[] {
  const { rates, index } = input;
  const g = group(input);
  const rows: EntityRow[] = [];

  if (kind === 'workloads') {
    for (const w of g.workloads) {
      const t = trafficOf(rates, 'workloads', w);
      const svcs = g.servicesOf(w);
      const refs = uniqueRefs([
        ...workloadRefs(index, w.namespace, w.labels),
        ...svcs.flatMap((s) => serviceRefs(index, s.namespace, s.name)),
      ]);
      rows.push({
        kind: 'workload',
        name: w.name,
        namespace: w.namespace,
        ...(w.cluster ? { cluster: w.cluster } : {}),
        health: withSidecarNotes(workloadVerdict(g, input, w), [w]),
        labels: w.labels,
        type: w.kind,
        sidecar: sidecarOf([w]),
        replicas: replicasOf([w]),
        related: svcs.map((s) => s.name),
        istioReferences: refs.map((r) => toReference(index, r)),
        ...summary(t),
      });
    }
  } else if (kind === 'apps') {
    for (const wls of g.apps().values()) {
      const { namespace, app } = wls[0]! as WorkloadInfo & { app: string };
      const t = rates.apps.get(entityKey(namespace, app));
      const refs = uniqueRefs(
        wls.flatMap((w) => [
          ...workloadRefs(index, namespace, w.labels),
          ...g.servicesOf(w).flatMap((s) => serviceRefs(index, s.namespace, s.name)),
        ]),
      );
      rows.push({
        kind: 'app',
        name: app,
        namespace,
        health: withSidecarNotes(appVerdict(g, input, wls), wls),
        labels: { app, ...commonLabels(wls) },
        type: 'App',
        sidecar: sidecarOf(wls),
        replicas: replicasOf(wls),
        related: wls.map((w) => w.name),
        istioReferences: refs.map((r) => toReference(index, r)),
        ...summary(t),
      });
    }
  } else {
    for (const s of g.services) {
      const t = trafficOf(rates, 'services', s);
      const selected = g.selectedBy(s);
      rows.push({
        kind: 'service',
        name: s.name,
        namespace: s.namespace,
        ...(s.cluster ? { cluster: s.cluster } : {}),
        health: serviceVerdict(g, input, s),
        labels: s.labels,
        type: index.serviceTypes.get(entityKey(s.namespace, s.name)) ?? 'ClusterIP',
        sidecar: sidecarOf(selected),
        replicas: replicasOf(selected),
        related: selected.map((w) => w.name),
        istioReferences: uniqueRefs(serviceRefs(index, s.namespace, s.name)).map((r) =>
          toReference(index, r),
        ),
        ...summary(t),
      });
    }
  }
  return rows.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

export interface NamespaceHealth {
  apps: Map<string, HealthCounts>;
  workloads: Map<string, HealthCounts>;
  services: Map<string, HealthCounts>;
  /** Inbound requests/s into the namespace's services, and the share that failed. */
  traffic: Map<string, { rps: number; errorRate: number }>;
}

/**
 * What the overview shows of each namespace, without building rows: the same verdicts as buildRows
 * (so the counts equal countByNamespace of the rows) but no Istio references, labels, replicas or sort.
 */
export function namespaceHealth(input: RowsInput): NamespaceHealth {
  const g = group(input);
  const count = (m: Map<string, HealthCounts>, ns: string, v: Verdict) => {
    (m.get(ns) ?? m.set(ns, emptyCounts()).get(ns)!)[v.status] += 1;
  };
  const out: NamespaceHealth = {
    apps: new Map(),
    workloads: new Map(),
    services: new Map(),
    traffic: new Map(),
  };
  for (const w of g.workloads) count(out.workloads, w.namespace, workloadVerdict(g, input, w));
  for (const wls of g.apps().values()) count(out.apps, wls[0]!.namespace, appVerdict(g, input, wls));
  const errors = new Map<string, number>();
  for (const s of g.services) {
    count(out.services, s.namespace, serviceVerdict(g, input, s));
    const { inboundRps, errorRate } = summary(trafficOf(input.rates, 'services', s));
    const t = out.traffic.get(s.namespace) ?? { rps: 0, errorRate: 0 };
    t.rps += inboundRps;
    out.traffic.set(s.namespace, t);
    errors.set(s.namespace, (errors.get(s.namespace) ?? 0) + inboundRps * errorRate);
  }
  for (const [ns, t] of out.traffic) t.errorRate = t.rps > 0 ? (errors.get(ns) ?? 0) / t.rps : 0;
  return out;
}

function summary(t: Traffic | undefined): { inboundRps: number; errorRate: number } {
  const s = inboundSummary(t?.inbound ?? NO_RATES);
  return { inboundRps: s.rps, errorRate: s.errorRate };
}

/** Labels every workload of an app shares (version differs between them, so it drops out). */
function commonLabels(wls: readonly WorkloadInfo[]): Record<string, string> {
  const [first, ...rest] = wls;
  if (!first) return {};
  return Object.fromEntries(
    Object.entries(first.labels).filter(([k, v]) => rest.every((w) => w.labels[k] === v)),
  );
}

export const emptyCounts = (): HealthCounts => ({
  Failure: 0,
  Degraded: 0,
  NotReady: 0,
  Healthy: 0,
  NoTraffic: 0,
});

/** Health counts per namespace of a list of rows. */
export function countByNamespace(rows: readonly EntityRow[]): Map<string, HealthCounts> {
  const out = new Map<string, HealthCounts>();
  for (const r of rows) {
    const c = out.get(r.namespace) ?? out.set(r.namespace, emptyCounts()).get(r.namespace)!;
    c[r.health.status] += 1;
  }
  return out;
}
