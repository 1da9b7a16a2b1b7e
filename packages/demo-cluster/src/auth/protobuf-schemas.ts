/**
 * Protobuf field numbers (k8s.io/api generated.proto) of the kinds kubectl's typed clients send as protobuf
 * to the RBAC, authorization and authentication APIs: `kubectl auth can-i` (SelfSubjectAccessReview),
 * `auth can-i --list` (SelfSubjectRulesReview), `auth whoami` (SelfSubjectReview), `create token`
 * (TokenRequest), `create role|clusterrole|rolebinding|clusterrolebinding`.
 */
import { LabelSelector, ObjectMeta, type Msg } from '../protobuf-meta';

const ResourceAttributes: Msg = {
  1: { name: 'namespace', type: 'string' },
  2: { name: 'verb', type: 'string' },
  3: { name: 'group', type: 'string' },
  4: { name: 'version', type: 'string' },
  5: { name: 'resource', type: 'string' },
  6: { name: 'subresource', type: 'string' },
  7: { name: 'name', type: 'string' },
};
const NonResourceAttributes: Msg = {
  1: { name: 'path', type: 'string' },
  2: { name: 'verb', type: 'string' },
};
const SubjectAccessReviewSpec: Msg = {
  1: { name: 'resourceAttributes', type: ResourceAttributes },
  2: { name: 'nonResourceAttributes', type: NonResourceAttributes },
  3: { name: 'user', type: 'string' },
  4: { name: 'groups', type: 'string', repeated: true },
  6: { name: 'uid', type: 'string' },
};
const PolicyRule: Msg = {
  1: { name: 'verbs', type: 'string', repeated: true },
  2: { name: 'apiGroups', type: 'string', repeated: true },
  3: { name: 'resources', type: 'string', repeated: true },
  4: { name: 'resourceNames', type: 'string', repeated: true },
  5: { name: 'nonResourceURLs', type: 'string', repeated: true },
};
const Subject: Msg = {
  1: { name: 'kind', type: 'string' },
  2: { name: 'apiGroup', type: 'string' },
  3: { name: 'name', type: 'string' },
  4: { name: 'namespace', type: 'string' },
};
const RoleRef: Msg = {
  1: { name: 'apiGroup', type: 'string' },
  2: { name: 'kind', type: 'string' },
  3: { name: 'name', type: 'string' },
};
const Binding: Msg = {
  1: { name: 'metadata', type: ObjectMeta },
  2: { name: 'subjects', type: Subject, repeated: true },
  3: { name: 'roleRef', type: RoleRef },
};

export const AUTH_PROTOBUF_KINDS: Record<string, Msg> = {
  SelfSubjectAccessReview: {
    1: { name: 'metadata', type: ObjectMeta },
    2: {
      name: 'spec',
      type: {
        1: { name: 'resourceAttributes', type: ResourceAttributes },
        2: { name: 'nonResourceAttributes', type: NonResourceAttributes },
      },
    },
  },
  SelfSubjectRulesReview: {
    1: { name: 'metadata', type: ObjectMeta },
    2: { name: 'spec', type: { 1: { name: 'namespace', type: 'string' } } },
  },
  SubjectAccessReview: {
    1: { name: 'metadata', type: ObjectMeta },
    2: { name: 'spec', type: SubjectAccessReviewSpec },
  },
  LocalSubjectAccessReview: {
    1: { name: 'metadata', type: ObjectMeta },
    2: { name: 'spec', type: SubjectAccessReviewSpec },
  },
  SelfSubjectReview: { 1: { name: 'metadata', type: ObjectMeta } },
  TokenReview: {
    1: { name: 'metadata', type: ObjectMeta },
    2: {
      name: 'spec',
      type: {
        1: { name: 'token', type: 'string' },
        2: { name: 'audiences', type: 'string', repeated: true },
      },
    },
  },
  TokenRequest: {
    1: { name: 'metadata', type: ObjectMeta },
    2: {
      name: 'spec',
      type: {
        1: { name: 'audiences', type: 'string', repeated: true },
        3: {
          name: 'boundObjectRef',
          type: {
            1: { name: 'kind', type: 'string' },
            2: { name: 'apiVersion', type: 'string' },
            3: { name: 'name', type: 'string' },
            4: { name: 'uid', type: 'string' },
          },
        },
        4: { name: 'expirationSeconds', type: 'int', keep: true },
      },
    },
  },
  Role: { 1: { name: 'metadata', type: ObjectMeta }, 2: { name: 'rules', type: PolicyRule, repeated: true } },
  ClusterRole: {
    1: { name: 'metadata', type: ObjectMeta },
    2: { name: 'rules', type: PolicyRule, repeated: true },
    3: {
      name: 'aggregationRule',
      type: { 1: { name: 'clusterRoleSelectors', type: LabelSelector, repeated: true } },
    },
  },
  RoleBinding: Binding,
  ClusterRoleBinding: Binding,
};
