import { graphNode, GraphQuerySchema, GraphResponseSchema } from '@meshlens/contract';
import type { GraphEdge, GraphNode, GraphResponse } from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import { compareWindows, mergeCompare, windowQuery } from './compare';

const node = (id: string, fields: Partial<GraphNode> = {}): GraphNode =>
  graphNode({ id, type: 'versionedApp', label: id, namespace: 'bookinfo', parent: 'box:ns', ...fields });
const box = graphNode({ id: 'box:ns', type: 'box', label: 'bookinfo', namespace: 'bookinfo', isBox: true });

const edge = (source: string, target: string, fields: Partial<GraphEdge> = {}): GraphEdge => ({
  id: `${source}>${target}:http`,
  source,
  target,
  protocol: 'http',
  rps: 10,
  rate2xx: 10,
  rate3xx: 0,
  rate4xx: 0,
  rate5xx: 0,
  rateNoResponse: 0,
  rateGrpcErr: 0,
  errorPct: 0,
  percentOfSource: 100,
  responseTimeMs: 20,
  throughputBps: null,
  mtlsPct: 100,
  responses: { '200': { '-': 10 } },
  isIdle: false,
  healthStatus: 'Healthy',
  healthReason: '',
  ...fields,
});

const answer = (nodes: GraphNode[], edges: GraphEdge[]): GraphResponse => ({
  timestamp: 0,
  duration: 600,
  graphType: 'versionedApp',
  namespaces: ['bookinfo'],
  responseTime: 'p95',
  nodes,
  edges,
  warnings: [],
});

const windows = compareWindows({ compare: 1_800_000_000, compareWindow: 600 }, 1_800_000_000 + 3600);

describe('compareWindows / windowQuery', () => {
  it('puts the windows on both sides of the moment, the after one ending now at the latest', () => {
    expect(windows).toEqual({
      time: 1_800_000_000,
      before: { start: 1_799_999_400, end: 1_800_000_000 },
      after: { start: 1_800_000_000, end: 1_800_000_600 },
    });
    const clipped = compareWindows({ compare: 1_800_000_000 }, 1_800_000_120.7);
    expect(clipped.before.start).toBe(1_800_000_000 - 600); // default window 10m
    expect(clipped.after).toEqual({ start: 1_800_000_000, end: 1_800_000_120 });
  });

  it('asks each window as a plain graph: its end as queryTime, its length as duration', () => {
    const q = GraphQuerySchema.parse({ namespaces: 'bookinfo', compare: '1800000000', compareWindow: '10m' });
    const before = windowQuery(q, windows.before);
    expect(before).toMatchObject({ queryTime: 1_800_000_000, duration: 600 });
    expect(before).not.toHaveProperty('compare');
    expect(before).not.toHaveProperty('compareWindow');
  });
});

describe('mergeCompare', () => {
  // before: productpage → reviews v1 (10 rps, 0 %), → reviews v2 (10 rps); after: v1 slower and failing,
  // v2 gone, v3 new
  const before = answer(
    [box, node('pp', { httpOut: 20 }), node('v1', { httpIn: 10 }), node('v2', { httpIn: 10 })],
    [edge('pp', 'v1'), edge('pp', 'v2', { responseTimeMs: 30 })],
  );
  const after = answer(
    [box, node('pp', { httpOut: 20 }), node('v1', { httpIn: 15, httpIn5xx: 3 }), node('v3', { httpIn: 5 })],
    [
      edge('pp', 'v1', { rps: 15, rate5xx: 3, errorPct: 20, responseTimeMs: 45 }),
      edge('pp', 'v3', { rps: 5, responseTimeMs: 12 }),
    ],
  );
  const merged = mergeCompare(before, after, windows);
  const e = (id: string) => merged.edges.find((x) => x.id === id);
  const n = (id: string) => merged.nodes.find((x) => x.id === id);

  it('gives an edge of both windows both windows’ rate, error % and response time', () => {
    expect(e('pp>v1:http')).toMatchObject({
      rps: 15,
      cmpStatus: 'both',
      cmpUnit: 'rps',
      cmpRateBefore: 10,
      cmpRateAfter: 15,
      cmpErrBefore: 0,
      cmpErrAfter: 20,
      cmpRtBefore: 20,
      cmpRtAfter: 45,
    });
  });

  it('marks an edge of the window after only as new, with nothing before', () => {
    expect(e('pp>v3:http')).toMatchObject({
      cmpStatus: 'new',
      cmpRateBefore: 0,
      cmpRateAfter: 5,
      cmpErrBefore: null,
      cmpRtBefore: null,
      cmpRtAfter: 12,
    });
    expect(n('v3')).toMatchObject({ cmpStatus: 'new', cmpRateBefore: 0, cmpRateAfter: 5 });
  });

  it('keeps an edge and node of the window before only, vanished, with no traffic of their own', () => {
    expect(e('pp>v2:http')).toMatchObject({
      cmpStatus: 'vanished',
      rps: 0,
      isIdle: true,
      responses: {},
      cmpRateBefore: 10,
      cmpRateAfter: 0,
      cmpRtBefore: 30,
      cmpRtAfter: null,
    });
    expect(n('v2')).toMatchObject({
      cmpStatus: 'vanished',
      httpIn: 0,
      isIdle: true,
      parent: 'box:ns',
      cmpRateBefore: 10,
      cmpRateAfter: 0,
    });
  });

  it('gives nodes their inbound rate, error % and slowest inbound response time; roots their outbound rate', () => {
    expect(n('v1')).toMatchObject({
      cmpStatus: 'both',
      cmpRateBefore: 10,
      cmpRateAfter: 15,
      cmpErrBefore: 0,
      cmpErrAfter: 20,
      cmpRtBefore: 20,
      cmpRtAfter: 45,
    });
    expect(n('pp')).toMatchObject({ cmpRateBefore: 20, cmpRateAfter: 20, cmpErrAfter: null });
    expect(n('box:ns')).not.toHaveProperty('cmpStatus');
  });

  it('answers a valid graph: every edge end and parent is a node, ids sorted, windows named', () => {
    expect(GraphResponseSchema.parse(merged)).toEqual(merged);
    const ids = new Set(merged.nodes.map((x) => x.id));
    for (const x of merged.edges) expect(ids.has(x.source) && ids.has(x.target)).toBe(true);
    for (const x of merged.nodes) if (x.parent) expect(ids.has(x.parent)).toBe(true);
    expect(merged.nodes.map((x) => x.id)).toEqual([...ids].sort());
    expect(merged.edges.map((x) => x.id)).toEqual(['pp>v1:http', 'pp>v2:http', 'pp>v3:http']);
    expect(merged.compare).toEqual(windows);
  });

  it('adds a vanished node’s box when the window after has none, and measures TCP in bytes/s', () => {
    const tcp = (rate: number): GraphEdge => ({
      ...edge('a', 'db'),
      id: 'a>db:tcp',
      protocol: 'tcp',
      rps: 0,
      throughputBps: rate,
      responseTimeMs: null,
    });
    const m = mergeCompare(
      answer([box, node('a', { tcpOut: 800 }), node('db', { tcpIn: 800 })], [tcp(800)]),
      answer([], []),
      windows,
    );
    expect(m.nodes.map((x) => [x.id, x.cmpStatus])).toEqual([
      ['a', 'vanished'],
      ['box:ns', undefined],
      ['db', 'vanished'],
    ]);
    expect(m.edges[0]).toMatchObject({ cmpUnit: 'Bps', cmpRateBefore: 800, throughputBps: 0 });
    expect(m.nodes.find((x) => x.id === 'db')).toMatchObject({ cmpUnit: 'Bps', cmpRateBefore: 800 });
  });

  it('an idle element (includeIdle) in both windows is neither new nor vanished', () => {
    const idle = node('idle', { isIdle: true });
    const m = mergeCompare(answer([idle], []), answer([idle], []), windows);
    expect(m.nodes[0]).toMatchObject({ cmpStatus: 'both', cmpRateBefore: 0, cmpRateAfter: 0 });
  });
});
