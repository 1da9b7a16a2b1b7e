import { readFileSync } from 'node:fs';
import { KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import type { GraphQueryInput, GraphResponse } from '@meshlens/contract';
import { graphSearchParams, GraphQuerySchema, GraphResponseSchema } from '@meshlens/contract';
import { createPrometheusClient, type PrometheusClient } from '../src/prometheus/client';

export const dataFile = (name: string) => new URL(`../../../data/istio/bookinfo/${name}`, import.meta.url);

/**
 * A KubeConfig whose API server nobody answers (port 9 on loopback, refused at once): for routes that must
 * answer before, or without, asking the Kubernetes API.
 */
export function unreachableKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'http://127.0.0.1:9', skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

/**
 * A Prometheus client whose server nobody answers (port 9 on loopback, refused at once): for routes whose
 * answer must not wait on Prometheus, or that show its absence as a warning.
 */
export function unreachablePrometheus(timeoutMs = 1000): PrometheusClient {
  return createPrometheusClient({ url: 'http://127.0.0.1:9', timeoutMs });
}

/** `kubectl apply` for the few objects the tests write: create, or replace at the current resourceVersion. */
export async function applyYaml(kubeconfigPath: string, text: string, namespace: string): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const api = KubernetesObjectApi.makeApiClient(kc);
  for (const doc of parseAllDocuments(text)) {
    const obj = doc.toJS() as KubernetesObject | null;
    if (!obj?.kind) continue;
    obj.metadata = { ...obj.metadata, namespace };
    try {
      await api.create(obj);
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err;
      const current = await api.read({
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        metadata: { name: obj.metadata.name ?? '', namespace },
      });
      obj.metadata.resourceVersion = current.metadata?.resourceVersion;
      await api.replace(obj);
    }
  }
}

export const applyFile = (kubeconfigPath: string, file: string, namespace = 'bookinfo') =>
  applyYaml(kubeconfigPath, readFileSync(dataFile(file), 'utf8'), namespace);

export async function getGraph(baseUrl: string, params: Partial<GraphQueryInput> & { namespaces: string }) {
  const q = GraphQuerySchema.parse(params);
  const res = await fetch(`${baseUrl}/api/graph?${graphSearchParams(q)}`);
  if (res.status !== 200) throw new Error(`graph answered ${res.status}: ${await res.text()}`);
  return GraphResponseSchema.parse(await res.json());
}

/** Polls until `check` returns a value (not undefined), or fails after timeoutMs with the last reason. */
export async function eventually<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 1000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export const edgesBy = (g: GraphResponse) => new Map(g.edges.map((e) => [e.id, e]));

/** A one-replica Deployment `name` (labels app=name, version=v1), as YAML for applyYaml. */
export const deploymentYaml = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  replicas: 1
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name}, version: v1 } }
    spec: { containers: [{ name: ${name}, image: x }] }
`;
