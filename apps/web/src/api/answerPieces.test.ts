import { describe, expect, it } from 'vitest';
import { AnswerAssembler, splitAnswer } from './answerPieces';

const answer = {
  timestamp: 1,
  nodes: Array.from({ length: 25 }, (_, i) => ({ id: `n${i}` })),
  edges: Array.from({ length: 7 }, (_, i) => ({ id: `e${i}` })),
  warnings: [{ code: 'x' }],
};

describe('splitAnswer / AnswerAssembler', () => {
  it('sends long arrays apart, a slice a piece, and puts the answer back as it was', () => {
    const pieces = splitAnswer(answer, 10);
    // the head without the nodes, then 3 slices of nodes; edges and warnings fit the head
    expect(pieces.map((p) => (p.kind === 'items' ? `${p.key}:${p.items.length}` : 'head'))).toEqual([
      'head',
      'nodes:10',
      'nodes:10',
      'nodes:5',
    ]);
    const head = pieces[0];
    expect(head?.kind === 'head' && head.value.nodes).toEqual([]);
    const assembler = new AnswerAssembler();
    const whole = pieces.map((p) => assembler.add(structuredClone(p)));
    expect(whole).toEqual([false, false, false, true]);
    expect(assembler.result()).toEqual(answer);
  });

  it('is not whole before the last piece', () => {
    const assembler = new AnswerAssembler();
    const pieces = splitAnswer(answer, 10);
    for (const p of pieces.slice(0, -1)) assembler.add(p);
    expect(assembler.whole()).toBe(false);
    expect(() => assembler.result()).toThrow(/not complete/);
  });

  it('passes small answers and non-objects in one piece', () => {
    for (const value of [{ a: [1, 2] }, [1, 2, 3], 'text', 0]) {
      const pieces = splitAnswer(value, 10);
      expect(pieces).toHaveLength(1);
      const assembler = new AnswerAssembler();
      expect(assembler.add(pieces[0]!)).toBe(true);
      expect(assembler.result()).toEqual(value);
    }
  });
});
