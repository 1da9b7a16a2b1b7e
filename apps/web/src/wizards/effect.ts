/**
 * The preview of a routing change's effect: the requests/s each version would receive under the routing
 * the wizard would write (packages/istio's predictLoad over the callers' live rates), beside its load now
 * and its peak, with warnings: a version that would get more than N× its peak, or requests with no ready
 * pod to serve them.
 */
import type { ServiceLoadResponse } from '@meshlens/contract';
import { predictLoad, type LoadSource, type MeshConfig, type UncertainRule } from '@meshlens/istio';

export const DEFAULT_PEAK_FACTOR = 2;

export interface EffectRow {
  version: string;
  now: number;
  peak: number;
  predicted: number;
  /** The most it could get if requests matched the rules metrics cannot weigh (≥ predicted). */
  upTo: number;
  pods: number | null;
  podsReady: number | null;
  /** Why this version needs a look, in words; empty when none. */
  warnings: string[];
  /** Only if requests matched rules metrics cannot weigh. */
  notes: string[];
}

export interface Effect {
  rows: EffectRow[];
  /** Requests/s that would reach no version (no route, a subset no DestinationRule defines). */
  unrouted: number;
  uncertain: UncertainRule[];
  /** The callers' total requests/s now. */
  total: number;
}

interface KubeLike {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toString() : n >= 10 ? n.toFixed(1) : n.toFixed(2));

/** The objects the routing would consist of: the preview's (what would be written), else the current ones. */
export function routingObjects(
  previewObjects: readonly unknown[] | undefined,
  current: { virtualService: unknown; destinationRule: unknown },
): { virtualService: unknown; destinationRule: unknown } {
  const find = (kind: string) => (previewObjects ?? []).find((o) => (o as KubeLike)?.kind === kind);
  return {
    virtualService: find('VirtualService') ?? current.virtualService,
    destinationRule: find('DestinationRule') ?? current.destinationRule,
  };
}

export function predictEffect(
  load: ServiceLoadResponse,
  routing: { virtualService: unknown; destinationRule: unknown },
  peakFactor: number = DEFAULT_PEAK_FACTOR,
): Effect {
  const config: MeshConfig = {
    virtualServices: routing.virtualService
      ? [routing.virtualService as MeshConfig['virtualServices'][number]]
      : [],
    destinationRules: routing.destinationRule
      ? [routing.destinationRule as MeshConfig['destinationRules'][number]]
      : [],
    peerAuthentications: [],
    serviceEntries: [],
    services: [{ name: load.service, namespace: load.namespace, ports: [] }],
  };
  const podsReady: Record<string, number> = {};
  for (const v of load.versions) if (v.podsReady !== null) podsReady[v.version] = v.podsReady;
  const sources: LoadSource[] = load.sources.map((s) => ({
    namespace: s.namespace,
    labels: (s.app === 'unknown' ? {} : { app: s.app, version: s.version }) as Record<string, string>,
    rps: s.rps,
  }));
  const p = predictLoad(config, load.namespace, load.service, sources, { podsReady });
  const names = new Set([...load.versions.map((v) => v.version), ...Object.keys(p.upTo)]);
  const rows: EffectRow[] = [...names].sort().map((version) => {
    const v = load.versions.find((x) => x.version === version);
    const now = v?.rps ?? 0;
    const peak = v?.peakRps ?? 0;
    const predicted = p.rps[version] ?? 0;
    const upTo = Math.max(predicted, p.upTo[version] ?? 0);
    const pods = v?.pods ?? null;
    const podsReady = v?.podsReady ?? null;
    const warnings: string[] = [];
    const notes: string[] = [];
    const noPods = podsReady === null || podsReady === 0;
    const podText =
      pods === null
        ? 'no workload of the service runs it'
        : `no ready pod (${pods} pod${pods === 1 ? '' : 's'})`;
    if (predicted > 0 && noPods) warnings.push(`${podText}: its ${fmt(predicted)} rps would fail (503)`);
    else if (upTo > 0 && noPods) notes.push(`${podText}: requests matching a rule below would fail`);
    const over = (rps: number) => rps > 0 && (peak > 0 ? rps > peakFactor * peak : true);
    const overText = (rps: number) =>
      peak > 0
        ? `${fmt(rps)} rps: ${(rps / peak).toFixed(1)}× its peak of the last hour (${fmt(peak)} rps; warning above ${peakFactor}×)`
        : `${fmt(rps)} rps, and it received no requests in the last hour`;
    if (over(predicted)) warnings.push(`would get ${overText(predicted)}`);
    else if (upTo > predicted && over(upTo)) notes.push(`could get up to ${overText(upTo)}`);
    return { version, now, peak, predicted, upTo, pods, podsReady, warnings, notes };
  });
  const total = load.sources.reduce((a, s) => a + s.rps, 0);
  return { rows, unrouted: p.unrouted, uncertain: p.uncertain, total };
}
