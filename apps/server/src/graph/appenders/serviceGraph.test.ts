import { describe, expect, it } from 'vitest';
import { ensureEdge, ensureNode, type TrafficMap } from '../model';
import { reduceToServiceGraph } from './serviceGraph';

describe('reduceToServiceGraph', () => {
  it('replaces workloads behind services by their services and keeps root workloads', () => {
    const map: TrafficMap = { nodes: new Map(), edges: new Map() };
    const gw = ensureNode(map, { id: 'wl:gw/gw', type: 'workload', label: 'gw', namespace: 'gw' });
    ensureNode(map, { id: 'svc:a/a', type: 'service', label: 'a', namespace: 'a' });
    ensureNode(map, { id: 'wl:a/a-v1', type: 'workload', label: 'a-v1', namespace: 'a' });
    ensureNode(map, { id: 'svc:b/b', type: 'service', label: 'b', namespace: 'b' });
    ensureNode(map, { id: 'wl:b/b-v1', type: 'workload', label: 'b-v1', namespace: 'b' });
    ensureEdge(map, gw.id, 'svc:a/a', 'http').rps = 10;
    ensureEdge(map, 'svc:a/a', 'wl:a/a-v1', 'http').rps = 10;
    const ab = ensureEdge(map, 'wl:a/a-v1', 'svc:b/b', 'http');
    ab.rps = 4;
    ab.responses = new Map([
      ['200', new Map([['-', 3]])],
      ['503', new Map([['UO', 1]])],
    ]);
    ensureEdge(map, 'svc:b/b', 'wl:b/b-v1', 'http').rps = 3;
    const out = reduceToServiceGraph(map);
    expect([...out.nodes.keys()].sort()).toEqual(['svc:a/a', 'svc:b/b', 'wl:gw/gw']);
    expect([...out.edges.keys()].sort()).toEqual(['svc:a/a>svc:b/b:http', 'wl:gw/gw>svc:a/a:http']);
    const merged = out.edges.get('svc:a/a>svc:b/b:http');
    expect(merged?.rps).toBe(4);
    expect(merged?.responses.get('503')?.get('UO')).toBe(1);
    expect(merged?.responses.get('200')?.get('-')).toBe(3);
  });
});
