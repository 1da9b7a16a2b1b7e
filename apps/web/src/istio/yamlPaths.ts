/** Maps a validation path (`spec/http[0]/route[0]/weight`) to where it is in a YAML text. */
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Node } from 'yaml';

/** `spec/http[0]/route[0]/weight` → ['spec', 'http', 0, 'route', 0, 'weight']. */
export function splitPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of path.split('/').filter(Boolean)) {
    const m = /^([^[\]]*)((\[\d+\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1]) out.push(m[1]);
    for (const idx of (m[2] ?? '').matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

export interface YamlLocation {
  /** 1-based line. */
  line: number;
  from: number;
  to: number;
  /** False when the path went past what the text has: the location is its deepest existing parent. */
  exact: boolean;
}

/**
 * Where `path` is in `text`: the key of the deepest node of the path that exists (the whole key: value
 * line when the node is a scalar). Returns the first line when nothing of the path exists.
 */
export function locatePath(text: string, path: string): YamlLocation {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, keepSourceTokens: true });
  const at = (offset: number, end: number, exact: boolean): YamlLocation => ({
    line: lineCounter.linePos(offset).line,
    from: offset,
    to: Math.max(offset, end),
    exact,
  });
  let node: unknown = doc.contents;
  let range: [number, number] | undefined = (doc.contents as Node | null)?.range?.slice(0, 2) as
    [number, number] | undefined;
  const parts = splitPath(path);
  for (const [i, part] of parts.entries()) {
    let next: unknown;
    let keyRange: [number, number] | undefined;
    if (isMap(node) && typeof part === 'string') {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === part);
      if (pair) {
        next = pair.value;
        const k = pair.key as Node | null;
        const v = pair.value as Node | null;
        if (k?.range) keyRange = [k.range[0], isScalar(v) && v.range ? v.range[1] : k.range[1]];
      }
    } else if (isSeq(node) && typeof part === 'number') {
      next = node.items[part];
      const r = (next as Node | null)?.range;
      if (r) keyRange = [r[0], r[0]];
    }
    if (next === undefined || keyRange === undefined) {
      return range ? at(range[0], range[0], false) : at(0, 0, false);
    }
    node = next;
    range = keyRange;
    if (i === parts.length - 1) return at(range[0], range[1], true);
  }
  return range ? at(range[0], range[0], parts.length === 0) : at(0, 0, false);
}
