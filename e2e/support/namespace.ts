import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** The e2e stack's kubeconfig (set by global-setup). */
export function e2eKubeconfig(): string {
  const path = process.env.MESHLENS_E2E_KUBECONFIG;
  if (!path) throw new Error('MESHLENS_E2E_KUBECONFIG is not set: run through e2e/playwright.config.ts');
  return path;
}

async function namespaceRequest(kubeconfig: string, method: 'POST' | 'DELETE', name: string): Promise<void> {
  const config = parse(readFileSync(kubeconfig, 'utf8')) as {
    clusters: { cluster: { server: string } }[];
    users?: { user: { token?: string } }[];
  };
  const server = config.clusters[0]?.cluster.server.replace(/\/+$/, '');
  if (!server) throw new Error(`${kubeconfig} names no cluster server`);
  const token = config.users?.[0]?.user.token;
  const res = await fetch(`${server}/api/v1/namespaces${method === 'DELETE' ? `/${name}` : ''}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body:
      method === 'POST'
        ? JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })
        : undefined,
  });
  const fine =
    res.ok || (method === 'POST' && res.status === 409) || (method === 'DELETE' && res.status === 404);
  if (!fine) throw new Error(`${method} namespace ${name}: HTTP ${res.status} ${await res.text()}`);
}

/** A namespace of a spec's own (created if missing), for objects no other spec sees. */
export const createNamespace = (kubeconfig: string, name: string) =>
  namespaceRequest(kubeconfig, 'POST', name);
export const deleteNamespace = (kubeconfig: string, name: string) =>
  namespaceRequest(kubeconfig, 'DELETE', name);
