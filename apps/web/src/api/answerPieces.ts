/**
 * A large JSON answer passed from a Web Worker to the page in pieces: the object without its long
 * top-level arrays first, then those arrays a slice at a time. Each piece is its own message, so the
 * page takes it in (structured clone) in a task of its own and frames run between them — one 10 MB
 * answer would block the main thread for hundreds of ms.
 */
export type AnswerPiece =
  | {
      kind: 'head';
      value: Record<string, unknown>;
      /** Length of each array sent apart (empty in `value` until its items come). */
      lengths: Record<string, number>;
      /** The answer is not an object: it is `value.value`, whole. */
      wrapped?: true;
    }
  | { kind: 'items'; key: string; items: unknown[] };

/** Items per piece of a long array (a graph node is ~0.7 kB of JSON). */
export const PIECE_ITEMS = 1000;

/** The pieces of `value` (a JSON object): arrays longer than `size` are sent apart, in slices. */
export function splitAnswer(value: unknown, size = PIECE_ITEMS): AnswerPiece[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return [{ kind: 'head', value: { value }, lengths: {}, wrapped: true }];
  const head: Record<string, unknown> = {};
  const lengths: Record<string, number> = {};
  const rest: AnswerPiece[] = [];
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    if (!Array.isArray(field) || field.length <= size) {
      head[key] = field;
      continue;
    }
    head[key] = [];
    lengths[key] = field.length;
    for (let i = 0; i < field.length; i += size)
      rest.push({ kind: 'items', key, items: field.slice(i, i + size) });
  }
  return [{ kind: 'head', value: head, lengths }, ...rest];
}

/** Puts the pieces of splitAnswer back together, in the order they were made. */
export class AnswerAssembler {
  private value: Record<string, unknown> | null = null;
  private lengths: Record<string, number> = {};
  private wrapped = false;

  /** Takes one piece; true once the answer is whole. */
  add(piece: AnswerPiece): boolean {
    if (piece.kind === 'head') {
      this.value = piece.value;
      this.lengths = piece.lengths;
      this.wrapped = piece.wrapped === true;
    } else {
      if (!this.value) throw new Error('answer piece before its head');
      const list = this.value[piece.key];
      if (!Array.isArray(list)) throw new Error(`answer piece for ${piece.key}, not an array of the head`);
      for (const item of piece.items) list.push(item);
    }
    return this.whole();
  }

  whole(): boolean {
    if (!this.value) return false;
    return Object.entries(this.lengths).every(([key, n]) => (this.value?.[key] as unknown[]).length >= n);
  }

  /** The answer (once whole). */
  result(): unknown {
    if (!this.value || !this.whole()) throw new Error('answer not complete');
    return this.wrapped ? this.value.value : this.value;
  }
}
