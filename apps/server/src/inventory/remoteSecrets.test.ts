import type { V1Secret } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { clustersOfSecrets } from './remoteSecrets';

const kubeconfig = (server: string) =>
  Buffer.from(
    `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${server}" } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`,
  ).toString('base64');

const secret = (name: string, data: Record<string, string>): V1Secret => ({
  metadata: { name, namespace: 'istio-system', labels: { 'istio/multiCluster': 'true' } },
  data,
});

describe('clusters of remote secrets', () => {
  it('reads each data key as a cluster with its kubeconfig, skipping names read already', () => {
    const { clusters, problems } = clustersOfSecrets(
      [
        secret('istio-remote-secret-west', { west: kubeconfig('https://west.example:6443') }),
        secret('istio-remote-secret-more', {
          north: kubeconfig('https://north.example:6443'),
          east: kubeconfig('https://east.example:6443'),
        }),
      ],
      new Set(['east']),
    );
    expect(problems).toEqual([]);
    expect(clusters.map((c) => [c.name, c.kc.getCurrentCluster()?.server, c.source])).toEqual([
      ['west', 'https://west.example:6443', 'istio-system/istio-remote-secret-west'],
      ['north', 'https://north.example:6443', 'istio-system/istio-remote-secret-more'],
    ]);
  });

  it('says what is wrong with an entry and keeps the rest: no kubeconfig, no current cluster, a name twice', () => {
    const { clusters, problems } = clustersOfSecrets(
      [
        secret('a', {
          west: kubeconfig('https://west.example:6443'),
          broken: Buffer.from('{ not: [yaml').toString('base64'),
          empty: Buffer.from('apiVersion: v1\nkind: Config\n').toString('base64'),
        }),
        secret('b', { west: kubeconfig('https://other.example:6443') }),
      ],
      new Set(),
    );
    expect(clusters.map((c) => c.name)).toEqual(['west']);
    expect(clusters[0]?.kc.getCurrentCluster()?.server).toBe('https://west.example:6443');
    expect(problems).toEqual([
      expect.stringMatching(/^remote secret istio-system\/a, key broken: not a kubeconfig/),
      'remote secret istio-system/a, key empty: the kubeconfig has no current context and cluster',
      'remote secret istio-system/b: cluster west is named twice; kept the first',
    ]);
  });
});
