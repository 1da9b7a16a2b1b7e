/** The API semantics: create, update, patch, delete and list with the API server's checks and errors. */
import { randomUUID } from 'node:crypto';
import YAML from 'yaml';
import { check, normalise } from './admission';
import { IpAllocator } from './builtins';
import { initCrdStatus, validateCrd } from './crd';
import { ApiError, alreadyExists, badRequest, conflict, notFound, unsupportedMediaType } from './errors';
import { clone, jsonPatch, mergePatch, serverSideApply, strategicMergePatch } from './patch';
import { crdToResourceType, Registry } from './registry';
import type { FieldRequirement, Selector } from './selectors';
import { matchesFields, matchesLabels } from './selectors';
import { Store } from './store';
import type { KObject, ResourceType } from './types';
import { apiVersionOf, resourceKey } from './types';
import { deepEqual } from './util';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  dryRun?: boolean;
  fieldValidation?: FieldValidation;
  fieldManager?: string;
  /** Who writes, for `metadata.managedFields`: `fieldManager`, else the User-Agent's first token. */
  manager?: string;
  /** The managedFields operation (default Update; server-side apply: Apply). */
  operation?: 'Apply' | 'Update';
  subresource?: string;
  force?: boolean;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/**
 * The fields a manager set, simplified: each top-level field (and metadata's labels and annotations) as
 * `f:<name>`, without going deeper (the emulator tracks no per-field ownership outside server-side apply).
 */
function fieldsOf(obj: KObject, subresource?: string): Record<string, unknown> {
  if (subresource === 'status') return { 'f:status': {} };
  const out: Record<string, unknown> = {};
  const meta: Record<string, unknown> = {};
  if (obj.metadata.labels && Object.keys(obj.metadata.labels).length) meta['f:labels'] = {};
  if (obj.metadata.annotations && Object.keys(obj.metadata.annotations).length) meta['f:annotations'] = {};
  if (Object.keys(meta).length) out['f:metadata'] = meta;
  for (const k of Object.keys(obj))
    if (!['apiVersion', 'kind', 'metadata', 'status'].includes(k)) out[`f:${k}`] = {};
  return out;
}

/**
 * `managedFields` after a write by `opts.manager` (none named: unchanged): that manager's entry for this
 * operation and subresource gets the current time and fields, as kube-apiserver keeps them.
 */
export function withManagedFields(
  obj: KObject,
  previous: unknown[] | undefined,
  opts: WriteOptions,
): unknown[] | undefined {
  if (!opts.manager) return previous;
  const operation = opts.operation ?? 'Update';
  const entry: ManagedFieldsEntry = {
    manager: opts.manager,
    operation,
    apiVersion: obj.apiVersion ?? 'v1',
    time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    fieldsType: 'FieldsV1',
    fieldsV1: fieldsOf(obj, opts.subresource),
    ...(opts.subresource ? { subresource: opts.subresource } : {}),
  };
  const same = (e: unknown) => {
    const m = e as Partial<ManagedFieldsEntry>;
    return m.manager === entry.manager && m.operation === operation && m.subresource === entry.subresource;
  };
  return [...(previous ?? []).filter((e) => !same(e)), entry];
}

export interface WriteResult {
  object: KObject;
  warnings: string[];
  created?: boolean;
}

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)];
  return s;
}

export class Cluster {
  readonly store: Store;
  readonly registry = new Registry();
  readonly ips = new IpAllocator();
  /** Last configuration applied per object uid and field manager (server-side apply). */
  private readonly applied = new Map<string, Map<string, Record<string, unknown>>>();
  /** Mutating admission on create (the sidecar injector). */
  readonly admission: ((t: ResourceType, obj: KObject) => void)[] = [];
  /** Checks run on every create and update that would store something (RBAC validation and escalation). */
  readonly writeChecks: ((t: ResourceType, obj: KObject, old: KObject | undefined) => void)[] = [];

  constructor(historyLimit?: number) {
    this.store = new Store(historyLimit);
  }

  keyOf(t: ResourceType): string {
    return resourceKey(t.group, t.plural);
  }

  /** The object as served at `version` (custom resources use conversion None: only apiVersion changes). */
  present(obj: KObject, t: ResourceType, version?: string): KObject {
    const apiVersion = apiVersionOf(t.group, version ?? t.versions[0] ?? 'v1');
    return obj.apiVersion === apiVersion ? obj : { ...obj, apiVersion };
  }

  get(t: ResourceType, ns: string, name: string): KObject {
    const obj = this.store.get(this.keyOf(t), t.namespaced ? ns : '', name);
    if (!obj) throw notFound(t.plural, t.group, name);
    return obj;
  }

  list(t: ResourceType, ns: string | undefined, labels: Selector, fields: FieldRequirement[]): KObject[] {
    const items = this.store.list(this.keyOf(t), t.namespaced ? ns : undefined);
    if (labels.length === 0 && fields.length === 0) return items;
    return items.filter((o) => matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o));
  }

  requireNamespace(ns: string): void {
    if (!this.store.get('namespaces', '', ns)) throw notFound('namespaces', '', ns);
  }

  /** Fills uid, timestamps, generation and the next resourceVersion, then stores (unless dry run). */
  private commit(t: ResourceType, obj: KObject, old: KObject | undefined, dryRun: boolean): KObject {
    for (const c of this.writeChecks) c(t, obj, old);
    const m = obj.metadata;
    m.uid = old?.metadata.uid ?? m.uid ?? randomUUID();
    m.creationTimestamp = old?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    if (t.hasGeneration) {
      const prev = old?.metadata.generation ?? 0;
      m.generation = !old ? 1 : specChanged(obj, old) ? prev + 1 : prev;
    } else delete m.generation;
    if (dryRun) {
      if (!old) delete m.resourceVersion;
      else m.resourceVersion = old.metadata.resourceVersion;
      return obj;
    }
    m.resourceVersion = String(this.store.nextRv());
    this.store.put(this.keyOf(t), obj);
    if (t.kind === 'CustomResourceDefinition') this.registerCrd(obj);
    return obj;
  }

  create(t: ResourceType, ns: string, body: unknown, opts: WriteOptions = {}): WriteResult {
    const obj = normalise(t, ns, body);
    if (t.namespaced) this.requireNamespace(ns);
    if (!obj.metadata.name && obj.metadata.generateName)
      obj.metadata.name = `${obj.metadata.generateName}${randomSuffix()}`;
    for (const f of ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp'])
      delete obj.metadata[f];
    if (t.hasStatus && t.crd) delete obj.status;
    for (const admit of this.admission) admit(t, obj);
    const managed = withManagedFields(obj, undefined, opts);
    if (managed) obj.metadata.managedFields = managed;
    const warnings = check(t, obj, undefined, opts, this.ips);
    if (t.kind === 'CustomResourceDefinition') validateCrd(obj);
    if (this.store.get(this.keyOf(t), obj.metadata.namespace ?? '', obj.metadata.name ?? '')) {
      throw alreadyExists(t.plural, t.group, obj.metadata.name ?? '');
    }
    if (t.kind === 'CustomResourceDefinition') initCrdStatus(obj);
    return { object: this.commit(t, obj, undefined, !!opts.dryRun), warnings, created: true };
  }

  update(t: ResourceType, ns: string, name: string, body: unknown, opts: WriteOptions = {}): WriteResult {
    const obj = normalise(t, ns, body, name);
    const old = this.get(t, ns, name);
    const rv = obj.metadata.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== old.metadata.resourceVersion) {
      throw conflict(
        t.plural,
        t.group,
        name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    if (opts.subresource === 'status') {
      const next = { ...clone(old), status: obj.status } as KObject;
      return this.finishUpdate(t, next, old, [], opts);
    }
    if (t.hasStatus) {
      if (old.status === undefined) delete obj.status;
      else obj.status = clone(old.status);
    }
    const warnings = check(t, obj, old, opts, this.ips);
    if (t.kind === 'CustomResourceDefinition') {
      validateCrd(obj);
      obj.status = old.status;
    }
    return this.finishUpdate(t, obj, old, warnings, opts);
  }

  private finishUpdate(
    t: ResourceType,
    obj: KObject,
    old: KObject,
    warnings: string[],
    opts: WriteOptions,
  ): WriteResult {
    obj.metadata.uid = old.metadata.uid;
    obj.metadata.creationTimestamp = old.metadata.creationTimestamp;
    obj.metadata.resourceVersion = old.metadata.resourceVersion;
    if (old.metadata.generation !== undefined) obj.metadata.generation = old.metadata.generation;
    // managedFields are the server's: the old ones, and the writer's entry when something changed.
    if (old.metadata.managedFields) obj.metadata.managedFields = old.metadata.managedFields;
    else delete obj.metadata.managedFields;
    if (deepEqual(obj, old)) return { object: old, warnings };
    const managed = withManagedFields(obj, old.metadata.managedFields, opts);
    if (managed) obj.metadata.managedFields = managed;
    return { object: this.commit(t, obj, old, !!opts.dryRun), warnings };
  }

  patch(
    t: ResourceType,
    ns: string,
    name: string,
    contentType: string,
    raw: string,
    opts: WriteOptions = {},
  ): WriteResult {
    const type = contentType.split(';')[0]?.trim() ?? '';
    if (type === 'application/apply-patch+yaml') return this.apply(t, ns, name, raw, opts);
    let patch: unknown;
    try {
      patch = JSON.parse(raw);
    } catch (e) {
      throw badRequest(`error decoding patch: ${(e as Error).message}`);
    }
    const old = this.get(t, ns, name);
    let next: unknown;
    switch (type) {
      case 'application/merge-patch+json':
        next = mergePatch(old, patch);
        break;
      case 'application/json-patch+json':
        next = jsonPatch(old, patch);
        break;
      case 'application/strategic-merge-patch+json':
        if (t.crd)
          throw unsupportedMediaType(
            `${type}: strategic merge patch is not supported for custom resources; accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
          );
        next = strategicMergePatch(old, patch);
        break;
      default:
        throw unsupportedMediaType(type);
    }
    const nextObj = next as KObject;
    const rvInPatch = nextObj.metadata?.resourceVersion;
    if (rvInPatch !== undefined && rvInPatch !== old.metadata.resourceVersion) {
      throw conflict(
        t.plural,
        t.group,
        name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    return this.update(t, ns, name, next, { ...opts, fieldValidation: opts.fieldValidation ?? 'Warn' });
  }

  /** Server-side apply (application/apply-patch+yaml): create if missing, else merge what this manager owns. */
  private apply(t: ResourceType, ns: string, name: string, raw: string, opts: WriteOptions): WriteResult {
    let applied: Record<string, unknown>;
    try {
      applied = YAML.parse(raw) as Record<string, unknown>;
    } catch (e) {
      throw badRequest(`error decoding YAML: ${(e as Error).message}`);
    }
    if (!applied || typeof applied !== 'object') throw badRequest('apply patch must be an object');
    if (!opts.fieldManager)
      throw badRequest('PATCH, application/apply-patch+yaml requires fieldManager to be set');
    const manager = opts.fieldManager;
    opts = { ...opts, manager, operation: 'Apply' };
    const existing = this.store.get(this.keyOf(t), t.namespaced ? ns : '', name);
    let result: WriteResult;
    if (!existing) {
      result = this.create(t, ns, { ...applied, metadata: { ...(applied.metadata as object), name } }, opts);
    } else {
      const prev = this.applied.get(existing.metadata.uid ?? '')?.get(manager);
      const { resourceVersion: _rv, ...meta } = (applied.metadata ?? {}) as Record<string, unknown>;
      const merged = serverSideApply(existing, { ...applied, metadata: meta }, prev, !t.crd) as KObject;
      result = this.update(t, ns, name, merged, opts);
    }
    if (!opts.dryRun) {
      const uid = result.object.metadata.uid ?? '';
      const m = this.applied.get(uid) ?? new Map<string, Record<string, unknown>>();
      m.set(manager, applied);
      this.applied.set(uid, m);
    }
    return result;
  }

  delete(
    t: ResourceType,
    ns: string,
    name: string,
    opts: { dryRun?: boolean; body?: unknown } = {},
  ): KObject {
    const old = this.get(t, ns, name);
    const pre =
      (opts.body as { preconditions?: { uid?: string; resourceVersion?: string } } | undefined)
        ?.preconditions ?? {};
    if (pre.uid && pre.uid !== old.metadata.uid) {
      throw conflict(
        t.plural,
        t.group,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid ?? ''}`,
      );
    }
    if (pre.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(
        t.plural,
        t.group,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion ?? ''}`,
      );
    }
    if (opts.dryRun) return old;
    const orphan = (opts.body as { propagationPolicy?: string } | undefined)?.propagationPolicy === 'Orphan';
    return this.remove(t, old, !orphan);
  }

  /** Removes an object (a DELETED event with a new resourceVersion), then what it owns. */
  remove(t: ResourceType, old: KObject, cascade = true): KObject {
    const tombstone: KObject = {
      ...old,
      metadata: { ...old.metadata, resourceVersion: String(this.store.nextRv()) },
    };
    this.store.remove(this.keyOf(t), tombstone);
    this.applied.delete(old.metadata.uid ?? '');
    if (t.kind === 'Namespace') this.emptyNamespace(old.metadata.name ?? '');
    if (t.kind === 'CustomResourceDefinition') this.unregisterCrd(old);
    if (cascade) this.collectDependents(old);
    return tombstone;
  }

  private collectDependents(owner: KObject): void {
    const uid = owner.metadata.uid;
    const ns = owner.metadata.namespace;
    if (!uid || ns === undefined) return;
    for (const dt of this.registry.all()) {
      if (!dt.namespaced) continue;
      for (const o of this.store.list(this.keyOf(dt), ns)) {
        if (o.metadata.ownerReferences?.some((r) => r.uid === uid)) this.remove(dt, o);
      }
    }
  }

  private emptyNamespace(ns: string): void {
    for (const t of this.registry.all()) {
      if (!t.namespaced) continue;
      for (const o of this.store.list(this.keyOf(t), ns)) this.remove(t, o, false);
    }
  }

  registerCrd(crd: KObject): void {
    const t = crdToResourceType(crd);
    const before = this.registry.byResource(t.group, t.plural);
    if (before && !before.crd) throw badRequest(`${t.plural}.${t.group} is a built-in resource`);
    this.registry.add(t);
  }

  private unregisterCrd(crd: KObject): void {
    const t = crdToResourceType(crd);
    for (const o of this.store.list(this.keyOf(t))) this.remove(t, o, false);
    this.registry.remove(t.group, t.plural);
  }

  /** Writes by the emulator's own controllers: no validation, just a new resourceVersion. */
  systemPut(t: ResourceType, input: KObject): KObject {
    // Controllers pass `{ ...stored, status }`: copy metadata so the stored (immutable) object is untouched.
    const obj: KObject = { ...input, metadata: { ...input.metadata } };
    const old = this.store.get(this.keyOf(t), obj.metadata.namespace ?? '', obj.metadata.name ?? '');
    obj.metadata.uid ??= old?.metadata.uid ?? randomUUID();
    obj.metadata.creationTimestamp ??=
      old?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    if (
      old &&
      deepEqual({ ...obj, metadata: { ...obj.metadata, resourceVersion: old.metadata.resourceVersion } }, old)
    )
      return old;
    obj.metadata.resourceVersion = String(this.store.nextRv());
    this.store.put(this.keyOf(t), obj);
    return obj;
  }
}

function specChanged(obj: KObject, old: KObject): boolean {
  const strip = (o: KObject): Record<string, unknown> => {
    const { metadata: _m, status: _s, ...rest } = o;
    return rest;
  };
  return !deepEqual(strip(obj), strip(old));
}

export { ApiError };
