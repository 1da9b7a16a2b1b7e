/**
 * Makes this process the node's kubelet for logs: the demo cluster answers `pods/{name}/log` by asking the
 * kubelet its node's `demo-cluster/kubelet` annotation names (a loopback URL), as kube-apiserver asks a
 * node's kubelet. mesh-sim sets it on every node at start and takes it off when it stops.
 */
import { KubernetesObjectApi, PatchStrategy, type KubeConfig } from '@kubernetes/client-node';

/** The demo cluster's annotation (packages/demo-cluster `KUBELET_ANNOTATION`). */
export const KUBELET_ANNOTATION = 'demo-cluster/kubelet';

async function nodeNames(api: KubernetesObjectApi): Promise<string[]> {
  const list = await api.list('v1', 'Node');
  return list.items.map((n) => n.metadata?.name ?? '').filter(Boolean);
}

async function annotate(api: KubernetesObjectApi, name: string, value: string | null): Promise<void> {
  await api.patch(
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, annotations: { [KUBELET_ANNOTATION]: value } },
    } as never,
    undefined,
    undefined,
    'mesh-sim',
    undefined,
    PatchStrategy.MergePatch,
  );
}

/** Names `url` as the kubelet of every node; returns the undo (best effort). */
export async function registerKubelet(
  kc: KubeConfig,
  url: string,
  log: (msg: string) => void,
): Promise<() => Promise<void>> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  let names: string[] = [];
  try {
    names = await nodeNames(api);
    for (const n of names) await annotate(api, n, url);
    if (names.length) log(`container logs: kubelet of ${names.join(', ')} at ${url}/containerLogs/`);
  } catch (err) {
    log(`container logs: cannot name this process as the nodes' kubelet: ${(err as Error).message}`);
  }
  return async () => {
    for (const n of names) {
      try {
        const node = await api.read({ apiVersion: 'v1', kind: 'Node', metadata: { name: n } } as never);
        if (node.metadata?.annotations?.[KUBELET_ANNOTATION] === url) await annotate(api, n, null);
      } catch {
        /* the cluster may be gone first */
      }
    }
  };
}
