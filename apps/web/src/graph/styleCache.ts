import type { Core } from 'cytoscape';

/**
 * Cytoscape's internals this module relies on (3.34): the Style object's `apply(eles)`, which computes
 * the style of dirty elements (lazily, on their first read), and the collections' `dirtyStyleCache()`,
 * which it calls once for every property it sets on an element.
 */
interface StyleInternals {
  apply(this: StyleInternals, eles: unknown): unknown;
  _private: { cy: Core };
}
interface Elements {
  length: number;
  [i: number]: unknown;
  dirtyStyleCache(this: Elements): Elements;
}

const PATCHED = Symbol.for('meshlens.styleCacheDirtying');

/**
 * Dirties each element's derived-style cache (`visible()`, `takesUpSpace()`, ...) once per style
 * computation instead of once per style property.
 *
 * Cytoscape clears that cache after every property it applies to an element. In a graph with
 * compound nodes (our namespace boxes) each clearing builds four collections: the element, its
 * descendants, its parents and all their edges. A new element gets ~25 properties, so expanding a
 * namespace of the aggregate view (~200 new nodes and edges) built ~20,000 collections, ~100 ms of
 * the expansion; the first style of a boxed graph paid the same per element.
 *
 * While one `apply` runs, the elements whose cache would be cleared are collected, and cleared once
 * when it returns. Nothing inside `apply` reads that cache (it reads properties, data and the
 * stylesheet's mappers), so the cache is the same afterwards as Cytoscape leaves it. Applied once
 * per page (the prototypes are shared by every instance); returns false, changing nothing, when a
 * Cytoscape version lacks either method.
 */
export function batchStyleCacheDirtying(cy: Core): boolean {
  const style = cy.style() as unknown as StyleInternals | undefined;
  const styleProto = style ? (Object.getPrototypeOf(style) as StyleInternals & { [PATCHED]?: true }) : null;
  const eleProto = Object.getPrototypeOf(cy.collection()) as Elements;
  if (!styleProto) return false;
  if (styleProto[PATCHED]) return true;
  const apply = styleProto.apply;
  const dirty = eleProto.dirtyStyleCache;
  if (typeof apply !== 'function' || typeof dirty !== 'function') return false;
  let pending: Set<unknown> | null = null;
  eleProto.dirtyStyleCache = function (this: Elements) {
    if (!pending) return dirty.call(this);
    for (let i = 0; i < this.length; i++) pending.add(this[i]);
    return this;
  };
  styleProto.apply = function (this: StyleInternals, eles: unknown) {
    const outer = pending;
    const mine = new Set<unknown>();
    pending = mine;
    try {
      return apply.call(this, eles);
    } finally {
      pending = outer;
      if (mine.size > 0) dirty.call(this._private.cy.collection([...mine] as never) as unknown as Elements);
    }
  };
  styleProto[PATCHED] = true;
  return true;
}
