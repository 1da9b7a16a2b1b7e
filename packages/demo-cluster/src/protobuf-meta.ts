/** Protobuf types and the metadata messages every Kubernetes kind shares (k8s.io/apimachinery generated.proto). */
export type FieldType =
  | 'string'
  | 'int'
  | 'bool'
  | 'bytes'
  | 'time'
  | 'intstr'
  | 'quantity'
  | Msg
  | { map: 'string' | 'bytes' | 'quantity' };
export interface FieldDef {
  name: string;
  type: FieldType;
  repeated?: boolean;
  /** Pointer fields in Go: an explicit 0/false/"" is meaningful. */
  keep?: boolean;
}
export type Msg = { [field: number]: FieldDef };

const OwnerReference: Msg = {
  1: { name: 'kind', type: 'string' },
  3: { name: 'name', type: 'string' },
  4: { name: 'uid', type: 'string' },
  5: { name: 'apiVersion', type: 'string' },
  6: { name: 'controller', type: 'bool', keep: true },
  7: { name: 'blockOwnerDeletion', type: 'bool', keep: true },
};
export const ObjectMeta: Msg = {
  1: { name: 'name', type: 'string' },
  2: { name: 'generateName', type: 'string' },
  3: { name: 'namespace', type: 'string' },
  5: { name: 'uid', type: 'string' },
  6: { name: 'resourceVersion', type: 'string' },
  11: { name: 'labels', type: { map: 'string' } },
  12: { name: 'annotations', type: { map: 'string' } },
  13: { name: 'ownerReferences', type: OwnerReference, repeated: true },
  14: { name: 'finalizers', type: 'string', repeated: true },
};
export const LabelSelector: Msg = {
  1: { name: 'matchLabels', type: { map: 'string' } },
  2: {
    name: 'matchExpressions',
    repeated: true,
    type: {
      1: { name: 'key', type: 'string' },
      2: { name: 'operator', type: 'string' },
      3: { name: 'values', type: 'string', repeated: true },
    },
  },
};
