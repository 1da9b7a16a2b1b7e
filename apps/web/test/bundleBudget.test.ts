import { describe, expect, it } from 'vitest';
import { GRAPH_FIRST_LOAD_BUDGET, measureBundle } from './bundleBudget';

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
  }, 120_000);
});
