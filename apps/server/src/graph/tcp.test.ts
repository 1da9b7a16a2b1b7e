import { GraphQuerySchema } from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import { deriveSnapshot } from '../inventory/derive';
import type { VectorSample } from '../prometheus/client';
import { buildGraph } from './buildGraph';
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

/** One series of the TCP query, as Prometheus answers it: cars-v1 → mysqldb (travels). */
function series(reporter: string, value: number, extra: Record<string, string> = {}): VectorSample {
  return {
    metric: {
      reporter,
      source_workload_namespace: 'travel-agency',
      source_workload: 'cars-v1',
      source_canonical_service: 'cars',
      source_canonical_revision: 'v1',
      destination_service_namespace: 'travel-agency',
      destination_service_name: 'mysqldb',
      destination_service: 'mysqldb.travel-agency.svc.cluster.local',
      destination_workload_namespace: 'travel-agency',
      destination_workload: 'mysqldb-v1',
      destination_canonical_service: 'mysqldb',
      destination_canonical_revision: 'v1',
      response_flags: '-',
      connection_security_policy: reporter === 'destination' ? 'mutual_tls' : 'unknown',
      ...extra,
    },
    value: [1_800_000_000, String(value)],
  };
}
const connections = { meshlens_measure: 'connections' };

describe('TCP edges', () => {
  it('ask Prometheus for connections opened in the same query as the bytes', () => {
    const q = GraphQuerySchema.parse({ namespaces: 'travel-agency' });
    const tcp = buildGraphQueries(q).find((x) => x.name === 'tcp')!.promql;
    expect(tcp).toContain('istio_tcp_connections_opened_total');
    expect(tcp).toContain('"meshlens_measure", "connections"');
    // Kiali's default rateTcp=sent: what the caller sent, which Istio counts as the server side's received
    expect(tcp).toContain('istio_tcp_received_bytes_total');
    expect(tcp).not.toContain('istio_tcp_sent_bytes_total');
    const tcpOf = (rateTcp: string) =>
      buildGraphQueries(GraphQuerySchema.parse({ namespaces: 'travel-agency', rateTcp })).find(
        (x) => x.name === 'tcp',
      )?.promql ?? '';
    expect(tcpOf('received')).toContain('istio_tcp_sent_bytes_total');
    expect(tcpOf('received')).not.toContain('istio_tcp_received_bytes_total');
    expect(tcpOf('total')).toContain('istio_tcp_sent_bytes_total');
    expect(tcpOf('total')).toContain('istio_tcp_received_bytes_total');
    expect(tcpOf('none')).toBe('');
  });

  it('sum both directions for rateTcp=total and count each direction once across reporters', () => {
    const q = GraphQuerySchema.parse({
      namespaces: 'travel-agency',
      graphType: 'workload',
      protocols: 'tcp',
      injectServiceNodes: 'false',
      rateTcp: 'total',
    });
    const sent = { meshlens_direction: 'sent' };
    const received = { meshlens_direction: 'received' };
    const answer = buildGraph(
      q,
      {
        tcp: [
          series('source', 800, sent),
          series('destination', 800, sent),
          series('source', 4000, received),
          series('destination', 4000, received),
        ],
      },
      { inventory, healthRules: [], cluster: 'Kubernetes', timestamp: 1_800_000_000, warnings: [] },
    );
    expect(answer.edges).toHaveLength(1);
    expect(answer.edges[0]).toMatchObject({ throughputBps: 4800, responses: { '-': { '-': 4800 } } });
  });

  it('carry bytes/s and connections/s per flag, and the connections do not count as bytes or mTLS', () => {
    const q = GraphQuerySchema.parse({
      namespaces: 'travel-agency',
      graphType: 'workload',
      protocols: 'tcp',
      injectServiceNodes: 'false',
    });
    const answer = buildGraph(
      q,
      {
        tcp: [
          series('source', 4000),
          series('destination', 4000),
          series('source', 2.5, connections),
          series('source', 0.5, { ...connections, response_flags: 'UO' }),
          series('destination', 2.5, connections),
        ],
      },
      { inventory, healthRules: [], cluster: 'Kubernetes', timestamp: 1_800_000_000, warnings: [] },
    );
    expect(answer.edges).toHaveLength(1);
    const edge = answer.edges[0]!;
    expect(edge).toMatchObject({
      protocol: 'tcp',
      rps: 0,
      throughputBps: 4000,
      responses: { '-': { '-': 4000 } },
      connections: { '-': 2.5, UO: 0.5 },
      mtlsPct: 100,
      isIdle: false,
    });
    const db = answer.nodes.find((n) => n.id === 'wl:travel-agency/mysqldb-v1')!;
    expect(db.tcpIn).toBe(4000);
    expect(db.httpIn).toBe(0);
  });

  it('keep an edge whose connections all failed (no bytes) as traffic, not idle', () => {
    const q = GraphQuerySchema.parse({
      namespaces: 'travel-agency',
      graphType: 'workload',
      protocols: 'tcp',
      injectServiceNodes: 'false',
    });
    const answer = buildGraph(
      q,
      { tcp: [series('source', 1.5, { ...connections, response_flags: 'UF' })] },
      { inventory, healthRules: [], cluster: 'Kubernetes', timestamp: 1_800_000_000, warnings: [] },
    );
    expect(answer.edges[0]).toMatchObject({ throughputBps: 0, connections: { UF: 1.5 }, isIdle: false });
  });
});
