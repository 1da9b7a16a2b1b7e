/** Look-up by id in an answer's nodes or edges (what the side panel asks). */
export interface ById<T> {
  get(id: string): T | undefined;
}

/** Look-ups answered by a scan before the index is built: a refresh asks one or two (the selection). */
export const SCANS_BEFORE_INDEX = 8;

/**
 * `items` by id, indexed only once asked often. A 5,000-service answer has ~15,000 edges: building a Map
 * of them took ~15 ms of the task that takes each refresh in, for a panel that asks for one id (the
 * selected one, or none); a scan for one id is well under a millisecond. After SCANS_BEFORE_INDEX
 * look-ups (a node's panel asks for each of its peers) the Map is built, once.
 */
export function byId<T extends { id: string }>(items: readonly T[] | undefined): ById<T> {
  let index: Map<string, T> | undefined;
  let scans = 0;
  return {
    get(id) {
      if (!items || id === '') return undefined;
      if (index) return index.get(id);
      if (scans++ < SCANS_BEFORE_INDEX) return items.find((x) => x.id === id);
      index = new Map(items.map((x) => [x.id, x]));
      return index.get(id);
    },
  };
}
