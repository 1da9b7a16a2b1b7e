/** A kubeconfig for the emulator: its URL (https with the CA, for kubectl to send the token), a bearer token. */
import YAML from 'yaml';

export function kubeconfigFor(url: string, token: string, caCert?: string, name = 'meshlens-demo'): string {
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        cluster: caCert
          ? { server: url, 'certificate-authority-data': Buffer.from(caCert).toString('base64') }
          : { server: url },
      },
    ],
    users: [{ name: `${name}-user`, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-user`, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}
