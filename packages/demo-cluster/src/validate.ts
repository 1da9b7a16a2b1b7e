/**
 * Validation of custom resources against their CRD's openAPIV3Schema (ajv), pruning of fields the schema
 * does not declare (reported per fieldValidation), and errors shaped as the API server's causes.
 */
import Ajv from 'ajv';
import type { StatusCause } from './errors';

type Schema = Record<string, unknown>;
type ValidateFn = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

interface AjvError {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
  message?: string;
}

// ajv 8 reads OpenAPI's `nullable`; strict: false ignores the formats it does not know (int32, double,
// byte, and date-time, which Istio's CRDs use only in status conditions), as ajv 6 ignored unknown ones.
const ajv = new Ajv({ allErrors: true, strict: false, logger: false });
const compiled = new Map<string, ValidateFn>();

/** Copies a structural schema into plain JSON Schema: drops descriptions and CEL rules, adds int-or-string. */
function toJsonSchema(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(toJsonSchema);
  if (typeof s !== 'object' || s === null) return s;
  const src = s as Schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(src)) {
    if (k === 'description' || k === 'example' || k.startsWith('x-kubernetes-')) continue;
    if (k === 'properties' || k === 'patternProperties' || k === 'definitions') {
      out[k] = Object.fromEntries(Object.entries(v as Schema).map(([pk, pv]) => [pk, toJsonSchema(pv)]));
    } else out[k] = toJsonSchema(v);
  }
  if (src['x-kubernetes-int-or-string'] === true && out.type === undefined && out.anyOf === undefined) {
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  return out;
}

export function compileSchema(cacheKey: string, schema: unknown): ValidateFn {
  let fn = compiled.get(cacheKey);
  if (!fn) {
    const root = { ...(toJsonSchema(schema) as Schema) };
    // metadata is ObjectMeta, validated by the server itself, never by the CRD's schema.
    if (root.properties) root.properties = { ...(root.properties as Schema), metadata: { type: 'object' } };
    fn = ajv.compile(root) as ValidateFn;
    compiled.set(cacheKey, fn);
  }
  return fn;
}

/** `/spec/http/0/route/0/weight` → `spec.http[0].route[0].weight`, using the data to tell indexes from keys. */
export function pointerToField(pointer: string, data: unknown): string {
  if (!pointer) return '';
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = '';
  let cur: unknown = data;
  for (const p of parts) {
    if (Array.isArray(cur)) {
      out += `[${p}]`;
      cur = cur[Number(p)];
    } else {
      out += out ? `.${p}` : p;
      cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined;
    }
  }
  return out;
}

function valueAt(pointer: string, data: unknown): unknown {
  let cur = data;
  for (const p of pointer.split('/').slice(1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** The way the API server quotes an invalid value: strings quoted, objects as "object". */
function shown(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(typeName(v));
}

function subSchemaAt(schemaPath: string, root: unknown): Schema | undefined {
  let cur: unknown = root;
  for (const p of schemaPath.replace(/^#\//, '').split('/')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[decodeURIComponent(p)];
  }
  return cur as Schema | undefined;
}

/** Runs the schema and returns the failures as Status causes, the way kube-apiserver phrases them. */
export function schemaCauses(fn: ValidateFn & { schema?: unknown }, obj: unknown): StatusCause[] {
  if (fn(obj)) return [];
  const errors = (fn.errors ?? []).filter((e) => !/\/(oneOf|anyOf|not)\//.test(e.schemaPath));
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const value = valueAt(e.instancePath, obj);
    const where = pointerToField(e.instancePath, obj);
    let cause: StatusCause;
    switch (e.keyword) {
      case 'required': {
        const field = `${where ? `${where}.` : ''}${String(e.params.missingProperty).replace(/^\./, '')}`;
        cause = { reason: 'FieldValueRequired', message: 'Required value', field };
        break;
      }
      case 'type':
        cause = {
          reason: 'FieldValueTypeInvalid',
          message: `Invalid value: ${shown(value)}: ${where} in body must be of type ${String(e.params.type)}: ${JSON.stringify(typeName(value))}`,
          field: where,
        };
        break;
      case 'anyOf': {
        const sub = subSchemaAt(e.schemaPath, fn.schema);
        const types = Array.isArray(sub) ? sub.map((s: Schema) => s.type).filter(Boolean) : [];
        cause =
          types.length > 0 && types.length === (sub as unknown as unknown[]).length
            ? {
                reason: 'FieldValueTypeInvalid',
                message: `Invalid value: ${shown(value)}: ${where} in body must be of type ${types.join(',')}: ${JSON.stringify(typeName(value))}`,
                field: where,
              }
            : {
                reason: 'FieldValueInvalid',
                message: `Invalid value: ${shown(value)}: ${where} in body must validate at least one schema (anyOf)`,
                field: where,
              };
        break;
      }
      case 'oneOf':
        cause = {
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${shown(value)}: ${where} in body must validate one and only one schema (oneOf)`,
          field: where,
        };
        break;
      case 'enum':
        cause = {
          reason: 'FieldValueNotSupported',
          message: `Unsupported value: ${shown(value)}: supported values: ${((e.params.allowedValues as unknown[]) ?? []).map((v) => JSON.stringify(v)).join(', ')}`,
          field: where,
        };
        break;
      case 'maxItems':
      case 'maxLength':
      case 'maxProperties':
        cause = {
          reason: 'FieldValueTooMany',
          message: `Too many: ${where} in body ${e.message ?? ''}`,
          field: where,
        };
        break;
      default:
        cause = {
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${shown(value)}: ${where} in body ${e.message ?? ''}`,
          field: where,
        };
    }
    const id = `${cause.field}|${cause.message}`;
    if (!seen.has(id)) {
      seen.add(id);
      causes.push(cause);
    }
  }
  return causes;
}

/**
 * Removes fields the structural schema does not declare (as the API server prunes them) and returns their
 * paths, e.g. `spec.http[0].foo`. apiVersion, kind and metadata are always kept.
 */
export function pruneUnknown(obj: Record<string, unknown>, schema: unknown): string[] {
  const unknown: string[] = [];
  const root = (schema ?? {}) as Schema;
  const props = (root.properties ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata') continue;
    if (k in props) obj[k] = prune(obj[k], props[k] as Schema, k, unknown);
    else if (!root['x-kubernetes-preserve-unknown-fields']) {
      unknown.push(k);
      delete obj[k];
    }
  }
  return unknown;
}

function prune(value: unknown, schema: Schema | undefined, path: string, unknown: string[]): unknown {
  if (!schema || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items = schema.items as Schema | undefined;
    return items ? value.map((v, i) => prune(v, items, `${path}[${i}]`, unknown)) : value;
  }
  const map = value as Record<string, unknown>;
  const props = schema.properties as Record<string, Schema> | undefined;
  const additional = schema.additionalProperties;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (
    !props &&
    (additional === undefined || additional === true) &&
    (preserve || schema.type !== 'object' || additional === true)
  ) {
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(map)) {
    const child = props?.[k];
    if (child) out[k] = prune(v, child, `${path}.${k}`, unknown);
    else if (additional && typeof additional === 'object')
      out[k] = prune(v, additional as Schema, `${path}.${k}`, unknown);
    else if (preserve || additional === true) out[k] = v;
    else unknown.push(`${path}.${k}`);
  }
  return out;
}
