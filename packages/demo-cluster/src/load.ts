/** Loading manifests (multi-document YAML) into the cluster, and the bundled Istio CRDs. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import type { Cluster } from './cluster';
import { badRequest } from './errors';
import type { KObject } from './types';
import { splitApiVersion } from './types';

/** The project's copy of Istio's crd-all.gen.yaml (Istio 1.30.3, see data/istio/README.md). */
export const ISTIO_CRDS_PATH = fileURLToPath(
  new URL('../../../data/istio/crd-all.gen.yaml', import.meta.url),
);

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export function parseManifests(text: string): KObject[] {
  const out: KObject[] = [];
  for (const doc of YAML.parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(doc.errors[0]?.message ?? 'invalid YAML');
    const v = doc.toJS() as unknown;
    if (!v || typeof v !== 'object') continue;
    const o = v as KObject;
    if (o.kind === 'List' && Array.isArray(o.items)) out.push(...(o.items as KObject[]));
    else out.push(o);
  }
  return out;
}

/** Creates or replaces each object (like `kubectl apply`), creating missing namespaces first. */
export function applyObjects(cluster: Cluster, objects: KObject[], defaultNamespace = 'default'): KObject[] {
  const applied: KObject[] = [];
  // CRDs first, so that custom resources in the same file can be created.
  const ordered = [...objects].sort((a, b) => rank(a) - rank(b));
  for (const obj of ordered) {
    const { group, version } = splitApiVersion(String(obj.apiVersion ?? ''));
    const t = cluster.registry.byKind(group, String(obj.kind ?? ''));
    if (!t || !t.versions.includes(version))
      throw badRequest(`no matches for kind "${String(obj.kind)}" in version "${String(obj.apiVersion)}"`);
    const ns = t.namespaced ? (obj.metadata?.namespace ?? defaultNamespace) : '';
    if (t.namespaced && !cluster.store.get('namespaces', '', ns)) {
      const nsType = cluster.registry.byResource('', 'namespaces');
      if (nsType) cluster.create(nsType, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    }
    const name = obj.metadata?.name ?? '';
    const existing = name ? cluster.store.get(cluster.keyOf(t), ns, name) : undefined;
    const metadata = { ...obj.metadata, ...(t.namespaced ? { namespace: ns } : {}) };
    // As `kubectl apply` does, so that a later `kubectl apply` of the same files patches cleanly.
    const { [LAST_APPLIED]: _previous, ...annotations } = metadata.annotations ?? {};
    const lastApplied = JSON.stringify(sortKeys({ ...obj, metadata: { ...metadata, annotations } }));
    const body = {
      ...obj,
      metadata: { ...metadata, annotations: { ...annotations, [LAST_APPLIED]: `${lastApplied}\n` } },
    };
    if (existing) {
      const { resourceVersion: _rv, ...meta } = body.metadata;
      applied.push(cluster.update(t, ns, name, { ...body, metadata: meta }).object);
    } else applied.push(cluster.create(t, ns, body).object);
  }
  return applied;
}

/** JSON with object keys sorted, as Go marshals the maps kubectl writes into the annotation. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!v || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
  );
}

function rank(o: KObject): number {
  if (o.kind === 'CustomResourceDefinition') return 0;
  if (o.kind === 'Namespace') return 1;
  return 2;
}

/** Applies a manifest file, or every .yaml/.yml/.json file of a directory (like `kubectl apply -f DIR`). */
export function loadFile(cluster: Cluster, path: string): KObject[] {
  if (statSync(path).isDirectory()) {
    return readdirSync(path)
      .filter((f) => /\.(ya?ml|json)$/.test(f))
      .sort()
      .flatMap((f) => loadFile(cluster, join(path, f)));
  }
  try {
    return applyObjects(cluster, parseManifests(readFileSync(path, 'utf8')));
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}
