/**
 * Request bodies of the write routes: which media types each method takes (others: 415 before anything is
 * read), the size limit (413), the encodings body-parser knows (gzip, deflate, br, identity; others: 415)
 * and a nesting limit (400), so no body can make a later recursive step (merge patch, schema check,
 * validations) overflow the stack.
 */
import express, { type Request, type RequestHandler } from 'express';
import { parse as parseYaml } from 'yaml';
import { InputError, UnsupportedMediaError } from '../errors';

export const BODY_LIMIT = '1mb';
/** Objects and arrays nested deeper than this are refused (Istio objects nest about 12 deep). */
export const MAX_BODY_DEPTH = 64;

export const JSON_TYPES = ['application/json'];
export const MERGE_PATCH_TYPES = ['application/merge-patch+json', 'application/json'];
export const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];

/** Whether `value` nests objects/arrays deeper than `max` (iterative: safe on any depth). */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** 400 when a parsed body nests too deep. */
export function checkDepth(value: unknown): void {
  if (nestedDeeperThan(value, MAX_BODY_DEPTH))
    throw new InputError(`body: nested deeper than ${MAX_BODY_DEPTH} levels`);
}

/** Columns a YAML line's content may start at: block nesting needs a column per level. */
const MAX_YAML_COLUMN = 2 * MAX_BODY_DEPTH;

/**
 * An upper bound on a YAML text's nesting, read without parsing (the yaml library recurses, and a text
 * nested ~1,000 deep exhausts the stack or even the heap while it reports the error): the column where a
 * line's content starts after its block indicators (`- `, `? `, `: `), and flow brackets outside quotes
 * and comments. Conservative: a text within the bounds may still be refused after parsing.
 */
export function yamlTooDeep(text: string): boolean {
  let flow = 0;
  let quote: '"' | "'" | undefined;
  let lineStart = true;
  let column = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\n') {
      lineStart = true;
      column = 0;
      continue;
    }
    if (lineStart) {
      const indicator = (c === '-' || c === '?' || c === ':') && /[ \n]/.test(text[i + 1] ?? '\n');
      if (c === ' ' || indicator) {
        if (++column > MAX_YAML_COLUMN) return true;
        continue;
      }
      lineStart = false;
    }
    if (quote) {
      if (quote === '"' && c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    // A quoted scalar starts a node: after an indicator, a flow bracket or comma, or a line's start.
    if ((c === '"' || c === "'") && /[:\-?[{,]/.test(prevContent(text, i))) quote = c;
    else if (c === '#' && /\s/.test(text[i - 1] ?? ' ')) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else if (c === '[' || c === '{') {
      if (++flow > MAX_BODY_DEPTH) return true;
    } else if ((c === ']' || c === '}') && flow > 0) flow--;
  }
  return false;
}

/** The last non-blank character before `i` on its line, or ':' at the line's start. */
function prevContent(text: string, i: number): string {
  for (let j = i - 1; j >= 0; j--) {
    const c = text[j] as string;
    if (c === '\n') return ':';
    if (c !== ' ') return c;
  }
  return ':';
}

/** A YAML body as data: nesting bounded before and after parsing; 400 naming the first problem. */
export function parseYamlBody(text: string): unknown {
  if (yamlTooDeep(text)) throw new InputError(`body: nested deeper than ${MAX_BODY_DEPTH} levels`);
  let data: unknown;
  try {
    data = parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new InputError(`body: not valid YAML (${(err as Error).message.split('\n')[0]?.slice(0, 200)})`);
  }
  checkDepth(data);
  return data;
}

/** The media types a method's body may have. */
export function mediaTypesFor(method: string): string[] {
  return method === 'PATCH' ? [...MERGE_PATCH_TYPES, ...YAML_TYPES] : [...JSON_TYPES, ...YAML_TYPES];
}

/** 415 for a body whose Content-Type the method does not take (requests without a body pass). */
export const mediaTypeCheck: RequestHandler = (req, _res, next) => {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
  const types = mediaTypesFor(req.method);
  // null: no body at all.
  if (req.is(types) !== false) return next();
  const type = JSON.stringify(req.headers['content-type'] ?? '');
  next(
    new UnsupportedMediaError(
      req.method === 'PATCH'
        ? `Content-Type ${type}: a patch is a JSON merge patch (application/merge-patch+json or application/json) or YAML (application/yaml); JSON patch, strategic merge and apply patches are not supported`
        : `Content-Type ${type}: send JSON (application/json) or YAML (application/yaml)`,
    ),
  );
};

/**
 * Parsers of the write routes' bodies: `req.body` is then the data (JSON or YAML alike, nesting checked),
 * or undefined when the request had no body.
 */
export function bodyParsers(): RequestHandler[] {
  return [
    mediaTypeCheck,
    express.json({ type: [...new Set([...JSON_TYPES, ...MERGE_PATCH_TYPES])], limit: BODY_LIMIT }),
    express.text({ type: YAML_TYPES, limit: BODY_LIMIT }),
    (req: Request, _res, next) => {
      try {
        if (req.is(YAML_TYPES) && typeof req.body === 'string') req.body = parseYamlBody(req.body);
        else if (typeof req.body === 'object' && req.body !== null) checkDepth(req.body);
      } catch (err) {
        return next(err);
      }
      next();
    },
  ];
}
