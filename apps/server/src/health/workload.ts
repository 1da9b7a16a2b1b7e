import type { Verdict } from './verdict';

/** What workload health reads of a workload (inventory/types.ts WorkloadInfo fits). */
export interface WorkloadState {
  name: string;
  /** Desired replicas; undefined when unknown (bare pods, kinds without a replica count). */
  desired?: number;
  /** Available replicas as the controller reports them; undefined when unknown. */
  available?: number;
  /** Pods seen, pods Ready, pods running an istio-proxy container. */
  pods?: number;
  podsReady?: number;
  podsWithSidecar?: number;
  /** Gateways run a proxy of their own, never a sidecar: no "missing sidecar" for them. */
  isGateway?: boolean;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Workload health (Kiali): desired 0 → NotReady (scaled to 0); none available → Failure; fewer available
 * than desired → Degraded. Without a replica count (bare pods, …) the pods' readiness decides the same
 * way. Enough pods → NoTraffic (the workload adds nothing; request health decides). A missing sidecar
 * never changes the status (as in Kiali it is a badge, not a health state); see missingSidecar().
 */
export function workloadHealth(w: WorkloadState): Verdict {
  if (w.desired === 0) return { status: 'NotReady', reasons: [`${w.name}: scaled to 0`] };
  if (w.desired !== undefined && w.available !== undefined) {
    if (w.available === 0)
      return { status: 'Failure', reasons: [`${w.name}: no pod available of ${w.desired}`] };
    if (w.available < w.desired)
      return {
        status: 'Degraded',
        reasons: [`${w.name}: ${w.available} of ${w.desired} pods available`],
      };
    return { status: 'NoTraffic', reasons: [] };
  }
  if (w.desired === undefined && w.pods !== undefined && w.podsReady !== undefined && w.pods > 0) {
    if (w.podsReady === 0)
      return { status: 'Failure', reasons: [`${w.name}: none of ${plural(w.pods, 'pod')} ready`] };
    if (w.podsReady < w.pods)
      return { status: 'Degraded', reasons: [`${w.name}: ${w.podsReady} of ${w.pods} pods ready`] };
  }
  return { status: 'NoTraffic', reasons: [] };
}

/** `reviews-v1: 1 of 2 pods without an istio-proxy sidecar (outside the mesh)`, or undefined. */
export function missingSidecar(w: WorkloadState): string | undefined {
  if (w.isGateway || w.pods === undefined || w.podsWithSidecar === undefined) return undefined;
  const missing = w.pods - w.podsWithSidecar;
  if (missing <= 0) return undefined;
  return `${w.name}: ${missing} of ${plural(w.pods, 'pod')} without an istio-proxy sidecar (outside the mesh)`;
}
