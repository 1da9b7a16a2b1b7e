import { FLAGS, FLAG_NAMES, OPERANDS, OPERAND_NAMES } from './operands';

/**
 * Find/hide expressions, as Kiali users write them:
 *   expr    := and
 *   and     := or  (AND or)*          -- AND / &&
 *   or      := unary (OR unary)*      -- OR / ||; OR binds tighter than AND, as in Kiali
 *   unary   := ('!' | 'not') unary | '(' and ')' | operand [op value]
 * Positions in messages are 1-based columns of the input.
 */
export type CompareOp =
  | '='
  | '!='
  | '>'
  | '>='
  | '<'
  | '<='
  | 'contains'
  | '!contains'
  | 'startswith'
  | '!startswith'
  | 'endswith'
  | '!endswith';

export type Expr =
  | { type: 'and' | 'or'; items: Expr[] }
  | { type: 'not'; expr: Expr }
  | { type: 'flag'; operand: string }
  | { type: 'compare'; operand: string; op: CompareOp; value: string | number };

export class FindParseError extends Error {
  constructor(
    message: string,
    /** 1-based column where the problem starts. */
    readonly position: number,
  ) {
    super(message);
    this.name = 'FindParseError';
  }
}

type TokenType = 'word' | 'op' | 'not' | 'and' | 'or' | 'lparen' | 'rparen' | 'end';
interface Token {
  type: TokenType;
  text: string;
  /** 0-based offset. */
  at: number;
}

const SYMBOL_OPS: Record<string, CompareOp> = {
  '!=': '!=',
  '>=': '>=',
  '<=': '<=',
  '*=': 'contains',
  '^=': 'startswith',
  '$=': 'endswith',
  '!*=': '!contains',
  '!^=': '!startswith',
  '!$=': '!endswith',
  '=': '=',
  '>': '>',
  '<': '<',
};
const WORD_OPS: Record<string, CompareOp> = {
  contains: 'contains',
  '!contains': '!contains',
  startswith: 'startswith',
  '!startswith': '!startswith',
  endswith: 'endswith',
  '!endswith': '!endswith',
};
const SYMBOLS = Object.keys(SYMBOL_OPS).sort((a, b) => b.length - a.length);
const WORD_CHAR = /[A-Za-z0-9_.%:/-]/;

export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '(' || ch === ')') {
      tokens.push({ type: ch === '(' ? 'lparen' : 'rparen', text: ch, at: i });
      i++;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const close = input.indexOf(ch, i + 1);
      if (close < 0) throw new FindParseError(`Unclosed quote ${ch} starting at position ${i + 1}`, i + 1);
      tokens.push({ type: 'word', text: input.slice(i + 1, close), at: i });
      i = close + 1;
      continue;
    }
    if (input.startsWith('&&', i) || input.startsWith('||', i)) {
      tokens.push({ type: ch === '&' ? 'and' : 'or', text: input.slice(i, i + 2), at: i });
      i += 2;
      continue;
    }
    const sym = SYMBOLS.find((s) => input.startsWith(s, i));
    if (sym) {
      tokens.push({ type: 'op', text: sym, at: i });
      i += sym.length;
      continue;
    }
    if (ch === '!') {
      // "!contains" etc. are operators; a lone "!" negates.
      const word = /^!(contains|startswith|endswith)\b/i.exec(input.slice(i));
      if (word) {
        tokens.push({ type: 'op', text: word[0].toLowerCase(), at: i });
        i += word[0].length;
      } else {
        tokens.push({ type: 'not', text: '!', at: i });
        i++;
      }
      continue;
    }
    if (WORD_CHAR.test(ch)) {
      let j = i;
      while (j < input.length && WORD_CHAR.test(input[j] as string)) j++;
      const text = input.slice(i, j);
      const lower = text.toLowerCase();
      const type: TokenType =
        lower === 'and'
          ? 'and'
          : lower === 'or'
            ? 'or'
            : lower === 'not'
              ? 'not'
              : lower in WORD_OPS
                ? 'op'
                : 'word';
      tokens.push({ type, text: type === 'word' ? text : lower, at: i });
      i = j;
      continue;
    }
    throw new FindParseError(`Unexpected character '${ch}' at position ${i + 1}`, i + 1);
  }
  tokens.push({ type: 'end', text: '', at: input.length });
  return tokens;
}

const describe = (t: Token): string => (t.type === 'end' ? 'end of expression' : `'${t.text}'`);

/** Parses a find/hide expression; throws FindParseError with the position and what was expected. */
export function parseFind(input: string): Expr {
  const tokens = tokenize(input);
  if (tokens.length === 1) throw new FindParseError('Empty expression: expected an operand such as rt', 1);
  let pos = 0;
  const peek = (): Token => tokens[pos] as Token;
  const next = (): Token => tokens[pos++] as Token;
  const fail = (t: Token, expected: string): never => {
    throw new FindParseError(`Expected ${expected} at position ${t.at + 1}, found ${describe(t)}`, t.at + 1);
  };

  const parseAnd = (): Expr => {
    const items = [parseOr()];
    while (peek().type === 'and') {
      next();
      items.push(parseOr());
    }
    return items.length === 1 ? (items[0] as Expr) : { type: 'and', items };
  };
  const parseOr = (): Expr => {
    const items = [parseUnary()];
    while (peek().type === 'or') {
      next();
      items.push(parseUnary());
    }
    return items.length === 1 ? (items[0] as Expr) : { type: 'or', items };
  };
  const parseUnary = (): Expr => {
    const t = next();
    if (t.type === 'not') return { type: 'not', expr: parseUnary() };
    if (t.type === 'lparen') {
      const inner = parseAnd();
      const close = next();
      if (close.type !== 'rparen') fail(close, "')'");
      return inner;
    }
    if (t.type !== 'word') return fail(t, 'an operand (e.g. rt, ns, healthy)');
    const name = t.text.toLowerCase();
    const opTok = peek();
    if (opTok.type !== 'op') {
      if (name in FLAGS) return { type: 'flag', operand: name };
      if (name in OPERANDS) {
        return fail(
          opTok,
          `an operator after '${t.text}' (=, !=, >, >=, <, <=, contains, startswith, endswith)`,
        );
      }
      throw unknownOperand(t);
    }
    if (!(name in OPERANDS)) {
      if (name in FLAGS) {
        throw new FindParseError(
          `'${t.text}' at position ${t.at + 1} takes no operator: write '${name}' or '!${name}'`,
          t.at + 1,
        );
      }
      throw unknownOperand(t);
    }
    next();
    const op = (SYMBOL_OPS[opTok.text] ?? WORD_OPS[opTok.text]) as CompareOp;
    const valTok = next();
    if (valTok.type !== 'word') return fail(valTok, `a value after '${opTok.text}'`);
    const spec = OPERANDS[name];
    if (spec?.kind === 'number') {
      if (!['=', '!=', '>', '>=', '<', '<='].includes(op)) {
        throw new FindParseError(
          `'${opTok.text}' at position ${opTok.at + 1} works on text; '${name}' is a number: use =, !=, >, >=, < or <=`,
          opTok.at + 1,
        );
      }
      const value = valTok.text.toLowerCase() === 'nan' ? NaN : Number(valTok.text);
      if (valTok.text.toLowerCase() !== 'nan' && !Number.isFinite(value)) {
        throw new FindParseError(
          `Expected a number for '${name}' at position ${valTok.at + 1}, found '${valTok.text}'`,
          valTok.at + 1,
        );
      }
      return { type: 'compare', operand: name, op, value };
    }
    if (['>', '>=', '<', '<='].includes(op)) {
      throw new FindParseError(
        `'${opTok.text}' at position ${opTok.at + 1} compares numbers; '${name}' is text: use =, !=, contains, startswith or endswith`,
        opTok.at + 1,
      );
    }
    return { type: 'compare', operand: name, op, value: valTok.text };
  };

  const expr = parseAnd();
  const rest = peek();
  if (rest.type !== 'end') fail(rest, 'AND, OR or the end of the expression');
  return expr;
}

function unknownOperand(t: Token): FindParseError {
  return new FindParseError(
    `Unknown operand '${t.text}' at position ${t.at + 1}; expected one of ${[...OPERAND_NAMES, ...FLAG_NAMES].join(', ')}`,
    t.at + 1,
  );
}
