/**
 * `GET /api/istio/config?namespaces=a,b[&kinds=…]`: the Istio Config page in one answer. Each kind is
 * listed once from the API server (in the one namespace, or cluster-wide when several are selected) and
 * filtered to the selected namespaces; the mesh is validated once for the whole answer.
 *
 * Why a live list rather than the informer cache: the page must show an object on the first refresh after
 * a write through the console, and a watch event may still be on its way then; a LIST is a consistent
 * read. The cost is fixed — one list per kind (≤ 10) per answer, whatever the number of namespaces —
 * and three of the ten kinds are not watched at all. Services, workloads and the kinds not listed here
 * still come from the cache for validations.
 */
import type { IstioConfigQuery, IstioConfigResponse, ObjectValidationResult } from '@meshlens/contract';
import { validateMesh } from '@meshlens/istio';
import { HttpError } from '../errors';
import { kubeToHttp, meshFrom } from './checks';
import type { IstioKind } from './crds';
import { KubeApiError, type KubeObject } from './kubeClient';
import { kindOf } from './objects';
import type { IstioRouteDeps } from './routing';
import { tidy } from './writer';

const key = (kind: string, namespace: string, name: string) => `${kind}\u0000${namespace}\u0000${name}`;

export async function listConfig(
  deps: IstioRouteDeps,
  query: IstioConfigQuery,
): Promise<IstioConfigResponse> {
  const selected = new Set(query.namespaces);
  // One namespace: its lists are smaller than the cluster's. Several: one cluster-wide list per kind.
  const scope = query.namespaces.length === 1 ? query.namespaces[0] : undefined;
  const kinds = query.kinds.map((plural) => kindOf(deps, plural));
  // A user who may not list a kind cluster-wide (a namespace editor) gets one list per namespace.
  let perNamespace = false;
  const listKind = async (k: IstioKind): Promise<KubeObject[]> => {
    if (scope !== undefined) return deps.client.list(k.apiVersion, k.kind, scope);
    try {
      return await deps.client.list(k.apiVersion, k.kind, undefined);
    } catch (err) {
      if (!(err instanceof KubeApiError && err.status === 403)) throw err;
      perNamespace = true;
      const lists = await Promise.all(
        query.namespaces.map((ns) => deps.client.list(k.apiVersion, k.kind, ns)),
      );
      return lists.flat();
    }
  };
  const answers = await Promise.allSettled(kinds.map(listKind));

  const read: IstioKind[] = [];
  const fresh: KubeObject[] = [];
  const errors: IstioConfigResponse['errors'] = [];
  const failures: unknown[] = [];
  answers.forEach((a, i) => {
    const kind = kinds[i] as IstioKind;
    if (a.status === 'fulfilled') {
      read.push(kind);
      for (const o of a.value)
        fresh.push(tidy({ ...o, apiVersion: o.apiVersion ?? kind.apiVersion, kind: kind.kind }));
      return;
    }
    // The cluster does not serve this kind (its CRD is not installed): nothing to list, not an error.
    if (a.reason instanceof KubeApiError && a.reason.status === 404) return;
    const mapped = kubeToHttp(a.reason, `list ${kind.plural}`);
    failures.push(mapped);
    errors.push({
      plural: kind.plural,
      kind: kind.kind,
      // The API server's own words (the page prefixes the kind).
      message:
        mapped instanceof HttpError
          ? mapped.message.replace(/^(Kubernetes: )?list \S+: /, '')
          : a.reason instanceof Error
            ? a.reason.message
            : String(a.reason),
    });
  });
  // Nothing could be read at all (API server down, no permission): one error, not ten lines.
  if (failures.length > 0 && failures.length === kinds.length && failures[0] instanceof HttpError)
    throw failures[0];

  const items = fresh
    .filter((o) => selected.has(o.metadata.namespace ?? ''))
    .sort(
      (a, b) =>
        (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
        a.kind.localeCompare(b.kind) ||
        a.metadata.name.localeCompare(b.metadata.name),
    );
  // The cache's objects of the kinds just read are replaced by the lists (all namespaces, or the one).
  const mesh = meshFrom(deps.inventory, {
    namespace: scope,
    ...(perNamespace ? { namespaces: selected } : {}),
    kinds: new Set(read.map((k) => k.kind)),
    objects: fresh,
  });
  const found = new Map<string, ObjectValidationResult>();
  for (const v of validateMesh(mesh, { schemas: deps.crds.schemas }))
    if (selected.has(v.namespace)) found.set(key(v.kind, v.namespace, v.name), v);
  const validations = items.map((o): ObjectValidationResult => {
    const namespace = o.metadata.namespace ?? '';
    const v = found.get(key(o.kind, namespace, o.metadata.name));
    if (v) return v;
    // Kinds the semantic checks do not model: their CRD schema only.
    const checks = deps.crds.schemas.validate(o);
    return {
      kind: o.kind,
      namespace,
      name: o.metadata.name,
      valid: !checks.some((c) => c.severity === 'error'),
      checks,
    };
  });
  return {
    namespaces: query.namespaces,
    kinds: read.map((k) => ({ plural: k.plural, kind: k.kind, apiVersion: k.apiVersion })),
    items: items as IstioConfigResponse['items'],
    validations,
    errors,
  };
}
