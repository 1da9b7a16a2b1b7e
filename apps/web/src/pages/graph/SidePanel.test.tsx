import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { Router } from 'wouter';
import type { GraphEdge, GraphNode, GraphResponse } from '@meshlens/contract';
import { nodeId } from '@meshlens/contract';
import { gEdge, gNode } from '../../graph/testdata/bookinfo';
import { toEdgeData } from '../../graph/toElements';
import { GraphHistory } from './history';
import { byId } from './byId';
import { SidePanel } from './SidePanel';

// Travels: mysqldb (service) → mysqldb v1 carries 66 KiB/s of MySQL traffic and no requests at all.
const NS = 'travel-agency';
const svc = nodeId.service(NS, 'mysqldb');
const db = nodeId.versionedApp(NS, 'mysqldb', 'v1');
const cars = nodeId.versionedApp(NS, 'cars', 'v1');
const BPS = 68_092;

const tcpEdge = gEdge(svc, db, {
  protocol: 'tcp',
  rps: 0,
  rate2xx: 0,
  responseTimeMs: null,
  throughputBps: BPS,
  responses: { '-': { '-': BPS } },
  connections: { '-': 4.5, UO: 0.5 },
});
const callerEdge = gEdge(cars, svc, {
  protocol: 'tcp',
  rps: 0,
  rate2xx: 0,
  responseTimeMs: null,
  throughputBps: 5000,
  responses: { '-': { '-': 5000 } },
});
const nodes: GraphNode[] = [
  gNode({ id: svc, type: 'service', label: 'mysqldb', namespace: NS, service: 'mysqldb', tcpIn: BPS }),
  gNode({
    id: db,
    type: 'versionedApp',
    label: 'mysqldb v1',
    namespace: NS,
    app: 'mysqldb',
    version: 'v1',
    tcpIn: BPS,
  }),
  gNode({
    id: cars,
    type: 'versionedApp',
    label: 'cars v1',
    namespace: NS,
    app: 'cars',
    version: 'v1',
    tcpOut: 5000,
  }),
];
const answer: GraphResponse = {
  timestamp: 1_800_000_000,
  duration: 60,
  graphType: 'versionedApp',
  namespaces: [NS],
  responseTime: 'p95',
  nodes,
  edges: [tcpEdge, callerEdge],
  warnings: [],
};

function panel(selected: string, edges: GraphEdge[] = answer.edges, extra: GraphNode[] = []): string {
  return renderToStaticMarkup(
    <QueryClientProvider client={new QueryClient()}>
      <Router ssrPath="/graph">
        <SidePanel
          answer={{ ...answer, nodes: [...nodes, ...extra], edges }}
          nodes={byId([...nodes, ...extra])}
          edges={byId(edges)}
          selected={selected}
          history={() => undefined}
          onSelect={() => undefined}
          globalSearch=""
        />
      </Router>
    </QueryClientProvider>,
  );
}
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('TCP in the side panel', () => {
  it('shows a TCP edge as bytes/s and connections, never as a request rate', () => {
    const shown = text(panel(tcpEdge.id));
    expect(shown).toContain('Throughput 66 KiB/s');
    expect(shown).toContain('Connections opened 5.00 conn/s');
    // the connections by flag, failed ones included
    expect(shown).toMatch(
      /Connections Flag Opened Share none 4\.50 conn\/s 90(\.0)?% UO 0\.50 conn\/s 10(\.0)?%/,
    );
    expect(shown).not.toMatch(/rps|Request rate|Responses/);
  });

  it('shows the share of bytes by flag when the server has no connection counts', () => {
    const shown = text(panel(callerEdge.id));
    expect(shown).toContain('Connections opened unknown');
    expect(shown).toContain('Bytes by response flag Flag Throughput Share none 4.9 KiB/s 100%');
    expect(shown).not.toContain('rps');
  });

  it('shows a TCP-only node (a client of the database) without HTTP rows', () => {
    const shown = text(panel(cars));
    expect(shown).toContain('TCP out 4.9 KiB/s');
    expect(shown).not.toMatch(/HTTP in|HTTP out|rps/);
  });

  it('labels TCP edges with bytes/s and charts TCP-only nodes in bytes', () => {
    expect(toEdgeData(tcpEdge).rateLabel).toBe('66 KiB/s');
    const history = new GraphHistory();
    history.record(answer);
    history.record({ ...answer, timestamp: answer.timestamp + 10 });
    expect(history.get(cars)).toMatchObject({ unit: 'B/s', rate: [5000, 5000] });
    expect(history.get(tcpEdge.id)).toMatchObject({ unit: 'B/s', rate: [BPS, BPS] });
  });
});

describe('the "no access" node in the side panel', () => {
  it('says what it stands for, with no health grade and no actions', () => {
    const noAccess = gNode({
      id: 'inaccessible',
      type: 'unknown',
      label: 'no access',
      namespace: 'unknown',
      isInaccessible: true,
      isRoot: true,
      healthStatus: 'NoTraffic',
      healthReason: 'Nodes in namespaces you may not read: their names and health are not shown.',
      httpOut: 2,
    });
    const shown = text(panel('inaccessible', [gEdge('inaccessible', cars, { rps: 2 })], [noAccess]));
    expect(shown).toContain('No access no access');
    expect(shown).toContain('namespaces you may not read');
    expect(shown).toContain('their names and health are not shown');
    expect(shown).not.toMatch(/No traffic|Healthy|Actions/);
  });
});
