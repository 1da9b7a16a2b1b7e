import { expect, test } from '@playwright/test';
import { edgeId, nodeId } from '@meshlens/contract';
import { cyState, openGraph } from '../support/graph';
import { resetIstioConfig } from '../support/mesh';

const NS = 'bookinfo';
const svc = (name: string) => nodeId.service(NS, name);
const vapp = (app: string, v = 'v1') => nodeId.versionedApp(NS, app, v);
const app = (name: string) => nodeId.app(NS, name);
const wl = (name: string) => nodeId.workload(NS, name);
const http = (s: string, t: string) => edgeId(s, t, 'http');

interface Expectation {
  graphType: string;
  nodes: string[];
  edges: string[];
  absentEdges: string[];
}

const EXPECTED: Expectation[] = [
  {
    graphType: 'versionedApp',
    nodes: [
      vapp('productpage'),
      vapp('details'),
      vapp('reviews', 'v1'),
      vapp('reviews', 'v2'),
      vapp('reviews', 'v3'),
      vapp('ratings'),
      svc('reviews'),
      svc('ratings'),
      svc('details'),
    ],
    edges: [
      http(vapp('productpage'), svc('reviews')),
      http(vapp('productpage'), svc('details')),
      http(svc('reviews'), vapp('reviews', 'v1')),
      http(svc('reviews'), vapp('reviews', 'v2')),
      http(svc('reviews'), vapp('reviews', 'v3')),
      http(vapp('reviews', 'v2'), svc('ratings')),
      http(vapp('reviews', 'v3'), svc('ratings')),
      http(svc('ratings'), vapp('ratings')),
    ],
    absentEdges: [http(vapp('reviews', 'v1'), svc('ratings'))],
  },
  {
    graphType: 'app',
    nodes: [
      app('productpage'),
      app('details'),
      app('reviews'),
      app('ratings'),
      svc('reviews'),
      svc('ratings'),
    ],
    edges: [
      http(app('productpage'), svc('reviews')),
      http(svc('reviews'), app('reviews')),
      http(app('reviews'), svc('ratings')),
      http(svc('ratings'), app('ratings')),
    ],
    absentEdges: [http(app('ratings'), svc('reviews'))],
  },
  {
    graphType: 'workload',
    nodes: [
      wl('productpage-v1'),
      wl('details-v1'),
      wl('reviews-v1'),
      wl('reviews-v2'),
      wl('reviews-v3'),
      wl('ratings-v1'),
      svc('reviews'),
    ],
    edges: [
      http(wl('productpage-v1'), svc('reviews')),
      http(svc('reviews'), wl('reviews-v3')),
      http(wl('reviews-v3'), svc('ratings')),
      http(svc('ratings'), wl('ratings-v1')),
    ],
    absentEdges: [http(wl('reviews-v1'), svc('ratings'))],
  },
  {
    graphType: 'service',
    nodes: [svc('productpage'), svc('details'), svc('reviews'), svc('ratings')],
    edges: [
      http(svc('productpage'), svc('reviews')),
      http(svc('productpage'), svc('details')),
      http(svc('reviews'), svc('ratings')),
    ],
    absentEdges: [],
  },
];

test.describe('Bookinfo graph per graph type', () => {
  // bookinfo without routing config: every call path carries traffic (each test waits for it to show)
  test.beforeAll(async () => {
    await resetIstioConfig();
  });

  for (const e of EXPECTED) {
    test(`${e.graphType} graph shows the expected nodes and edges`, async ({ page }) => {
      await openGraph(
        page,
        `namespaces=bookinfo,istio-system&graphType=${e.graphType}&duration=60&refresh=10000`,
      );
      // Every call path of Bookinfo shows up once Prometheus has a few scrapes.
      await expect
        .poll(
          async () => {
            const s = await cyState(page);
            return [
              ...e.nodes.filter((n) => !s.nodes.includes(n)),
              ...e.edges.filter((x) => !s.edges.includes(x)),
            ];
          },
          { message: `missing ${e.graphType} elements`, timeout: 60_000, intervals: [1000, 2000] },
        )
        .toEqual([]);
      const state = await cyState(page);
      for (const absent of e.absentEdges) expect(state.edges).not.toContain(absent);
      if (e.graphType !== 'service') {
        // the ingress gateway is the traffic source, drawn as a root
        const roots = await page.evaluate(
          () => window.__cy?.nodes('[?isRoot]').map((n) => n.data('label') as string) ?? [],
        );
        expect(roots.join(' ')).toContain('istio-ingressgateway');
      } else {
        expect(state.nodes.filter((n) => n.startsWith('vapp:') || n.startsWith('wl:bookinfo'))).toEqual([]);
      }
      await expect(page.getByTestId('graph-type')).toHaveValue(e.graphType);
    });
  }
});
