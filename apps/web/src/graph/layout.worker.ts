/// <reference lib="webworker" />
import cytoscape from 'cytoscape';
import fcose from 'cytoscape-fcose';
import type { WorkerLayoutRequest, WorkerLayoutResponse } from './workerLayout';

cytoscape.use(fcose);

/** Runs fcose on a headless Cytoscape off the main thread; answers the node positions. */
self.onmessage = (event: MessageEvent<WorkerLayoutRequest>) => {
  const { id, nodes, edges, options } = event.data;
  const started = performance.now();
  const cy = cytoscape({
    headless: true,
    styleEnabled: true,
    style: [{ selector: 'node', style: { width: 30, height: 30 } }],
    elements: [
      ...nodes.map((n) => ({ group: 'nodes' as const, data: n })),
      ...edges.map((e, i) => ({
        group: 'edges' as const,
        data: { id: `e${i}`, source: e[0], target: e[1] },
      })),
    ],
  });
  cy.layout({ ...options, name: 'fcose', animate: false, fit: false } as cytoscape.LayoutOptions).run();
  const ids: string[] = [];
  const xy = new Float64Array(nodes.length * 2);
  cy.nodes().forEach((n, i) => {
    const p = n.position();
    ids.push(n.id());
    xy[2 * i] = p.x;
    xy[2 * i + 1] = p.y;
  });
  const answer: WorkerLayoutResponse = { id, ids, xy, ms: performance.now() - started };
  (self as unknown as DedicatedWorkerGlobalScope).postMessage(answer, [xy.buffer]);
  cy.destroy();
};
