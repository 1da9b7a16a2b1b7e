/**
 * JSON text of stored objects, computed once per object: the store never mutates an object after putting
 * it (every write stores a new one), so lists and watch fan-out reuse the same text.
 */
import type { KObject } from './types';

const texts = new WeakMap<object, string>();

export function objectJson(obj: KObject): string {
  let text = texts.get(obj);
  if (text === undefined) {
    text = JSON.stringify(obj);
    texts.set(obj, text);
  }
  return text;
}

/** A body that is already JSON text. */
export class RawJson {
  constructor(readonly text: string) {}
}
