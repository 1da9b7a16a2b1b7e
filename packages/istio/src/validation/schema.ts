/**
 * Schema checks (ML0001): an Istio object against its CRD's openAPIV3Schema, as the API server would check
 * it. The CRD documents come from the caller (the server or a test parses data/istio/crd-all.gen.yaml):
 * this package does no I/O. CEL rules (`x-kubernetes-validations`) are not evaluated.
 */
import Ajv from 'ajv';
import type { ValidationCheck } from './types';
import { makeCheck } from './types';

type Schema = Record<string, unknown>;
type ValidateFn = ((data: unknown) => boolean) & {
  errors?:
    | {
        keyword: string;
        instancePath: string;
        schemaPath: string;
        params: Record<string, unknown>;
        message?: string;
      }[]
    | null;
};

/** Compiled schemas by `group/version/Kind`; build once with crdSchemas() and pass in ValidationOptions. */
export interface CrdSchemas {
  validate(obj: { apiVersion?: string; kind?: string }): ValidationCheck[];
  /** `group/version/Kind` keys known. */
  kinds(): string[];
}

/**
 * Structural schema → plain JSON Schema: descriptions and x-kubernetes-* dropped, int-or-string spelled out,
 * and objects closed (`additionalProperties: false`) where the API server would prune unknown fields — an
 * object with `properties`, unless `x-kubernetes-preserve-unknown-fields` keeps them — so an unknown field
 * (`spec.subsetz`) is refused as kubectl's strict field validation (the default since Kubernetes 1.27) does.
 */
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
  if (
    src.type === 'object' &&
    src.properties !== undefined &&
    src.additionalProperties === undefined &&
    src['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

/** `/spec/http/0/route/0` → `spec/http[0]/route[0]`, telling indexes from keys by the data. */
export function pointerToPath(pointer: string, data: unknown): string {
  let out = '';
  let cur: unknown = data;
  for (const raw of pointer.split('/').slice(1)) {
    const p = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      out += `[${p}]`;
      cur = cur[Number(p)];
    } else {
      out += out ? `/${p}` : p;
      cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined;
    }
  }
  return out;
}

interface CrdDoc {
  kind?: string;
  spec?: {
    group?: string;
    names?: { kind?: string };
    versions?: { name?: string; schema?: { openAPIV3Schema?: unknown } }[];
  };
}

/** Compiles the schemas of every CRD among `documents` (parsed YAML documents; other kinds are skipped). */
export function crdSchemas(documents: unknown[]): CrdSchemas {
  // ajv 8 reads OpenAPI's `nullable`; strict: false ignores the formats it does not know (int32, double,
  // byte, and date-time, which Istio's CRDs use only in status conditions), as ajv 6 ignored unknown ones.
  const ajv = new Ajv({ allErrors: true, strict: false, logger: false });
  const sources = new Map<string, unknown>();
  for (const d of documents as CrdDoc[]) {
    if (!d || d.kind !== 'CustomResourceDefinition' || !d.spec?.group || !d.spec.names?.kind) continue;
    for (const v of d.spec.versions ?? []) {
      if (v.name && v.schema?.openAPIV3Schema)
        sources.set(`${d.spec.group}/${v.name}/${d.spec.names.kind}`, v.schema.openAPIV3Schema);
    }
  }
  const compiled = new Map<string, ValidateFn>();
  const compile = (key: string): ValidateFn | undefined => {
    const hit = compiled.get(key);
    if (hit) return hit;
    const src = sources.get(key);
    if (!src) return undefined;
    const root = { ...(toJsonSchema(src) as Schema) };
    // metadata is ObjectMeta (the API server checks it, not the CRD's schema); apiVersion and kind are the
    // object's own fields at the top level.
    if (root.properties)
      root.properties = {
        ...(root.properties as Schema),
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { type: 'object' },
      };
    const fn = ajv.compile(root) as ValidateFn;
    compiled.set(key, fn);
    return fn;
  };
  return {
    kinds: () => [...sources.keys()],
    validate(obj) {
      // Any JSON value may come here: only strings name a CRD.
      const apiVersion = typeof obj?.apiVersion === 'string' ? obj.apiVersion : undefined;
      const kind = typeof obj?.kind === 'string' ? obj.kind : undefined;
      const key = `${apiVersion ?? ''}/${kind ?? ''}`;
      if (!sources.has(key)) {
        return [makeCheck('ML0001', 'apiVersion', `no CRD serves ${apiVersion ?? '?'} ${kind ?? '?'}`)];
      }
      const fn = compile(key) as ValidateFn;
      if (fn(obj)) return [];
      const out: ValidationCheck[] = [];
      const seen = new Set<string>();
      for (const e of fn.errors ?? []) {
        if (/\/(oneOf|anyOf|not)\//.test(e.schemaPath)) continue; // branch noise; the summary error stays
        let path = pointerToPath(e.instancePath, obj);
        let what = e.message ?? e.keyword;
        if (e.keyword === 'required') {
          path = `${path ? `${path}/` : ''}${String(e.params.missingProperty).replace(/^\./, '')}`;
          what = 'required';
        } else if (e.keyword === 'additionalProperties') {
          const field = String(e.params.additionalProperty);
          path = `${path ? `${path}/` : ''}${field}`;
          what = `unknown field "${field}"`;
        } else if (e.keyword === 'oneOf' || e.keyword === 'not') {
          what = 'only one of the alternatives may be set';
        }
        const key2 = `${path}|${what}`;
        if (seen.has(key2)) continue;
        seen.add(key2);
        out.push(makeCheck('ML0001', path, `${path || 'object'}: ${what}`));
      }
      return out;
    },
  };
}

/** Schema checks for one object when `options.schemas` is set; none otherwise. */
export function schemaChecks(
  obj: { apiVersion?: string; kind?: string },
  options: { schemas?: CrdSchemas },
): ValidationCheck[] {
  return options.schemas ? options.schemas.validate(obj) : [];
}
