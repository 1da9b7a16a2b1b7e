/**
 * The CEL rules of a CRD schema (`x-kubernetes-validations`), evaluated with @marcbachmann/cel-js the way
 * the API server does: `self` is the value at the rule's node, a false result is an Invalid cause with the
 * rule's message. Rules that need what this library lacks (e.g. Kubernetes' `url()`) or `oldSelf` are
 * skipped rather than guessed.
 */
import { parse } from '@marcbachmann/cel-js';
import type { StatusCause } from './errors';

type Schema = Record<string, unknown>;
type Program = (ctx: Record<string, unknown>) => unknown;

interface Rule {
  rule: string;
  message?: string;
  fieldPath?: string;
  reason?: string;
}

const programs = new Map<string, Program | null>();

function program(rule: string): Program | null {
  if (!programs.has(rule)) {
    try {
      programs.set(rule, rule.includes('oldSelf') ? null : (parse(rule) as unknown as Program));
    } catch {
      programs.set(rule, null);
    }
  }
  return programs.get(rule) ?? null;
}

function shown(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(Array.isArray(v) ? 'array' : v === null ? 'null' : 'object');
}

function check(value: unknown, schema: Schema, path: string, out: StatusCause[]): void {
  const rules = schema['x-kubernetes-validations'];
  if (Array.isArray(rules)) {
    for (const r of rules as Rule[]) {
      const p = program(r.rule);
      if (!p) continue;
      let ok: unknown;
      try {
        ok = p({ self: value });
      } catch {
        continue; // a function or type this evaluator does not know: skip, never reject on our gap
      }
      if (ok === false) {
        const field = r.fieldPath ? `${path}${r.fieldPath}` : path;
        out.push({
          reason:
            r.reason === 'FieldValueForbidden' ||
            r.reason === 'FieldValueRequired' ||
            r.reason === 'FieldValueDuplicate'
              ? r.reason
              : 'FieldValueInvalid',
          message: `Invalid value: ${shown(value)}: ${r.message ?? `failed rule: ${r.rule}`}`,
          field,
        });
      }
    }
  }
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    const items = schema.items as Schema | undefined;
    if (items) value.forEach((v, i) => check(v, items, `${path}[${i}]`, out));
    return;
  }
  const props = schema.properties as Record<string, Schema> | undefined;
  const additional = schema.additionalProperties;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const child =
      props?.[k] ?? (additional && typeof additional === 'object' ? (additional as Schema) : undefined);
    if (child) check(v, child, path ? `${path}.${k}` : k, out);
  }
}

/** Causes for every CEL rule the object breaks (metadata is not checked, as it is not the CRD's). */
export function celCauses(obj: Record<string, unknown>, schema: unknown): StatusCause[] {
  const out: StatusCause[] = [];
  const root = (schema ?? {}) as Schema;
  const props = (root.properties ?? {}) as Record<string, Schema>;
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'metadata' || k === 'apiVersion' || k === 'kind') continue;
    const s = props[k];
    if (s) check(v, s, k, out);
  }
  return out;
}
