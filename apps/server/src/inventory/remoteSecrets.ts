/**
 * Further clusters from Istio's remote secrets, as istiod and Kiali find them: Secrets labelled
 * `istio/multiCluster=true` in the Istio namespace (what `istioctl create-remote-secret` makes), each data
 * key a cluster name (its Istio cluster id) and its value a kubeconfig for that cluster's API server.
 */
import { CoreV1Api, KubeConfig, type V1Secret } from '@kubernetes/client-node';
import { makeApiClient } from '../kubeApi';

export const REMOTE_SECRET_LABEL = 'istio/multiCluster=true';

export interface RemoteCluster {
  name: string;
  kc: KubeConfig;
  /** `<namespace>/<secret>` it came from. */
  source: string;
}

/**
 * The clusters the secrets name, and what was wrong with the entries that could not be read (a value that
 * is no kubeconfig, one without a current cluster, a name given twice). `skip` are names already read
 * (the home cluster, kubeconfig contexts): not read twice.
 */
export function clustersOfSecrets(
  secrets: readonly V1Secret[],
  skip: ReadonlySet<string>,
): { clusters: RemoteCluster[]; problems: string[] } {
  const clusters: RemoteCluster[] = [];
  const problems: string[] = [];
  const seen = new Set(skip);
  for (const secret of secrets) {
    const source = `${secret.metadata?.namespace ?? ''}/${secret.metadata?.name ?? ''}`;
    for (const [name, b64] of Object.entries(secret.data ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
      if (seen.has(name)) {
        if (!skip.has(name))
          problems.push(`remote secret ${source}: cluster ${name} is named twice; kept the first`);
        continue;
      }
      const kc = new KubeConfig();
      try {
        kc.loadFromString(Buffer.from(b64, 'base64').toString('utf8'));
      } catch (err) {
        problems.push(
          `remote secret ${source}, key ${name}: not a kubeconfig (${err instanceof Error ? err.message : String(err)})`,
        );
        continue;
      }
      if (!kc.getCurrentCluster()) {
        problems.push(
          `remote secret ${source}, key ${name}: the kubeconfig has no current context and cluster`,
        );
        continue;
      }
      seen.add(name);
      clusters.push({ name, kc, source });
    }
  }
  return { clusters, problems };
}

/** The remote secrets of `namespace`, read with the console's own credentials. */
export async function listRemoteSecrets(
  kc: KubeConfig,
  namespace: string,
  timeoutMs: number,
): Promise<V1Secret[]> {
  const core = makeApiClient(kc, CoreV1Api, timeoutMs);
  const list = await core.listNamespacedSecret({ namespace, labelSelector: REMOTE_SECRET_LABEL });
  return list.items;
}
