import type { Core, EdgeSingular, NodeSingular } from 'cytoscape';
import { setClass } from './highlight';

/** An axis-aligned box in model coordinates. */
export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface LabelCandidate {
  id: string;
  box: Box;
  /** Higher is placed first; a label that would overlap one placed before it is hidden. */
  priority: number;
  /** Not a label but something labels must not cover (a node's shape): always placed, never hidden. */
  obstacle?: boolean;
  /** The element it belongs to: a node's label may touch its own shape. */
  owner?: string;
}

/**
 * How far (model px) two label boxes may run into each other: the boxes include the text's outline
 * and background padding, so boxes that touch, or nearly, leave the texts apart.
 */
export const LABEL_TOLERANCE = 0.5;

const overlaps = (a: Box, b: Box, tolerance: number) =>
  a.x1 < b.x2 - tolerance && b.x1 < a.x2 - tolerance && a.y1 < b.y2 - tolerance && b.y1 < a.y2 - tolerance;

/**
 * Greedy label placement: labels in priority order, each kept unless it overlaps one kept before it.
 * A spatial hash keeps it near-linear. Returns the ids of the labels to hide.
 */
export function labelsToHide(
  candidates: readonly LabelCandidate[],
  tolerance = LABEL_TOLERANCE,
): Set<string> {
  const sorted = [...candidates].sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : 1));
  const cell = 64;
  const grid = new Map<string, LabelCandidate[]>();
  const cells = (b: Box) => {
    const out: string[] = [];
    for (let x = Math.floor(b.x1 / cell); x <= Math.floor(b.x2 / cell); x++)
      for (let y = Math.floor(b.y1 / cell); y <= Math.floor(b.y2 / cell); y++) out.push(`${x},${y}`);
    return out;
  };
  const hidden = new Set<string>();
  for (const c of sorted) {
    const keys = cells(c.box);
    const hits = (k: string) =>
      grid.get(k)?.some((p) => (!c.owner || p.owner !== c.owner) && overlaps(p.box, c.box, tolerance));
    if (!c.obstacle && keys.some(hits)) {
      hidden.add(c.id);
      continue;
    }
    for (const k of keys) (grid.get(k) ?? grid.set(k, []).get(k)!).push(c);
  }
  return hidden;
}

/** The label's box (model coordinates), or null when the element draws no label. */
export function labelBox(ele: NodeSingular | EdgeSingular): Box | null {
  if (!ele.visible() || !String(ele.style('label') ?? '')) return null;
  const bb = ele.boundingBox({
    includeLabels: true,
    includeMainLabels: true,
    includeSourceLabels: false,
    includeTargetLabels: false,
    includeNodes: false,
    includeEdges: false,
    includeOverlays: false,
    includeUnderlays: false,
  } as never);
  return bb.w > 0 && bb.h > 0 ? { x1: bb.x1, y1: bb.y1, x2: bb.x2, y2: bb.y2 } : null;
}

let measureContext: CanvasRenderingContext2D | null | undefined;

/**
 * Width and height (model px) of an element's label as the stylesheet draws it, without positions (an
 * edge whose ends are not laid out yet has no label box): its lines measured in its font, plus the text
 * background's padding.
 */
export function labelSize(ele: NodeSingular | EdgeSingular): { width: number; height: number } {
  const text = String(ele.style('label') ?? '');
  if (!text) return { width: 0, height: 0 };
  measureContext ??=
    typeof document === 'undefined' ? null : document.createElement('canvas').getContext('2d');
  const size = parseFloat(String(ele.style('font-size'))) || 10;
  const lines = text.split('\n');
  let width = Math.max(...lines.map((l) => l.length)) * size * 0.6;
  if (measureContext) {
    measureContext.font = `${String(ele.style('font-weight'))} ${size}px ${String(ele.style('font-family'))}`;
    width = Math.max(...lines.map((l) => measureContext!.measureText(l).width));
  }
  const padding = parseFloat(String(ele.style('text-background-padding'))) || 0;
  return { width: width + 2 * padding, height: lines.length * size * 1.25 + 2 * padding };
}

const RANK = { Failure: 3, Degraded: 2 } as Record<string, number>;

/**
 * Hides the labels that would be drawn over another one (class `label-hidden`; the element's own label
 * comes back on hover and selection). Namespace labels go first, then node labels (gateways and
 * unhealthy nodes first), then edge labels (failing edges first, then by rate). Label boxes do not
 * depend on the zoom, so this runs after a layout, a style change or new rates, never on zoom.
 */
export function declutterLabels(cy: Core): { hidden: number; shown: number } {
  const candidates: LabelCandidate[] = [];
  cy.nodes(':visible').forEach((n) => {
    if (n.data('nodeType') !== 'box') {
      // the shape itself (its bounding box also counts borders and the label's outline, which touch)
      const { x, y } = n.position();
      const [w, h] = [n.width() / 2, n.height() / 2];
      candidates.push({
        id: `shape:${n.id()}`,
        box: { x1: x - w, y1: y - h, x2: x + w, y2: y + h },
        priority: 9000,
        obstacle: true,
        owner: n.id(),
      });
    }
    const box = labelBox(n);
    if (!box) return;
    const isBox = n.data('nodeType') === 'box';
    const priority = isBox
      ? 3000
      : 2000 + (RANK[n.data('health') as string] ?? 0) * 10 + (n.data('isRoot') ? 5 : 0);
    candidates.push({ id: n.id(), box, priority, owner: n.id() });
  });
  cy.edges().forEach((e) => {
    const box = labelBox(e);
    if (!box) return;
    const rate = Number(e.data('rate')) || 0;
    // failing edges first; then by rate (log scale, so bytes/s and requests/s compare sensibly)
    const priority =
      1000 + (RANK[e.data('health') as string] ?? 0) * 100 + Math.min(99, Math.log10(1 + rate) * 10);
    candidates.push({ id: e.id(), box, priority });
  });
  const hide = labelsToHide(candidates);
  const labels = candidates.filter((c) => !c.obstacle).length;
  // only the elements whose label changes (Cytoscape restyles every element addClass is given)
  cy.batch(() =>
    setClass(
      cy,
      'label-hidden',
      cy.elements().filter((ele) => hide.has(ele.id())),
    ),
  );
  return { hidden: hide.size, shown: labels - hide.size };
}
