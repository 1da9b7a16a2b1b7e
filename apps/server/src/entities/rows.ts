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
import { entityKey, inboundSummary, type EntityRates, type Traffic } from './rates';

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

/** Rows of one kind, for the selected namespaces, sorted by namespace then name. */
export function buildRows(kind: EntityKind, input: RowsInput): EntityRow[] {
  const { snapshot, rates, index, rules, namespaces } = input;
  const nsAnnotations = new Map(snapshot.namespaces.map((n) => [n.name, n.annotations]));
  const workloads = snapshot.workloads.filter((w) => namespaces.has(w.namespace));
  const services = snapshot.services.filter((s) => namespaces.has(s.namespace));
  const servicesByNs = new Map<string, typeof services>();
  for (const s of services)
    (servicesByNs.get(s.namespace) ?? servicesByNs.set(s.namespace, []).get(s.namespace)!).push(s);
  const servicesOf = (w: WorkloadInfo) =>
    (servicesByNs.get(w.namespace) ?? []).filter((s) => selects(s.selector, w.labels));
  const rows: EntityRow[] = [];

  if (kind === 'workloads') {
    for (const w of workloads) {
      const t = rates.workloads.get(entityKey(w.namespace, w.name));
      const tol = tolerancesFor(
        {
          namespace: w.namespace,
          kind: 'workload',
          name: w.name,
          objectAnnotations: w.annotations,
          namespaceAnnotations: nsAnnotations.get(w.namespace),
        },
        rules,
      );
      const svcs = servicesOf(w);
      const refs = uniqueRefs([
        ...workloadRefs(index, w.namespace, w.labels),
        ...svcs.flatMap((s) => serviceRefs(index, s.namespace, s.name)),
      ]);
      rows.push({
        kind: 'workload',
        name: w.name,
        namespace: w.namespace,
        health: withSidecarNotes(combine(health(t, tol), workloadHealth(w)), [w]),
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
    const apps = new Map<string, WorkloadInfo[]>();
    for (const w of workloads) {
      if (w.app === undefined) continue;
      const key = entityKey(w.namespace, w.app);
      (apps.get(key) ?? apps.set(key, []).get(key)!).push(w);
    }
    for (const wls of apps.values()) {
      const { namespace, app } = wls[0]! as WorkloadInfo & { app: string };
      const t = rates.apps.get(entityKey(namespace, app));
      const tol = tolerancesFor(
        {
          namespace,
          kind: 'app',
          name: app,
          objectAnnotations: wls.find((w) => w.annotations['meshlens.io/health-rate'])?.annotations,
          namespaceAnnotations: nsAnnotations.get(namespace),
        },
        rules,
      );
      const refs = uniqueRefs(
        wls.flatMap((w) => [
          ...workloadRefs(index, namespace, w.labels),
          ...servicesOf(w).flatMap((s) => serviceRefs(index, s.namespace, s.name)),
        ]),
      );
      rows.push({
        kind: 'app',
        name: app,
        namespace,
        health: withSidecarNotes(combine(health(t, tol), workloadsVerdict(wls)), wls),
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
    const wlsByNs = new Map<string, WorkloadInfo[]>();
    for (const w of workloads)
      (wlsByNs.get(w.namespace) ?? wlsByNs.set(w.namespace, []).get(w.namespace)!).push(w);
    for (const s of services) {
      const t = rates.services.get(entityKey(s.namespace, s.name));
      const tol = tolerancesFor(
        {
          namespace: s.namespace,
          kind: 'service',
          name: s.name,
          objectAnnotations: s.annotations,
          namespaceAnnotations: nsAnnotations.get(s.namespace),
        },
        rules,
      );
      const selected = (wlsByNs.get(s.namespace) ?? []).filter((w) => selects(s.selector, w.labels));
      rows.push({
        kind: 'service',
        name: s.name,
        namespace: s.namespace,
        health: health(t, tol),
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
