/**
 * Decoding of the Kubernetes protobuf envelope ("k8s\0" + runtime.Unknown) for the kinds kubectl's typed
 * commands send that way (`kubectl create namespace|deployment|configmap|secret|serviceaccount|service`).
 * Field numbers follow k8s.io/api's generated.proto; unknown fields are skipped. Responses stay JSON.
 */
import { unsupportedMediaType } from './errors';

type FieldType =
  | 'string'
  | 'int'
  | 'bool'
  | 'bytes'
  | 'time'
  | 'intstr'
  | 'quantity'
  | Msg
  | { map: 'string' | 'bytes' | 'quantity' };
interface FieldDef {
  name: string;
  type: FieldType;
  repeated?: boolean;
  /** Pointer fields in Go: an explicit 0/false/"" is meaningful. */
  keep?: boolean;
}
type Msg = { [field: number]: FieldDef };

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

const OwnerReference: Msg = {
  1: { name: 'kind', type: 'string' },
  3: { name: 'name', type: 'string' },
  4: { name: 'uid', type: 'string' },
  5: { name: 'apiVersion', type: 'string' },
  6: { name: 'controller', type: 'bool', keep: true },
  7: { name: 'blockOwnerDeletion', type: 'bool', keep: true },
};
const ObjectMeta: Msg = {
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
const LabelSelector: Msg = {
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

const KINDS: Record<string, Msg> = {
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
};

interface Field {
  no: number;
  wire: number;
  num?: bigint;
  bytes?: Buffer;
}

function readVarint(b: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= b.length) throw new Error('truncated varint');
    const byte = b[pos++] as number;
    result |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
    if (!(byte & 0x80)) return [result, pos];
  }
}

function fields(b: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < b.length) {
    let key: bigint;
    [key, pos] = readVarint(b, pos);
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      let v: bigint;
      [v, pos] = readVarint(b, pos);
      out.push({ no, wire, num: v });
    } else if (wire === 2) {
      let len: bigint;
      [len, pos] = readVarint(b, pos);
      const end = pos + Number(len);
      if (end > b.length) throw new Error('truncated field');
      out.push({ no, wire, bytes: b.subarray(pos, end) });
      pos = end;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

function isEmpty(v: unknown): boolean {
  return (
    v === '' ||
    v === 0 ||
    v === false ||
    v === undefined ||
    (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0)
  );
}

function decodeValue(f: Field, type: FieldType): unknown {
  if (type === 'string') return f.bytes?.toString('utf8') ?? '';
  if (type === 'bytes') return f.bytes?.toString('base64') ?? '';
  if (type === 'int') return Number(BigInt.asIntN(64, f.num ?? 0n));
  if (type === 'bool') return (f.num ?? 0n) !== 0n;
  const inner = fields(f.bytes ?? Buffer.alloc(0));
  if (type === 'time') {
    const secs = inner.find((x) => x.no === 1)?.num;
    return secs ? new Date(Number(secs) * 1000).toISOString().replace(/\.\d+Z$/, 'Z') : undefined;
  }
  if (type === 'quantity') return inner.find((x) => x.no === 1)?.bytes?.toString('utf8');
  if (type === 'intstr') {
    const kind = Number(inner.find((x) => x.no === 1)?.num ?? 0n);
    return kind === 1
      ? (inner.find((x) => x.no === 3)?.bytes?.toString('utf8') ?? '')
      : Number(inner.find((x) => x.no === 2)?.num ?? 0n);
  }
  if ('map' in type) {
    const k = inner.find((x) => x.no === 1);
    const v = inner.find((x) => x.no === 2);
    const valueType = type.map;
    return [
      k ? decodeValue(k, 'string') : '',
      v ? decodeValue(v, valueType) : valueType === 'bytes' ? '' : '',
    ];
  }
  return decodeMessage(f.bytes ?? Buffer.alloc(0), type);
}

function decodeMessage(b: Buffer, schema: Msg): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields(b)) {
    const def = schema[f.no];
    if (!def) continue;
    const v = decodeValue(f, def.type);
    if (typeof def.type === 'object' && 'map' in def.type) {
      const [k, val] = v as [string, unknown];
      out[def.name] = { ...(out[def.name] as object | undefined), [k]: val };
    } else if (def.repeated) {
      out[def.name] = [...((out[def.name] as unknown[] | undefined) ?? []), v];
    } else if (def.keep ? v !== undefined : !isEmpty(v)) {
      out[def.name] = v;
    }
  }
  return out;
}

/** Decodes a `application/vnd.kubernetes.protobuf` request body into the JSON object it stands for. */
export function decodeProtobufObject(body: Buffer): unknown {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC))
    throw unsupportedMediaType('application/vnd.kubernetes.protobuf (missing k8s envelope)');
  const unknown = fields(body.subarray(4));
  const typeMeta = unknown.find((f) => f.no === 1);
  const raw = unknown.find((f) => f.no === 2)?.bytes ?? Buffer.alloc(0);
  const tm = typeMeta
    ? decodeMessage(typeMeta.bytes ?? Buffer.alloc(0), {
        1: { name: 'apiVersion', type: 'string' },
        2: { name: 'kind', type: 'string' },
      })
    : {};
  const kind = String(tm.kind ?? '');
  const schema = KINDS[kind];
  if (!schema) {
    throw unsupportedMediaType(
      `application/vnd.kubernetes.protobuf for kind ${kind || '(unknown)'}; send application/json`,
    );
  }
  return { apiVersion: tm.apiVersion, kind, ...decodeMessage(raw, schema) };
}
