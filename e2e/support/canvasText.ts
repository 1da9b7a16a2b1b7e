import type { Page } from '@playwright/test';

declare global {
  interface Window {
    __canvasText?: { text: string; x1: number; y1: number; x2: number; y2: number; w: number; h: number }[];
  }
}

/**
 * Records, from the page's first script on, where text is drawn on the canvases inside `selector`:
 * each fillText's ink box (measureText's actual bounding box, through the context's transform) and
 * the canvas size, so a test can tell a label drawn past the canvas edge (cut) from one inside it.
 */
export async function recordCanvasText(page: Page, selector: string): Promise<void> {
  await page.addInitScript((inside) => {
    const log: NonNullable<Window['__canvasText']> = [];
    window.__canvasText = log;
    const fillText = CanvasRenderingContext2D.prototype.fillText;
    CanvasRenderingContext2D.prototype.fillText = function (text, x, y, maxWidth) {
      const canvas = this.canvas;
      if (canvas instanceof HTMLCanvasElement && canvas.closest(inside)) {
        const m = this.measureText(String(text));
        const t = this.getTransform();
        const at = (px: number, py: number) => ({
          x: t.a * px + t.c * py + t.e,
          y: t.b * px + t.d * py + t.f,
        });
        const a = at(x - m.actualBoundingBoxLeft, y - m.actualBoundingBoxAscent);
        const b = at(x + m.actualBoundingBoxRight, y + m.actualBoundingBoxDescent);
        log.push({
          text: String(text),
          x1: a.x,
          y1: a.y,
          x2: b.x,
          y2: b.y,
          w: canvas.width,
          h: canvas.height,
        });
      }
      return fillText.call(this, text, x, y, maxWidth);
    };
  }, selector);
}

/** Recorded text drawn (partly) outside its canvas. */
export function cutCanvasText(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    (window.__canvasText ?? [])
      .filter((r) => r.x1 < -0.5 || r.y1 < -0.5 || r.x2 > r.w + 0.5 || r.y2 > r.h + 0.5)
      .map(
        (r) =>
          `"${r.text}" at ${Math.round(r.x1)},${Math.round(r.y1)}…${Math.round(r.x2)},${Math.round(r.y2)} in ${r.w}×${r.h}`,
      ),
  );
}

/** How many texts were drawn on the recorded canvases. */
export function canvasTextCount(page: Page): Promise<number> {
  return page.evaluate(() => window.__canvasText?.length ?? 0);
}
