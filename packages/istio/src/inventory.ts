/**
 * From plain Kubernetes objects (as listed from the API or parsed from manifests) to a MeshConfig: Istio
 * kinds sorted into their arrays, Services into the service inventory, workloads (Deployment, StatefulSet,
 * DaemonSet, ReplicaSet, Pod) into `workloads` with their pod labels and whether a sidecar is injected.
 */
import type { MeshConfig, WorkloadInfo } from './evaluate.types';
import type { DestinationRule, Gateway, PeerAuthentication, ServiceEntry, VirtualService } from './model';

interface K8sObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- arbitrary manifests
  spec?: any;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'Pod']);

function truthy(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  return v === 'true' || v === 'enabled';
}

/**
 * Sidecar injection as the injector decides it, simplified: a pod label or annotation
 * `sidecar.istio.io/inject` wins; otherwise the namespace label `istio-injection=enabled` or `istio.io/rev`.
 * Without the namespace object, injection is assumed (the usual state of a meshed namespace).
 */
export function sidecarInjected(
  podMeta: { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined,
  namespace: { labels?: Record<string, string> } | undefined,
): boolean {
  const own =
    truthy(podMeta?.labels?.['sidecar.istio.io/inject']) ??
    truthy(podMeta?.annotations?.['sidecar.istio.io/inject']);
  if (own !== undefined) return own;
  if (!namespace) return true;
  const nsLabels = namespace.labels ?? {};
  if (nsLabels['istio-injection'] !== undefined) return nsLabels['istio-injection'] === 'enabled';
  return nsLabels['istio.io/rev'] !== undefined;
}

/** Builds a MeshConfig from any mix of Kubernetes and Istio objects; unknown kinds are ignored. */
export function meshConfigFromObjects(
  objects: readonly unknown[],
  options: Pick<MeshConfig, 'rootNamespace' | 'clusterDomain' | 'autoMtls' | 'defaultHttpRetryPolicy'> = {},
): MeshConfig {
  const objs = objects.filter((o): o is K8sObject => typeof o === 'object' && o !== null) as K8sObject[];
  const nsOf = (o: K8sObject) => o.metadata?.namespace || 'default';
  const namespaces = new Map(
    objs
      .filter((o) => o.kind === 'Namespace' && o.metadata?.name)
      .map((o) => [o.metadata?.name as string, o.metadata]),
  );
  const istio = (kind: string) =>
    objs.filter(
      (o) => o.kind === kind && String(o.apiVersion ?? '').includes('istio.io') && o.metadata?.name,
    );
  const services: MeshConfig['services'] = objs
    .filter((o) => o.kind === 'Service' && o.apiVersion === 'v1' && o.metadata?.name)
    .map((o) => ({
      name: o.metadata?.name as string,
      namespace: nsOf(o),
      ports: (
        (o.spec?.ports ?? []) as {
          port: number;
          name?: string;
          protocol?: string;
          targetPort?: number | string;
        }[]
      ).map((p) => ({
        port: p.port,
        ...(p.name !== undefined ? { name: p.name } : {}),
        ...(p.protocol !== undefined ? { protocol: p.protocol } : {}),
        ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}),
      })),
      ...(o.spec?.selector ? { selector: o.spec.selector as Record<string, string> } : {}),
    }));
  const workloads: WorkloadInfo[] = objs
    .filter((o) => WORKLOAD_KINDS.has(o.kind ?? '') && o.metadata?.name)
    .map((o) => {
      const podMeta = o.kind === 'Pod' ? o.metadata : o.spec?.template?.metadata;
      return {
        name: o.metadata?.name as string,
        namespace: nsOf(o),
        labels: { ...((podMeta?.labels ?? {}) as Record<string, string>) },
        sidecar: sidecarInjected(podMeta, namespaces.size > 0 ? (namespaces.get(nsOf(o)) ?? {}) : undefined),
      };
    });
  return {
    ...options,
    virtualServices: istio('VirtualService') as unknown as VirtualService[],
    destinationRules: istio('DestinationRule') as unknown as DestinationRule[],
    peerAuthentications: istio('PeerAuthentication') as unknown as PeerAuthentication[],
    serviceEntries: istio('ServiceEntry') as unknown as ServiceEntry[],
    gateways: istio('Gateway') as unknown as Gateway[],
    services,
    workloads,
  };
}
