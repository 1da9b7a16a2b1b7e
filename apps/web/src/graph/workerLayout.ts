import type { Core } from 'cytoscape';
import { measure } from '../perf/marks';

export interface WorkerLayoutRequest {
  id: number;
  nodes: { id: string }[];
  edges: [string, string][];
  options: Record<string, number | string | boolean>;
}
export interface WorkerLayoutResponse {
  id: number;
  ids: string[];
  /** x0, y0, x1, y1, … in the order of `ids`. */
  xy: Float64Array;
  ms: number;
}

let worker: Worker | null = null;
let nextId = 1;

/**
 * fcose for large graphs in a Web Worker: the page stays interactive (with a quick radial placement)
 * while the force layout runs off the main thread. Resolves with positions, or null when Workers are
 * unavailable or the layout failed.
 */
export function fcoseInWorker(
  cy: Core,
  options: WorkerLayoutRequest['options'],
): Promise<Map<string, { x: number; y: number }> | null> {
  if (typeof Worker === 'undefined') return Promise.resolve(null);
  try {
    worker ??= new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' });
  } catch {
    return Promise.resolve(null);
  }
  const w = worker;
  const id = nextId++;
  const nodes = cy.nodes('[nodeType != "box"]').map((n) => ({ id: n.id() }));
  const edges = cy.edges().map((e) => [e.source().id(), e.target().id()] as [string, string]);
  return new Promise((resolve) => {
    const onMessage = (event: MessageEvent<WorkerLayoutResponse>) => {
      if (event.data.id !== id) return;
      w.removeEventListener('message', onMessage);
      w.removeEventListener('error', onError);
      const positions = new Map<string, { x: number; y: number }>();
      event.data.ids.forEach((nodeId, i) =>
        positions.set(nodeId, { x: event.data.xy[2 * i] as number, y: event.data.xy[2 * i + 1] as number }),
      );
      measure('meshlens:worker-layout', {
        start: performance.now() - event.data.ms,
        duration: event.data.ms,
      });
      resolve(positions);
    };
    const onError = () => {
      w.removeEventListener('message', onMessage);
      w.removeEventListener('error', onError);
      worker = null;
      resolve(null);
    };
    w.addEventListener('message', onMessage);
    w.addEventListener('error', onError);
    w.postMessage({ id, nodes, edges, options } satisfies WorkerLayoutRequest);
  });
}

/**
 * A quick placement, O(nodes + edges): rings by distance from the traffic sources (roots), nodes
 * spread evenly around each ring. Good enough to look at while the real layout runs.
 */
export function radialPlacement(cy: Core): void {
  const nodes = cy.nodes('[nodeType != "box"]');
  const depth = new Map<string, number>();
  let frontier = nodes.filter('[?isRoot]').map((n) => n.id());
  if (frontier.length === 0) frontier = nodes.length ? [nodes[0]!.id()] : [];
  frontier.forEach((id) => depth.set(id, 0));
  const out = new Map<string, string[]>();
  cy.edges().forEach((e) => {
    const s = e.source().id();
    const list = out.get(s) ?? [];
    list.push(e.target().id());
    out.set(s, list);
  });
  let d = 0;
  while (frontier.length > 0) {
    const next: string[] = [];
    d++;
    for (const id of frontier) {
      for (const t of out.get(id) ?? []) {
        if (!depth.has(t)) {
          depth.set(t, d);
          next.push(t);
        }
      }
    }
    frontier = next;
  }
  const rings = new Map<number, string[]>();
  nodes.forEach((n) => {
    const r = depth.get(n.id()) ?? d + 1;
    const list = rings.get(r) ?? [];
    list.push(n.id());
    rings.set(r, list);
  });
  const positions = new Map<string, { x: number; y: number }>();
  let radius = 0;
  for (const r of [...rings.keys()].sort((a, b) => a - b)) {
    const ids = rings.get(r) ?? [];
    // each ring at least far enough out to give its nodes ~45 px of arc each
    radius = Math.max(radius + 120, (ids.length * 45) / (2 * Math.PI));
    ids.forEach((id, i) => {
      const angle = (2 * Math.PI * i) / ids.length;
      positions.set(id, {
        x: r === 0 && ids.length === 1 ? 0 : radius * Math.cos(angle),
        y: r === 0 && ids.length === 1 ? 0 : radius * Math.sin(angle),
      });
    });
  }
  cy.batch(() => {
    nodes.forEach((n) => {
      const p = positions.get(n.id());
      if (p) n.position(p);
    });
  });
}
