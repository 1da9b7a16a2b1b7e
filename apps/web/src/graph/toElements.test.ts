import { describe, expect, it } from 'vitest';
import { GraphResponseSchema } from '@meshlens/contract';
import { bookinfoAnswer } from './testdata/bookinfo';
import {
  edgeWidth,
  HOST_LINE,
  toEdgeDetail,
  toElements,
  toElementsInSlices,
  toNodeData,
  wrapHost,
} from './toElements';
import { graphNode } from '@meshlens/contract';

describe('toElements', () => {
  it('gives one element per node, and one per edge whose ends are both in the answer', () => {
    // What the API client hands over: the answer as the contract parses it.
    const answer = GraphResponseSchema.parse(bookinfoAnswer);
    const { nodes, edges, details } = toElements(answer, { boxNamespaces: false });
    expect(nodes.map((n) => n.id)).toEqual(answer.nodes.map((n) => n.id));
    const ids = new Set(answer.nodes.map((n) => n.id));
    const drawable = answer.edges.filter((e) => ids.has(e.source) && ids.has(e.target)).map((e) => e.id);
    expect(drawable.length).toBeLessThan(answer.edges.length); // the answer has an edge to a missing node
    expect(edges.map((e) => e.id)).toEqual(drawable);
    expect([...details.keys()]).toEqual(drawable);
  });

  it('in time slices, gives the same elements as at once', async () => {
    let pauses = 0;
    let t = 0;
    const sliced = await toElementsInSlices(
      bookinfoAnswer,
      { boxNamespaces: true },
      {
        budgetMs: 2,
        now: () => t++,
        pause: () => {
          pauses++;
          return Promise.resolve();
        },
      },
    );
    const once = toElements(bookinfoAnswer, { boxNamespaces: true });
    expect(sliced?.nodes).toEqual(once.nodes);
    expect(sliced?.edges).toEqual(once.edges);
    expect(pauses).toBeGreaterThan(3);
    // given up when a newer answer came
    let current = true;
    const stale = await toElementsInSlices(
      bookinfoAnswer,
      { boxNamespaces: true },
      { budgetMs: 0, isCurrent: () => current, pause: () => Promise.resolve(void (current = false)) },
    );
    expect(stale).toBeNull();
  });

  it('works out an edge detail only when asked for, once', () => {
    const { details } = toElements(bookinfoAnswer, { boxNamespaces: false });
    const edge = bookinfoAnswer.edges.find((e) => Object.keys(e.responses).length > 0);
    if (!edge) throw new Error('bookinfo has an edge with responses');
    // the detail is computed from the answer's edge when first read: a change made before shows
    const original = structuredClone(edge.responses);
    edge.responses = { '200': { '-': 7 } };
    try {
      const first = details.get(edge.id);
      expect(first).toEqual(toEdgeDetail(edge));
      expect(details.get(edge.id)).toBe(first);
    } finally {
      edge.responses = original;
    }
    expect(details.get('no such edge')).toBeUndefined();
    expect(details.has('no such edge')).toBe(false);
  });

  it('keeps the server ids and flat primitive data', () => {
    const { nodes, edges } = toElements(bookinfoAnswer, { boxNamespaces: false });
    expect(nodes.map((n) => n.id)).toEqual([
      'wl:istio-system/istio-ingressgateway',
      'vapp:bookinfo/productpage/v1',
      'svc:bookinfo/reviews',
      'vapp:bookinfo/reviews/v1',
      'vapp:bookinfo/reviews/v2',
      'unknown',
    ]);
    for (const el of [...nodes, ...edges]) {
      for (const [key, value] of Object.entries(el)) {
        expect(['string', 'number', 'boolean'], key).toContain(typeof value);
      }
    }
    expect(edges.map((e) => e.id)).toContain('svc:bookinfo/reviews>vapp:bookinfo/reviews/v1:http');
  });

  it('gives the same elements whatever the order of the nodes and edges in the answer', () => {
    const byId = <T extends { id: string }>(xs: T[]) => [...xs].sort((x, y) => x.id.localeCompare(y.id));
    const boxIds = (nodes: { id: string; nodeType: string }[]) =>
      nodes.filter((n) => n.nodeType === 'box').map((n) => n.id);
    const expected = toElements(bookinfoAnswer, { boxNamespaces: true });
    const rotate = <T>(xs: T[], k: number) => [...xs.slice(k), ...xs.slice(0, k)];
    for (const order of [(xs: unknown[]) => [...xs].reverse(), (xs: unknown[]) => rotate(xs, 2)]) {
      const shuffled: typeof bookinfoAnswer = {
        ...bookinfoAnswer,
        nodes: order(bookinfoAnswer.nodes) as typeof bookinfoAnswer.nodes,
        edges: order(bookinfoAnswer.edges) as typeof bookinfoAnswer.edges,
      };
      const got = toElements(shuffled, { boxNamespaces: true });
      expect(byId(got.nodes)).toEqual(byId(expected.nodes));
      expect(byId(got.edges)).toEqual(byId(expected.edges));
      expect(new Map([...got.details].sort())).toEqual(new Map([...expected.details].sort()));
      // Namespace boxes first (before the nodes they hold), in the same order.
      expect(boxIds(got.nodes)).toEqual(boxIds(expected.nodes));
      expect(got.nodes.slice(0, 2).map((n) => n.id)).toEqual(boxIds(got.nodes));
    }
  });

  it('maps node type, labels, health and badges', () => {
    const { nodes } = toElements(bookinfoAnswer, { boxNamespaces: false });
    const byId = new Map(nodes.map((n) => [n.id, n]));
    expect(byId.get('vapp:bookinfo/reviews/v2')).toMatchObject({
      nodeType: 'versionedApp',
      label: 'reviews\nv2',
      health: 'Failure',
      healthReason: '5xx 50% of inbound ≥ 10%',
      errPct: 50,
    });
    expect(byId.get('svc:bookinfo/reviews')).toMatchObject({
      nodeType: 'service',
      badges: '⎇ ⇉',
      hasVS: true,
    });
    expect(byId.get('wl:istio-system/istio-ingressgateway')).toMatchObject({ isRoot: true, isGateway: true });
    expect(byId.get('vapp:bookinfo/reviews/v1')?.errPct).toBe(0);
    expect(byId.get('unknown')?.errPct).toBeNaN();
  });

  it('maps edge rates, labels, errors and mTLS; drops edges to missing nodes', () => {
    const { edges, details } = toElements(bookinfoAnswer, { boxNamespaces: false });
    expect(edges).toHaveLength(5);
    const failing = edges.find((e) => e.id === 'svc:bookinfo/reviews>vapp:bookinfo/reviews/v2:http');
    expect(failing).toMatchObject({
      rate: 2,
      errPct: 50,
      pctReq: 20,
      health: 'Failure',
      rateLabel: '2.00 rps\n50.0% err',
      pctLabel: '20.0%',
      rtLabel: '12ms',
      lock: 'mTLS',
    });
    expect(details.get(failing?.id ?? '')?.responses).toEqual([
      { code: '200', rate: 1, flags: { '-': 100 } },
      { code: '503', rate: 1, flags: { UO: 75, '-': 25 } },
    ]);
    const tcp = edges.find((e) => e.protocol === 'tcp');
    expect(tcp).toMatchObject({ rate: 4096, rateLabel: '4.0 KiB/s', lock: '', isIdle: false });
    expect(tcp?.errPct).toBeNaN();
    const toService = edges.find((e) => e.target === 'svc:bookinfo/reviews');
    expect(toService?.rtLabel).toBe('');
  });

  it('boxes namespaces only when there is more than one, never the unknown node', () => {
    const boxed = toElements(bookinfoAnswer, { boxNamespaces: true });
    const boxes = boxed.nodes.filter((n) => n.nodeType === 'box').map((n) => n.id);
    expect(boxes).toEqual(['box:ns:bookinfo', 'box:ns:istio-system']);
    expect(boxed.nodes.find((n) => n.id === 'vapp:bookinfo/reviews/v1')?.parent).toBe('box:ns:bookinfo');
    expect(boxed.nodes.find((n) => n.id === 'unknown')?.parent).toBeUndefined();

    const single = {
      ...bookinfoAnswer,
      nodes: bookinfoAnswer.nodes.filter((n) => n.namespace === 'bookinfo'),
    };
    expect(toElements(single, { boxNamespaces: true }).nodes.some((n) => n.nodeType === 'box')).toBe(false);
  });

  it('sizes edges by rate on a log scale', () => {
    expect(edgeWidth('http', 0)).toBe(1);
    expect(edgeWidth('http', 1)).toBeLessThan(edgeWidth('http', 100));
    expect(edgeWidth('http', 1e9)).toBe(6);
    expect(edgeWidth('tcp', 1024)).toBe(edgeWidth('http', 1));
  });

  it('wraps a long service-entry host at its dots, never cutting a name (the graph wraps at spaces only)', () => {
    expect(wrapHost('api.exchange-rates.example.com')).toBe('api.exchange-rates.\nexample.com');
    expect(wrapHost('payments.internal.eu-west-1.example.corp.com').split('\n')).toEqual([
      'payments.internal.',
      'eu-west-1.example.',
      'corp.com',
    ]);
    expect(wrapHost('db.example.com')).toBe('db.example.com');
    const longName = 'a-very-long-single-label-host-name';
    expect(wrapHost(`${longName}.com`)).toBe(`${longName}.\ncom`);
    for (const host of ['api.exchange-rates.example.com', 'x.y.z.example.org'])
      expect(wrapHost(host).replace(/\n/g, '')).toBe(host);
    const se = toNodeData(
      graphNode({
        id: 'se:api.exchange-rates.example.com',
        type: 'serviceEntry',
        label: 'x',
        namespace: 'unknown',
        host: 'api.exchange-rates.example.com',
      }),
      undefined,
    );
    expect(se.label.split('\n').every((line) => line.length <= HOST_LINE)).toBe(true);
  });
});
