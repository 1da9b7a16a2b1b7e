/** Protobuf field numbers of the Kubernetes kinds kubectl sends as protobuf (k8s.io/api generated.proto). */
import { AUTH_PROTOBUF_KINDS } from './auth/protobuf-schemas';
import { LabelSelector, ObjectMeta, type Msg } from './protobuf-meta';

export type { FieldDef, FieldType, Msg } from './protobuf-meta';

const LocalObjectReference: Msg = { 1: { name: 'name', type: 'string' } };
const ContainerPort: Msg = {
  1: { name: 'name', type: 'string' },
  2: { name: 'hostPort', type: 'int' },
  3: { name: 'containerPort', type: 'int' },
  4: { name: 'protocol', type: 'string' },
  5: { name: 'hostIP', type: 'string' },
};
const EnvVar: Msg = { 1: { name: 'name', type: 'string' }, 2: { name: 'value', type: 'string' } };
const Resources: Msg = {
  1: { name: 'limits', type: { map: 'quantity' } },
  2: { name: 'requests', type: { map: 'quantity' } },
};
const VolumeMount: Msg = {
  1: { name: 'name', type: 'string' },
  2: { name: 'readOnly', type: 'bool' },
  3: { name: 'mountPath', type: 'string' },
  4: { name: 'subPath', type: 'string' },
};
const Container: Msg = {
  1: { name: 'name', type: 'string' },
  2: { name: 'image', type: 'string' },
  3: { name: 'command', type: 'string', repeated: true },
  4: { name: 'args', type: 'string', repeated: true },
  5: { name: 'workingDir', type: 'string' },
  6: { name: 'ports', type: ContainerPort, repeated: true },
  7: { name: 'env', type: EnvVar, repeated: true },
  8: { name: 'resources', type: Resources },
  9: { name: 'volumeMounts', type: VolumeMount, repeated: true },
  13: { name: 'terminationMessagePath', type: 'string' },
  14: { name: 'imagePullPolicy', type: 'string' },
  16: { name: 'stdin', type: 'bool' },
  17: { name: 'stdinOnce', type: 'bool' },
  18: { name: 'tty', type: 'bool' },
  20: { name: 'terminationMessagePolicy', type: 'string' },
};
const PodSpec: Msg = {
  2: { name: 'containers', type: Container, repeated: true },
  3: { name: 'restartPolicy', type: 'string' },
  4: { name: 'terminationGracePeriodSeconds', type: 'int', keep: true },
  6: { name: 'dnsPolicy', type: 'string' },
  7: { name: 'nodeSelector', type: { map: 'string' } },
  8: { name: 'serviceAccountName', type: 'string' },
  10: { name: 'nodeName', type: 'string' },
  11: { name: 'hostNetwork', type: 'bool' },
  15: { name: 'imagePullSecrets', type: LocalObjectReference, repeated: true },
  16: { name: 'hostname', type: 'string' },
  17: { name: 'subdomain', type: 'string' },
  19: { name: 'schedulerName', type: 'string' },
  20: { name: 'initContainers', type: Container, repeated: true },
  21: { name: 'automountServiceAccountToken', type: 'bool', keep: true },
  24: { name: 'priorityClassName', type: 'string' },
};
const PodTemplateSpec: Msg = {
  1: { name: 'metadata', type: ObjectMeta },
  2: { name: 'spec', type: PodSpec },
};
const ServicePort: Msg = {
  1: { name: 'name', type: 'string' },
  2: { name: 'protocol', type: 'string' },
  3: { name: 'port', type: 'int' },
  4: { name: 'targetPort', type: 'intstr' },
  5: { name: 'nodePort', type: 'int' },
  6: { name: 'appProtocol', type: 'string' },
};

export const KINDS: Record<string, Msg> = {
  Namespace: {
    1: { name: 'metadata', type: ObjectMeta },
    2: { name: 'spec', type: { 1: { name: 'finalizers', type: 'string', repeated: true } } },
  },
  ConfigMap: {
    1: { name: 'metadata', type: ObjectMeta },
    2: { name: 'data', type: { map: 'string' } },
    3: { name: 'binaryData', type: { map: 'bytes' } },
    4: { name: 'immutable', type: 'bool', keep: true },
  },
  Secret: {
    1: { name: 'metadata', type: ObjectMeta },
    2: { name: 'data', type: { map: 'bytes' } },
    3: { name: 'type', type: 'string' },
    4: { name: 'stringData', type: { map: 'string' } },
    5: { name: 'immutable', type: 'bool', keep: true },
  },
  ServiceAccount: {
    1: { name: 'metadata', type: ObjectMeta },
    3: { name: 'imagePullSecrets', type: LocalObjectReference, repeated: true },
    4: { name: 'automountServiceAccountToken', type: 'bool', keep: true },
  },
  Deployment: {
    1: { name: 'metadata', type: ObjectMeta },
    2: {
      name: 'spec',
      type: {
        1: { name: 'replicas', type: 'int', keep: true },
        2: { name: 'selector', type: LabelSelector },
        3: { name: 'template', type: PodTemplateSpec },
        4: {
          name: 'strategy',
          type: {
            1: { name: 'type', type: 'string' },
            2: {
              name: 'rollingUpdate',
              type: {
                1: { name: 'maxUnavailable', type: 'intstr' },
                2: { name: 'maxSurge', type: 'intstr' },
              },
            },
          },
        },
        5: { name: 'minReadySeconds', type: 'int' },
        6: { name: 'revisionHistoryLimit', type: 'int', keep: true },
        7: { name: 'paused', type: 'bool' },
        9: { name: 'progressDeadlineSeconds', type: 'int', keep: true },
      },
    },
  },
  Service: {
    1: { name: 'metadata', type: ObjectMeta },
    2: {
      name: 'spec',
      type: {
        1: { name: 'ports', type: ServicePort, repeated: true },
        2: { name: 'selector', type: { map: 'string' } },
        3: { name: 'clusterIP', type: 'string' },
        4: { name: 'type', type: 'string' },
        5: { name: 'externalIPs', type: 'string', repeated: true },
        7: { name: 'sessionAffinity', type: 'string' },
        10: { name: 'externalName', type: 'string' },
      },
    },
  },
  Pod: { 1: { name: 'metadata', type: ObjectMeta }, 2: { name: 'spec', type: PodSpec } },
  ...AUTH_PROTOBUF_KINDS,
};
