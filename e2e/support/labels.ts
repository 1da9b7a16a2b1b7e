import type { Page } from '@playwright/test';

export interface LabelReport {
  zoom: number;
  /** Node labels (namespace boxes included) and how many of them are drawn at this zoom. */
  nodeLabels: number;
  nodeLabelsDrawn: number;
  edgeLabels: number;
  edgeLabelsDrawn: number;
  /** Pairs of drawn labels that overlap (model px), with the overlap's size. */
  overlaps: string[];
  /** Drawn labels that stick out of the canvas. */
  outside: string[];
  /** Namespace boxes drawn over one another. */
  boxOverlaps: string[];
}

/**
 * The graph's labels as Cytoscape draws them now: a label is drawn when it has text, its element is
 * visible, its text is not transparent, and its font is not below `min-zoomed-font-size` at this zoom
 * (Cytoscape's rule: font size × 2^⌈log2(zoom × pixel ratio)⌉). Boxes from
 * `boundingBox({ includeLabels: true, includeNodes: false, includeEdges: false })`.
 */
export function labelReport(page: Page): Promise<LabelReport> {
  return page.evaluate(() => {
    const cy = window.__cy;
    if (!cy) throw new Error('no graph');
    const zoom = cy.zoom();
    const scale = 2 ** Math.ceil(Math.log2(zoom * window.devicePixelRatio));
    const px = (v: unknown) => parseFloat(String(v)) || 0;
    type Label = { name: string; x1: number; y1: number; x2: number; y2: number };
    const drawn: Label[] = [];
    const counts = { nodeLabels: 0, nodeLabelsDrawn: 0, edgeLabels: 0, edgeLabelsDrawn: 0 };
    cy.elements().forEach((ele) => {
      const text = String(ele.style('label') ?? '');
      if (!text || !ele.visible()) return;
      const kind = ele.isNode() ? 'node' : 'edge';
      counts[`${kind}Labels`]++;
      if (px(ele.style('text-opacity')) === 0) return;
      if (px(ele.style('font-size')) * scale < px(ele.style('min-zoomed-font-size'))) return;
      counts[`${kind}LabelsDrawn`]++;
      const bb = ele.boundingBox({
        includeLabels: true,
        includeNodes: false,
        includeEdges: false,
        includeOverlays: false,
        includeUnderlays: false,
      } as never);
      drawn.push({
        name: `${kind} ${text.replace(/\n/g, ' / ')}`,
        x1: bb.x1,
        y1: bb.y1,
        x2: bb.x2,
        y2: bb.y2,
      });
    });
    const overlaps: string[] = [];
    for (let i = 0; i < drawn.length; i++)
      for (let j = i + 1; j < drawn.length; j++) {
        const [a, b] = [drawn[i]!, drawn[j]!];
        const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
        const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
        if (w > 0.5 && h > 0.5) overlaps.push(`"${a.name}" × "${b.name}" (${w.toFixed(1)}×${h.toFixed(1)})`);
      }
    const ext = cy.extent();
    const outside = drawn
      .filter((l) => l.x1 < ext.x1 || l.y1 < ext.y1 || l.x2 > ext.x2 || l.y2 > ext.y2)
      .map((l) => l.name);
    const boxes = cy
      .nodes(':parent')
      .map((n) => ({ id: n.id(), bb: n.boundingBox({ includeLabels: false }) }));
    const boxOverlaps: string[] = [];
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i]!, boxes[j]!];
        if (a.bb.x1 < b.bb.x2 && b.bb.x1 < a.bb.x2 && a.bb.y1 < b.bb.y2 && b.bb.y1 < a.bb.y2)
          boxOverlaps.push(`${a.id} × ${b.id}`);
      }
    return { zoom, ...counts, overlaps, outside, boxOverlaps };
  });
}
