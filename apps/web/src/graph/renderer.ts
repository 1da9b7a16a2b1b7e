import type { Core } from 'cytoscape';
import type { RendererSetting as RendererChoice } from '../url/viewState';

/** `auto`: WebGL for large graphs when the browser has a hardware GL; `canvas`/`webgl` force one. */
export type { RendererSetting as RendererChoice } from '../url/viewState';
export const WEBGL_MIN_NODES = 400;

let hardwareGl: boolean | null = null;
/** True when WebGL2 is available and not a software rasteriser (SwiftShader/llvmpipe gain nothing). */
export function hasHardwareWebGl(): boolean {
  if (hardwareGl !== null) return hardwareGl;
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return (hardwareGl = false);
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const name = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : '';
    hardwareGl = !/swiftshader|llvmpipe|software/i.test(name);
  } catch {
    hardwareGl = false;
  }
  return hardwareGl;
}

export function rendererFor(choice: RendererChoice, nodeCount: number): 'canvas' | 'webgl' {
  if (choice !== 'auto') return choice;
  return nodeCount >= WEBGL_MIN_NODES && hasHardwareWebGl() ? 'webgl' : 'canvas';
}

const current = new WeakMap<Core, 'canvas' | 'webgl'>();

/**
 * Switches the renderer of the existing `cy` (elements, positions and viewport stay): react-cytoscapejs
 * creates cy with the default canvas renderer and has no `renderer` option.
 */
export function swapRenderer(cy: Core, kind: 'canvas' | 'webgl'): void {
  if ((current.get(cy) ?? 'canvas') === kind) return;
  current.set(cy, kind);
  const internal = cy as Core & {
    destroyRenderer(): void;
    initRenderer(options: Record<string, unknown>): void;
    _private: { options: Record<string, unknown> };
  };
  const pan = cy.pan();
  const zoom = cy.zoom();
  const options = internal._private.options;
  // The WebGL renderer blends label edges against the container's inline background colour.
  const container = cy.container();
  const parent = container?.parentElement;
  if (container && parent) container.style.backgroundColor = getComputedStyle(parent).backgroundColor;
  internal.destroyRenderer();
  internal.initRenderer({ ...options, name: 'canvas', webgl: kind === 'webgl' });
  // the caller re-applies the stylesheet (its effect depends on the renderer)
  cy.viewport({ zoom, pan });
  cy.resize();
}

export function rendererOf(cy: Core): 'canvas' | 'webgl' {
  return current.get(cy) ?? 'canvas';
}
