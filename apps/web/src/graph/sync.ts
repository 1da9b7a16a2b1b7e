import type { Core, ElementDefinition } from 'cytoscape';
import type { EdgeData, GraphElements, NodeData } from './model';

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

/**
 * Brings the one long-lived `cy` instance to `next` in a single batch: removes what is gone, adds
 * what is new, and patches only the data fields that changed, keyed by the stable element ids.
 * Positions of nodes that stay are untouched.
 */
export function syncElements(cy: Core, next: GraphElements): SyncResult {
  const result: SyncResult = { added: 0, removed: 0, updated: 0, nodeSetChanged: false };
  const wanted = new Set<string>();
  for (const n of next.nodes) wanted.add(n.id);
  for (const e of next.edges) wanted.add(e.id);

  cy.batch(() => {
    const gone = cy.elements().filter((ele) => !wanted.has(ele.id()));
    if (gone.nonempty()) {
      result.removed = gone.length;
      if (gone.nodes().nonempty()) result.nodeSetChanged = true;
      cy.remove(gone);
    }

    const toAdd: ElementDefinition[] = [];
    // Boxes (parents) come first in `next.nodes`, so a new child can refer to a new parent.
    for (const n of next.nodes) {
      const ele = cy.getElementById(n.id);
      if (ele.empty()) {
        toAdd.push({ group: 'nodes', data: n });
        continue;
      }
      const parent = ele.isChild() ? ele.parent().first().id() : undefined;
      if ((n.parent ?? undefined) !== parent) {
        if (n.parent && cy.getElementById(n.parent).empty()) {
          // parent is new in this batch: add it before moving the child under it
          const p = next.nodes.find((x) => x.id === n.parent);
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

    const edgesToAdd: ElementDefinition[] = [];
    for (const e of next.edges) {
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
  });
  return result;
}
