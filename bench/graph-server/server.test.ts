import { GraphQuerySchema } from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import { buildGraphQueries } from '../../apps/server/src/graph/queries';
import { laterParts, queryName } from './server';

describe('the graph-server bench stub', () => {
  it("answers each query's synthetic answer to its first part only", () => {
    const namespaces = ['ns-0', 'ns-1', 'ns-2'];
    const later = laterParts(namespaces);
    // The bench's graph, on another window: its later parts are known, its first parts are not.
    const queries = buildGraphQueries(
      GraphQuerySchema.parse({
        namespaces: namespaces.join(','),
        graphType: 'versionedApp',
        duration: '61s',
      }),
    );
    const strip = (p: string) => p.replace(/\[\d+s\]/g, '[]');
    for (const pq of queries) {
      expect(queryName(pq.promql)).toBe(pq.name);
      const [first, ...rest] = pq.parts ?? [pq.promql];
      expect(later.has(strip(first!))).toBe(false);
      for (const part of rest) expect(later.has(strip(part))).toBe(true);
    }
    expect(later.size).toBe(3); // requests, responseTime, throughput: two parts each
  });
});
