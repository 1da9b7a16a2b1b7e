/**
 * Checks before a write and the errors they raise: the mesh as validations see it (informer cache, with
 * fresh lists where we write), CRD schema + semantic validations of @meshlens/istio, and the mapping of
 * zod issues, builder refusals and Kubernetes API errors to the one error body.
 */
import type { ForbiddenDetails, ValidationCause } from '@meshlens/contract';
import {
  CHECKS,
  IntentError,
  validateMesh,
  validateObject,
  validateVirtualService,
  withObject,
  type IstioConfigObject,
  type MeshConfig,
  type ObjectValidation,
  type ValidationCheck,
  meshConfigFromObjects,
  namespaceOf,
  resolveConfigHost,
  subsetsUsed,
  type DestinationRule,
  wellFormed,
} from '@meshlens/istio';
import type { z } from 'zod';
import {
  ConflictError,
  HttpError,
  NotAllowedError,
  NotFoundError,
  UnauthorizedError,
  UpstreamError,
} from '../errors';
import type { Inventory } from '../inventory/informers';
import type { IstioCrds } from './crds';
import { KubeApiError, type KubeObject } from './kubeClient';

/** 422: the object or intent is refused; `details.causes` say where and why. */
export class ValidationError extends HttpError {
  constructor(message: string, causes: ValidationCause[]) {
    super('ValidationError', 422, message, { causes });
  }
}

/** `['spec','http',0,'route']` → `spec/http[0]/route`. */
export function toPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out ? `/${String(s)}` : String(s);
  }
  return out;
}

/** `spec.http[0].route[0].weight` (Kubernetes field paths) → `spec/http[0]/route[0]/weight`. */
export const fieldToPath = (field: string) => field.replace(/\.(?![^[]*\])/g, '/');

export function zodCauses(error: z.ZodError, prefix: PropertyKey[] = []): ValidationCause[] {
  return error.issues.map((i) => ({
    path: toPath([...prefix, ...i.path]),
    message:
      i.code === 'invalid_type' && /received undefined$/.test(i.message)
        ? 'required'
        : i.code === 'unrecognized_keys'
          ? `unknown field${(i as { keys?: string[] }).keys?.length === 1 ? '' : 's'} ${((i as { keys?: string[] }).keys ?? []).join(', ')}`
          : i.message,
    code: 'InvalidIntent',
  }));
}

const causesMessage = (what: string, causes: ValidationCause[]) =>
  `${what}: ${causes
    .slice(0, 5)
    .map((c) => `${c.object ? `${c.object} ` : ''}${c.path || '(object)'}: ${c.message}`)
    .join('; ')}${causes.length > 5 ? `; and ${causes.length - 5} more` : ''}`;

export const validationError = (what: string, causes: ValidationCause[]) =>
  new ValidationError(causesMessage(what, causes), causes);

/** A builder refusal: the service is unknown (404) or the intent does not fit it (422). */
export function intentToHttp(err: unknown): unknown {
  if (!(err instanceof IntentError)) return err;
  if (err.causes.some((c) => c.code === 'ML2000')) return new NotFoundError(err.message);
  return validationError('the intent does not fit the service', err.causes);
}

const objectName = (o: { kind: string; metadata: { name: string; namespace?: string } }) =>
  `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/**
 * The fields a strict field validation refused (`… strict decoding error: unknown field "spec.subsetz",
 * unknown field "spec.http[0].foo"`): the API server says so in the message of a 400, without causes.
 */
function unknownFields(err: KubeApiError): string[] {
  if (err.status !== 400 || !/strict decoding error/.test(err.message)) return [];
  return [...err.message.matchAll(/unknown field \\?"([^"\\]+)\\?"/g)].map((m) => m[1] as string);
}

/** A Kubernetes API error as the console's error; 409 carries the object as it is now. */
export function kubeToHttp(err: unknown, what: string, current?: KubeObject | null): unknown {
  if (!(err instanceof KubeApiError)) return err;
  if (err.status === 404) return new NotFoundError(`${what}: ${err.message}`);
  // The user's own credentials (auth/): 401 sends them to sign in again, 403 says who was refused what.
  if (err.status === 401)
    return new UnauthorizedError(
      `${what}: the API server no longer accepts these credentials; sign in again`,
    );
  if (err.status === 403)
    return new NotAllowedError(`${what}: ${err.message}`, {
      refusedBy: 'kubernetes',
      kubernetesMessage: err.message,
    } satisfies ForbiddenDetails);
  if (err.status === 409)
    return new ConflictError(
      err.reason === 'AlreadyExists'
        ? `${what} already exists`
        : `${what} was changed by someone else since it was read (stale resourceVersion); reload and try again`,
      { current: current ?? null },
    );
  if (err.status === 422 || err.status === 400) {
    const unknown = unknownFields(err);
    const causes = unknown.length
      ? unknown.map((f) => ({
          path: fieldToPath(f),
          message: `unknown field "${f.split(/[.[]/).pop() ?? f}"`,
          code: 'UnknownField',
          object: what,
        }))
      : err.causes.length
        ? err.causes.map((c) => ({
            path: fieldToPath(c.field ?? ''),
            message: c.message ?? c.reason ?? 'invalid',
            code: c.reason ?? 'FieldValueInvalid',
            object: what,
          }))
        : [{ path: '', message: err.message, code: err.reason ?? 'Invalid', object: what }];
    return validationError(`the cluster refused ${what}`, causes);
  }
  // Too slow: the deadline's message names the request path and the bound, no address.
  if (err.status === 0 && err.reason === 'Timeout')
    return new UpstreamError(`Kubernetes: ${what}: ${err.message}`, true, undefined, { cause: err });
  // No answer at all: the message names no address (the error's cause, logged, keeps it).
  if (err.status === 0)
    return new UpstreamError(`Kubernetes: ${what}: the API server is unreachable`, true, undefined, {
      cause: err,
    });
  return new UpstreamError(`Kubernetes: ${what}: ${err.message}`, err.status >= 503, undefined, {
    cause: err,
  });
}

const STAMPS: [string, string, string][] = [
  ['namespaces', 'v1', 'Namespace'],
  ['services', 'v1', 'Service'],
  ['deployments', 'apps/v1', 'Deployment'],
  ['virtualservices', 'networking.istio.io/v1', 'VirtualService'],
  ['destinationrules', 'networking.istio.io/v1', 'DestinationRule'],
  ['gateways', 'networking.istio.io/v1', 'Gateway'],
  ['serviceentries', 'networking.istio.io/v1', 'ServiceEntry'],
  ['peerauthentications', 'security.istio.io/v1', 'PeerAuthentication'],
];
const FRESH_KINDS = new Set(['VirtualService', 'DestinationRule', 'Gateway']);

/**
 * The mesh from the informer cache; objects in `fresh` (just listed from the API, in one namespace or in
 * all when `namespace` is undefined) replace the cached objects of their kinds (`kinds`, default
 * VirtualServices, DestinationRules and Gateways) there.
 */
export function meshFrom(
  inventory: Pick<Inventory, 'list'>,
  fresh?: {
    namespace: string | undefined;
    /** With `namespace` undefined: only these namespaces were listed (default: all). */
    namespaces?: ReadonlySet<string>;
    kinds?: ReadonlySet<string>;
    objects: KubeObject[];
  },
): MeshConfig {
  const objects: unknown[] = [];
  const replaced = fresh?.kinds ?? FRESH_KINDS;
  for (const [key, apiVersion, kind] of STAMPS) {
    for (const o of inventory.list(key)) {
      const ns = o.metadata?.namespace;
      if (
        fresh &&
        replaced.has(kind) &&
        (fresh.namespace === undefined
          ? !fresh.namespaces || fresh.namespaces.has(ns ?? '')
          : ns === fresh.namespace)
      )
        continue;
      objects.push({ ...o, apiVersion: (o as { apiVersion?: string }).apiVersion ?? apiVersion, kind });
    }
  }
  if (fresh) objects.push(...fresh.objects);
  return meshConfigFromObjects(objects);
}

const MODELLED = new Set([
  'VirtualService',
  'DestinationRule',
  'Gateway',
  'ServiceEntry',
  'PeerAuthentication',
]);

/** The mesh with these objects written. */
export function meshWith(mesh: MeshConfig, objects: KubeObject[]): MeshConfig {
  let m = mesh;
  for (const o of objects) if (MODELLED.has(o.kind)) m = withObject(m, o as unknown as IstioConfigObject);
  return m;
}

/** Schema and semantic checks of each object in the mesh as it will stand after the write. */
export function checkObjects(
  objects: KubeObject[],
  mesh: MeshConfig,
  crds: IstioCrds,
): { validations: ObjectValidation[]; causes: ValidationCause[] } {
  // The CRD schema first: objects it refuses get no semantic checks (those assume the schema's types),
  // and nothing is put into the mesh.
  const schema = objects.map((o) => crds.schemas.validate(o));
  if (schema.some((checks) => checks.some((c) => c.severity === 'error')))
    return summarise(
      objects,
      objects.map((o, i) => ({
        kind: o.kind,
        namespace: o.metadata.namespace ?? 'default',
        name: o.metadata.name,
        valid: !(schema[i] ?? []).some((c) => c.severity === 'error'),
        checks: schema[i] ?? [],
      })),
    );
  const after = meshWith(mesh, objects);
  // One pass over the mesh for all modelled objects (validateObject would make one per object).
  const all = objects.some((o) => MODELLED.has(o.kind)) ? validateMesh(after, { schemas: crds.schemas }) : [];
  const validations = objects.map((o): ObjectValidation => {
    const ns = o.metadata.namespace ?? 'default';
    const found = all.find((v) => v.kind === o.kind && v.namespace === ns && v.name === o.metadata.name);
    if (found) return found;
    if (MODELLED.has(o.kind))
      return validateObject(o as unknown as IstioConfigObject, after, { schemas: crds.schemas });
    const checks = crds.schemas.validate(o);
    return {
      kind: o.kind,
      namespace: o.metadata.namespace ?? 'default',
      name: o.metadata.name,
      valid: !checks.some((c) => c.severity === 'error'),
      checks,
    };
  });
  return summarise(objects, validations);
}

/** Validations and, from their errors, the causes of a refusal. */
function summarise(
  objects: KubeObject[],
  validations: ObjectValidation[],
): { validations: ObjectValidation[]; causes: ValidationCause[] } {
  return { validations, causes: errorCauses(validations, objects) };
}

const idOf = (o: { kind: string; metadata: { name: string; namespace?: string } }) =>
  `${o.kind}/${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;

/** The same problem: same code, and the same path or the same detailed message (paths shift when lists do). */
function sameProblem(a: ValidationCheck, b: ValidationCheck): boolean {
  if (a.code !== b.code) return false;
  if (a.path === b.path) return true;
  const plain = (CHECKS as Record<string, { message: string } | undefined>)[a.code]?.message;
  return a.message === b.message && a.message !== plain;
}

/**
 * The checks of a write: each object in the mesh as it will stand (checkObjects), compared with the same
 * object as it is now (`stored`, the current versions of the objects written). A problem the object
 * already had is marked `existing` (an error becomes a warning) and does not block the write: only the
 * problems the change introduces are `causes`.
 */
export function checkChange(
  objects: KubeObject[],
  mesh: MeshConfig,
  crds: IstioCrds,
  stored: KubeObject[],
): { validations: ObjectValidation[]; causes: ValidationCause[] } {
  const { validations } = checkObjects(objects, mesh, crds);
  const wanted = new Set(objects.map(idOf));
  const current = stored.filter((o) => wanted.has(idOf(o)));
  const before = new Map(
    current.length > 0
      ? checkObjects(current, meshWith(mesh, current), crds).validations.map((v) => [
          `${v.kind}/${v.namespace}/${v.name}`,
          v.checks,
        ])
      : [],
  );
  const marked = validations.map((v): ObjectValidation => {
    const had = before.get(`${v.kind}/${v.namespace}/${v.name}`) ?? [];
    const checks = v.checks.map((c) =>
      had.some((h) => sameProblem(c, h))
        ? {
            ...c,
            severity: c.severity === 'error' ? ('warning' as const) : c.severity,
            existing: true as const,
          }
        : c,
    );
    return { ...v, checks, valid: !checks.some((c) => c.severity === 'error') };
  });
  return { validations: marked, causes: errorCauses(marked, objects) };
}

function errorCauses(validations: ObjectValidation[], objects: KubeObject[]): ValidationCause[] {
  return validations.flatMap((v, i) =>
    v.checks
      .filter((c) => c.severity === 'error')
      .map((c) => ({
        path: c.path,
        message: c.message,
        code: c.code,
        object: objectName(objects[i] as KubeObject),
      })),
  );
}

/**
 * VirtualServices that a DestinationRule change (`after` vs `before`) would leave naming a subset no rule
 * defines (KIA1107, 503 NC at runtime): a cause per newly dangling reference.
 */
export function danglingSubsets(
  before: MeshConfig,
  after: MeshConfig,
  changed: KubeObject[],
  crds: IstioCrds,
): ValidationCause[] {
  // Only objects the checks can read (well formed, accepted by the CRD schema): objects from the cluster
  // normally are, but a cluster whose CRDs are older or looser than ours may hold others.
  const readable = (o: unknown) =>
    wellFormed(o) && !crds.schemas.validate(o as KubeObject).some((c) => c.severity === 'error');
  const domain = before.clusterDomain ?? 'cluster.local';
  const hosts = new Set(
    changed
      .filter((o) => o.kind === 'DestinationRule' && readable(o))
      .map((o) => {
        const dr = o as unknown as DestinationRule;
        return resolveConfigHost(dr.spec?.host ?? '', namespaceOf(dr), domain);
      }),
  );
  if (hosts.size === 0) return [];
  const causes: ValidationCause[] = [];
  for (const vs of after.virtualServices.filter(readable)) {
    if (![...hosts].some((h) => subsetsUsed(vs, h, domain).size > 0)) continue;
    const was = new Set(
      validateVirtualService(vs, before)
        .filter((c) => c.code === 'KIA1107')
        .map((c) => c.path),
    );
    for (const c of validateVirtualService(vs, after))
      if (c.code === 'KIA1107' && !was.has(c.path))
        causes.push({
          path: c.path,
          message: `${c.message} (it would be left without its subset)`,
          code: c.code,
          object: objectName(vs),
        });
  }
  return causes;
}

export { objectName };
