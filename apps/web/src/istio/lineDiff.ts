/** A unified line diff for the editor's "review before saving" and "theirs vs yours" views. */
import { diffLines } from 'diff';

export interface DiffRow {
  kind: 'same' | 'add' | 'del' | 'skip';
  text: string;
  /** Line numbers in the old and new text (1-based), when the row has one. */
  oldLine?: number;
  newLine?: number;
}

/** The rows of a unified diff of `before` → `after`, keeping `context` unchanged lines around each change. */
export function lineDiff(before: string, after: string, context = 3): DiffRow[] {
  const rows: DiffRow[] = [];
  let o = 1;
  let n = 1;
  for (const part of diffLines(before, after)) {
    const lines = part.value.replace(/\n$/, '').split('\n');
    for (const text of lines) {
      if (part.added) rows.push({ kind: 'add', text, newLine: n++ });
      else if (part.removed) rows.push({ kind: 'del', text, oldLine: o++ });
      else rows.push({ kind: 'same', text, oldLine: o++, newLine: n++ });
    }
  }
  const near = rows.map(() => false);
  rows.forEach((r, i) => {
    if (r.kind === 'same') return;
    for (let j = Math.max(0, i - context); j <= Math.min(rows.length - 1, i + context); j++) near[j] = true;
  });
  const out: DiffRow[] = [];
  let skipped = 0;
  rows.forEach((r, i) => {
    if (r.kind !== 'same' || near[i]) {
      if (skipped > 0)
        out.push({ kind: 'skip', text: `… ${skipped} unchanged line${skipped > 1 ? 's' : ''}` });
      skipped = 0;
      out.push(r);
    } else skipped++;
  });
  if (skipped > 0 && out.length > 0)
    out.push({ kind: 'skip', text: `… ${skipped} unchanged line${skipped > 1 ? 's' : ''}` });
  return out;
}

/** Counts of added and removed lines. */
export function diffStats(rows: DiffRow[]): { added: number; removed: number } {
  return {
    added: rows.filter((r) => r.kind === 'add').length,
    removed: rows.filter((r) => r.kind === 'del').length,
  };
}
