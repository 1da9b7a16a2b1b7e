/** What every write goes through: body checks against the URL, schema validation, pruning and defaults. */
import {
  applyDefaults,
  BUILT_IN_FIELDS,
  type IpAllocator,
  validateBuiltIn,
  validateMetadata,
} from './builtins';
import { celCauses } from './cel';
import type { WriteOptions } from './cluster';
import { badRequest, invalid } from './errors';
import { clone } from './patch';
import type { KObject, ResourceType } from './types';
import { apiVersionOf, splitApiVersion } from './types';
import { compileSchema, pruneUnknown, schemaCauses } from './validate';

/** Checks apiVersion/kind/namespace of a request body against the URL and fills what is missing. */
export function normalise(t: ResourceType, ns: string, body: unknown, name?: string): KObject {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('the request body must be a JSON or YAML object');
  const obj = clone(body) as KObject;
  obj.metadata = obj.metadata && typeof obj.metadata === 'object' ? obj.metadata : {};
  if (obj.kind !== undefined && obj.kind !== t.kind) {
    throw badRequest(
      `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersionOf(t.group, t.versions[0] ?? '')}) or kind ${String(obj.kind)} is not ${t.kind}`,
    );
  }
  if (obj.apiVersion !== undefined) {
    const { group, version } = splitApiVersion(String(obj.apiVersion));
    if (group !== t.group || !t.versions.includes(version)) {
      throw badRequest(
        `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersionOf(t.group, t.versions[0] ?? '')})`,
      );
    }
  }
  obj.kind = t.kind;
  obj.apiVersion = apiVersionOf(t.group, t.versions[0] ?? 'v1');
  if (t.namespaced) {
    if (obj.metadata.namespace && obj.metadata.namespace !== ns) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    obj.metadata.namespace = ns;
  } else delete obj.metadata.namespace;
  if (name !== undefined) {
    if (obj.metadata.name && obj.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    obj.metadata.name = name;
  }
  return obj;
}

/** ObjectMeta's fields: any other key under `metadata` is an unknown field (pruned, or refused when Strict). */
const OBJECT_META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

/** Schema validation, pruning and defaults; returns warnings (unknown fields with fieldValidation=Warn). */
export function check(
  t: ResourceType,
  obj: KObject,
  old: KObject | undefined,
  opts: WriteOptions,
  ips: IpAllocator,
): string[] {
  const unknown: string[] = [];
  const fieldValidation = opts.fieldValidation ?? 'Warn';
  const meta = obj.metadata as Record<string, unknown>;
  for (const k of Object.keys(meta)) {
    if (OBJECT_META_FIELDS.has(k)) continue;
    unknown.push(`metadata.${k}`);
    delete meta[k];
  }
  let version = t.versions[0];
  if (t.crd) {
    const versions = (t.crd.spec as { versions: { name: string; schema?: { openAPIV3Schema?: unknown } }[] })
      .versions;
    const v = versions.find((x) => x.name === version) ?? versions[0];
    version = v?.name;
    const schema = v?.schema?.openAPIV3Schema;
    if (schema) {
      unknown.push(...pruneUnknown(obj, schema));
      const fn = compileSchema(
        `${t.crd.metadata.uid ?? ''}/${t.crd.metadata.resourceVersion ?? ''}/${v?.name ?? ''}`,
        schema,
      );
      const causes = schemaCauses(fn, obj);
      if (causes.length === 0) causes.push(...celCauses(obj, schema));
      if (causes.length > 0) throw invalid(t.kind, t.group, obj.metadata.name ?? '', causes);
    }
  } else {
    const known = new Set([
      'apiVersion',
      'kind',
      'metadata',
      'spec',
      'status',
      ...(BUILT_IN_FIELDS[t.kind] ?? []),
    ]);
    for (const k of Object.keys(obj)) {
      if (!known.has(k)) {
        unknown.push(k);
        delete obj[k];
      }
    }
  }
  const warnings: string[] = [];
  if (unknown.length > 0 && fieldValidation === 'Strict') {
    const list = unknown.map((u) => `unknown field "${u}"`).join(', ');
    throw badRequest(
      `${t.kind} in version "${version ?? ''}" cannot be handled as a ${t.kind}: strict decoding error: ${list}`,
    );
  }
  if (fieldValidation === 'Warn') warnings.push(...unknown.map((u) => `unknown field "${u}"`));
  const causes = [...validateMetadata(obj), ...(t.crd ? [] : validateBuiltIn(obj))];
  if (causes.length > 0)
    throw invalid(t.kind, t.group, obj.metadata.name ?? obj.metadata.generateName ?? '', causes);
  applyDefaults(obj, old, ips);
  return warnings;
}
