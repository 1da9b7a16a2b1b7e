import { describe, expect, it } from 'vitest';
import { graphNode, type GraphResponse } from '@meshlens/contract';
import type { InventorySnapshot, WorkloadInfo } from '../inventory/types';
import { entityFacts, podDetail, podWorkload, proxyVersion } from './facts';
import { istioRefs } from './istioRefs';
import { entityHealth } from './health';
import { centreOn } from './nodeGraph';

const wl = (name: string, labels: Record<string, string>): WorkloadInfo => ({
  namespace: 'b',
  name,
  kind: 'Deployment',
  labels,
  annotations: {},
  app: labels.app,
  version: labels.version,
  desired: 1,
  available: 1,
  pods: 1,
  podsWithSidecar: 1,
  isGateway: false,
});
const pod = (name: string, rs: string, extra: object = {}) => ({
  metadata: {
    name,
    namespace: 'b',
    labels: { app: 'r' },
    ownerReferences: [{ kind: 'ReplicaSet', name: rs }],
  },
  spec: {
    containers: [
      { name: 'r', image: 'r:1' },
      { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.30.3' },
    ],
  },
  status: {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: [
      { name: 'r', ready: true, restartCount: 3, state: { running: {} } },
      {
        name: 'istio-proxy',
        ready: true,
        restartCount: 0,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
      },
    ],
    ...extra,
  },
});

describe('entity facts', () => {
  const workloads = [wl('r-v1', { app: 'r', version: 'v1' }), wl('r-v1-beta', { app: 'r', version: 'v1b' })];
  const snap = {
    workloads,
    services: [{ namespace: 'b', name: 'r', labels: {}, annotations: {}, selector: { app: 'r' } }],
  } as unknown as InventorySnapshot;

  it('a pod: containers, restarts, state, proxy version, owner (longest Deployment prefix)', () => {
    const p = pod('r-v1-beta-abc-1', 'r-v1-beta-abc');
    expect(podWorkload(p, workloads)?.name).toBe('r-v1-beta');
    expect(podWorkload(pod('r-v1-abc-1', 'r-v1-abc'), workloads)?.name).toBe('r-v1');
    expect(podDetail(p)).toMatchObject({
      ready: true,
      restarts: 3,
      proxyVersion: '1.30.3',
      containers: [
        { name: 'r', image: 'r:1', ready: true, restarts: 3, state: 'running' },
        { name: 'istio-proxy', state: 'waiting: CrashLoopBackOff' },
      ],
    });
    expect(proxyVersion('proxyv2@sha256:abc')).toBeUndefined();
    expect(proxyVersion('registry:5000/istio/proxyv2:1.2.3')).toBe('1.2.3');
  });

  it('a service: its workloads, pods and ports; unknown names are a NotFoundError', () => {
    const raw = {
      pods: [pod('r-v1-abc-1', 'r-v1-abc'), pod('r-v1-beta-x-1', 'r-v1-beta-x')],
      services: [
        {
          metadata: { name: 'r', namespace: 'b' },
          spec: { ports: [{ name: 'http', port: 9080, protocol: 'TCP' }] },
        },
      ],
    };
    const f = entityFacts(snap, raw, 'services', 'b', 'r');
    expect(f.workloads.map((w) => w.name)).toEqual(['r-v1', 'r-v1-beta']);
    expect(f.pods).toHaveLength(2);
    expect(f.ports).toEqual([{ name: 'http', port: 9080, protocol: 'TCP' }]);
    expect(entityFacts(snap, raw, 'apps', 'b', 'r').versions).toEqual(['v1', 'v1b']);
    expect(() => entityFacts(snap, raw, 'workloads', 'b', 'nope')).toThrow('no workload nope in namespace b');
  });
});

describe('Istio objects that apply', () => {
  const obj = (name: string, namespace: string, spec: object) => ({ metadata: { name, namespace }, spec });
  it('by host, by route destination, by selector, namespace-wide policies', () => {
    const refs = istioRefs(
      {
        virtualservices: [
          obj('by-host', 'b', { hosts: ['r'] }),
          obj('by-route', 'gw', {
            hosts: ['*'],
            http: [{ route: [{ destination: { host: 'r.b.svc.cluster.local' } }] }],
          }),
          obj('other', 'b', { hosts: ['d'] }),
        ],
        destinationrules: [obj('r', 'b', { host: 'r' })],
        peerauthentications: [obj('ns-wide', 'b', {}), obj('elsewhere', 'x', {})],
        authorizationpolicies: [
          obj('picks', 'b', { selector: { matchLabels: { app: 'r' } } }),
          obj('no', 'b', { selector: { matchLabels: { app: 'd' } } }),
        ],
      },
      { namespace: 'b', hosts: new Set(['r.b.svc.cluster.local']), podLabels: [{ app: 'r' }] },
    );
    expect(refs.map((r) => `${r.kind}/${r.namespace}/${r.name}`)).toEqual([
      'AuthorizationPolicy/b/picks',
      'DestinationRule/b/r',
      'PeerAuthentication/b/ns-wide',
      'VirtualService/b/by-host',
      'VirtualService/gw/by-route',
    ]);
  });
});

describe('centreOn', () => {
  it('keeps the entity, its edges and their other ends', () => {
    const n = (id: string) => graphNode({ id, type: 'workload', label: id, namespace: 'b' });
    const e = (source: string, target: string, isIdle = false) =>
      ({ id: `${source}>${target}`, source, target, isIdle }) as GraphResponse['edges'][number];
    const g = {
      nodes: ['a', 'c', 'd', 'x'].map(n),
      edges: [e('a', 'c'), e('c', 'd'), e('x', 'd'), e('x', 'c', true)],
    } as GraphResponse;
    const out = centreOn(g, 'c');
    expect(out.nodes.map((x) => x.id)).toEqual(['a', 'c', 'd']);
    expect(out.edges.map((x) => x.id)).toEqual(['a>c', 'c>d']);
    // idle edges only when the entity has no other
    expect(centreOn({ ...g, edges: [e('x', 'c', true)] }, 'c').edges).toHaveLength(1);
  });

  it('over several clusters, keeps the entity in each of them (`<id>@<cluster>`), not a longer id', () => {
    const n = (id: string) => graphNode({ id, type: 'service', label: id, namespace: 'b' });
    const e = (source: string, target: string) =>
      ({ id: `${source}>${target}`, source, target, isIdle: false }) as GraphResponse['edges'][number];
    const g = {
      nodes: ['a@east', 'svc:b/r@east', 'svc:b/r@west', 'svc:b/rx@west', 'z@west'].map(n),
      edges: [e('a@east', 'svc:b/r@east'), e('a@east', 'svc:b/r@west'), e('z@west', 'svc:b/rx@west')],
    } as GraphResponse;
    const out = centreOn(g, 'svc:b/r');
    expect(out.nodes.map((x) => x.id)).toEqual(['a@east', 'svc:b/r@east', 'svc:b/r@west']);
    expect(out.edges).toHaveLength(2);
  });
});

describe('entityHealth', () => {
  const graph = {
    nodes: [
      graphNode({
        id: 'svc:b/r',
        type: 'service',
        label: 'r',
        namespace: 'b',
        healthStatus: 'Failure',
        healthReason: 'HTTP server errors (5xx): 20 % of inbound requests, failure at 10 %; no response: 1 %',
      }),
    ],
    edges: [],
  } as unknown as GraphResponse;

  it("the graph's verdict of the entity's node, reason by reason", () => {
    expect(entityHealth(graph, 'svc:b/r', [])).toEqual({
      status: 'Failure',
      reasons: ['HTTP server errors (5xx): 20 % of inbound requests, failure at 10 %', 'no response: 1 %'],
    });
  });

  it('over several clusters, the worst of its nodes, each reason naming its cluster', () => {
    const node = (cluster: string, healthStatus: 'Healthy' | 'Degraded', healthReason: string) =>
      graphNode({
        id: `svc:b/r@${cluster}`,
        type: 'service',
        label: 'r',
        namespace: 'b',
        cluster,
        healthStatus,
        healthReason,
      });
    const two = {
      nodes: [
        node('east', 'Healthy', ''),
        node('west', 'Degraded', 'HTTP server errors (5xx): 2 % of inbound requests, degraded above 0 %'),
      ],
      edges: [],
    } as unknown as GraphResponse;
    expect(entityHealth(two, 'svc:b/r', [])).toEqual({
      status: 'Degraded',
      reasons: ['west: HTTP server errors (5xx): 2 % of inbound requests, degraded above 0 %'],
    });
  });

  it('without traffic, the workload rules on its workloads', () => {
    expect(entityHealth(graph, 'wl:b/w', [{ name: 'w', desired: 2, available: 1 }])).toEqual({
      status: 'Degraded',
      reasons: ['w: 1 of 2 pods available'],
    });
    expect(entityHealth(graph, 'wl:b/w', [{ name: 'w', desired: 1, available: 1 }]).status).toBe('NoTraffic');
  });
});
