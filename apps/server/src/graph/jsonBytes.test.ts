import { describe, expect, it } from 'vitest';
import { jsonBytes, PIECE } from './jsonBytes';

const same = (value: object) =>
  expect(jsonBytes(value).equals(Buffer.from(JSON.stringify(value)))).toBe(true);

const element = (i: number) => ({
  id: `vapp:ns-${i}/svc-${i}/v1`,
  label: `svc ${i} “quoted” "and" \\ escaped\n ü – 漢字 😀`,
  n: i % 3 === 0 ? -0 : i / 7,
  nan: Number.NaN,
  inf: i % 2 ? Infinity : null,
  skipped: undefined,
  fn: () => i,
  responses: { '200': { '-': i }, '503': { UF: 0.1 } },
  list: [undefined, i, [], {}],
});

describe('jsonBytes', () => {
  it.each([0, 1, PIECE - 1, PIECE, PIECE + 1, 2 * PIECE, 3 * PIECE + 7])(
    'is the bytes of JSON.stringify with %i array elements',
    (n) => {
      const elements = Array.from({ length: n }, (_, i) => element(i));
      same({ timestamp: 1.5, nodes: elements, edges: [...elements].reverse(), warnings: [] });
    },
  );

  it('leaves out what JSON.stringify leaves out, in the same key order', () => {
    same({});
    same({ a: undefined });
    same({ a: undefined, b: 1, c: () => 2, d: Symbol('x'), e: null, f: 'ü' });
    same({ big: Array.from({ length: 50 }, (_, i) => (i % 5 ? i : undefined)), after: [1, 2] });
    same({ nested: { deep: Array.from({ length: 60 }, (_, i) => ({ i })) }, toJSON: undefined });
    same({ date: new Date(0), arr: Array.from({ length: 45 }, (_, i) => new Date(i)) });
  });
});
