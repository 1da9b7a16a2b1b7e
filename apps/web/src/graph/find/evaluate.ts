import type { EdgeData, NodeData } from '../model';
import { FLAGS, OPERANDS } from './operands';
import type { Expr } from './parser';
import { FindParseError, parseFind } from './parser';

export type ElementData = NodeData | EdgeData;
export type Predicate = (data: ElementData, isNode: boolean) => boolean;

export interface CompiledFind {
  /** Which elements the expression can match. */
  targets: { nodes: boolean; edges: boolean };
  test: Predicate;
}

export type CompileResult =
  { ok: true; find: CompiledFind } | { ok: false; message: string; position: number };

function targetsOf(expr: Expr): { nodes: boolean; edges: boolean } {
  switch (expr.type) {
    case 'and':
    case 'or': {
      const ts = expr.items.map(targetsOf);
      return { nodes: ts.some((t) => t.nodes), edges: ts.some((t) => t.edges) };
    }
    case 'not':
      return targetsOf(expr.expr);
    default: {
      const spec = expr.type === 'flag' ? FLAGS[expr.operand] : OPERANDS[expr.operand];
      return { nodes: spec?.target === 'node', edges: spec?.target === 'edge' };
    }
  }
}

function compare(actual: number | string | boolean, op: string, expected: number | string): boolean {
  if (typeof expected === 'number') {
    const a = typeof actual === 'number' ? actual : Number(actual);
    if (Number.isNaN(expected)) return op === '!=' ? !Number.isNaN(a) : op === '=' && Number.isNaN(a);
    if (Number.isNaN(a)) return false;
    switch (op) {
      case '=':
        return a === expected;
      case '!=':
        return a !== expected;
      case '>':
        return a > expected;
      case '>=':
        return a >= expected;
      case '<':
        return a < expected;
      default:
        return a <= expected;
    }
  }
  const a = String(actual).toLowerCase();
  const e = expected.toLowerCase();
  switch (op) {
    case '=':
      return a === e;
    case '!=':
      return a !== e;
    case 'contains':
      return a.includes(e);
    case '!contains':
      return !a.includes(e);
    case 'startswith':
      return a.startsWith(e);
    case '!startswith':
      return !a.startsWith(e);
    case 'endswith':
      return a.endsWith(e);
    default:
      return !a.endsWith(e);
  }
}

/**
 * A predicate over flat element data. An operand of the other element kind never matches
 * (`rt > 1000` matches no node; `ns = x` matches no edge), so mixed expressions combine sensibly.
 */
export function toPredicate(expr: Expr): Predicate {
  switch (expr.type) {
    case 'and': {
      const ps = expr.items.map(toPredicate);
      return (d, n) => ps.every((p) => p(d, n));
    }
    case 'or': {
      const ps = expr.items.map(toPredicate);
      return (d, n) => ps.some((p) => p(d, n));
    }
    case 'not': {
      const p = toPredicate(expr.expr);
      const t = targetsOf(expr.expr);
      // "!healthy" only says something about nodes: it must not select every edge.
      return (d, n) => (n ? t.nodes : t.edges) && !p(d, n);
    }
    case 'flag': {
      const spec = FLAGS[expr.operand];
      if (!spec) return () => false;
      const wantNode = spec.target === 'node';
      return (d, n) => n === wantNode && spec.read(d as NodeData & EdgeData) === true;
    }
    case 'compare': {
      const spec = OPERANDS[expr.operand];
      if (!spec) return () => false;
      const wantNode = spec.target === 'node';
      return (d, n) => n === wantNode && compare(spec.read(d as NodeData & EdgeData), expr.op, expr.value);
    }
  }
}

/** Parses and compiles; an error comes back as data with its message and 1-based position. */
export function compileFind(input: string): CompileResult {
  try {
    const expr = parseFind(input);
    return { ok: true, find: { targets: targetsOf(expr), test: toPredicate(expr) } };
  } catch (err) {
    if (err instanceof FindParseError) return { ok: false, message: err.message, position: err.position };
    throw err;
  }
}
