/**
 * Decoding of the Kubernetes protobuf envelope ("k8s\0" + runtime.Unknown) for the kinds kubectl's typed
 * commands send that way (`kubectl create namespace|deployment|configmap|secret|serviceaccount|service`).
 * Field numbers follow k8s.io/api's generated.proto; unknown fields are skipped. Responses stay JSON.
 */
import { unsupportedMediaType } from './errors';
import { KINDS, type FieldType, type Msg } from './protobuf-schemas';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

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
