import type { CollectionReturnValue, Core, NodeSingular } from 'cytoscape';

type Point = { x: number; y: number };

/** Where the groups of the aggregate view were before a sync: collapsed nodes and expanded boxes. */
export interface GroupPlaces {
  nodeIds: Set<string>;
  /** group key → centre of its aggregate node or of its box. */
  centres: Map<string, Point>;
}

/** Records, before a sync, where each group of the aggregate view is drawn. */
export function groupPlaces(cy: Core): GroupPlaces {
  const nodeIds = new Set<string>();
  const centres = new Map<string, Point>();
  cy.nodes().forEach((n) => {
    nodeIds.add(n.id());
    const group = n.data('group') as string | undefined;
    if (!group) return;
    if (n.data('nodeType') === 'aggregate') centres.set(group, { ...n.position() });
    else if (n.children().nonempty()) {
      const bb = n.children().boundingBox({});
      centres.set(group, { x: (bb.x1 + bb.x2) / 2, y: (bb.y1 + bb.y2) / 2 });
    }
  });
  return { nodeIds, centres };
}

/** Room per node of an expanded group's grid, model px (nodes are ~30 px, labels ~100 px wide). */
const CELL_W = 110;
const CELL_H = 70;
const MARGIN = 50;

/**
 * After a sync that expanded or collapsed groups of the aggregate view, places the new nodes where
 * their group was instead of laying the whole graph out again: an expanded group's nodes in a grid
 * centred on its former aggregate node (the nodes around pushed out of the way), a collapsed group's
 * node at its former box's centre. Returns the expanded boxes, or null when some new node has no
 * known place (then the caller lays the graph out).
 */
export function placeInPlace(cy: Core, before: GroupPlaces): CollectionReturnValue | null {
  const added = cy.nodes().filter((n) => !before.nodeIds.has(n.id()));
  if (added.empty() || before.nodeIds.size === 0) return null;
  let boxes = cy.collection();
  const childrenByBox = new Map<string, NodeSingular[]>();
  let unplaced = false;
  added.forEach((n) => {
    const type = n.data('nodeType') as string;
    const group = n.data('group') as string | undefined;
    if (type === 'box') return; // a compound: placed by its children
    if (type === 'aggregate' && group) {
      const centre = before.centres.get(group);
      if (centre) n.position(centre);
      else unplaced = true;
      return;
    }
    const parent = n.parent().first();
    const parentGroup = parent.nonempty() ? (parent.data('group') as string | undefined) : undefined;
    if (!parentGroup || !before.centres.has(parentGroup)) {
      unplaced = true;
      return;
    }
    const list = childrenByBox.get(parent.id()) ?? [];
    list.push(n);
    childrenByBox.set(parent.id(), list);
  });
  if (unplaced) return null;
  cy.batch(() => {
    for (const [boxId, children] of childrenByBox) {
      const box = cy.getElementById(boxId);
      if (before.nodeIds.has(boxId)) {
        // a new node in a namespace that was already expanded (a refresh): a row under its box
        const fresh = new Set(children.map((c) => c.id()));
        const bb = box
          .children()
          .filter((c) => !fresh.has(c.id()))
          .boundingBox({});
        children.forEach((child, i) => void child.position({ x: bb.x1 + i * CELL_W, y: bb.y2 + CELL_H }));
        continue;
      }
      const centre = before.centres.get(box.data('group') as string) as Point;
      const cols = Math.ceil(Math.sqrt(children.length * 1.5));
      const rows = Math.ceil(children.length / cols);
      // sources to the left, as the layouts draw traffic left to right
      children.sort((a, b) => a.indegree(false) - b.indegree(false) || a.id().localeCompare(b.id()));
      children.forEach((child, i) => {
        const col = Math.floor(i / rows);
        const row = i % rows;
        child.position({
          x: centre.x + (col - (cols - 1) / 2) * CELL_W,
          y: centre.y + (row - (rows - 1) / 2) * CELL_H,
        });
      });
      pushAway(
        cy,
        box as unknown as NodeSingular,
        centre,
        (cols * CELL_W) / 2 + MARGIN,
        (rows * CELL_H) / 2 + MARGIN,
      );
      boxes = boxes.union(box);
    }
  });
  return boxes;
}

/**
 * Makes room for an expanded box: every other top-level unit (a node, or a box with its children) on
 * the right of the box's centre moves right by half the box's width, on the left moves left, and the
 * same up and down — the drawing keeps its arrangement, with space opened where the box is.
 */
function pushAway(cy: Core, box: NodeSingular, centre: Point, halfW: number, halfH: number): void {
  const roomX = Math.max(0, halfW - 30);
  const roomY = Math.max(0, halfH - 20);
  cy.nodes().forEach((n) => {
    if (n.same(box) || n.isChild()) return;
    const children = n.children();
    const p = children.nonempty() ? boxCentre(n) : n.position();
    const shift = {
      x: p.x > centre.x ? roomX : p.x < centre.x ? -roomX : 0,
      y: p.y > centre.y ? roomY : p.y < centre.y ? -roomY : 0,
    };
    if (children.nonempty())
      children.forEach((c) => void c.position({ x: c.position().x + shift.x, y: c.position().y + shift.y }));
    else n.position({ x: p.x + shift.x, y: p.y + shift.y });
  });
}

function boxCentre(n: NodeSingular): Point {
  const bb = n.children().boundingBox({});
  return { x: (bb.x1 + bb.x2) / 2, y: (bb.y1 + bb.y2) / 2 };
}
