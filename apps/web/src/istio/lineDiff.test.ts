import { describe, expect, it } from 'vitest';
import { diffStats, lineDiff } from './lineDiff';

const lines = (n: number, change?: [number, string]) =>
  Array.from({ length: n }, (_, i) => (change && change[0] === i + 1 ? change[1] : `line ${i + 1}`)).join(
    '\n',
  ) + '\n';

describe('lineDiff', () => {
  it('is empty for equal texts', () => {
    expect(lineDiff('a\nb\n', 'a\nb\n')).toEqual([]);
  });

  it('shows a changed line as a removal and an addition with line numbers and context', () => {
    const rows = lineDiff(lines(20), lines(20, [10, 'weight: 80']));
    expect(rows[0]).toEqual({ kind: 'skip', text: '… 6 unchanged lines' });
    expect(rows.filter((r) => r.kind !== 'skip').map((r) => r.kind)).toEqual([
      'same',
      'same',
      'same',
      'del',
      'add',
      'same',
      'same',
      'same',
    ]);
    expect(rows.find((r) => r.kind === 'del')).toEqual({ kind: 'del', text: 'line 10', oldLine: 10 });
    expect(rows.find((r) => r.kind === 'add')).toEqual({ kind: 'add', text: 'weight: 80', newLine: 10 });
    expect(rows.at(-1)).toEqual({ kind: 'skip', text: '… 7 unchanged lines' });
    expect(diffStats(rows)).toEqual({ added: 1, removed: 1 });
  });

  it('numbers lines after an insertion in the new text', () => {
    const rows = lineDiff('a\nb\nc\n', 'a\nx\ny\nb\nc\n', 0);
    expect(rows).toEqual([
      { kind: 'skip', text: '… 1 unchanged line' },
      { kind: 'add', text: 'x', newLine: 2 },
      { kind: 'add', text: 'y', newLine: 3 },
      { kind: 'skip', text: '… 2 unchanged lines' },
    ]);
  });
});
