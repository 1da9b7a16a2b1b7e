/**
 * Multi-cluster graphs (issue 13): nodes carry their cluster from source_cluster / destination_cluster;
 * the same service or workload in two clusters is two nodes (ids `…@<cluster>`); a graph of one cluster
 * keeps the plain ids; edges cross clusters; the queries group by both cluster labels.
 */
import { GraphQuerySchema, type GraphResponse } from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import { mergeSnapshots } from '../inventory/clusters';
import { deriveSnapshot } from '../inventory/derive';
import type { InventorySnapshot, WorkloadInfo } from '../inventory/types';
import type { VectorSample } from '../prometheus/client';
import { buildGraph, type GraphSamples } from './buildGraph';
import { buildGraphQueries } from './queries';

const inventory = deriveSnapshot(
  {
    namespaces: [],
    services: [],
    deployments: [],
    replicasets: [],
    pods: [],
    serviceentries: [],
    virtualservices: [],
    destinationrules: [],
  },
  true,
);

interface Wl {
  wl: string;
  app: string;
  cluster: string;
}
const wl = (name: string, cluster: string): Wl => ({ wl: name, app: name.replace(/-v\d+$/, ''), cluster });

/** One requests-query series in namespace bookinfo, both reporters' clusters set as Istio sets them. */
function row(
  reporter: string,
  src: Wl,
  dst: Wl,
  value: number,
  extra: Record<string, string> = {},
): VectorSample {
  return {
    metric: {
      reporter,
      source_cluster: src.cluster,
      source_workload_namespace: 'bookinfo',
      source_workload: src.wl,
      source_canonical_service: src.app,
      source_canonical_revision: 'v1',
      destination_cluster: dst.cluster,
      destination_service_namespace: 'bookinfo',
      destination_service_name: dst.app,
      destination_service: `${dst.app}.bookinfo.svc.cluster.local`,
      destination_workload_namespace: 'bookinfo',
      destination_workload: dst.wl,
      destination_canonical_service: dst.app,
      destination_canonical_revision: 'v1',
      request_protocol: 'http',
      response_code: '200',
      grpc_response_status: '',
      response_flags: '-',
      ...extra,
    },
    value: [1_800_000_000, String(value)],
  };
}

const both = (src: Wl, dst: Wl, value: number) => [
  row('source', src, dst, value),
  row('destination', src, dst, value),
];

function graph(
  samples: GraphSamples,
  graphType = 'workload',
  extra: Record<string, string> = {},
  inv: InventorySnapshot = inventory,
): GraphResponse {
  const q = GraphQuerySchema.parse({ namespaces: 'bookinfo', graphType, ...extra });
  return buildGraph(q, samples, {
    inventory: inv,
    healthRules: [],
    cluster: 'east',
    timestamp: 1_800_000_000,
    warnings: [],
  });
}

const PP = wl('productpage-v1', 'east');
const REV1 = wl('reviews-v1', 'east');
const REV3 = wl('reviews-v3', 'west');
const RAT = wl('ratings-v1', 'west');

describe('multi-cluster graph', () => {
  it('keys nodes by cluster: the same service in two clusters is two nodes, with an edge across', () => {
    const g = graph({ requests: [...both(PP, REV1, 3), ...both(PP, REV3, 2), ...both(REV1, RAT, 1)] });
    const reviews = g.nodes.filter((n) => n.type === 'service' && n.service === 'reviews');
    expect(reviews.map((n) => [n.id, n.cluster])).toEqual([
      ['svc:bookinfo/reviews@east', 'east'],
      ['svc:bookinfo/reviews@west', 'west'],
    ]);
    const byId = new Map(g.nodes.map((n) => [n.id, n]));
    expect(byId.get('wl:bookinfo/productpage-v1@east')?.cluster).toBe('east');
    expect(byId.get('wl:bookinfo/reviews-v3@west')?.cluster).toBe('west');
    expect(byId.get('wl:bookinfo/ratings-v1@west')?.cluster).toBe('west');
    const edges = new Map(g.edges.map((e) => [e.id, e.rps]));
    // productpage (east) → reviews served in west: a cross-cluster edge, counted once of both reports.
    expect(edges.get('wl:bookinfo/productpage-v1@east>svc:bookinfo/reviews@west:http')).toBe(2);
    expect(edges.get('wl:bookinfo/productpage-v1@east>svc:bookinfo/reviews@east:http')).toBe(3);
    expect(edges.get('svc:bookinfo/reviews@west>wl:bookinfo/reviews-v3@west:http')).toBe(2);
    // reviews v1 (east) → ratings (west)
    expect(edges.get('wl:bookinfo/reviews-v1@east>svc:bookinfo/ratings@west:http')).toBe(1);
    expect(g.nodes.every((n) => n.type === 'unknown' || n.id.endsWith(`@${n.cluster}`))).toBe(true);
  });

  it('an app graph keeps the same app in two clusters apart too', () => {
    const g = graph({ requests: [...both(PP, REV1, 3), ...both(PP, REV3, 2)] }, 'app');
    const apps = g.nodes.filter((n) => n.type === 'app' && n.app === 'reviews').map((n) => n.id);
    expect(apps).toEqual(['app:bookinfo/reviews@east', 'app:bookinfo/reviews@west']);
  });

  it("a request no workload answered is the caller's cluster's service; an unknown caller has no cluster", () => {
    const g = graph({
      requests: [
        ...both(PP, REV3, 2),
        row('source', PP, { wl: 'unknown', app: 'unknown', cluster: 'unknown' }, 0.5, {
          response_code: '503',
          response_flags: 'UH',
          destination_service_name: 'reviews',
          destination_service: 'reviews.bookinfo.svc.cluster.local',
          destination_workload_namespace: 'unknown',
          destination_service_namespace: 'unknown',
        }),
        row('destination', { wl: 'unknown', app: 'unknown', cluster: 'unknown' }, REV3, 1),
      ],
    });
    const edges = new Map(g.edges.map((e) => [e.id, e.rps]));
    expect(edges.get('wl:bookinfo/productpage-v1@east>svc:bookinfo/reviews@east:http')).toBe(0.5);
    expect(edges.get('unknown>svc:bookinfo/reviews@west:http')).toBe(1);
  });

  it('a single cluster keeps the plain ids and names its cluster on every node', () => {
    const one = (n: Wl): Wl => ({ ...n, cluster: 'Kubernetes' });
    const g = graph({ requests: [...both(one(PP), one(REV1), 3), ...both(one(REV1), one(RAT), 1)] });
    expect(g.nodes.map((n) => n.id).sort()).toEqual([
      'svc:bookinfo/ratings',
      'svc:bookinfo/reviews',
      'wl:bookinfo/productpage-v1',
      'wl:bookinfo/ratings-v1',
      'wl:bookinfo/reviews-v1',
    ]);
    expect(new Set(g.nodes.map((n) => n.cluster))).toEqual(new Set(['Kubernetes']));
  });

  it('groups every graph query by source_cluster and destination_cluster', () => {
    const q = GraphQuerySchema.parse({
      namespaces: 'bookinfo',
      protocols: 'http,grpc,tcp',
      rateGrpc: 'total',
    });
    for (const pq of buildGraphQueries(q)) {
      const groups = [...pq.promql.matchAll(/sum by \(([^)]*)\)/g)].map((m) => m[1]!.split(','));
      expect(groups.length).toBeGreaterThan(0);
      for (const labels of groups)
        expect(labels).toEqual(expect.arrayContaining(['source_cluster', 'destination_cluster']));
    }
  });

  it('places idle workloads and services in their cluster, next to the traffic nodes, never doubled', () => {
    const wlInfo = (name: string): WorkloadInfo => ({
      namespace: 'bookinfo',
      name,
      kind: 'Deployment',
      labels: { app: name.replace(/-v\d+$/, '') },
      annotations: {},
      app: name.replace(/-v\d+$/, ''),
      version: 'v1',
      pods: 1,
      podsWithSidecar: 1,
      isGateway: false,
    });
    const svc = (name: string) => ({
      namespace: 'bookinfo',
      name,
      labels: {},
      annotations: {},
      selector: { app: name },
    });
    const inv = mergeSnapshots([
      {
        name: 'east',
        snapshot: {
          ...inventory,
          workloads: [wlInfo('productpage-v1'), wlInfo('reviews-v1'), wlInfo('details-v1')],
          services: [svc('reviews'), svc('details')],
        },
      },
      {
        name: 'west',
        snapshot: { ...inventory, workloads: [wlInfo('reviews-v3')], services: [svc('reviews')] },
      },
    ]);
    const g = graph(
      { requests: [...both(PP, REV1, 3), ...both(PP, REV3, 2)] },
      'workload',
      { includeIdle: 'true' },
      inv,
    );
    const ids = g.nodes.map((n) => n.id).sort();
    expect(ids).toEqual([
      'svc:bookinfo/details@east',
      'svc:bookinfo/reviews@east',
      'svc:bookinfo/reviews@west',
      'wl:bookinfo/details-v1@east',
      'wl:bookinfo/productpage-v1@east',
      'wl:bookinfo/reviews-v1@east',
      'wl:bookinfo/reviews-v3@west',
    ]);
    const idle = g.nodes.filter((n) => n.isIdle).map((n) => [n.id, n.cluster]);
    expect(idle).toEqual([
      ['svc:bookinfo/details@east', 'east'],
      ['wl:bookinfo/details-v1@east', 'east'],
    ]);
    // The selector edges stay inside a cluster: west's reviews service never reaches east's reviews-v1.
    const edges = g.edges.map((e) => e.id);
    expect(edges).toContain('svc:bookinfo/details@east>wl:bookinfo/details-v1@east:http');
    expect(edges).not.toContain('svc:bookinfo/reviews@west>wl:bookinfo/reviews-v1@east:http');
  });
});
