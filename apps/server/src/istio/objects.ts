/**
 * Raw Istio objects: list, read, create, replace, merge-patch and delete under
 * `/api/namespaces/:namespace/istio/:kind[/:name]`, each write checked (CRD schema + validations) first
 * and carrying the resourceVersion it was based on.
 */
import type { IstioListResponse, IstioObjectResponse, ValidationCause } from '@meshlens/contract';
import { namespaceOf, validateMesh } from '@meshlens/istio';
import { ConflictError, NotFoundError } from '../errors';
import {
  checkChange,
  checkObjects,
  danglingSubsets,
  kubeToHttp,
  meshFrom,
  meshWith,
  validationError,
} from './checks';
import type { IstioKind } from './crds';
import type { KubeObject } from './kubeClient';
import { freshObjects, type IstioRouteDeps } from './routing';
import { runSteps, tidy, type StepResult } from './writer';

/** Tells `deps.onWrite` of a raw write that was made (not a dry run). */
async function told(deps: IstioRouteDeps, verb: string, results: StepResult[], dryRun: boolean) {
  const o = results[0]?.step.object;
  if (dryRun || !o || !deps.onWrite) return;
  const namespace = o.metadata.namespace ?? 'default';
  await deps.onWrite({ summary: `${verb} ${o.kind} ${namespace}/${o.metadata.name}`, namespace, results });
}

export function kindOf(deps: IstioRouteDeps, name: string): IstioKind {
  const k = deps.crds.find(name);
  if (!k)
    throw new NotFoundError(
      `unknown Istio kind ${JSON.stringify(name)}; one of ${deps.crds.kinds.map((x) => x.plural).join(', ')}`,
    );
  return k;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return patch;
  const out: Json = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** The body as an object of this kind in this namespace (name checked against the URL when given). */
export function shapeOf(body: unknown, kind: IstioKind, namespace: string, name?: string): KubeObject {
  const causes: ValidationCause[] = [];
  const cause = (path: string, message: string) => causes.push({ path, message, code: 'InvalidObject' });
  if (!isObj(body)) {
    cause('', 'the body must be a Kubernetes object (JSON or YAML)');
    throw validationError('invalid object', causes);
  }
  const meta = isObj(body.metadata) ? body.metadata : undefined;
  if (body.kind !== kind.kind) cause('kind', `must be ${kind.kind}`);
  const served = kind.versions.map((v) => `${kind.group}/${v}`);
  if (typeof body.apiVersion !== 'string' || !served.includes(body.apiVersion))
    cause('apiVersion', `must be one of ${served.join(', ')}`);
  if (!meta) cause('metadata', 'required');
  else {
    if (typeof meta.name !== 'string' || meta.name === '') cause('metadata/name', 'required');
    else if (name !== undefined && meta.name !== name)
      cause('metadata/name', `must be ${name}, as in the URL`);
    if (meta.namespace !== undefined && meta.namespace !== namespace)
      cause('metadata/namespace', `must be ${namespace}, as in the URL`);
  }
  if (causes.length) throw validationError('invalid object', causes);
  return { ...body, metadata: { ...meta, namespace } } as KubeObject;
}

async function current(deps: IstioRouteDeps, kind: IstioKind, namespace: string, name: string) {
  const key = { apiVersion: kind.apiVersion, kind: kind.kind, namespace, name };
  let obj: KubeObject | undefined;
  try {
    obj = await deps.client.get(key);
  } catch (err) {
    throw kubeToHttp(err, `read ${kind.kind} ${namespace}/${name}`);
  }
  if (!obj) throw new NotFoundError(`no ${kind.kind} ${namespace}/${name}`);
  return obj;
}

/**
 * Checks before a write, in the mesh with this namespace's routing config read now (not cached). `stored`:
 * the object as it is now (a replace or patch); the problems it already has do not block the write.
 */
async function checked(deps: IstioRouteDeps, obj: KubeObject, stored?: KubeObject) {
  const namespace = obj.metadata.namespace ?? 'default';
  const mesh = meshFrom(deps.inventory, { namespace, objects: await freshObjects(deps.client, namespace) });
  const { validations, causes } = checkChange([obj], mesh, deps.crds, stored ? [tidy(stored)] : []);
  // Only for objects the checks accept (the schema's types hold then).
  if (causes.length === 0) causes.push(...danglingSubsets(mesh, meshWith(mesh, [obj]), [obj], deps.crds));
  if (causes.length > 0) throw validationError(`${obj.kind} ${obj.metadata.name} is invalid`, causes);
  return validations;
}

function staleCheck(obj: KubeObject, basedOn: string | undefined, what: string): void {
  if (basedOn === undefined)
    throw validationError(what, [
      {
        path: 'metadata/resourceVersion',
        message: 'required: the resourceVersion this change is based on',
        code: 'Required',
      },
    ]);
  if (basedOn !== obj.metadata.resourceVersion)
    throw new ConflictError(
      `${obj.kind} ${obj.metadata.namespace}/${obj.metadata.name} changed since resourceVersion ${basedOn} (now ${obj.metadata.resourceVersion}); reload it`,
      { current: tidy(obj) },
    );
}

export async function listObjects(
  deps: IstioRouteDeps,
  namespace: string,
  kindName: string,
): Promise<IstioListResponse> {
  const kind = kindOf(deps, kindName);
  let items: KubeObject[];
  try {
    items = (await deps.client.list(kind.apiVersion, kind.kind, namespace)).map((o) =>
      tidy({ ...o, apiVersion: o.apiVersion ?? kind.apiVersion, kind: kind.kind }),
    );
  } catch (err) {
    throw kubeToHttp(err, `list ${kind.plural} in ${namespace}`);
  }
  const mesh = meshWith(meshFrom(deps.inventory), items);
  const all = validateMesh(mesh, { schemas: deps.crds.schemas });
  const validations = items.map(
    (o) =>
      all.find((v) => v.kind === o.kind && v.namespace === namespace && v.name === o.metadata.name) ?? {
        kind: o.kind,
        namespace,
        name: o.metadata.name,
        valid: true,
        checks: deps.crds.schemas.validate(o),
      },
  );
  return { kind: kind.kind, items, validations };
}

export async function getObject(deps: IstioRouteDeps, namespace: string, kindName: string, name: string) {
  const kind = kindOf(deps, kindName);
  const obj = tidy(await current(deps, kind, namespace, name));
  const { validations } = checkObjects([obj], meshFrom(deps.inventory), deps.crds);
  return { object: obj, validations, dryRun: false } satisfies IstioObjectResponse;
}

export async function createObject(
  deps: IstioRouteDeps,
  namespace: string,
  kindName: string,
  body: unknown,
  dryRun: boolean,
): Promise<IstioObjectResponse> {
  const kind = kindOf(deps, kindName);
  const obj = shapeOf(body, kind, namespace);
  const { resourceVersion: _rv, ...meta } = obj.metadata;
  const validations = await checked(deps, obj);
  const results = await runSteps(
    deps.client,
    [{ action: 'create', object: { ...obj, metadata: meta } as KubeObject }],
    {
      dryRun,
      logger: deps.logger,
    },
  );
  await told(deps, 'create', results, dryRun);
  const [r] = results;
  return { object: tidy(r?.result ?? obj), validations, dryRun };
}

export async function replaceObject(
  deps: IstioRouteDeps,
  namespace: string,
  kindName: string,
  name: string,
  body: unknown,
  dryRun: boolean,
): Promise<IstioObjectResponse> {
  const kind = kindOf(deps, kindName);
  const obj = shapeOf(body, kind, namespace, name);
  const basedOn = obj.metadata.resourceVersion;
  const now = await current(deps, kind, namespace, name);
  staleCheck(now, basedOn, `${kind.kind} ${name}: a replace must say which version it replaces`);
  const validations = await checked(deps, obj, now);
  const results = await runSteps(deps.client, [{ action: 'update', object: obj, previous: now }], {
    dryRun,
    logger: deps.logger,
  });
  await told(deps, 'edit', results, dryRun);
  const [r] = results;
  return { object: tidy(r?.result ?? obj), validations, dryRun };
}

export async function patchObject(
  deps: IstioRouteDeps,
  namespace: string,
  kindName: string,
  name: string,
  patch: unknown,
  query: { dryRun: boolean; resourceVersion?: string },
): Promise<IstioObjectResponse> {
  const kind = kindOf(deps, kindName);
  if (!isObj(patch))
    throw validationError('invalid patch', [
      { path: '', message: 'a merge patch must be an object', code: 'InvalidPatch' },
    ]);
  const now = await current(deps, kind, namespace, name);
  const patchRv = isObj(patch.metadata) ? patch.metadata.resourceVersion : undefined;
  const basedOn = typeof patchRv === 'string' ? patchRv : query.resourceVersion;
  staleCheck(now, basedOn, `${kind.kind} ${name}: a patch must say which version it changes`);
  const merged = shapeOf(mergePatch(tidy(now), patch), kind, namespace, name);
  merged.metadata.resourceVersion = now.metadata.resourceVersion;
  const validations = await checked(deps, merged, now);
  const results = await runSteps(deps.client, [{ action: 'update', object: merged, previous: now }], {
    dryRun: query.dryRun,
    logger: deps.logger,
  });
  await told(deps, 'edit', results, query.dryRun);
  const [r] = results;
  return { object: tidy(r?.result ?? merged), validations, dryRun: query.dryRun };
}

export async function deleteObject(
  deps: IstioRouteDeps,
  namespace: string,
  kindName: string,
  name: string,
  query: { dryRun: boolean; resourceVersion?: string },
) {
  const kind = kindOf(deps, kindName);
  const now = await current(deps, kind, namespace, name);
  if (query.resourceVersion !== undefined) staleCheck(now, query.resourceVersion, 'delete');
  if (now.kind === 'DestinationRule') {
    const mesh = meshFrom(deps.inventory, { namespace, objects: await freshObjects(deps.client, namespace) });
    const after = {
      ...mesh,
      destinationRules: mesh.destinationRules.filter(
        (d) => !(d.metadata.name === name && namespaceOf(d) === namespace),
      ),
    };
    const causes = danglingSubsets(mesh, after, [now], deps.crds);
    if (causes.length > 0)
      throw validationError(`deleting DestinationRule ${namespace}/${name} would break routing`, causes);
  }
  const results = await runSteps(deps.client, [{ action: 'delete', object: now }], {
    dryRun: query.dryRun,
    logger: deps.logger,
  });
  await told(deps, 'delete', results, query.dryRun);
  return { deleted: { kind: kind.kind, namespace, name }, dryRun: query.dryRun };
}
