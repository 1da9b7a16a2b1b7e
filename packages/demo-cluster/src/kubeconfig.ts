/** A kubeconfig pointing at the emulator (plain HTTP on loopback, no credentials needed). */
import YAML from 'yaml';

export function kubeconfigFor(url: string, name = 'meshlens-demo'): string {
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: `${name}-user`, user: { token: 'demo' } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-user`, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}
