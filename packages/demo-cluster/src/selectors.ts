/** Label and field selectors with the syntax of the Kubernetes API (`a=b,c!=d,e in (x,y),f,!g`). */
import { badRequest } from './errors';
import type { KObject } from './types';

export type Requirement =
  { key: string; op: 'in' | 'notin'; values: string[] } | { key: string; op: 'exists' | 'notexists' };

export type Selector = Requirement[];

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_./]*[a-z0-9A-Z])?)$/;
const VALUE = /^(([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?)$/;

/** Splits on commas that are not inside parentheses. */
function splitTerms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

function checkKey(key: string, text: string): string {
  if (!KEY.test(key))
    throw badRequest(`unable to parse requirement: invalid label key "${key}" in "${text}"`);
  return key;
}

function checkValue(value: string, text: string): string {
  if (!VALUE.test(value) || value.length > 63)
    throw badRequest(`unable to parse requirement: invalid label value "${value}" in "${text}"`);
  return value;
}

export function parseLabelSelector(text: string | null | undefined): Selector {
  if (!text) return [];
  return splitTerms(text).map((term): Requirement => {
    let m = /^!\s*(\S+)$/.exec(term);
    if (m) return { key: checkKey(m[1] ?? '', term), op: 'notexists' };
    m = /^(\S+?)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
    if (m) {
      const values = (m[3] ?? '')
        .split(',')
        .map((v) => v.trim())
        .filter((v, i, all) => v !== '' || all.length === 1);
      return {
        key: checkKey(m[1] ?? '', term),
        op: m[2] as 'in' | 'notin',
        values: values.map((v) => checkValue(v, term)),
      };
    }
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (m) {
      const key = checkKey(m[1] ?? '', term);
      const value = checkValue(m[3] ?? '', term);
      return { key, op: m[2] === '!=' ? 'notin' : 'in', values: [value] };
    }
    if (/^\S+$/.test(term)) return { key: checkKey(term, term), op: 'exists' };
    throw badRequest(
      `unable to parse requirement: found '${term}', expected: !, identifier, or 'end of string'`,
    );
  });
}

export function matchesLabels(selector: Selector, labels: Record<string, string> | undefined): boolean {
  for (const r of selector) {
    const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
    const value = has ? labels[r.key] : undefined;
    switch (r.op) {
      case 'exists':
        if (!has) return false;
        break;
      case 'notexists':
        if (has) return false;
        break;
      case 'in':
        if (!has || !r.values.includes(value ?? '')) return false;
        break;
      case 'notin':
        if (has && r.values.includes(value ?? '')) return false;
        break;
    }
  }
  return true;
}

/** Equality-based selector from a map (a service's or a deployment's matchLabels). */
export function selectorFromMap(map: Record<string, string> | undefined): Selector {
  return Object.entries(map ?? {}).map(([key, value]) => ({ key, op: 'in', values: [value] }));
}

/** A LabelSelector object ({matchLabels, matchExpressions}) as used by deployments. */
export function selectorFromLabelSelector(sel: unknown): Selector {
  const s = (sel ?? {}) as {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  const out = selectorFromMap(s.matchLabels);
  for (const e of s.matchExpressions ?? []) {
    const op = e.operator.toLowerCase();
    if (op === 'in' || op === 'notin') out.push({ key: e.key, op, values: e.values ?? [] });
    else if (op === 'exists') out.push({ key: e.key, op: 'exists' });
    else if (op === 'doesnotexist') out.push({ key: e.key, op: 'notexists' });
  }
  return out;
}

export interface FieldRequirement {
  field: string;
  equal: boolean;
  value: string;
}

/** Fields every kind can be selected on, plus a few per-kind ones the real server supports. */
const EXTRA_FIELDS: Record<string, string[]> = {
  Pod: ['spec.nodeName', 'status.phase', 'spec.serviceAccountName', 'status.podIP', 'spec.restartPolicy'],
  Secret: ['type'],
  Namespace: ['status.phase'],
  Event: [
    'involvedObject.name',
    'involvedObject.namespace',
    'involvedObject.kind',
    'involvedObject.uid',
    'reason',
    'type',
  ],
};

export function parseFieldSelector(text: string | null | undefined, kind: string): FieldRequirement[] {
  if (!text) return [];
  const allowed = ['metadata.name', 'metadata.namespace', ...(EXTRA_FIELDS[kind] ?? [])];
  return splitTerms(text).map((term) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const field = m[1] ?? '';
    if (!allowed.includes(field)) throw badRequest(`field label not supported: ${field}`);
    return { field, equal: m[2] !== '!=', value: m[3] ?? '' };
  });
}

function fieldValue(obj: KObject, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur === undefined || cur === null ? '' : String(cur);
}

export function matchesFields(reqs: FieldRequirement[], obj: KObject): boolean {
  for (const r of reqs) {
    if ((fieldValue(obj, r.field) === r.value) !== r.equal) return false;
  }
  return true;
}

/** A field selector's metadata.namespace / metadata.name equality, used to narrow a lookup. */
export function fieldEquals(reqs: FieldRequirement[], field: string): string | undefined {
  return reqs.find((r) => r.field === field && r.equal)?.value;
}
