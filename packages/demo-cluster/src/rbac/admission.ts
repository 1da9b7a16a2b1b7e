/**
 * What the API server checks on writes of RBAC objects: defaults (subjects' and roleRef's apiGroup), the
 * validation of rules, roleRefs and subjects (422), an immutable roleRef, and escalation prevention (403): a
 * user may only grant permissions they hold, unless allowed to `escalate` (roles) or `bind` (the role a
 * binding references); `system:masters` may do anything.
 */
import { currentRequest } from '../auth/context';
import { SYSTEM_MASTERS } from '../auth/user';
import { badRequest, invalid, notFound, type StatusCause } from '../errors';
import type { KObject, ResourceType } from '../types';
import { deepEqual } from '../util';
import { forbiddenFor, RBAC_GROUP, type RbacAuthorizer, type RoleRef } from './authorizer';
import { compactRules, compactString, covers, goQuoteList, rulesOf, type PolicyRule } from './rules';

type Obj = Record<string, unknown>;

const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

/** Go's %#v of a []string, as field.Invalid prints it. */
const goSlice = (v: string[]): string => `[]string{${v.map((s) => JSON.stringify(s)).join(', ')}}`;

/** path.ValidatePathSegmentName: what RBAC object names (e.g. `system:discovery`) must satisfy. */
export function pathSegmentNameErrors(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  const bad = ['/', '%'].filter((c) => name.includes(c));
  return bad.map((c) => `may not contain '${c}'`);
}

function shapeError(kind: string, why: string): Error {
  return badRequest(`${kind} in version "v1" cannot be handled as a ${kind}: ${why}`);
}

function stringList(kind: string, v: unknown, field: string): void {
  if (v === undefined || v === null) return;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw shapeError(kind, `json: cannot unmarshal into Go struct field ${field} of type []string`);
}

function validateRules(obj: KObject, namespaced: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  if (obj.rules !== undefined && obj.rules !== null && !Array.isArray(obj.rules))
    throw shapeError(
      obj.kind,
      `json: cannot unmarshal into Go struct field ${obj.kind}.rules of type []v1.PolicyRule`,
    );
  ((obj.rules as unknown[] | undefined) ?? []).forEach((raw, i) => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw))
      throw shapeError(
        obj.kind,
        `json: cannot unmarshal into Go struct field ${obj.kind}.rules of type v1.PolicyRule`,
      );
    const r = raw as Obj;
    for (const f of ['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'])
      stringList(obj.kind, r[f], `PolicyRule.rules.${f}`);
    const p = `rules[${i}]`;
    const len = (f: string) => ((r[f] as string[] | undefined) ?? []).length;
    if (len('verbs') === 0)
      causes.push({
        reason: 'FieldValueRequired',
        message: 'Required value: verbs must contain at least one value',
        field: `${p}.verbs`,
      });
    if (len('nonResourceURLs') > 0) {
      const urls = goSlice(r.nonResourceURLs as string[]);
      if (namespaced)
        causes.push({
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${urls}: namespaced rules cannot apply to non-resource URLs`,
          field: `${p}.nonResourceURLs`,
        });
      if (len('apiGroups') > 0 || len('resources') > 0 || len('resourceNames') > 0)
        causes.push({
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${urls}: rules cannot apply to both regular resources and non-resource URLs`,
          field: `${p}.nonResourceURLs`,
        });
      return;
    }
    if (len('apiGroups') === 0)
      causes.push({
        reason: 'FieldValueRequired',
        message: 'Required value: resource rules must supply at least one api group',
        field: `${p}.apiGroups`,
      });
    if (len('resources') === 0)
      causes.push({
        reason: 'FieldValueRequired',
        message: 'Required value: resource rules must supply at least one resource',
        field: `${p}.resources`,
      });
  });
  return causes;
}

const notSupported = (field: string, value: string, supported: string[]): StatusCause => ({
  reason: 'FieldValueNotSupported',
  message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
  field,
});

function defaultBinding(obj: KObject): void {
  if (obj.roleRef && typeof obj.roleRef === 'object' && !Array.isArray(obj.roleRef)) {
    const ref = obj.roleRef as Obj;
    if (!ref.apiGroup) ref.apiGroup = RBAC_GROUP;
  }
  if (Array.isArray(obj.subjects))
    for (const s of obj.subjects as Obj[])
      if (s && typeof s === 'object' && !s.apiGroup && (s.kind === 'User' || s.kind === 'Group'))
        s.apiGroup = RBAC_GROUP;
}

function validateBinding(obj: KObject, old: KObject | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  const cluster = obj.kind === 'ClusterRoleBinding';
  if (!obj.roleRef || typeof obj.roleRef !== 'object' || Array.isArray(obj.roleRef))
    throw shapeError(
      obj.kind,
      `json: cannot unmarshal into Go struct field ${obj.kind}.roleRef of type v1.RoleRef`,
    );
  if (obj.subjects !== undefined && obj.subjects !== null && !Array.isArray(obj.subjects))
    throw shapeError(
      obj.kind,
      `json: cannot unmarshal into Go struct field ${obj.kind}.subjects of type []v1.Subject`,
    );
  const ref = obj.roleRef as Obj;
  for (const f of ['apiGroup', 'kind', 'name'])
    if (ref[f] !== undefined && typeof ref[f] !== 'string')
      throw shapeError(
        obj.kind,
        `json: cannot unmarshal into Go struct field RoleRef.roleRef.${f} of type string`,
      );
  if (ref.apiGroup !== RBAC_GROUP)
    causes.push(notSupported('roleRef.apiGroup', String(ref.apiGroup ?? ''), [RBAC_GROUP]));
  const kinds = cluster ? ['ClusterRole'] : ['Role', 'ClusterRole'];
  if (!kinds.includes(String(ref.kind ?? '')))
    causes.push(notSupported('roleRef.kind', String(ref.kind ?? ''), kinds));
  if (!ref.name)
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'roleRef.name' });
  else
    for (const msg of pathSegmentNameErrors(String(ref.name)))
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(ref.name)}: ${msg}`,
        field: 'roleRef.name',
      });
  ((obj.subjects as unknown[] | undefined) ?? []).forEach((raw, i) => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw))
      throw shapeError(
        obj.kind,
        `json: cannot unmarshal into Go struct field ${obj.kind}.subjects of type v1.Subject`,
      );
    const s = raw as Obj;
    for (const f of ['kind', 'name', 'namespace', 'apiGroup'])
      if (s[f] !== undefined && typeof s[f] !== 'string')
        throw shapeError(
          obj.kind,
          `json: cannot unmarshal into Go struct field Subject.subjects.${f} of type string`,
        );
    const p = `subjects[${i}]`;
    if (!s.name) causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${p}.name` });
    switch (s.kind) {
      case 'ServiceAccount':
        if (s.apiGroup) causes.push(notSupported(`${p}.apiGroup`, String(s.apiGroup), ['']));
        if (cluster && !s.namespace)
          causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${p}.namespace` });
        break;
      case 'User':
      case 'Group':
        if (s.apiGroup !== RBAC_GROUP)
          causes.push(notSupported(`${p}.apiGroup`, String(s.apiGroup ?? ''), [RBAC_GROUP]));
        break;
      default:
        causes.push(notSupported(`${p}.kind`, String(s.kind ?? ''), ['ServiceAccount', 'User', 'Group']));
    }
  });
  if (old && !deepEqual(old.roleRef, obj.roleRef)) {
    const r = obj.roleRef as Obj;
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: rbac.RoleRef{APIGroup:${JSON.stringify(r.apiGroup ?? '')}, Kind:${JSON.stringify(r.kind ?? '')}, Name:${JSON.stringify(r.name ?? '')}}: cannot change roleRef`,
      field: 'roleRef',
    });
  }
  return causes;
}

/** Only ownerReferences/finalizers changed (what garbage collection writes): no escalation check. */
function onlyGcFields(obj: KObject, old: KObject | undefined): boolean {
  if (!old) return false;
  const strip = (o: KObject) => {
    const { ownerReferences: _o, finalizers: _f, resourceVersion: _r, ...meta } = o.metadata;
    return { ...o, metadata: meta };
  };
  return deepEqual(strip(obj), strip(old));
}

export class RbacAdmission {
  constructor(private readonly authorizer: RbacAuthorizer) {}

  /** Called before an RBAC object is stored (or dry-run): defaults, validation, escalation. */
  check(t: ResourceType, obj: KObject, old: KObject | undefined): void {
    if (t.group !== RBAC_GROUP) return;
    const name = obj.metadata.name ?? '';
    const isRole = t.kind === 'Role' || t.kind === 'ClusterRole';
    if (!isRole) defaultBinding(obj);
    const causes = isRole ? validateRules(obj, t.kind === 'Role') : validateBinding(obj, old);
    if (isRole && t.kind === 'ClusterRole' && obj.aggregationRule !== undefined) {
      const ar = obj.aggregationRule as { clusterRoleSelectors?: unknown } | null;
      if (!ar || typeof ar !== 'object' || !Array.isArray(ar.clusterRoleSelectors))
        throw shapeError(
          obj.kind,
          'json: cannot unmarshal into Go struct field ClusterRole.aggregationRule of type v1.AggregationRule',
        );
    }
    if (causes.length) throw invalid(t.kind, RBAC_GROUP, name, causes);
    this.preventEscalation(t, obj, old);
  }

  private preventEscalation(t: ResourceType, obj: KObject, old: KObject | undefined): void {
    const req = currentRequest();
    if (!req) return; // the emulator's own writes (bootstrap, --load)
    const user = req.user;
    if (user.groups.includes(SYSTEM_MASTERS) || this.authorizer.mode === 'AlwaysAllow') return;
    if (onlyGcFields(obj, old)) return;
    const ns = obj.metadata.namespace ?? '';
    const name = obj.metadata.name ?? '';
    const allowed = (verb: string, resource: string, resourceName: string, group = RBAC_GROUP) =>
      this.authorizer.authorize({
        user,
        verb,
        resourceRequest: true,
        apiGroup: group,
        resource,
        name: resourceName,
        namespace: ns,
      }).allowed;
    if (t.kind === 'Role' || t.kind === 'ClusterRole') {
      if (allowed('escalate', t.plural, req.attributes.name ?? '')) return;
      const hadAggregation = old?.aggregationRule !== undefined;
      if (t.kind === 'ClusterRole' && obj.aggregationRule !== undefined && !hadAggregation) {
        if (!covers(this.authorizer.rulesFor(user, ns).rules, FULL_AUTHORITY).ok)
          throw forbiddenFor(
            t.plural,
            RBAC_GROUP,
            name,
            'must have cluster-admin privileges to use the aggregationRule',
          );
      }
      this.confirmNoEscalation(t, name, ns, rulesOf(obj));
      return;
    }
    const ref = obj.roleRef as RoleRef;
    const refResource = ref.kind === 'Role' ? 'roles' : 'clusterroles';
    if (allowed('bind', refResource, ref.name, ref.apiGroup)) return;
    const r = this.authorizer.roleReferenceRules(ref, ns);
    if ('error' in r) throw notFound(refResource, RBAC_GROUP, ref.name);
    this.confirmNoEscalation(t, name, ns, r.rules);
  }

  private confirmNoEscalation(t: ResourceType, name: string, ns: string, rules: PolicyRule[]): void {
    const req = currentRequest();
    if (!req) return;
    const { rules: owned, errors } = this.authorizer.rulesFor(req.user, ns);
    const { ok, missing } = covers(owned, rules);
    if (ok) return;
    const lines = [...new Set(compactRules(missing).map(compactString))].sort();
    let msg = `user ${JSON.stringify(req.user.name)} (groups=${goQuoteList(req.user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
    if (errors.length) msg += `; resolution errors: [${errors.join(' ')}]`;
    throw forbiddenFor(t.plural, RBAC_GROUP, name, msg);
  }
}
