import type { Core } from 'cytoscape';

/** Above this many edges the animation is skipped: it would cost more than it tells. */
export const ANIMATION_MAX_EDGES = 400;

/**
 * Moves the dash pattern of edges that carry traffic, ~12 times a second. Cheap: one style bypass
 * per tick on a few hundred edges at most, inside Cytoscape (no React). Returns the stop function.
 */
export function startTrafficAnimation(cy: Core): () => void {
  const edges = cy.edges().filter((e) => !e.data('isIdle'));
  if (edges.empty() || edges.length > ANIMATION_MAX_EDGES) return () => undefined;
  edges.addClass('animated');
  let offset = 0;
  const timer = window.setInterval(() => {
    offset = (offset + 1) % 100;
    edges.style('line-dash-offset', -offset);
  }, 80);
  return () => {
    window.clearInterval(timer);
    edges.removeClass('animated');
    edges.removeStyle('line-dash-offset');
  };
}
