import { describe, expect, it } from 'vitest';
import { FETCH_WORKER_BUDGET, GRAPH_FIRST_LOAD_BUDGET, measureBundle } from './bundleBudget';

describe('the graph page first load', () => {
  it(`stays within ${GRAPH_FIRST_LOAD_BUDGET / 1024} kB gzipped; Cytoscape and the layout engines load later`, async () => {
    const report = await measureBundle();
    const kB = (n: number) => `${(n / 1024).toFixed(1)} kB`;
    const listing = report.firstLoad.map((f) => `${f.file} ${kB(f.gzip)}`).join(', ');
    expect(report.firstLoadGzip, `first load ${kB(report.firstLoadGzip)}: ${listing}`).toBeLessThanOrEqual(
      GRAPH_FIRST_LOAD_BUDGET,
    );
    // the heavy parts are chunks of their own, not in the first load
    const lazyNames = report.lazy.map((f) => f.file).join(' ');
    for (const name of ['GraphCanvas', 'cytoscape-dagre', 'cytoscape-fcose', 'layout.worker']) {
      expect(lazyNames, name).toContain(name);
      expect(listing, name).not.toContain(name);
    }
    // the graph's fetch worker starts in the request's path: its chunk stays small (no schemas, no zod)
    const worker = report.lazy.find((f) => f.file.includes('fetch.worker'));
    expect(worker, 'fetch.worker chunk').toBeDefined();
    expect(worker?.bytes ?? Infinity, `fetch.worker ${kB(worker?.bytes ?? 0)}`).toBeLessThanOrEqual(
      FETCH_WORKER_BUDGET,
    );
  }, 120_000);
});
