/**
 * The RBAC authorizer (kube-apiserver's rbac.RBACAuthorizer over DefaultRuleResolver): bindings whose subject
 * is the user, the rules of the role they reference, and the reasons and forbidden messages it gives.
 */
import { ApiError } from '../errors';
import type { Store } from '../store';
import type { KObject } from '../types';
import { parseServiceAccountUsername, SYSTEM_MASTERS, type UserInfo } from '../auth/user';
import { ruleAllows, rulesOf, type Attributes, type PolicyRule } from './rules';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
export const KEYS = {
  roles: `roles.${RBAC_GROUP}`,
  clusterRoles: `clusterroles.${RBAC_GROUP}`,
  roleBindings: `rolebindings.${RBAC_GROUP}`,
  clusterRoleBindings: `clusterrolebindings.${RBAC_GROUP}`,
};

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

export interface RoleRef {
  kind: string;
  name: string;
  apiGroup?: string;
}

export type AuthorizationMode = 'RBAC' | 'AlwaysAllow';

export interface Decision {
  allowed: boolean;
  /** Why (e.g. `RBAC: allowed by ClusterRoleBinding "x" of ClusterRole "y" to User "z"`), or '' */
  reason: string;
}

const subjectsOf = (b: KObject): Subject[] =>
  Array.isArray(b.subjects) ? (b.subjects as Subject[]).filter((s) => s && typeof s === 'object') : [];
const roleRefOf = (b: KObject): RoleRef => (b.roleRef ?? { kind: '', name: '' }) as RoleRef;

function appliesToUser(user: UserInfo, s: Subject, namespace: string): boolean {
  switch (s.kind) {
    case 'User':
      return user.name === s.name;
    case 'Group':
      return user.groups.includes(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace || namespace;
      if (!ns) return false;
      const sa = parseServiceAccountUsername(user.name);
      return !!sa && sa.namespace === ns && sa.name === s.name;
    }
    default:
      return false;
  }
}

function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount')
    return `${s.kind} ${JSON.stringify(`${s.name}/${s.namespace || bindingNamespace}`)}`;
  return `${s.kind} ${JSON.stringify(s.name)}`;
}

/** Each rule that applies to a user, with the binding it comes from; `false` from the visitor stops. */
type Visitor = (source: string | undefined, rule: PolicyRule | undefined, err: string | undefined) => boolean;

export class RbacAuthorizer {
  constructor(
    private readonly store: Store,
    readonly mode: AuthorizationMode = 'RBAC',
  ) {}

  /** The rules a role reference resolves to (a Role in the binding's namespace, or a ClusterRole). */
  roleReferenceRules(ref: RoleRef, bindingNamespace: string): { rules: PolicyRule[] } | { error: string } {
    if (ref.kind === 'Role') {
      const role = this.store.get(KEYS.roles, bindingNamespace, ref.name);
      return role
        ? { rules: rulesOf(role) }
        : { error: `role.${RBAC_GROUP} ${JSON.stringify(ref.name)} not found` };
    }
    if (ref.kind === 'ClusterRole') {
      const role = this.store.get(KEYS.clusterRoles, '', ref.name);
      return role
        ? { rules: rulesOf(role) }
        : { error: `clusterrole.${RBAC_GROUP} ${JSON.stringify(ref.name)} not found` };
    }
    return { error: `unsupported role reference kind: ${JSON.stringify(ref.kind)}` };
  }

  private visitRulesFor(user: UserInfo, namespace: string, visit: Visitor): void {
    for (const b of this.store.list(KEYS.clusterRoleBindings)) {
      const subject = subjectsOf(b).find((s) => appliesToUser(user, s, ''));
      if (!subject) continue;
      const ref = roleRefOf(b);
      const r = this.roleReferenceRules(ref, '');
      if ('error' in r) {
        if (!visit(undefined, undefined, r.error)) return;
        continue;
      }
      const source = `ClusterRoleBinding ${JSON.stringify(b.metadata.name ?? '')} of ${ref.kind} ${JSON.stringify(ref.name)} to ${describeSubject(subject, '')}`;
      for (const rule of r.rules) if (!visit(source, rule, undefined)) return;
    }
    if (!namespace) return;
    for (const b of this.store.list(KEYS.roleBindings, namespace)) {
      const subject = subjectsOf(b).find((s) => appliesToUser(user, s, namespace));
      if (!subject) continue;
      const ref = roleRefOf(b);
      const r = this.roleReferenceRules(ref, namespace);
      if ('error' in r) {
        if (!visit(undefined, undefined, r.error)) return;
        continue;
      }
      const source = `RoleBinding ${JSON.stringify(`${b.metadata.name ?? ''}/${namespace}`)} of ${ref.kind} ${JSON.stringify(ref.name)} to ${describeSubject(subject, namespace)}`;
      for (const rule of r.rules) if (!visit(source, rule, undefined)) return;
    }
  }

  /** RBAC alone: allowed by some binding's rule, or no opinion (with resolution errors as the reason). */
  rbacAuthorize(a: Attributes): Decision {
    let reason = '';
    const errors: string[] = [];
    let allowed = false;
    this.visitRulesFor(a.user, a.namespace ?? '', (source, rule, err) => {
      if (rule && source && ruleAllows(a, rule)) {
        allowed = true;
        reason = `RBAC: allowed by ${source}`;
        return false;
      }
      if (err) errors.push(err);
      return true;
    });
    if (allowed) return { allowed, reason };
    return { allowed: false, reason: errors.length ? `RBAC: ${aggregate(errors)}` : '' };
  }

  /** The API server's chain: the privileged group `system:masters`, then the configured mode. */
  authorize(a: Attributes): Decision {
    if (a.user.groups.includes(SYSTEM_MASTERS)) return { allowed: true, reason: '' };
    if (this.mode === 'AlwaysAllow') return { allowed: true, reason: '' };
    return this.rbacAuthorize(a);
  }

  /** Every rule that applies to the user in a namespace (cluster-wide ones included), with errors. */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    if (this.mode === 'AlwaysAllow')
      return {
        rules: [
          { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
          { verbs: ['*'], nonResourceURLs: ['*'] },
        ],
        errors,
      };
    this.visitRulesFor(user, namespace, (_s, rule, err) => {
      if (rule) rules.push(rule);
      if (err) errors.push(err);
      return true;
    });
    return { rules, errors };
  }
}

/** utilerrors.NewAggregate(errs).Error(): one message as is, several as `[a, b]`. */
export function aggregate(errors: string[]): string {
  return errors.length === 1 ? (errors[0] ?? '') : `[${errors.join(', ')}]`;
}

/** `User "x" cannot list resource "pods" in API group "" in the namespace "ns"` (forbiddenMessage). */
export function forbiddenMessage(a: Attributes): string {
  const user = JSON.stringify(a.user.name);
  if (!a.resourceRequest) return `User ${user} cannot ${a.verb} path ${JSON.stringify(a.path ?? '')}`;
  const resource = a.subresource ? `${a.resource ?? ''}/${a.subresource}` : (a.resource ?? '');
  const head = `User ${user} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup ?? '')}`;
  return a.namespace
    ? `${head} in the namespace ${JSON.stringify(a.namespace)}`
    : `${head} at the cluster scope`;
}

/** The 403 a real API server answers (responsewriters.Forbidden → apierrors.NewForbidden). */
export function forbidden(a: Attributes, reason = ''): ApiError {
  const msg = reason ? `${forbiddenMessage(a)}: ${reason}` : forbiddenMessage(a);
  return forbiddenFor(a.resourceRequest ? (a.resource ?? '') : '', a.apiGroup ?? '', a.name ?? '', msg);
}

/** apierrors.NewForbidden(groupResource, name, err). */
export function forbiddenFor(resource: string, group: string, name: string, why: string): ApiError {
  const qualified = resource ? (group ? `${resource}.${group}` : resource) : '';
  const message = !qualified
    ? `forbidden: ${why}`
    : name
      ? `${qualified} ${JSON.stringify(name)} is forbidden: ${why}`
      : `${qualified} is forbidden: ${why}`;
  return new ApiError(403, 'Forbidden', message, {
    ...(name ? { name } : {}),
    ...(group ? { group } : {}),
    ...(resource ? { kind: resource } : {}),
  });
}
