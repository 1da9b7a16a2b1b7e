import type { CollectionReturnValue, Core, ElementDefinition } from 'cytoscape';
import type { EdgeData, GraphElements, NodeData } from './model';
import { yieldToMain } from './slices';

export interface SyncResult {
  added: number;
  removed: number;
  updated: number;
  /** True when a node was added or removed, or moved to another box: the layout must run again. */
  nodeSetChanged: boolean;
}

type Data = NodeData | EdgeData;

function changedFields(current: Record<string, unknown>, next: Data): Partial<Data> | null {
  let patch: Record<string, unknown> | null = null;
  for (const [key, value] of Object.entries(next)) {
    if (key === 'id' || key === 'source' || key === 'target' || key === 'parent') continue;
    const old = current[key];
    // NaN !== NaN: treat two NaNs as equal.
    if (old !== value && !(Number.isNaN(old) && Number.isNaN(value))) {
      patch ??= {};
      patch[key] = value;
    }
  }
  return patch as Partial<Data> | null;
}

function removeGone(cy: Core, gone: CollectionReturnValue, result: SyncResult): void {
  if (gone.empty()) return;
  result.removed += gone.length;
  if (gone.nodes().nonempty()) result.nodeSetChanged = true;
  cy.remove(gone);
}

function applyNodes(
  cy: Core,
  nodes: readonly NodeData[],
  all: readonly NodeData[],
  result: SyncResult,
): void {
  const toAdd: ElementDefinition[] = [];
  // Boxes (parents) come first in `next.nodes`, so a new child can refer to a new parent.
  for (const n of nodes) {
    const ele = cy.getElementById(n.id);
    if (ele.empty()) {
      toAdd.push({ group: 'nodes', data: n });
      continue;
    }
    const parent = ele.isChild() ? ele.parent().first().id() : undefined;
    if ((n.parent ?? undefined) !== parent) {
      if (n.parent && cy.getElementById(n.parent).empty()) {
        // parent is new in this batch: add it before moving the child under it
        const p = all.find((x) => x.id === n.parent);
        if (p) {
          cy.add({ group: 'nodes', data: p });
          result.added++;
        }
      }
      ele.move({ parent: n.parent ?? null });
      result.nodeSetChanged = true;
    }
    const patch = changedFields(ele.data() as Record<string, unknown>, n);
    if (patch) {
      ele.data(patch);
      result.updated++;
    }
  }
  if (toAdd.length > 0) {
    const fresh = toAdd.filter((d) => cy.getElementById(d.data.id as string).empty());
    cy.add(fresh);
    result.added += fresh.length;
    result.nodeSetChanged = true;
  }
}

function applyEdges(cy: Core, edges: readonly EdgeData[], result: SyncResult): void {
  const edgesToAdd: ElementDefinition[] = [];
  for (const e of edges) {
    const ele = cy.getElementById(e.id);
    if (ele.empty()) {
      edgesToAdd.push({ group: 'edges', data: e });
      continue;
    }
    const patch = changedFields(ele.data() as Record<string, unknown>, e);
    if (patch) {
      ele.data(patch);
      result.updated++;
    }
  }
  if (edgesToAdd.length > 0) {
    cy.add(edgesToAdd);
    result.added += edgesToAdd.length;
  }
}

function goneFrom(cy: Core, next: GraphElements): CollectionReturnValue {
  const wanted = new Set<string>();
  for (const n of next.nodes) wanted.add(n.id);
  for (const e of next.edges) wanted.add(e.id);
  return cy.elements().filter((ele) => !wanted.has(ele.id()));
}

/**
 * Brings the one long-lived `cy` instance to `next` in a single batch: removes what is gone, adds
 * what is new, and patches only the data fields that changed, keyed by the stable element ids.
 * Positions of nodes that stay are untouched.
 */
export function syncElements(cy: Core, next: GraphElements): SyncResult {
  const result: SyncResult = { added: 0, removed: 0, updated: 0, nodeSetChanged: false };
  cy.batch(() => {
    removeGone(cy, goneFrom(cy, next), result);
    applyNodes(cy, next.nodes, next.nodes, result);
    applyEdges(cy, next.edges, result);
  });
  return result;
}

/** A diff of up to this many elements is applied at once; larger ones in chunks (syncElementsChunked). */
export const SYNC_CHUNK = 1500;
/** Main-thread time one chunk of a diff aims at, ms: frames go on between chunks. */
export const SYNC_CHUNK_MS = 25;
const FIRST_CHUNK = 200;
const MIN_CHUNK = 25;

/**
 * The size of the next chunk of a diff: the last one's scaled to take about `targetMs` (a new rate for
 * every element restyles each one, and how long that takes depends on the machine and its load), at
 * most doubled, within [MIN_CHUNK, SYNC_CHUNK].
 */
export function nextChunkSize(size: number, elapsedMs: number, targetMs = SYNC_CHUNK_MS): number {
  const factor = elapsedMs > 0 ? Math.min(2, targetMs / elapsedMs) : 2;
  return Math.max(MIN_CHUNK, Math.min(SYNC_CHUNK, Math.round(size * factor)));
}

export interface ChunkedSyncOptions {
  /** A fixed chunk size (default: sized by time, see nextChunkSize). */
  chunk?: number;
  /** False once a newer sync started: this one stops (the newer diff starts from what is there). */
  isCurrent?: () => boolean;
  /** Elements applied so far, of `total`. */
  onProgress?: (done: number, total: number) => void;
  /** Gives the main thread back between chunks (default: a macrotask, so input and frames run). */
  yieldToMain?: () => Promise<void>;
}

export { yieldToMain };

/**
 * syncElements for large graphs: the same diff, applied in batches of `chunk` elements with the main
 * thread given back between them, so a refresh of thousands of elements never blocks input or
 * frames for long. A diff that fits one chunk is applied at once (synchronously, as syncElements).
 * Resolves with null when a newer sync took over.
 */
export async function syncElementsChunked(
  cy: Core,
  next: GraphElements,
  options: ChunkedSyncOptions = {},
): Promise<SyncResult | null> {
  const fixed = options.chunk;
  const isCurrent = options.isCurrent ?? (() => true);
  const pause = options.yieldToMain ?? yieldToMain;
  const gone = goneFrom(cy, next);
  const total = gone.length + next.nodes.length + next.edges.length;
  if (total <= (fixed ?? SYNC_CHUNK)) {
    const result = syncElements(cy, next);
    options.onProgress?.(total, total);
    return result;
  }
  const result: SyncResult = { added: 0, removed: 0, updated: 0, nodeSetChanged: false };
  // removals, then nodes (boxes first), then edges: each phase in chunks
  const phases: [number, (from: number, to: number) => void][] = [
    [
      gone.length,
      (from, to) =>
        removeGone(
          cy,
          gone.slice(from, to).filter((ele) => ele.inside()),
          result,
        ),
    ],
    [next.nodes.length, (from, to) => applyNodes(cy, next.nodes.slice(from, to), next.nodes, result)],
    [next.edges.length, (from, to) => applyEdges(cy, next.edges.slice(from, to), result)],
  ];
  let size = fixed ?? FIRST_CHUNK;
  let done = 0;
  for (const [count, apply] of phases) {
    for (let from = 0; from < count;) {
      const to = Math.min(count, from + size);
      const started = performance.now();
      cy.batch(() => apply(from, to));
      if (fixed === undefined) size = nextChunkSize(size, performance.now() - started);
      done += to - from;
      from = to;
      if (done >= total) break;
      options.onProgress?.(done, total);
      await pause();
      if (!isCurrent()) return null;
    }
  }
  options.onProgress?.(total, total);
  return result;
}
