import { graphNode, type GraphEdge, type GraphResponse } from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import { INACCESSIBLE_ID, markUnreadable } from './visibility';

const node = (id: string, namespace: string, extra: object = {}) =>
  graphNode({ id, namespace, label: id, type: 'app', ...extra });
const edge = (source: string, target: string, extra: Partial<GraphEdge> = {}): GraphEdge => ({
  id: `${source}>${target}:http`,
  source,
  target,
  protocol: 'http',
  rps: 0,
  rate2xx: 0,
  rate3xx: 0,
  rate4xx: 0,
  rate5xx: 0,
  rateNoResponse: 0,
  rateGrpcErr: 0,
  errorPct: 0,
  percentOfSource: 100,
  responseTimeMs: null,
  throughputBps: null,
  mtlsPct: null,
  responses: {},
  isIdle: false,
  healthStatus: 'Healthy',
  healthReason: '',
  ...extra,
});

const answer = {
  timestamp: 1,
  duration: 60,
  graphType: 'versionedApp',
  namespaces: ['bookinfo'],
  responseTime: 'p95',
  nodes: [
    node('box:istio-system', 'istio-system', { type: 'box', isBox: true }),
    node('gw', 'istio-system', { parent: 'box:istio-system', isOutside: true, isRoot: true }),
    node('batch', 'jobs', { isOutside: true }),
    node('audit', 'jobs', { isOutside: true }),
    node('unknown', 'unknown'),
    node('pp', 'bookinfo'),
    node('reviews', 'bookinfo'),
  ],
  edges: [
    edge('gw', 'pp', {
      rps: 3,
      rate2xx: 3,
      responses: { '200': { '-': 3 } },
      responseHosts: { '200': { 'pp.bookinfo.svc.cluster.local': 3 } },
      mtlsPct: 100,
      responseTimeMs: 20,
    }),
    edge('batch', 'pp', {
      rps: 1,
      rate5xx: 1,
      errorPct: 100,
      responses: { '200': { '-': 0 }, '503': { UO: 1 } },
      responseHosts: { '503': { 'pp.bookinfo.svc.cluster.local': 1 } },
      mtlsPct: 0,
      responseTimeMs: 80,
      healthStatus: 'Failure',
      healthReason: 'all failed',
    }),
    edge('gw', 'batch', { rps: 5 }),
    edge('unknown', 'pp', { rps: 0.5 }),
    edge('pp', 'reviews', { rps: 4, percentOfSource: 80 }),
    edge('pp', 'audit', { rps: 1, percentOfSource: 20 }),
  ],
  warnings: [],
} as unknown as GraphResponse;

describe('markUnreadable', () => {
  const out = markUnreadable(answer, (ns) => ns === 'bookinfo');
  const byId = new Map(out.edges.map((e) => [e.id, e]));

  it('stands one "no access" node for every node of an unreadable namespace, naming none of them', () => {
    expect(out.nodes.map((n) => n.id)).toEqual(['unknown', 'pp', 'reviews', INACCESSIBLE_ID]);
    const inaccessible = out.nodes.find((n) => n.id === INACCESSIBLE_ID)!;
    expect(inaccessible).toMatchObject({ isInaccessible: true, label: 'no access', namespace: 'unknown' });
    for (const name of ['istio-system', 'jobs', 'gw', 'batch', 'audit'])
      expect(JSON.stringify(out)).not.toMatch(new RegExp(`\\b${name}\\b`));
  });

  it('keeps their traffic with the readable nodes, summed per pair of ends, so inbound rates add up', () => {
    const into = byId.get(`${INACCESSIBLE_ID}>pp:http`)!;
    expect(into).toMatchObject({ source: INACCESSIBLE_ID, target: 'pp', rps: 4, rate2xx: 3, rate5xx: 1 });
    expect(into.responses).toEqual({ '200': { '-': 3 }, '503': { UO: 1 } });
    expect(into.responseHosts).toEqual({
      '200': { 'pp.bookinfo.svc.cluster.local': 3 },
      '503': { 'pp.bookinfo.svc.cluster.local': 1 },
    });
    expect(into.errorPct).toBeCloseTo(25);
    expect(into.mtlsPct).toBeCloseTo(75);
    expect(into.responseTimeMs).toBe(80);
    expect(into.healthStatus).toBe('Failure');
    expect(into.percentOfSource).toBe(100);
    const inboundOfPp = out.edges.filter((e) => e.target === 'pp').reduce((a, e) => a + e.rps, 0);
    expect(inboundOfPp).toBe(4.5);
    expect(byId.get(`pp>${INACCESSIBLE_ID}:http`)).toMatchObject({ rps: 1, percentOfSource: 20 });
    expect(byId.get('pp>reviews:http')).toBe(answer.edges[4]);
  });

  it('drops traffic among unreadable nodes, and counts the node as a root only if nothing calls it', () => {
    expect(out.edges.map((e) => e.id).sort()).toEqual(
      [
        `${INACCESSIBLE_ID}>pp:http`,
        'pp>reviews:http',
        `pp>${INACCESSIBLE_ID}:http`,
        'unknown>pp:http',
      ].sort(),
    );
    const inaccessible = out.nodes.find((n) => n.id === INACCESSIBLE_ID)!;
    expect(inaccessible).toMatchObject({ httpOut: 4, httpIn: 1, isRoot: false });
  });

  it('merges compared edges’ before/after figures (graph compare): a new and a vanished one make both', () => {
    const compared = {
      ...answer,
      edges: [
        edge('gw', 'pp', {
          cmpStatus: 'vanished',
          cmpRateBefore: 3,
          cmpRateAfter: 0,
          cmpErrBefore: 0,
          cmpErrAfter: null,
          cmpRtBefore: 20,
          cmpRtAfter: null,
        }),
        edge('batch', 'pp', {
          cmpStatus: 'new',
          cmpRateBefore: 0,
          cmpRateAfter: 1,
          cmpErrBefore: null,
          cmpErrAfter: 100,
          cmpRtBefore: null,
          cmpRtAfter: 80,
        }),
      ],
    } as GraphResponse;
    const into = markUnreadable(compared, (ns) => ns === 'bookinfo').edges.find((e) => e.target === 'pp');
    expect(into).toMatchObject({
      cmpStatus: 'both',
      cmpRateBefore: 3,
      cmpRateAfter: 1,
      cmpErrBefore: 0,
      cmpErrAfter: 100,
      cmpRtBefore: 20,
      cmpRtAfter: 80,
    });
  });

  it('says how many nodes it stands for', () => {
    expect(out.warnings).toEqual([
      {
        code: 'NamespacesHidden',
        message:
          '3 nodes in namespaces you may not read are shown as one node, “no access”, with their traffic to and from the namespaces you may read',
      },
    ]);
  });

  it('returns the answer as is when everything is readable', () => {
    expect(markUnreadable(answer, () => true)).toBe(answer);
  });
});
