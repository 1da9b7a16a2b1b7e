/** The RBAC kinds and the access-review kinds, served like any built-in resource (discovery included). */
import type { Registry } from '../registry';
import { ALL_VERBS, type ResourceType } from '../types';
import { RBAC_GROUP } from './authorizer';

export const AUTHORIZATION_GROUP = 'authorization.k8s.io';
export const AUTHENTICATION_GROUP = 'authentication.k8s.io';

function kind(group: string, k: string, plural: string, namespaced: boolean, verbs: string[]): ResourceType {
  return {
    group,
    versions: ['v1'],
    kind: k,
    listKind: `${k}List`,
    plural,
    singular: k.toLowerCase(),
    namespaced,
    shortNames: [],
    categories: [],
    verbs,
    hasGeneration: false,
    hasStatus: false,
  };
}

/** Kinds answered by the review handlers: created (evaluated) and never stored. */
export const REVIEW_KINDS = new Set([
  'SelfSubjectAccessReview',
  'SelfSubjectRulesReview',
  'SubjectAccessReview',
  'LocalSubjectAccessReview',
  'TokenReview',
  'SelfSubjectReview',
]);

export function registerAuthKinds(registry: Registry): void {
  registry.add(kind(RBAC_GROUP, 'Role', 'roles', true, ALL_VERBS));
  registry.add(kind(RBAC_GROUP, 'ClusterRole', 'clusterroles', false, ALL_VERBS));
  registry.add(kind(RBAC_GROUP, 'RoleBinding', 'rolebindings', true, ALL_VERBS));
  registry.add(kind(RBAC_GROUP, 'ClusterRoleBinding', 'clusterrolebindings', false, ALL_VERBS));
  const create = ['create'];
  registry.add(
    kind(AUTHORIZATION_GROUP, 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', false, create),
  );
  registry.add(kind(AUTHORIZATION_GROUP, 'SelfSubjectRulesReview', 'selfsubjectrulesreviews', false, create));
  registry.add(kind(AUTHORIZATION_GROUP, 'SubjectAccessReview', 'subjectaccessreviews', false, create));
  registry.add(
    kind(AUTHORIZATION_GROUP, 'LocalSubjectAccessReview', 'localsubjectaccessreviews', true, create),
  );
  registry.add(kind(AUTHENTICATION_GROUP, 'TokenReview', 'tokenreviews', false, create));
  registry.add(kind(AUTHENTICATION_GROUP, 'SelfSubjectReview', 'selfsubjectreviews', false, create));
}
