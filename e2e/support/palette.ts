/**
 * The graph's colours as the web app defines them, in the form Cytoscape's `ele.style()` reports them.
 * stylesheet.ts is imported by path (e2e may not import @meshlens/web): at run time it is data and
 * functions only (its imports are types), so nothing of the browser comes into the Playwright runner.
 */
import { LIGHT_PALETTE } from '../../apps/web/src/graph/stylesheet';
import type { GraphPalette } from '../../apps/web/src/graph/stylesheet';

export { LIGHT_PALETTE };
export type { GraphPalette };

/** `#c9190b` (or `#c91`) → `rgb(201,25,11)`, the string Cytoscape returns for a colour property. */
export function cyColour(hex: string): string {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex.trim());
  if (!m?.[1]) throw new Error(`not a hex colour: ${hex}`);
  const digits = m[1].length === 3 ? [...m[1]].map((d) => d + d).join('') : m[1];
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(digits.slice(i, i + 2), 16));
  return `rgb(${r},${g},${b})`;
}
