/** Which pods belong to a workload (by their owner, as Kiali matches them), with their containers. */
import type { LogPod } from '@meshlens/contract';
import type { KubeObject } from '../istio/kubeClient';

interface PodLike {
  metadata: KubeObject['metadata'];
  spec?: unknown;
  status?: unknown;
}

/** The workload a pod belongs to: its ReplicaSet's Deployment, or its owner, or itself. */
export function workloadOfPod(pod: PodLike): string {
  const owner = (pod.metadata.ownerReferences as { kind?: string; name?: string }[] | undefined)?.[0];
  if (!owner?.name) return pod.metadata.name;
  const hash = pod.metadata.labels?.['pod-template-hash'];
  if (owner.kind === 'ReplicaSet' && hash && owner.name.endsWith(`-${hash}`))
    return owner.name.slice(0, -hash.length - 1);
  return owner.name;
}

export function podsOfWorkload(pods: PodLike[], workload: string): LogPod[] {
  return pods
    .filter((p) => workloadOfPod(p) === workload)
    .map((p) => ({
      name: p.metadata.name,
      phase: (p.status as { phase?: string } | undefined)?.phase ?? 'Unknown',
      containers: ((p.spec as { containers?: { name: string }[] } | undefined)?.containers ?? []).map(
        (c) => c.name,
      ),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
